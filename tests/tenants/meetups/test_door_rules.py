"""Door rules (issue 16, item 10): the door says who each person is, asks before anything
unusual (waitlisted, offered, cancelled, not the meetup's day) — enforced by the server, not
only the script — and a member who is checked in can no longer cancel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.models import Attendance, AttendanceStatus, Member, MemberStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.meetups import attendance as svc
from joren.tenants.meetups.models import Registration, RegistrationStatus
from tests.tenants.helpers import in_english, meetup
from tests.tenants.meetups.helpers_checkin import guest, person, register

pytestmark = pytest.mark.usefixtures("clock")

JSON = {"Accept": "application/json"}


@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "定例会", starts_at=utcnow() + timedelta(minutes=10))


@pytest.fixture()
def crowd(session, tenant, evening):  # type: ignore[no-untyped-def]
    rows = {
        "going": person(session, tenant, "佐藤", "健", "サトウ", "ケン"),
        "waiting": person(session, tenant, "石川", "誠", "イシカワ", "マコト"),
        "offered": person(session, tenant, "上田", "進", "ウエダ", "ススム"),
        "gone": person(session, tenant, "中村", "優", "ナカムラ", "ユウ"),
        "walkin": guest(session, tenant, "田中", "由美", "タナカ", "ユミ"),
        "came": person(session, tenant, "渡辺", "大輔", "ワタナベ", "ダイスケ"),
    }
    register(session, evening, rows["going"])
    register(session, evening, rows["waiting"], status=RegistrationStatus.WAITLISTED,
             waitlist_position=1)
    register(session, evening, rows["offered"], status=RegistrationStatus.OFFERED)
    register(session, evening, rows["gone"], status=RegistrationStatus.CANCELLED)
    register(session, evening, rows["came"])
    with unscoped(session):
        session.add(Attendance(tenant_id=evening.tenant_id, meetup_id=evening.id,
                               member_id=rows["came"].id, status=AttendanceStatus.PRESENT,
                               checked_in_at=utcnow()))
        session.add(Attendance(tenant_id=evening.tenant_id, meetup_id=evening.id,
                               member_id=rows["walkin"].id, status=AttendanceStatus.WALK_IN,
                               checked_in_at=utcnow()))
    session.commit()
    return rows


def _door(tenant, evening, suffix=""):  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/{evening.id}/checkin{suffix}"


def _status_of(html: str, member_id: int) -> str:
    row = html.split(f'data-member-id="{member_id}"', 1)[1].split("</li>", 1)[0]
    return row.split('data-door-status="', 1)[1].split('"', 1)[0]


def _checked_in(session, evening, member) -> bool:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        row = session.scalar(select(Attendance).where(Attendance.meetup_id == evening.id,
                                                      Attendance.member_id == member.id))
    return row is not None


def test_the_door_says_who_each_person_is_in_both_languages(
        staff_client, tenant, evening, crowd):
    expected = {"going": ("registered", "申込済み", "Registered"),
                "waiting": ("waitlisted", "キャンセル待ち", "Waitlisted"),
                "offered": ("offered", "お席のご案内中", "Seat offered"),
                "gone": ("cancelled", "キャンセル済み", "Registration cancelled"),
                "walkin": ("checked_in", "受付済み", "Checked in"),
                "came": ("checked_in", "受付済み", "Checked in")}
    assert staff_client.get(_door(tenant, evening)).status_code == 200
    ja = {key: staff_client.get(_door(tenant, evening, "/search"),
                                query_string={"q": m.family_name}).get_data(as_text=True)
          for key, m in crowd.items()}
    in_english(staff_client)
    en = {key: staff_client.get(_door(tenant, evening, "/search"),
                                query_string={"q": m.family_name}).get_data(as_text=True)
          for key, m in crowd.items()}
    for key, (status, japanese, english) in expected.items():
        member_id = crowd[key].id
        assert _status_of(ja[key], member_id) == status and japanese in ja[key], key
        assert _status_of(en[key], member_id) == status and english in en[key], key
    # Only the registered get the plain green button; the others' asks first.
    assert "btn-success" in en["going"] and "data-unusual" not in en["going"]
    for key in ("waiting", "offered", "gone"):
        assert "data-unusual" in en[key] and "Check in…" in en[key]
    # Without a registration: a guest is a walk-in guest, a member is not registered.
    assert svc.door_status(crowd["walkin"], None, None) == svc.DoorStatus.WALK_IN_GUEST
    assert svc.door_status(Member(status=MemberStatus.MEMBER), None, None) == (
        svc.DoorStatus.NOT_REGISTERED)


@pytest.mark.parametrize("key, reason", [("waiting", "on the waitlist"),
                                         ("offered", "offered a seat"),
                                         ("gone", "cancelled their registration")])
def test_checking_in_someone_not_going_asks_first_and_the_server_insists(
        staff_client, session, tenant, evening, crowd, key, reason):
    in_english(staff_client)
    who = crowd[key]
    asked = staff_client.post(_door(tenant, evening, "/check-in"),
                              data={"member_id": who.id}, headers=JSON)
    assert asked.status_code == 409
    body = asked.get_json()
    assert body["confirm"] is True and not body["ok"]
    assert any(reason in r for r in body["reasons"]) and "anyway" in body["message"]
    assert not _checked_in(session, evening, who)
    # Without the script: a page that asks, and still nothing recorded.
    page = staff_client.post(_door(tenant, evening, "/check-in"), data={"member_id": who.id})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and reason in html and 'name="confirm" value="1"' in html
    assert not _checked_in(session, evening, who)
    done = staff_client.post(_door(tenant, evening, "/check-in"),
                             data={"member_id": who.id, "confirm": "1"}, headers=JSON)
    assert done.status_code == 200 and done.get_json()["ok"]
    assert _checked_in(session, evening, who)


def test_the_registered_check_in_with_one_tap_on_the_day_only(
        staff_client, session, tenant, people, crowd, evening):
    tap = staff_client.post(_door(tenant, evening, "/check-in"),
                            data={"member_id": crowd["going"].id}, headers=JSON)
    assert tap.status_code == 200 and tap.get_json()["ok"]
    later = meetup(session, tenant, "来月の定例会", starts_at=utcnow() + timedelta(days=21))
    early = person(session, tenant, "木村", "花", "キムラ", "ハナ")
    register(session, later, early)
    session.commit()
    in_english(staff_client)
    page = staff_client.get(_door(tenant, later)).get_data(as_text=True)
    assert "not the meetup&#39;s day" in page or "not the meetup's day" in page
    asked = staff_client.post(_door(tenant, later, "/check-in"), data={"member_id": early.id},
                              headers=JSON)
    assert asked.status_code == 409 and "is not today" in " ".join(asked.get_json()["reasons"])
    assert not _checked_in(session, later, early)
    with pytest.raises(svc.NeedsConfirmation) as question, unscoped(session):
        svc.check_in(session, later, early, None, now=utcnow())
    session.rollback()
    assert question.value.reasons == ["before_day"]
    # The day itself: six hours before the start is fine, a week after the end is not.
    assert svc.within_door_window(later, later.starts_at - timedelta(hours=5))
    assert not svc.within_door_window(later, later.ends_at + timedelta(days=7))
    assert svc.unusual_check_in(later, svc.DoorStatus.REGISTERED,
                                later.ends_at + timedelta(days=7)) == ["after_day"]


def test_a_checked_in_member_cannot_cancel(session, tenant, people, member_client, evening):
    me = people.member_member
    register(session, evening, me)
    with unscoped(session):
        session.add(Attendance(tenant_id=evening.tenant_id, meetup_id=evening.id,
                               member_id=me.id, status=AttendanceStatus.PRESENT,
                               checked_in_at=utcnow()))
    session.commit()
    in_english(member_client)
    page = member_client.get(f"/c/{tenant.slug}/meetups/{evening.id}").get_data(as_text=True)
    assert "data-checked-in-here" in page and "Cancel my registration" not in page
    response = member_client.post(f"/c/{tenant.slug}/meetups/{evening.id}/cancel",
                                  follow_redirects=True)
    assert "can no longer be cancelled" in response.get_data(as_text=True)
    session.expire_all()
    with unscoped(session):
        status = session.scalar(select(Registration.status).where(
            Registration.meetup_id == evening.id, Registration.member_id == me.id))
    assert status == RegistrationStatus.GOING


def test_another_communitys_door_cannot_check_in_our_people(
        login, people, session, tenant, other_tenant, evening, crowd):
    theirs = meetup(session, other_tenant, "神戸の会", starts_at=utcnow() + timedelta(minutes=10))
    session.commit()
    outsider = login(people.other_owner)
    staff = login(people.staff)
    # Their owner, their meetup, one of our people: unknown there (404), even confirmed.
    assert outsider.post(f"/c/{other_tenant.slug}/admin/meetups/{theirs.id}/checkin/check-in",
                         data={"member_id": crowd["waiting"].id, "confirm": "1"}
                         ).status_code == 404
    assert staff.post(_door(tenant, evening, "/check-in"),
                      data={"member_id": 10**6, "confirm": "1"}).status_code == 404
    assert not _checked_in(session, evening, crowd["waiting"])
