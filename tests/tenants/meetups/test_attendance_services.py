"""Attendance services: check-in, late detection, walk-ins, statuses, history, no-shows,
QR tokens and the self check-in window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from joren.models import Attendance, AttendanceStatus, MemberStatus
from joren.platform.db import utcnow
from joren.platform.membership.models import Member
from joren.platform.tenancy import unscoped
from joren.tenants.meetups import attendance as svc
from joren.tenants.meetups.checkin import lists
from joren.tenants.meetups.models import AttendanceChange, Meetup, RegistrationStatus
from tests.tenants.helpers import meetup as make_meetup
from tests.tenants.meetups.helpers_checkin import guest, person, register

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    """A meetup that started an hour ago (ends in an hour)."""
    return make_meetup(session, tenant, "定例会", starts_at=utcnow() - timedelta(hours=1))


@pytest.fixture()
def ts(session, scoped, tenant, evening):  # type: ignore[no-untyped-def]
    session.commit()
    return scoped(tenant)


def _get(ts, model, object_id):  # type: ignore[no-untyped-def]
    return ts.get(model, object_id)


def test_check_in_on_time_is_present_and_after_grace_is_late(session, ts, tenant, people,
                                                             evening):
    a = person(session, tenant, "佐々木", "一", "ササキ", "ハジメ")
    b = person(session, tenant, "伊藤", "二", "イトウ", "ジ")
    session.commit()
    meetup = ts.get(Meetup, evening.id)
    staff = ts.get(Member, people.staff_member.id)
    on_time = svc.check_in(ts, meetup, ts.get(Member, a.id), staff,
                           now=meetup.starts_at + timedelta(minutes=15))
    late = svc.check_in(ts, meetup, ts.get(Member, b.id), staff,
                        now=meetup.starts_at + timedelta(minutes=16))
    assert on_time.status == AttendanceStatus.PRESENT
    assert late.status == AttendanceStatus.LATE
    assert late.checked_in_at == meetup.starts_at + timedelta(minutes=16)
    # checking in twice changes nothing and records nothing more
    svc.check_in(ts, meetup, ts.get(Member, a.id), staff)
    ts.commit()
    changes = ts.scalars(select(AttendanceChange).order_by(AttendanceChange.id)).all()
    assert [(c.member_id, c.old_status, c.new_status, c.via, c.changed_by_id) for c in changes] == [
        (a.id, None, "present", "door", staff.id), (b.id, None, "late", "door", staff.id)]


def test_every_change_is_in_the_history_with_actor_and_can_be_corrected(session, ts, people,
                                                                        evening, tenant):
    m = person(session, tenant, "上田", "明", "ウエダ", "アキラ")
    session.commit()
    meetup = ts.get(Meetup, evening.id)
    staff = ts.get(Member, people.staff_member.id)
    organizer = ts.get(Member, people.organizer_member.id)
    member = ts.get(Member, m.id)
    svc.check_in(ts, meetup, member, staff, via="door", now=meetup.starts_at)
    svc.undo_check_in(ts, meetup, member, staff)
    svc.set_status(ts, meetup, member, AttendanceStatus.EXCUSED, organizer, note="通院のため")
    # the same values again: no new entry
    svc.set_status(ts, meetup, member, AttendanceStatus.EXCUSED, organizer, note="通院のため")
    svc.set_status(ts, meetup, member, AttendanceStatus.PRESENT, organizer, note="遅れて到着")
    ts.commit()
    entries = lists.history(ts, meetup)
    assert [(e.change.old_status, e.change.new_status, e.change.via, e.actor.id, e.change.note)
            for e in reversed(entries)] == [
        (None, "present", "door", staff.id, ""),
        ("present", None, "door", staff.id, ""),
        (None, "excused", "console", organizer.id, "通院のため"),
        ("excused", "present", "console", organizer.id, "遅れて到着"),
    ]
    assert all(e.member.id == member.id for e in entries)
    row = ts.scalar(select(Attendance).where(Attendance.member_id == member.id))
    assert row.status == AttendanceStatus.PRESENT and row.checked_in_at is not None


def test_substitute_needs_someone_and_accepts_a_member_or_a_name(session, ts, people, evening,
                                                                 tenant):
    m = person(session, tenant, "森", "健", "モリ", "ケン")
    stand_in = person(session, tenant, "林", "美咲", "ハヤシ", "ミサキ")
    session.commit()
    meetup = ts.get(Meetup, evening.id)
    organizer = ts.get(Member, people.organizer_member.id)
    member = ts.get(Member, m.id)
    with pytest.raises(svc.CheckinError) as error:
        svc.set_status(ts, meetup, member, AttendanceStatus.SUBSTITUTE, organizer)
    assert error.value.code == "substitute_required"
    with pytest.raises(svc.CheckinError):
        svc.set_status(ts, meetup, member, AttendanceStatus.SUBSTITUTE, organizer,
                       substitute=member)
    a = svc.set_status(ts, meetup, member, AttendanceStatus.SUBSTITUTE, organizer,
                       substitute=ts.get(Member, stand_in.id))
    assert a.substitute_member_id == stand_in.id and a.substitute_name == ""
    a = svc.set_status(ts, meetup, member, AttendanceStatus.SUBSTITUTE, organizer,
                       substitute_name="部下の木村さん")
    assert a.substitute_member_id is None and a.substitute_name == "部下の木村さん"
    assert svc.find_member_by_name(ts, "林 美咲").id == stand_in.id
    assert svc.find_member_by_name(ts, "はやし みさき").id == stand_in.id
    assert svc.find_member_by_name(ts, "木村") is None
    notes = [e.change.note for e in lists.history(ts, meetup)]
    assert notes[0] == "部下の木村さん" and notes[1] == "林 美咲"


def test_walk_in_creates_a_guest_with_reading_and_romaji(session, ts, people, evening):
    meetup = ts.get(Meetup, evening.id)
    staff = ts.get(Member, people.staff_member.id)
    a = svc.walk_in(ts, meetup, staff, family_name="渡辺", given_name="真一",
                    family_name_kana="わたなべ", given_name_kana="しんいち",
                    company="渡辺工務店", title="代表", email="Watanabe@Example.jp")
    ts.commit()
    guest_row = ts.get(Member, a.member_id)
    assert guest_row.status == MemberStatus.GUEST and guest_row.account_id is None
    assert guest_row.family_name_kana == "ワタナベ" and guest_row.email == "watanabe@example.jp"
    assert "watanabe shinichi" in guest_row.name_romaji
    assert a.status == AttendanceStatus.WALK_IN and a.checked_in_at is not None
    # the same email again finds the same person instead of a duplicate
    again = svc.walk_in(ts, meetup, staff, family_name="渡辺", email="watanabe@example.jp")
    assert again.member_id == guest_row.id
    assert ts.scalar(select(func.count(Member.id)).where(Member.family_name == "渡辺")) == 1
    with pytest.raises(svc.CheckinError) as error:
        svc.walk_in(ts, meetup, staff, family_name="  ")
    assert error.value.code == "name_required"
    with pytest.raises(svc.CheckinError):
        svc.walk_in(ts, meetup, staff, family_name="x", email="not-an-email")


def test_no_shows_are_going_but_absent_once_the_meetup_ended(session, ts, people, evening,
                                                             tenant):
    came = person(session, tenant, "青木", "一", "アオキ", "ハジメ")
    absent = person(session, tenant, "石井", "二", "イシイ", "ジ")
    silent = person(session, tenant, "上野", "三", "ウエノ", "サブ")
    excused = person(session, tenant, "遠藤", "四", "エンドウ", "シ")
    waiting = person(session, tenant, "岡田", "五", "オカダ", "ゴ")
    for m in (came, absent, silent, excused):
        register(session, evening, m)
    register(session, evening, waiting, RegistrationStatus.WAITLISTED)
    session.commit()
    meetup = ts.get(Meetup, evening.id)
    organizer = ts.get(Member, people.organizer_member.id)
    svc.check_in(ts, meetup, ts.get(Member, came.id), organizer)
    svc.set_status(ts, meetup, ts.get(Member, absent.id), AttendanceStatus.ABSENT, organizer)
    svc.set_status(ts, meetup, ts.get(Member, excused.id), AttendanceStatus.EXCUSED, organizer,
                   note="体調不良")
    ts.commit()
    assert lists.no_shows(ts, meetup) == []  # not over yet
    after = meetup.ends_at + timedelta(minutes=1)
    assert [m.id for m in lists.no_shows(ts, meetup, now=after)] == [absent.id, silent.id]
    rows = lists.register(ts, meetup, now=after)
    assert [r.member.id for r in rows] == [came.id, absent.id, silent.id, excused.id]


def test_qr_token_checks_in_only_for_its_own_meetup(session, ts, people, evening, tenant,
                                                   other_tenant, scoped):
    m = guest(session, tenant, "今井", "翔", "イマイ", "ショウ")
    other_m = person(session, tenant, "内田", "凛", "ウチダ", "リン")
    later = make_meetup(session, tenant, "翌月の定例会")
    mine = register(session, evening, m)
    elsewhere = register(session, later, other_m)
    foreign_member = person(session, other_tenant, "外部", "者", "ガイブ", "シャ")
    foreign_meetup = make_meetup(session, other_tenant, "他会の会")
    foreign = register(session, foreign_meetup, foreign_member)
    cancelled = register(session, evening, other_m, RegistrationStatus.CANCELLED)
    session.commit()
    meetup = ts.get(Meetup, evening.id)
    staff = ts.get(Member, people.staff_member.id)
    for token in (elsewhere.checkin_token, foreign.checkin_token, "nonsense", ""):
        with pytest.raises(svc.CheckinError) as error:
            svc.scan(ts, meetup, token, staff)
        assert error.value.code == "wrong_meetup"
    with pytest.raises(svc.CheckinError) as error:
        svc.scan(ts, meetup, cancelled.checkin_token, staff)
    assert error.value.code == "not_going"
    with unscoped(session):
        assert session.scalar(select(func.count(Attendance.id))) == 0
    member, a = svc.scan(ts, meetup, f"http://localhost/tickets/{mine.checkin_token}", staff)
    assert member.id == m.id and a.status == AttendanceStatus.LATE  # started an hour ago
    assert lists.history(ts, meetup)[0].change.via == "qr"


def test_self_check_in_window_and_code(session, ts, people, evening, tenant):
    member = ts.get(Member, people.member_member.id)
    organizer = ts.get(Member, people.organizer_member.id)
    meetup = ts.get(Meetup, evening.id)
    with pytest.raises(svc.CheckinError) as error:
        svc.self_check_in(ts, meetup, member, "1234")
    assert error.value.code == "window_off"
    code = svc.open_self_checkin(ts, meetup, organizer)
    assert len(code) == svc.CODE_DIGITS and code.isdigit()
    assert meetup.checkin_opens_at == meetup.starts_at - timedelta(minutes=30)
    assert meetup.checkin_closes_at == meetup.ends_at
    before = meetup.starts_at - timedelta(minutes=31)
    after = meetup.ends_at + timedelta(seconds=1)
    for now, expected in ((before, "window_before"), (after, "window_after")):
        with pytest.raises(svc.CheckinError) as error:
            svc.self_check_in(ts, meetup, member, code, now=now)
        assert error.value.code == expected
    wrong = f"{(int(code) + 1) % 10 ** svc.CODE_DIGITS:0{svc.CODE_DIGITS}d}"
    with pytest.raises(svc.CheckinError) as error:
        svc.self_check_in(ts, meetup, member, wrong)
    assert error.value.code == "wrong_code"
    assert svc.attendance_of(ts, meetup, member) is None
    a = svc.self_check_in(ts, meetup, member, f" {code} ",
                          now=meetup.starts_at + timedelta(minutes=20))
    assert a.status == AttendanceStatus.LATE
    change = lists.history(ts, meetup)[0]
    assert change.change.via == "self" and change.actor.id == member.id
    with pytest.raises(svc.CheckinError):
        svc.open_self_checkin(ts, meetup, organizer, code="12a4")
    with pytest.raises(svc.CheckinError):
        svc.open_self_checkin(ts, meetup, organizer, opens_at=meetup.ends_at,
                              closes_at=meetup.starts_at)
    svc.close_self_checkin(ts, meetup, organizer)
    assert svc.self_checkin_state(meetup) == "off"


def test_two_phones_checking_in_the_same_person_at_once(session, ts, people, evening, tenant,
                                                        monkeypatch):
    m = person(session, tenant, "同時", "押し", "ドウジ", "オシ")
    session.commit()
    meetup = ts.get(Meetup, evening.id)
    staff = ts.get(Member, people.staff_member.id)
    first = svc.check_in(ts, meetup, ts.get(Member, m.id), staff)
    ts.commit()
    real = svc.attendance_of
    calls = []

    def stale_read(*args):  # type: ignore[no-untyped-def]
        """The second phone read the register just before the first one's insert landed."""
        calls.append(1)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(svc, "attendance_of", stale_read)
    again = svc.check_in(ts, meetup, ts.get(Member, m.id), staff)
    ts.commit()
    assert again.id == first.id and len(calls) == 2
    assert ts.scalar(select(func.count(Attendance.id))) == 1
    assert ts.scalar(select(func.count(AttendanceChange.id))) == 1
