"""Series services: materialisation on a rolling horizon, edits of one occurrence or the
following ones, cancellation, and the daily job."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import (
    Meetup,
    MeetupSeries,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)
from joren.tenants.meetups.series import services as service
from joren.tenants.meetups.series.checks import SeriesError
from joren.workers.cron import SCHEDULE

pytestmark = pytest.mark.usefixtures("clock")

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2030, 1, 1, tzinfo=UTC)  # 2030-01-07 is a Monday


def _weekly(s, tenant, **fields):  # type: ignore[no-untyped-def]
    values = {"title": "朝活勉強会", "rrule": "FREQ=WEEKLY;BYDAY=MO",
              "dtstart_local": "2030-01-07T19:00:00", "horizon_days": 30, **fields}
    return service.create_series(s, tenant, None, now=NOW, **values)


def _occurrences(s, row) -> list[Meetup]:  # type: ignore[no-untyped-def]
    s.expire_all()
    return list(s.scalars(select(Meetup).where(Meetup.series_id == row.id)
                          .order_by(Meetup.starts_at)))


def _local(m: Meetup) -> str:
    return m.starts_at.astimezone(TOKYO).strftime("%m/%d %H:%M")


def _register(s, meetup, member, status=RegistrationStatus.GOING):  # type: ignore[no-untyped-def]
    s.add(Registration(meetup_id=meetup.id, member_id=member.id, status=status))
    s.flush()


def test_materialises_up_to_the_horizon_with_series_values(tenant_session, tenant):
    row = _weekly(tenant_session, tenant, capacity=20, price=2000, registration_opens_days=14,
                  registration_closes_minutes=60, visibility="members")
    got = _occurrences(tenant_session, row)
    assert [_local(m) for m in got] == ["01/07 19:00", "01/14 19:00", "01/21 19:00",
                                        "01/28 19:00"]
    first = got[0]
    assert first.recurrence_id == first.starts_at == datetime(2030, 1, 7, 10, tzinfo=UTC)
    assert first.ends_at - first.starts_at == timedelta(minutes=120)
    assert (first.capacity, first.price, first.is_public) == (20, 2000, False)
    assert first.registration_opens_at == first.starts_at - timedelta(days=14)
    assert first.registration_closes_at == first.starts_at - timedelta(minutes=60)
    assert row.materialized_until == NOW + timedelta(days=30)


def test_materialising_again_creates_nothing_and_rolls_forward(tenant_session, tenant):
    row = _weekly(tenant_session, tenant)
    ids = [m.id for m in _occurrences(tenant_session, row)]
    assert service.materialize_series(tenant_session, row, NOW) == []
    assert [m.id for m in _occurrences(tenant_session, row)] == ids
    later = service.materialize_series(tenant_session, row, NOW + timedelta(days=7))
    assert [_local(m) for m in later] == ["02/04 19:00"]
    # The past occurrence (7 January) is untouched by the later run.
    assert [m.id for m in _occurrences(tenant_session, row)][:4] == ids


def test_count_is_honoured(tenant_session, tenant):
    row = _weekly(tenant_session, tenant, rrule="FREQ=WEEKLY;COUNT=2")
    assert len(_occurrences(tenant_session, row)) == 2


def test_editing_this_one_detaches_it_and_series_edits_leave_it_alone(tenant_session, tenant):
    row = _weekly(tenant_session, tenant)
    second = _occurrences(tenant_session, row)[1]
    moved = datetime(2030, 1, 15, 9, tzinfo=UTC)  # Tuesday 18:00 Tokyo
    service.edit_occurrence(tenant_session, second, None, "this", now=NOW, starts_at=moved,
                            title="特別回", capacity=10)
    service.update_series(tenant_session, row, None, now=NOW, title="朝活勉強会（改）",
                          capacity=40)
    got = _occurrences(tenant_session, row)
    assert len(got) == 4  # the original 14 January slot is not made again
    special = next(m for m in got if m.id == second.id)
    assert (special.title, special.capacity, _local(special)) == ("特別回", 10, "01/15 18:00")
    assert special.is_detached and special.recurrence_id == datetime(2030, 1, 14, 10, tzinfo=UTC)
    assert {m.title for m in got if m.id != second.id} == {"朝活勉強会（改）"}
    assert {m.capacity for m in got if m.id != second.id} == {40}


def test_cancelled_occurrences_stay_cancelled_and_are_not_made_again(tenant_session, tenant,
                                                                     monkeypatch):
    notified = []
    monkeypatch.setattr(service, "notify_cancelled",
                        lambda s, m: notified.append(m.id))
    row = _weekly(tenant_session, tenant)
    third = _occurrences(tenant_session, row)[2]
    service.cancel_occurrence(tenant_session, third, None)
    assert notified == [third.id]
    service.update_series(tenant_session, row, None, now=NOW, title="新しい名前")
    got = _occurrences(tenant_session, row)
    assert len(got) == 4
    cancelled = next(m for m in got if m.id == third.id)
    assert cancelled.status == MeetupStatus.CANCELLED and cancelled.title == "朝活勉強会"
    with pytest.raises(SeriesError, match="cancelled"):
        service.edit_occurrence(tenant_session, cancelled, None, "this", now=NOW, title="x")


def test_a_new_time_moves_unregistered_occurrences(tenant_session, tenant):
    row = _weekly(tenant_session, tenant)
    ids = [m.id for m in _occurrences(tenant_session, row)]
    service.update_series(tenant_session, row, None, now=NOW,
                          dtstart_local="2030-01-07T18:30", duration_minutes=90)
    got = _occurrences(tenant_session, row)
    assert [m.id for m in got] == ids
    assert [_local(m) for m in got] == ["01/07 18:30", "01/14 18:30", "01/21 18:30",
                                        "01/28 18:30"]
    assert all(m.recurrence_id == m.starts_at for m in got)
    assert all(m.ends_at - m.starts_at == timedelta(minutes=90) for m in got)


def test_a_new_rule_removes_unregistered_and_flags_registered(tenant_session, tenant, people):
    row = _weekly(tenant_session, tenant)
    got = _occurrences(tenant_session, row)
    with unscoped(tenant_session):
        member = tenant_session.get(type(people.member_member), people.member_member.id)
    _register(tenant_session, got[1], member)
    service.update_series(tenant_session, row, None, now=NOW, rrule="FREQ=WEEKLY;BYDAY=WE",
                          dtstart_local="2030-01-09T19:00")
    after = _occurrences(tenant_session, row)
    assert [_local(m) for m in after] == ["01/09 19:00", "01/14 19:00", "01/16 19:00",
                                          "01/23 19:00", "01/30 19:00"]
    kept = next(m for m in after if m.id == got[1].id)
    assert kept.needs_review and kept.is_detached
    assert not any(m.needs_review for m in after if m.id != kept.id)
    assert service.materialize_series(tenant_session, row, NOW) == []


def test_a_new_rule_keeps_an_occurrence_with_a_payment(tenant_session, tenant, people):
    """A refunded payment still is a money record: its occurrence is flagged, not deleted."""
    from joren.tenants.payments.models import (
        Payment,
        PaymentKind,
        PaymentMethod,
        PaymentStatus,
    )

    row = _weekly(tenant_session, tenant)
    got = _occurrences(tenant_session, row)
    tenant_session.add(Payment(member_id=people.member_member.id, meetup_id=got[1].id,
                               kind=PaymentKind.MEETUP_FEE, amount_jpy=3000,
                               method=PaymentMethod.DOOR, status=PaymentStatus.REFUNDED))
    tenant_session.flush()
    service.update_series(tenant_session, row, None, now=NOW, rrule="FREQ=WEEKLY;BYDAY=WE",
                          dtstart_local="2030-01-09T19:00")
    after = _occurrences(tenant_session, row)
    kept = next(m for m in after if m.id == got[1].id)
    assert kept.needs_review and kept.is_detached
    assert not any(m.needs_review for m in after if m.id != kept.id)


def test_this_and_following_splits_the_series(tenant_session, tenant, people):
    row = _weekly(tenant_session, tenant)
    got = _occurrences(tenant_session, row)
    with unscoped(tenant_session):
        member = tenant_session.get(type(people.member_member), people.member_member.id)
    _register(tenant_session, got[2], member)
    service.edit_occurrence(tenant_session, got[0], None, "this", now=NOW, title="初回")
    third = got[2]
    service.edit_occurrence(tenant_session, third, None, "following", now=NOW,
                            starts_at=datetime(2030, 1, 21, 9, tzinfo=UTC), title="新シリーズ",
                            price=1000)
    tenant_session.expire_all()
    old = tenant_session.get(MeetupSeries, row.id)
    assert old.rrule == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20300121T095959Z"
    assert old.ends_at == datetime(2030, 1, 21, 10, tzinfo=UTC)
    new = tenant_session.scalars(select(MeetupSeries).where(MeetupSeries.id != row.id)).one()
    assert (new.title, new.price, new.dtstart_local) == ("新シリーズ", 1000, "2030-01-21T18:00:00")
    assert [(m.title, _local(m)) for m in _occurrences(tenant_session, old)] == [
        ("初回", "01/07 19:00"), ("朝活勉強会", "01/14 19:00")]
    following = _occurrences(tenant_session, new)
    assert [(m.title, _local(m), m.price) for m in following] == [
        ("新シリーズ", "01/21 18:00", 1000), ("新シリーズ", "01/28 18:00", 1000)]
    assert following[0].id == third.id  # the edited one (with a registration) moved
    assert service.materialize_series(tenant_session, new, NOW) == []
    assert service.materialize_series(tenant_session, old, NOW) == []


def test_following_needs_a_series_occurrence(tenant_session, tenant):
    one_off = service.create_one_off(tenant_session, tenant, None, title="単発",
                                     starts_at=datetime(2030, 2, 1, 10, tzinfo=UTC))
    with pytest.raises(SeriesError, match="not_in_series"):
        service.edit_occurrence(tenant_session, one_off, None, "following", now=NOW, title="x")


def test_capacity_below_going_is_refused(tenant_session, tenant, people):
    row = _weekly(tenant_session, tenant, capacity=5)
    first = _occurrences(tenant_session, row)[0]
    with unscoped(tenant_session):
        members = [tenant_session.get(type(m), m.id) for m in
                   (people.member_member, people.staff_member)]
    for m in members:
        _register(tenant_session, first, m)
    with pytest.raises(SeriesError, match="capacity_below_going"):
        service.edit_occurrence(tenant_session, first, None, "this", now=NOW, capacity=1)
    with pytest.raises(SeriesError, match="capacity_below_going"):
        service.update_series(tenant_session, row, None, now=NOW, capacity=1)
    tenant_session.expire_all()
    assert tenant_session.get(Meetup, first.id).capacity == 5


def test_seats_held_for_an_offer_or_a_payment_count_as_taken(tenant_session, tenant, people):
    row = _weekly(tenant_session, tenant, capacity=5, price=3000)
    first = _occurrences(tenant_session, row)[0]
    with unscoped(tenant_session):
        members = [tenant_session.get(type(m), m.id) for m in
                   (people.member_member, people.staff_member)]
    _register(tenant_session, first, members[0], RegistrationStatus.AWAITING_PAYMENT)
    _register(tenant_session, first, members[1], RegistrationStatus.OFFERED)
    with pytest.raises(SeriesError, match="capacity_below_going"):
        service.edit_occurrence(tenant_session, first, None, "this", now=NOW, capacity=1)
    service.edit_occurrence(tenant_session, first, None, "this", now=NOW, capacity=2)


def test_an_occurrence_someone_is_paying_for_is_kept_when_the_rule_changes(tenant_session,
                                                                          tenant, people):
    row = _weekly(tenant_session, tenant, price=3000)
    first = _occurrences(tenant_session, row)[0]
    with unscoped(tenant_session):
        member = tenant_session.get(type(people.member_member), people.member_member.id)
    _register(tenant_session, first, member, RegistrationStatus.AWAITING_PAYMENT)
    service.update_series(tenant_session, row, None, now=NOW, rrule="FREQ=WEEKLY;BYDAY=WE")
    tenant_session.expire_all()
    kept = tenant_session.get(Meetup, first.id)
    assert kept.starts_at == first.starts_at and kept.is_detached and kept.needs_review


@pytest.mark.parametrize(("fields", "code"), [
    ({"rrule": "FREQ=HOURLY"}, "too_frequent"),
    ({"rrule": "nonsense"}, "syntax"),
    ({"capacity": -1}, "out_of_range"),
    ({"price": -100}, "out_of_range"),
    ({"title": "長" * 201}, "too_long"),
    ({"title": "  "}, "required"),
    ({"map_url": "javascript:alert(1)"}, "bad_url"),
    ({"dtstart_local": "next tuesday"}, "bad_start"),
])
def test_bad_series_input_is_refused_and_nothing_saved(tenant_session, tenant, fields, code):
    with pytest.raises(SeriesError) as caught:
        _weekly(tenant_session, tenant, **fields)
    assert caught.value.code == code
    tenant_session.rollback()
    assert tenant_session.scalars(select(MeetupSeries)).all() == []


def test_one_off_meetup(tenant_session, tenant):
    m = service.create_one_off(tenant_session, tenant, None, title="忘年会",
                               starts_at=datetime(2030, 12, 20, 9, tzinfo=UTC),
                               duration_minutes=180, price=5000, registration_opens_days=30)
    assert m.series_id is None and m.ends_at == datetime(2030, 12, 20, 12, tzinfo=UTC)
    assert m.registration_opens_at == datetime(2030, 11, 20, 9, tzinfo=UTC)


def test_the_fixture_series_is_the_second_tuesday_at_19_in_tokyo(series, tenant_session):
    got = _occurrences(tenant_session, series)
    assert len(got) >= 3
    for m in got:
        local = m.starts_at.astimezone(TOKYO)
        assert (local.weekday(), local.hour, 8 <= local.day <= 14) == (1, 19, True)
        assert m.starts_at >= datetime.now(UTC) - timedelta(minutes=5)


def test_a_london_series_stays_at_19_local_across_dst(tenant_session, tenant):
    tenant.timezone = "Europe/London"
    row = service.create_series(tenant_session, tenant, None, now=datetime(2030, 3, 1, tzinfo=UTC),
                                title="London mixer",
                                rrule="FREQ=WEEKLY;BYDAY=TH", dtstart_local="2030-03-07T19:00",
                                horizon_days=60)
    got = _occurrences(tenant_session, row)
    london = ZoneInfo("Europe/London")
    assert row.timezone == "Europe/London"
    assert {m.starts_at.astimezone(london).strftime("%H:%M") for m in got} == {"19:00"}
    utc_hours = {m.starts_at.astimezone(london).strftime("%m/%d"): m.starts_at.hour for m in got}
    assert utc_hours["03/28"] == 19 and utc_hours["04/04"] == 18  # BST from 31 March 2030


def test_series_registrants_are_registered_for_new_occurrences(tenant_session, tenant, people):
    from joren.tenants.meetups.models import SeriesRegistration

    row = _weekly(tenant_session, tenant)
    with unscoped(tenant_session):
        member = tenant_session.get(type(people.member_member), people.member_member.id)
    tenant_session.add(SeriesRegistration(series_id=row.id, member_id=member.id))
    tenant_session.flush()
    new = service.materialize_series(tenant_session, row, NOW + timedelta(days=7))
    assert len(new) == 1
    registrations = tenant_session.scalars(select(Registration).where(
        Registration.meetup_id == new[0].id)).all()
    assert [(r.member_id, r.status) for r in registrations] == [
        (member.id, RegistrationStatus.GOING)]


# -- the job ----------------------------------------------------------------------------------

def test_the_daily_job_materialises_only_its_community(app, scoped, tenant, other_tenant,
                                                       series):
    from joren.workers.meetup_jobs import materialize_community

    theirs = scoped(other_tenant)
    their_series = service.create_series(theirs, other_tenant, None, title="神戸",
                                         rrule="FREQ=WEEKLY", dtstart_local="2030-01-07T19:00",
                                         horizon_days=7)
    theirs.commit()
    s = scoped(tenant)
    mine = s.get(MeetupSeries, series.id)
    mine.horizon_days = 400
    s.commit()
    before = len(_occurrences(s, mine))
    with app.app_context():
        created = materialize_community(tenant.id, "2030-01-01")
    assert created > 0 and len(_occurrences(s, mine)) == before + created
    assert _occurrences(theirs, their_series) == []  # starts in 2030: beyond its 7 days
    with app.app_context():
        assert materialize_community(tenant.id, "2030-01-01") == 0
        assert materialize_community(other_tenant.id, "2030-01-01") == 0


def test_the_cron_schedule_fans_the_job_out_daily():
    entries = [e for e in SCHEDULE if e.args and e.args[0].endswith("materialize_community")]
    assert len(entries) == 1 and entries[0].args[1] == "day"
