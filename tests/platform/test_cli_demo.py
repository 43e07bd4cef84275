"""``joren demo``: a realistic Osaka community, loaded once, in bulk, the same every time."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select, update

from joren.demo import data, loader, people
from joren.models import (
    Account,
    Attendance,
    AttendanceStatus,
    Community,
    Meetup,
    Member,
    MemberStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from joren.platform.security import verify_password
from joren.platform.tenancy import unscoped
from tests import factories

pytestmark = pytest.mark.usefixtures("clock")

ATTENDED = {AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.WALK_IN}
FIXED_NOW = datetime(2026, 6, 20, 3, 0, tzinfo=UTC)


def test_demo_command_loads_once_and_prints_the_sign_in_details(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output

    assert "Loaded the demo community" in first.output
    assert "already loaded" in second.output
    for text in ("organizer@demo.joren.jp", "member@demo.joren.jp", "joren-demo-2026",
                 "/login", "/c/osaka-ikigyoshu/admin/", "/c/osaka-ikigyoshu/"):
        assert text in first.output and text in second.output
    assert app.config["BASE_URL"] in first.output
    with unscoped(session):
        communities = session.scalars(select(Community).where(Community.slug == loader.SLUG))
        assert len(communities.all()) == 1
        members = session.scalars(select(Member).join(Community, Member.tenant_id == Community.id)
                                  .where(Community.slug == loader.SLUG)).all()
    assert len(members) == 120
    demo_accounts = session.scalars(
        select(Account).where(Account.email.like("%@demo.joren.jp"))).all()
    assert len(demo_accounts) == 3


def test_demo_reset_replaces_the_community(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    community = session.scalar(select(Community).where(Community.slug == loader.SLUG))
    community.name = "renamed by hand"
    factories.member(session, community, email="extra@example.jp")
    session.commit()

    result = runner.invoke(args=["demo", "--reset"])

    assert result.exit_code == 0, result.output
    session.expire_all()
    communities = session.scalars(select(Community).where(Community.slug == loader.SLUG)).all()
    assert [c.name for c in communities] == [loader.NAME]
    with unscoped(session):
        assert session.scalar(select(Member.id).where(Member.email == "extra@example.jp")) is None
    assert "120 members, 14 meetups" in result.output


@pytest.fixture()
def demo(maker, connection):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.startswith("SELECT set_config("):  # the tenant scope, not a query
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    s = maker(expire_on_commit=False)
    try:
        summary = loader.load_demo(s, now=FIXED_NOW)
        s.flush()
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return s, summary, statements


def _attended_by_member(s, past_ids):
    attended: dict[int, list[int]] = {}
    for member_id, meetup_id, status in s.execute(
            select(Attendance.member_id, Attendance.meetup_id, Attendance.status)):
        if status in ATTENDED:
            attended.setdefault(member_id, []).append(past_ids.index(meetup_id))
    return attended


def test_demo_meetups_are_second_tuesday_evenings_in_osaka(demo):
    s, summary, _ = demo
    meetups = s.scalars(select(Meetup).order_by(Meetup.starts_at)).all()
    assert summary.meetups == len(meetups) == 14
    past = [m for m in meetups if m.starts_at <= FIXED_NOW]
    assert len(past) == 12
    osaka = ZoneInfo("Asia/Tokyo")
    months = []
    for meetup in meetups:
        local = meetup.starts_at.astimezone(osaka)
        assert (local.weekday(), local.hour, local.minute) == (1, 19, 0)
        assert 8 <= local.day <= 14
        assert meetup.starts_at.utcoffset().total_seconds() == 0
        months.append(local.year * 12 + local.month)
    assert months == list(range(months[0], months[0] + 14))
    assert all(m.venue_address.startswith("大阪府大阪市") for m in meetups)
    assert s.scalar(select(Attendance.id).where(
        Attendance.meetup_id.in_([m.id for m in meetups[12:]]))) is None


def test_demo_attendance_shows_regulars_one_timers_and_lapsed_regulars(demo):
    s, summary, _ = demo
    past_ids = [m.id for m in s.scalars(select(Meetup).order_by(Meetup.starts_at)).all()[:12]]
    attended = _attended_by_member(s, past_ids)

    regulars = [m for m, seen in attended.items() if len(seen) >= 9]
    one_timers = [m for m, seen in attended.items() if len(seen) == 1]
    returning = [m for m, seen in attended.items() if 2 <= len(seen) <= 6
                 and any(i >= 9 for i in seen)]
    lapsed = [m for m, seen in attended.items()
              if len(seen) <= 8 and sum(i < 8 for i in seen) >= 6 and not any(i >= 9 for i in seen)]
    assert summary.members == 120
    assert len(regulars) == 20
    assert len(one_timers) == 40
    assert len(lapsed) == 10
    assert len(returning) >= 8
    statuses = set(s.scalars(select(Attendance.status)))
    assert {AttendanceStatus.EXCUSED, AttendanceStatus.LATE, AttendanceStatus.ABSENT} <= statuses
    guests = s.scalars(select(Member).where(Member.status == MemberStatus.GUEST)).all()
    assert len(guests) >= 5

    member_account = s.scalar(select(Member).where(Member.email == people.MEMBER_EMAIL))
    assert member_account.id in regulars


def test_demo_people_look_like_people_in_osaka(demo):
    s, _, _ = demo
    members = s.scalars(select(Member)).all()
    names = {(m.family_name, m.given_name) for m in members}
    assert len(names) == len(members)
    emails = [m.email for m in members]
    assert len(set(emails)) == len(emails)
    assert all(e.endswith((".example.jp", "@demo.joren.jp")) for e in emails)
    for m in members:
        reading = m.family_name_kana + m.given_name_kana
        assert all("\u30a0" <= ch <= "\u30ff" for ch in reading), reading
        assert m.name_romaji.split(" / ")[0].replace(" ", "").isascii()
        assert m.company and m.title
        assert m.industry in data.INDUSTRIES
        assert m.joined_at <= FIXED_NOW
    yamamoto = next(m for m in members if m.email == people.MEMBER_EMAIL)
    assert yamamoto.name_romaji.startswith("yamamoto shouta")
    tax = [m for m in members if m.company.endswith("税理士事務所")]
    assert all(m.title == "税理士" for m in tax)


def test_demo_accounts_can_sign_in_with_the_demo_password(demo):
    s, _, _ = demo
    roles = {}
    for email in (people.OWNER_EMAIL, people.STAFF_EMAIL, people.MEMBER_EMAIL):
        account = s.scalar(select(Account).where(Account.email == email))
        assert account.is_verified
        assert verify_password(account.password_hash, people.PASSWORD)
        member = s.scalar(select(Member).where(Member.account_id == account.id))
        roles[email] = member.role
    assert roles == {people.OWNER_EMAIL: Role.OWNER, people.STAFF_EMAIL: Role.STAFF,
                     people.MEMBER_EMAIL: Role.MEMBER}


def test_the_next_demo_meetup_is_full_with_a_waitlist(demo):
    s, _, _ = demo
    upcoming = s.scalars(select(Meetup).where(Meetup.starts_at > FIXED_NOW)
                         .order_by(Meetup.starts_at)).all()
    statuses = [r.status for r in s.scalars(
        select(Registration).where(Registration.meetup_id == upcoming[0].id))]
    assert statuses.count(RegistrationStatus.GOING) == upcoming[0].capacity
    positions = sorted(r.waitlist_position for r in s.scalars(
        select(Registration).where(Registration.meetup_id == upcoming[0].id,
                                   Registration.status == RegistrationStatus.WAITLISTED)))
    assert positions and positions == list(range(1, len(positions) + 1))
    member = s.scalar(select(Member).where(Member.email == people.MEMBER_EMAIL))
    assert s.scalar(select(Registration.status).where(
        Registration.meetup_id == upcoming[0].id, Registration.member_id == member.id)) \
        == RegistrationStatus.GOING


def test_demo_is_inserted_in_bulk(demo):
    _, summary, statements = demo
    assert summary.attendances > 300
    assert len(statements) < 40, f"{len(statements)} statements: the demo inserts row by row"


def test_demo_is_the_same_every_time_and_not_duplicated(demo, maker):
    s, summary, _ = demo

    def people(session):
        return sorted(session.execute(select(Member.family_name, Member.given_name,
                                             Member.company, Member.joined_at)).all())

    first = people(s)
    again = maker(expire_on_commit=False)
    repeat = loader.load_demo(again, now=FIXED_NOW)
    assert not repeat.created
    assert (repeat.members, repeat.attendances) == (summary.members, summary.attendances)

    s.execute(update(Member).values(company="changed"))
    fresh = maker(expire_on_commit=False)
    reloaded = loader.load_demo(fresh, now=FIXED_NOW, reset=True)
    fresh.flush()
    assert reloaded.created
    assert (reloaded.members, reloaded.attendances) == (summary.members, summary.attendances)
    assert people(fresh) == first
