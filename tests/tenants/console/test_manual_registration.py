"""The organizer registers someone by hand: a member or a new guest, for a meetup, with where
the registration came from (issue 16, item 5)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.models import Member, MemberStatus, Registration, RegistrationStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from tests import factories
from tests.tenants.helpers import days_ago, in_english, meetup
from tests.tenants.meetups.helpers_registrations import outbox

pytestmark = pytest.mark.usefixtures("clock")


def _url(m) -> str:  # type: ignore[no-untyped-def]
    return f"/c/osaka-mixer/admin/meetups/{m.id}/register-by-hand"


def _post(client, m, **data):  # type: ignore[no-untyped-def]
    # (CSRF is off in the tests: tests/test_csrf.py covers it.)
    data.setdefault("source", "phone")
    return client.post(_url(m), data=data)


def _registrations(session, m) -> list[Registration]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(Registration).where(
            Registration.meetup_id == m.id).order_by(Registration.id)))


@pytest.fixture()
def upcoming(session, tenant, people):  # type: ignore[no-untyped-def]
    m = meetup(session, tenant, "次の定例会", utcnow() + timedelta(days=5), capacity=1)
    session.commit()
    return m


def test_a_member_who_phoned_is_registered_with_the_source(session, organizer_client,
                                                           upcoming, people):
    response = _post(organizer_client, upcoming, member_id=people.member_member.id,
                     source="phone", note="電話で受付")
    assert response.status_code == 302
    [r] = _registrations(session, upcoming)
    assert (r.member_id, r.status, r.source, r.note) == (
        people.member_member.id, RegistrationStatus.GOING, "phone", "電話で受付")
    listing = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "電話（主催者が受付）" in listing and "電話で受付" in listing
    # Nothing was sent: the confirmation email is optional and was not asked for.
    assert outbox(session) == []


def test_a_full_meetup_puts_them_on_the_waitlist(session, organizer_client, upcoming, people):
    _post(organizer_client, upcoming, member_id=people.staff_member.id, source="line")
    _post(organizer_client, upcoming, member_id=people.member_member.id, source="in_person")
    first, second = _registrations(session, upcoming)
    assert first.status == RegistrationStatus.GOING
    assert (second.status, second.waitlist_position, second.source) == (
        RegistrationStatus.WAITLISTED, 1, "in_person")


def test_a_new_guest_without_email_and_one_with_a_confirmation(session, organizer_client,
                                                              upcoming):
    _post(organizer_client, upcoming, family_name="電話", given_name="花子",
          family_name_kana="デンワ", given_name_kana="ハナコ", company="花子商店",
          source="phone")
    _post(organizer_client, upcoming, family_name="ライン", given_name="次郎",
          email="Jiro@Example.jp", source="line", notify="y")
    hanako, jiro = _registrations(session, upcoming)
    with unscoped(session):
        guest = session.get(Member, hanako.member_id)
        assert (guest.status, guest.email, guest.company) == (MemberStatus.GUEST, None,
                                                              "花子商店")
        assert session.get(Member, jiro.member_id).email == "jiro@example.jp"
    assert jiro.status == RegistrationStatus.WAITLISTED
    [message] = outbox(session)
    assert message.to_email == "jiro@example.jp"


def test_an_approval_meetup_takes_the_organizers_registration_straight_in(
        session, tenant, organizer_client, people):
    m = meetup(session, tenant, "承認制の会", utcnow() + timedelta(days=5), capacity=5,
               requires_approval=True)
    session.commit()
    _post(organizer_client, m, member_id=people.member_member.id, source="email")
    [r] = _registrations(session, m)
    assert r.status == RegistrationStatus.GOING


def test_the_export_names_the_source(session, organizer_client, upcoming, people):
    _post(organizer_client, upcoming, member_id=people.member_member.id, source="other",
          note="知人経由")
    body = organizer_client.get(
        f"/c/osaka-mixer/admin/meetups/{upcoming.id}/registrations.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert "その他（主催者が受付）" in rows[1] and "知人経由" in rows[1]


def test_bad_input_says_why_and_stores_nothing(session, organizer_client, upcoming, people):
    response = _post(organizer_client, upcoming, family_name="名字だけ")
    assert response.status_code == 422
    assert "姓と名を入力してください。" in response.get_data(as_text=True)
    response = _post(in_english(organizer_client), upcoming,
                     member_id=people.member_member.id, source="fax")
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = _post(organizer_client, upcoming, family_name="a", given_name="b",
                     email="not an address")
    assert "Enter a valid email address." in response.get_data(as_text=True)
    assert _registrations(session, upcoming) == []


def test_a_past_meetup_is_closed(session, tenant, organizer_client, people):
    m = meetup(session, tenant, "終わった会", days_ago(3))
    session.commit()
    response = _post(in_english(organizer_client), m, member_id=people.member_member.id)
    assert response.status_code == 422
    assert "Registration for this meetup is closed." in response.get_data(as_text=True)


def test_search_finds_members_by_reading(session, organizer_client, upcoming, people):
    body = organizer_client.get(_url(upcoming) + "?q=たなか").get_data(as_text=True)
    assert f'value="{people.member_member.id}"' in body and "田中" in body
    body = organizer_client.get(_url(upcoming) + "?q=ぞんざいしない").get_data(as_text=True)
    assert 'data-found="0"' in body


def test_roles_and_other_communities(session, other_tenant, organizer_client, staff_client,
                                     upcoming, people):
    assert staff_client.get(_url(upcoming)).status_code == 403
    theirs = meetup(session, other_tenant, "神戸の会", utcnow() + timedelta(days=5))
    outsider = factories.member(session, other_tenant, given_name="よその人")
    session.commit()
    assert organizer_client.get(_url(theirs)).status_code == 404
    response = _post(organizer_client, upcoming, member_id=outsider.id)
    assert response.status_code == 404
    assert _registrations(session, upcoming) == []
    body = organizer_client.get(_url(upcoming) + "?q=よその人").get_data(as_text=True)
    assert "よその人" not in body.split('role="search"')[1].split("</section>")[0].replace(
        'value="よその人"', "")


def test_someone_already_registered_is_named(session, organizer_client, upcoming, people):
    _post(organizer_client, upcoming, member_id=people.member_member.id)
    again = _post(organizer_client, upcoming, member_id=people.member_member.id)
    assert again.status_code == 422
    assert "田中 三郎さんはすでにこの例会に申し込んでいます。" in again.get_data(as_text=True)
    assert len(_registrations(session, upcoming)) == 1
