"""A receipt's addressee (宛名) can be a company: its name with 御中, stored on the receipt and
printed on the page and the PDF (issue 16, item 14)."""

from __future__ import annotations

import pytest

from joren.platform.tenancy import unscoped
from joren.tenants.payments.models import Payment
from tests.tenants.helpers import in_english
from tests.tenants.payments.test_receipts import evening, paid  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("clock")


def _url(tenant, payment, tail: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/payments/{payment.id}/receipt{tail}"


def _stored(session, payment):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        row = session.get(Payment, payment.id)
        return row.receipt_addressee, row.receipt_honorific


def test_a_company_as_addressee_with_onchu(session, member_client, tenant, paid):  # noqa: F811
    payment = paid["mine"]
    member_client.post("/language", data={"language": "ja"})
    response = member_client.post(_url(tenant, payment, "/addressee"),
                                  data={"addressee": " 株式会社  田中商事 ", "honorific": "onchu"})
    assert response.status_code == 302
    assert _stored(session, payment) == ("株式会社 田中商事", "onchu")
    html = member_client.get(_url(tenant, payment)).get_data(as_text=True)
    assert "株式会社 田中商事 御中" in html and "田中 三郎 様" not in html
    english = in_english(member_client).get(_url(tenant, payment)).get_data(as_text=True)
    assert "Made out to: 株式会社 田中商事" in english
    pdf = member_client.get(_url(tenant, payment, ".pdf"))
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF-")


def test_back_to_the_members_own_name(session, member_client, tenant, paid):  # noqa: F811
    payment = paid["mine"]
    member_client.post(_url(tenant, payment, "/addressee"),
                       data={"addressee": "田中商事", "honorific": "onchu"})
    member_client.post(_url(tenant, payment, "/addressee"),
                       data={"addressee": "", "honorific": "onchu"})
    assert _stored(session, payment) == ("", "sama")
    member_client.post("/language", data={"language": "ja"})
    assert "田中 三郎 様" in member_client.get(_url(tenant, payment)).get_data(as_text=True)


def test_bad_input_says_why(session, member_client, tenant, paid):  # noqa: F811
    payment = paid["mine"]
    client = in_english(member_client)
    response = client.post(_url(tenant, payment, "/addressee"),
                           data={"addressee": "x" * 201, "honorific": "onchu"},
                           follow_redirects=True)
    assert "The addressee can be at most 200 characters." in response.get_data(as_text=True)
    client.post(_url(tenant, payment, "/addressee"),
                data={"addressee": "田中商事", "honorific": "殿"})
    assert _stored(session, payment) == ("", "sama")


def test_only_those_who_may_see_the_receipt_change_it(session, member_client, login, people,
                                                      tenant, other_tenant, paid):  # noqa: F811
    theirs = paid["theirs"]
    assert member_client.post(_url(tenant, theirs, "/addressee"),
                              data={"addressee": "他社", "honorific": "onchu"}).status_code == 404
    other = login(people.other_owner)
    assert other.post(_url(other_tenant, theirs, "/addressee"),
                      data={"addressee": "他社", "honorific": "onchu"}).status_code == 404
    assert _stored(session, theirs) == ("", "sama")
