"""Memberships claimed without consent (issue 11, finding 3).

An organizer's CSV import with an existing account's address used to make that person an
active member at their next sign-in, and showed the organizer that the address had an
account. Now the row is offered to the person, who accepts or declines; the organizer sees
nothing until they accept.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from joren.models import Invitation, Member, MemberStatus
from joren.platform.tenancy import unscoped
from tests import factories
from tests.platform.test_accounts import is_signed_in, sign_in_form
from tests.tenants.members.test_imports import (
    DATA,
    MEMBER_FORM,
    batch_id_of,
    map_and_import,
    upload,
)

pytestmark = pytest.mark.usefixtures("clock")

EN = {"Accept-Language": "en"}
KENICHI = "kenichi@example.jp"  # in members_utf8.csv, with an account of his own
MISAKI = "misaki@example.jp"  # in members_utf8.csv, no account


@pytest.fixture()
def imported(organizer_client, session, tenant, people, run_jobs):  # type: ignore[no-untyped-def]
    """Kenichi has a verified Joren account; the organizer imports a list with him on it."""
    kenichi = factories.account(session, KENICHI, display_name="山本 健一", language="en")
    session.commit()
    batch = batch_id_of(upload(organizer_client, (DATA / "members_utf8.csv").read_bytes()))
    status = map_and_import(organizer_client, batch, MEMBER_FORM, run_jobs)
    assert status["status"] == "done"
    return kenichi, _row(session, tenant, KENICHI)


def _row(session, tenant, email: str) -> Member:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return session.scalar(select(Member).where(Member.tenant_id == tenant.id,
                                                   Member.email == email))


def _offer_ids(session, email: str) -> list[int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return list(session.scalars(select(Invitation.id).where(
            Invitation.email == email, Invitation.invited_by_id.is_(None),
            Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))))


def test_signing_in_does_not_join_but_asks(app, session, tenant, imported):
    kenichi, row = imported
    browser = app.test_client()
    response = sign_in_form(browser, KENICHI, headers=EN)
    assert response.headers["Location"].endswith("/account#invitations")
    assert _row(session, tenant, KENICHI).account_id is None  # not attached silently
    page = browser.get("/account", headers=EN).get_data(as_text=True)
    assert "大阪異業種交流会 has added you as a member." in page
    assert "Accept" in page and "Decline" in page
    assert "/c/osaka-mixer/portal" not in page  # not a member yet


def test_accepting_links_the_row_and_makes_it_active(app, session, tenant, imported):
    kenichi, row = imported
    browser = app.test_client()
    sign_in_form(browser, KENICHI)
    [offer_id] = _offer_ids(session, KENICHI)
    assert browser.get(f"/account/invitations/{offer_id}/accept").status_code == 405
    response = browser.post(f"/account/invitations/{offer_id}/accept", headers=EN)
    assert response.status_code == 302
    assert "/c/osaka-mixer/" in response.headers["Location"]
    after = _row(session, tenant, KENICHI)
    assert after.account_id == kenichi.id
    assert after.status == MemberStatus.MEMBER and after.company == "山本商事"
    assert _offer_ids(session, KENICHI) == []


def test_declining_leaves_the_row_unlinked_and_is_not_asked_again(app, session, tenant,
                                                                   imported):
    kenichi, row = imported
    browser = app.test_client()
    sign_in_form(browser, KENICHI)
    [offer_id] = _offer_ids(session, KENICHI)
    response = browser.post(f"/account/invitations/{offer_id}/decline", headers=EN)
    assert response.status_code == 302
    assert _row(session, tenant, KENICHI).account_id is None
    assert 'id="invitations"' not in browser.get("/account", headers=EN).get_data(as_text=True)

    browser.post("/logout")
    again = sign_in_form(browser, KENICHI, headers=EN)
    assert not again.headers["Location"].endswith("#invitations")
    assert _offer_ids(session, KENICHI) == []
    assert _row(session, tenant, KENICHI).account_id is None


def test_only_the_addressee_can_answer(app, login, session, tenant, people, imported):
    kenichi, row = imported
    sign_in_form(app.test_client(), KENICHI)  # makes the offer
    [offer_id] = _offer_ids(session, KENICHI)
    intruder = login(people.outsider)
    session.commit()
    for answer in ("accept", "decline"):
        assert intruder.post(f"/account/invitations/{offer_id}/{answer}").status_code == 404
    assert intruder.post("/account/invitations/99999999999/accept").status_code == 404
    anonymous = app.test_client()
    assert anonymous.post(f"/account/invitations/{offer_id}/accept").status_code == 302
    assert _row(session, tenant, KENICHI).account_id is None
    assert _offer_ids(session, KENICHI) == [offer_id]
    assert is_signed_in(intruder)


def test_the_organizer_cannot_tell_which_addresses_have_accounts(
        app, organizer_client, session, tenant, imported):
    kenichi, row = imported
    sign_in_form(app.test_client(), KENICHI)  # the offer now exists
    misaki = _row(session, tenant, MISAKI)
    listing = organizer_client.get("/c/osaka-mixer/admin/members?q=example.jp"
                                   ).get_data(as_text=True)
    no_account = '<span class="badge text-bg-light border">'  # the "No account yet" badge
    assert listing.count(no_account) >= 2
    invitations = organizer_client.get("/c/osaka-mixer/admin/invitations").get_data(as_text=True)
    assert KENICHI not in invitations
    detail_with = organizer_client.get(f"/c/osaka-mixer/admin/members/{row.id}"
                                       ).get_data(as_text=True)
    detail_without = organizer_client.get(f"/c/osaka-mixer/admin/members/{misaki.id}"
                                          ).get_data(as_text=True)
    neutral = [page.replace(KENICHI, "EMAIL").replace(MISAKI, "EMAIL")
               for page in (detail_with, detail_without)]
    for marker in ('class="badge text-bg-warning"', "<table", "<tr"):
        assert neutral[0].count(marker) == neutral[1].count(marker), marker


def test_an_unverified_account_is_offered_nothing(app, session, tenant, organizer_client,
                                                  run_jobs):
    factories.account(session, KENICHI, verified=False)
    session.commit()
    batch = batch_id_of(upload(organizer_client, (DATA / "members_utf8.csv").read_bytes()))
    map_and_import(organizer_client, batch, MEMBER_FORM, run_jobs)
    sign_in_form(app.test_client(), KENICHI)
    assert _offer_ids(session, KENICHI) == []
