"""The stored per-meetup fee tallies (joren/tenants/payments/tallies.py) equal a fresh count of
the register after every kind of change (registrations, check-ins, attendance set by hand,
payments marked and undone, cancellations, a CSV import, an erasure, bulk writes), migration
0030 fills them from the rows that exist, and another community can neither see nor change
them (issue 14)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import create_engine, delete, insert, select, update
from sqlalchemy.orm import Session

from joren.models import AttendanceStatus, Member, Registration, RegistrationStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import TenantScopeError, unscoped
from joren.tenants.imports import services as imports
from joren.tenants.imports.models import ImportKind
from joren.tenants.imports.write import run_import
from joren.tenants.meetups.attendance import check_in, set_status, undo_check_in
from joren.tenants.meetups.models import Attendance
from joren.tenants.meetups.registrations.services import cancel_registration, register
from joren.tenants.payments import tallies
from joren.tenants.payments.models import MeetupFeeTally, PaymentMethod
from joren.tenants.payments.services import mark_paid, undo
from joren.tenants.privacy.erasure import erase_member
from tests import factories
from tests.platform.test_migration_upgrade import _baseline, _load
from tests.platform.test_migrations import (  # noqa: F401 - fixtures
    _alembic_config,
    _databases,
    postgres_url,
    sqlite_url,
)
from tests.tenants.helpers import count_statements, meetup

pytestmark = pytest.mark.usefixtures("clock")


def _stored(s: Session) -> dict[int, tuple[int, int]]:
    return {row.meetup_id: (row.due, row.unpaid) for row in s.scalars(select(MeetupFeeTally))}


def _fresh(s: Session) -> dict[int, tuple[int, int]]:
    return {meetup_id: (due, unpaid)
            for _t, meetup_id, due, unpaid in s.execute(tallies.counted()).all()}


def _committed(s: Session) -> dict[int, tuple[int, int]]:
    """Commit, then the stored tallies, which must equal a fresh count of the register."""
    s.commit()
    stored = _stored(s)
    assert stored == _fresh(s)
    return stored


def _people(session, community, n):  # type: ignore[no-untyped-def]
    return [factories.member(session, community, given_name=f"会員{i}") for i in range(n)]


def test_registrations_payments_and_cancellations_keep_the_tallies(session, scoped, tenant,
                                                                   people):
    ahead = meetup(session, tenant, "来週の会", utcnow() + timedelta(days=7), price=3000)
    a, b, c = _people(session, tenant, 3)
    session.commit()
    s = scoped(tenant)
    owner = s.get(Member, people.owner_member.id)
    mine = {m.id: s.get(Member, m.id) for m in (a, b, c)}
    evening = s.get(type(ahead), ahead.id)
    regs = {m: register(s, evening, mine[m], notify=False) for m in (a.id, b.id)}
    assert _committed(s) == {ahead.id: (2, 2)}
    payment = mark_paid(s, evening, mine[a.id], PaymentMethod.DOOR, owner)
    assert _committed(s) == {ahead.id: (2, 1)}
    cancel_registration(s, regs[b.id], owner)
    assert _committed(s) == {ahead.id: (1, 0)}
    undo(s, payment, owner)
    assert _committed(s) == {ahead.id: (1, 1)}
    register(s, evening, mine[c.id], notify=False)
    assert _committed(s) == {ahead.id: (2, 2)}


def test_check_ins_at_the_door_keep_the_tallies(session, scoped, tenant, people):
    tonight = meetup(session, tenant, "今夜の会", utcnow() - timedelta(minutes=10), price=3000)
    registered, walk_in = _people(session, tenant, 2)
    session.commit()
    s = scoped(tenant)
    staff = s.get(Member, people.staff_member.id)
    evening = s.get(type(tonight), tonight.id)
    register(s, evening, s.get(Member, registered.id), notify=False,
             now=utcnow() - timedelta(hours=1))
    assert _committed(s) == {tonight.id: (1, 1)}
    check_in(s, evening, s.get(Member, registered.id), staff)
    assert _committed(s) == {tonight.id: (1, 1)}  # the same person, counted once
    check_in(s, evening, s.get(Member, walk_in.id), staff, confirmed=True)
    assert _committed(s) == {tonight.id: (2, 2)}
    mark_paid(s, evening, s.get(Member, walk_in.id), PaymentMethod.DOOR, staff)
    assert _committed(s) == {tonight.id: (2, 1)}
    undo_check_in(s, evening, s.get(Member, registered.id), staff)
    assert _committed(s) == {tonight.id: (2, 1)}  # still registered as going


def test_attendance_set_by_hand_and_taken_back_keeps_the_tallies(session, scoped, tenant,
                                                                 people):
    past = meetup(session, tenant, "先週の会", utcnow() - timedelta(days=7), price=3000)
    a, b = _people(session, tenant, 2)
    session.commit()
    s = scoped(tenant)
    owner = s.get(Member, people.owner_member.id)
    evening = s.get(type(past), past.id)
    for m in (a, b):
        set_status(s, evening, s.get(Member, m.id), AttendanceStatus.PRESENT, owner)
    assert _committed(s) == {past.id: (2, 2)}
    set_status(s, evening, s.get(Member, b.id), AttendanceStatus.ABSENT, owner)
    assert _committed(s) == {past.id: (1, 1)}
    mark_paid(s, evening, s.get(Member, a.id), PaymentMethod.BANK_TRANSFER, owner)
    assert _committed(s) == {past.id: (1, 0)}


def test_an_erasure_cancels_future_seats_and_the_tallies_follow(session, scoped, tenant,
                                                                people):
    ahead = meetup(session, tenant, "来週の会", utcnow() + timedelta(days=7), price=3000)
    past = meetup(session, tenant, "先週の会", utcnow() - timedelta(days=7), price=3000)
    leaving, staying = _people(session, tenant, 2)
    session.commit()
    s = scoped(tenant)
    owner = s.get(Member, people.owner_member.id)
    for m in (leaving, staying):
        register(s, s.get(type(ahead), ahead.id), s.get(Member, m.id), notify=False)
    set_status(s, s.get(type(past), past.id), s.get(Member, leaving.id),
               AttendanceStatus.PRESENT, owner)
    assert _committed(s) == {ahead.id: (2, 2), past.id: (1, 1)}
    erase_member(s, s.get(Member, leaving.id), actor=owner, now=utcnow())
    # The future seat is given back; the attendance the community counts stays.
    assert _committed(s) == {ahead.id: (1, 1), past.id: (1, 1)}


def test_an_attendance_import_counts_its_meetups_again(session, scoped, tenant, people,
                                                       app_ctx):
    day = meetup(session, tenant, "四月の例会", datetime(2024, 4, 15, 10, 0, tzinfo=UTC),
                 price=3000)
    session.commit()
    s = scoped(tenant)
    text = ("参加日,氏名,メールアドレス,出欠\n"
            "2024-04-15,山本 健一,kenichi@example.jp,出席\n"
            "2024-04-15,新人 花子,hanako@example.jp,遅刻\n"
            "2024-05-20,別日 次郎,jiro@example.jp,出席\n")
    batch = imports.create_batch(s, kind=ImportKind.ATTENDANCE, filename="a.csv",
                                 data=text.encode(), actor=None)
    assert imports.save_mapping(s, batch, ["meetup_date", "full_name", "email",
                                           "attendance_status"]) == []
    imports.preview(s, batch)
    imports.confirm(s, batch, valid_only=False)
    run_import(s, batch.id)
    stored = _committed(s)
    assert batch.attendance_created == 3
    assert stored[day.id] == (2, 2)
    (made,) = batch.meetups_created
    assert stored[made] == (1, 1)


def test_bulk_writes_through_the_session_keep_the_tallies(session, scoped, tenant, people):
    past = meetup(session, tenant, "先週の会", utcnow() - timedelta(days=7), price=3000)
    members = _people(session, tenant, 4)
    session.commit()
    s = scoped(tenant)
    s.execute(insert(Attendance), [{"meetup_id": past.id, "member_id": m.id,
                                    "status": AttendanceStatus.PRESENT} for m in members])
    assert _committed(s) == {past.id: (4, 4)}
    s.execute(update(Attendance).where(Attendance.member_id == members[0].id)
              .values(status=AttendanceStatus.ABSENT))
    assert _committed(s) == {past.id: (3, 3)}
    s.execute(update(Attendance).values(note="blanked"))  # no counted column: nothing to do
    assert _committed(s) == {past.id: (3, 3)}
    s.execute(delete(Attendance).where(Attendance.member_id == members[1].id))
    assert _committed(s) == {past.id: (2, 2)}


def test_a_rollback_leaves_the_tallies_as_they_were(session, scoped, tenant, people):
    ahead = meetup(session, tenant, "来週の会", utcnow() + timedelta(days=7), price=3000)
    (a,) = _people(session, tenant, 1)
    session.commit()
    s = scoped(tenant)
    register(s, s.get(type(ahead), ahead.id), s.get(Member, a.id), notify=False)
    s.rollback()
    assert _committed(s) == {}


def test_recount_rebuilds_what_was_lost(session, scoped, tenant, people):
    past = meetup(session, tenant, "先週の会", utcnow() - timedelta(days=7), price=3000)
    members = _people(session, tenant, 3)
    session.commit()
    s = scoped(tenant)
    s.execute(insert(Attendance), [{"meetup_id": past.id, "member_id": m.id,
                                    "status": AttendanceStatus.PRESENT} for m in members])
    s.commit()
    s.execute(delete(MeetupFeeTally))
    s.commit()
    assert _stored(s) == {}
    assert tallies.recount(s) == 1
    assert _committed(s) == {past.id: (3, 3)}


def test_another_community_can_neither_see_nor_change_the_tallies(session, scoped, tenant,
                                                                  other_tenant, people):
    mine = meetup(session, tenant, "先週の会", utcnow() - timedelta(days=7), price=3000)
    theirs = meetup(session, other_tenant, "神戸の会", utcnow() - timedelta(days=7), price=2000)
    for community, m in ((tenant, mine), (other_tenant, theirs)):
        s = scoped(community)
        s.execute(insert(Attendance), [{"meetup_id": m.id, "member_id": p.id,
                                        "status": AttendanceStatus.PRESENT}
                                       for p in _people(session, community, 2)])
        s.commit()
    other = scoped(other_tenant)
    assert _stored(other) == {theirs.id: (2, 2)}
    assert other.get(MeetupFeeTally, _ids(session, mine.id)) is None
    other.execute(update(MeetupFeeTally).values(unpaid=99))
    other.execute(delete(MeetupFeeTally).where(MeetupFeeTally.meetup_id == mine.id))
    other.commit()
    with pytest.raises(TenantScopeError):
        other.execute(insert(MeetupFeeTally), [{"tenant_id": tenant.id, "meetup_id": mine.id,
                                                "due": 0, "unpaid": 0}])
    other.rollback()
    # Counting "everything" again in the other community recounts only its own meetups.
    tallies.recount(other)
    other.commit()
    assert _committed(scoped(tenant)) == {mine.id: (2, 2)}


def _ids(session, meetup_id: int) -> int:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalar(select(MeetupFeeTally.id)
                              .where(MeetupFeeTally.meetup_id == meetup_id))


def test_the_dashboard_reads_the_tallies_in_the_same_statements(app, session, scoped, tenant,
                                                                people, organizer_client):
    past = meetup(session, tenant, "先週の有料会", utcnow() - timedelta(days=7), price=3000)
    older = meetup(session, tenant, "先月の有料会", utcnow() - timedelta(days=30), price=3000)
    s = scoped(tenant)
    for m, n in ((past, 2), (older, 5)):
        s.execute(insert(Attendance), [{"meetup_id": m.id, "member_id": p.id,
                                        "status": AttendanceStatus.PRESENT}
                                       for p in _people(session, tenant, n)])
    s.commit()
    with count_statements(app) as sql:
        body = organizer_client.get(f"/c/{tenant.slug}/admin/").get_data(as_text=True)
    assert 'data-todo-count="unpaid">7<' in body
    # The first names come from the latest meetup, then the one before it.
    names = re.search(r'data-names="unpaid">(.*?)</ul>', body, re.S).group(1)  # type: ignore[union-attr]
    assert names.count("先週の有料会") == 2 and names.count("先月の有料会") == 1
    assert len(sql) <= 10


@pytest.mark.parametrize("database", _databases())
def test_migration_0030_counts_the_existing_rows(request, database):
    url = request.getfixturevalue(database)
    cfg = _alembic_config(url)
    command.upgrade(cfg, "0001")
    _load(url, _baseline())
    command.upgrade(cfg, "0030")
    engine = create_engine(url)
    try:
        with Session(engine) as s, unscoped(s):
            stored = {(row.tenant_id, row.meetup_id): (row.due, row.unpaid)
                      for row in s.scalars(select(MeetupFeeTally))}
            fresh = {(t, m): (due, unpaid)
                     for t, m, due, unpaid in s.execute(tallies.counted()).all()}
            going = s.scalar(select(Registration.id).where(
                Registration.status == RegistrationStatus.GOING).limit(1))
    finally:
        engine.dispose()
    assert going is not None and stored, "the baseline has fees to count"
    assert stored == fresh


def _totals_figures(t) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    return t.due_count, t.expected, t.outstanding


def test_the_payments_pages_totals_read_the_tally_and_agree_with_the_register(
        app, session, scoped, tenant, other_tenant, people):
    from joren.tenants.payments.services import register_counts, totals

    tonight = meetup(session, tenant, "今夜の会", utcnow() - timedelta(minutes=10), price=3000)
    theirs = meetup(session, other_tenant, "よその会", utcnow() - timedelta(minutes=10),
                    price=5000)
    going, walk_in, paying = _people(session, tenant, 3)
    stranger = factories.member(session, other_tenant)
    session.commit()
    s = scoped(tenant)
    staff = s.get(Member, people.staff_member.id)
    evening = s.get(type(tonight), tonight.id)
    for m in (going, paying):
        register(s, evening, s.get(Member, m.id), notify=False, now=utcnow() - timedelta(hours=1))
    check_in(s, evening, s.get(Member, walk_in.id), staff, confirmed=True)
    payment = mark_paid(s, evening, s.get(Member, paying.id), PaymentMethod.DOOR, staff)
    # Not committed yet: the tally is not counted, so the register answers.
    assert _totals_figures(totals(s, evening)) == (3, 9000, 6000)
    s.commit()
    # Another community's writes touch neither this tally nor these totals.
    o = scoped(other_tenant)
    o_meetup = o.get(type(theirs), theirs.id)
    register(o, o_meetup, o.get(Member, stranger.id), notify=False,
             now=utcnow() - timedelta(hours=1))
    o.commit()
    assert tallies.stored(o, tonight.id) == (0, 0)  # it cannot read this community's tally
    s.refresh(evening)
    with count_statements(app) as sql:
        figures = totals(s, evening)
    assert _totals_figures(figures) == (3, 9000, 6000)
    assert len(sql) == 2 and "meetup_fee_tallies" in sql.statements[0], sql.statements
    assert not any("registrations" in q or "attendance" in q for q in sql.statements)
    assert register_counts(s, evening)[:2] == tallies.stored(s, evening.id) == (3, 2)
    undo(s, payment, s.get(Member, people.owner_member.id))
    s.commit()
    assert register_counts(s, evening)[:2] == tallies.stored(s, evening.id) == (3, 3)
    assert _totals_figures(totals(s, evening)) == (3, 9000, 9000)
