"""Registration services: capacity, waitlist order, promotion, approval, industry cap, series,
window, cancelled meetups and the one-query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from joren.models import MemberStatus
from joren.platform.membership.models import Member
from joren.tenants.meetups.models import (
    MeetupStatus,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
)
from joren.tenants.meetups.registrations import emails as reg_emails
from joren.tenants.meetups.registrations import guests as reg_guests
from joren.tenants.meetups.registrations import reading as reg_reading
from joren.tenants.meetups.registrations import seats as reg_seats
from joren.tenants.meetups.registrations import series as reg_series
from joren.tenants.meetups.registrations import services as reg_services
from tests import factories
from tests.tenants.helpers import count_statements, meetup
from tests.tenants.meetups.helpers_registrations import (
    later,
    outbox,
    people_in,
    registrations_of,
    seated_meetup,
    series_with_occurrences,
)

pytestmark = pytest.mark.usefixtures("clock")

GOING, WAITLISTED, PENDING = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED,
                              RegistrationStatus.PENDING)


@pytest.fixture()
def ts(app_ctx, tenant_session):  # type: ignore[no-untyped-def]
    """The community's session, with messages in English so tests can read them."""
    with force_locale("en"):
        yield tenant_session


def _get(ts, model, pk):  # type: ignore[no-untyped-def]
    ts.expire_all()
    return ts.get(model, pk)


def _setup(session, tenant, n=3, **fields):  # type: ignore[no-untyped-def]
    m = seated_meetup(session, tenant, **fields)
    people = people_in(session, tenant, n)
    session.commit()
    return m, people


def _reg(ts, m, member, **kw):  # type: ignore[no-untyped-def]
    r = reg_services.register(ts, _get(ts, type(m), m.id), _get(ts, Member, member.id), **kw)
    ts.commit()
    return r


def test_capacity_fills_then_waitlists_in_order(session, tenant, ts, run_jobs):
    m, (a, b, c) = _setup(session, tenant, capacity=1)
    ra, rb, rc = (_reg(ts, m, p) for p in (a, b, c))
    assert ra.status == GOING
    assert (rb.status, rc.status) == (WAITLISTED, WAITLISTED)
    assert rb.waitlist_position < rc.waitlist_position
    assert reg_reading.waitlist_rank(ts, rc) == 2
    assert reg_reading.counts(ts, [m.id])[m.id]["going"] == 1
    run_jobs()  # the emails are rendered by the send job, outside the meetup's lock
    sent = outbox(ts)
    assert [o.template for o in sent] == ["meetups/registrations/confirmed",
                                          "meetups/registrations/waitlisted",
                                          "meetups/registrations/waitlisted"]
    assert f"/c/{tenant.slug}/tickets/{ra.checkin_token}" in sent[0].text_body
    assert {o.language for o in sent} == {"ja"}  # no account: the community's language


def test_emails_follow_the_recipients_language(session, tenant, ts, people, run_jobs):
    m = seated_meetup(session, tenant, capacity=5)
    session.commit()
    _reg(ts, m, people.member_member)  # this account chose English
    run_jobs()
    [mail] = outbox(ts)
    assert mail.language == "en"
    assert mail.subject == "You are registered: 定例会"
    assert "<html" in mail.html_body.lower() and "定例会" in mail.html_body
    full = seated_meetup(ts, tenant, capacity=0)
    ts.commit()
    _reg(ts, full, people.member_member)
    run_jobs()
    waiting = outbox(ts, "meetups/registrations/waitlisted")[0]
    assert "you are number 1 on the waitlist" in waiting.text_body


def test_cancel_promotes_next_and_emails_them(session, tenant, ts, smtp_server, run_jobs):
    m, (a, b, c) = _setup(session, tenant, capacity=1)
    ra, rb, rc = (_reg(ts, m, p) for p in (a, b, c))
    run_jobs()
    smtp_server.messages.clear()
    reg_services.cancel_registration(ts, ra)
    ts.commit()
    assert _get(ts, Registration, rb.id).status == GOING
    assert _get(ts, Registration, rc.id).status == WAITLISTED
    assert reg_reading.waitlist_rank(ts, _get(ts, Registration, rc.id)) == 1
    run_jobs()
    [mail] = smtp_server.messages
    assert mail["To"] == b.email
    assert "定例会" in mail["Subject"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert f"/c/{tenant.slug}/meetups/{m.id}" in body
    # Cancelling again changes nothing and promotes nobody else.
    reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
    ts.commit()
    assert _get(ts, Registration, rc.id).status == WAITLISTED


def test_reregistering_after_cancel_reuses_the_row_and_duplicates_are_refused(
        session, tenant, ts):
    m, (a,) = _setup(session, tenant, n=1)
    r = _reg(ts, m, a)
    with pytest.raises(reg_seats.RegistrationError, match="already registered"):
        _reg(ts, m, a)
    ts.rollback()
    reg_services.cancel_registration(ts, _get(ts, Registration, r.id))
    ts.commit()
    again = _reg(ts, m, a)
    assert again.id == r.id and again.status == GOING
    assert len(registrations_of(ts, m.id)) == 1


def test_organizer_promotes_by_hand_over_capacity(session, tenant, ts, people):
    m, (a, b) = _setup(session, tenant, n=2, capacity=1)
    _reg(ts, m, a)
    rb = _reg(ts, m, b)
    reg_services.promote(ts, rb, _get(ts, Member, people.organizer_member.id))
    ts.commit()
    assert reg_reading.counts(ts, [m.id])[m.id]["going"] == 2
    assert outbox(ts, "meetups/registrations/promoted")[0].to_email == b.email
    with pytest.raises(reg_seats.RegistrationError):
        reg_services.promote(ts, _get(ts, Registration, rb.id), None)


def test_approval_pending_then_approved_or_declined(session, tenant, ts):
    m, (a, b, c) = _setup(session, tenant, capacity=1, requires_approval=True)
    ra, rb, rc = (_reg(ts, m, p) for p in (a, b, c))
    assert {ra.status, rb.status, rc.status} == {PENDING}
    assert reg_reading.counts(ts, [m.id])[m.id] | {} == {"going": 0, "waitlisted": 0, "pending": 3,
                                                  "unconfirmed": 0, "cancelled": 0,
                                                  "not_going": 0, "offered": 0,
                                                  "awaiting_payment": 0}
    assert reg_services.approve(ts, ra).status == GOING
    assert reg_services.approve(ts, rb).status == WAITLISTED  # full: approval joins the waitlist
    assert reg_services.decline(ts, rc).status == RegistrationStatus.CANCELLED
    ts.commit()
    with pytest.raises(reg_seats.RegistrationError):
        reg_services.approve(ts, _get(ts, Registration, ra.id))
    assert [o.template for o in outbox(ts)][-2:] == ["meetups/registrations/confirmed",
                                                          "meetups/registrations/waitlisted"]


def test_industry_cap_has_its_own_waitlist(session, tenant, ts):
    m = seated_meetup(session, tenant, capacity=3, industry_cap=1)
    agent1, agent2 = people_in(session, tenant, 2, industry="不動産")
    (coder,) = people_in(session, tenant, 1, industry="IT")
    (late,) = people_in(session, tenant, 1, industry="IT")
    session.commit()
    r1 = _reg(ts, m, agent1)
    r2 = _reg(ts, m, agent2)
    r3 = _reg(ts, m, coder)
    assert (r1.status, r2.status, r3.status) == (GOING, WAITLISTED, GOING)
    assert r2.waitlisted_for_industry
    # A seat is free, but not for IT (cap 1): the second IT person waits too.
    r4 = _reg(ts, m, late)
    assert r4.status == WAITLISTED and r4.waitlisted_for_industry
    # The real-estate seat frees: the real-estate person is promoted, not the IT one ahead.
    reg_services.cancel_registration(ts, _get(ts, Registration, r1.id))
    ts.commit()
    assert _get(ts, Registration, r2.id).status == GOING
    assert _get(ts, Registration, r4.id).status == WAITLISTED
    assert outbox(ts, "meetups/registrations/promoted")[0].to_email == agent2.email


def test_window_and_cancelled_meetup_refuse_and_save_nothing(session, tenant, ts):
    not_yet = seated_meetup(session, tenant, registration_opens_at=later(2))
    closed = seated_meetup(session, tenant, registration_closes_at=later(-1))
    past = meetup(session, tenant, "過去", starts_at=later(-3))
    gone = seated_meetup(session, tenant, status=MeetupStatus.CANCELLED)
    (a,) = people_in(session, tenant, 1)
    session.commit()
    for m, message in ((not_yet, "opens on"), (closed, "closed"), (past, "closed"),
                       (gone, "cancelled")):
        with pytest.raises(reg_seats.RegistrationError, match=message):
            _reg(ts, m, a)
        ts.rollback()
        assert registrations_of(ts, m.id) == []


def test_series_registration_with_opt_out_and_later_occurrences(session, tenant, ts):
    series, occurrences = series_with_occurrences(session, tenant, n=3)
    (a,) = people_in(session, tenant, 1)
    session.commit()
    row = reg_series.register_series(ts, _get(ts, type(series), series.id), _get(ts, Member, a.id))
    ts.commit()
    regs = [reg_reading.registration_for(ts, o.id, a.id) for o in occurrences]
    assert [r.status for r in regs] == [GOING] * 3
    assert {r.series_registration_id for r in regs} == {row.id}
    [mail] = outbox(ts)  # one email for the series, not one per date
    assert mail.template == "meetups/registrations/series_confirmed"
    dates = [line for line in mail.text_body.splitlines() if line.startswith("- ")]
    assert len(dates) == 3
    reg_series.opt_out(ts, _get(ts, type(occurrences[1]), occurrences[1].id),
                       _get(ts, Member, a.id))
    ts.commit()
    assert _get(ts, Registration, regs[1].id).status == RegistrationStatus.NOT_GOING
    # An occurrence materialised later gets the series registrants.
    fourth = meetup(ts, tenant, "朝活セミナー", starts_at=later(40), series_id=series.id,
                    recurrence_id=later(40), capacity=10)
    ts.commit()
    assert reg_series.apply_series_registrations(ts, _get(ts, type(fourth), fourth.id)) == 1
    ts.commit()
    assert reg_reading.registration_for(ts, fourth.id, a.id).status == GOING
    # Registering the series again does not undo the opt-out; cancelling the series frees all.
    with pytest.raises(reg_seats.RegistrationError):
        reg_series.register_series(ts, _get(ts, type(series), series.id), _get(ts, Member, a.id))
    ts.rollback()
    reg_series.cancel_series(ts, _get(ts, SeriesRegistration, row.id))
    ts.commit()
    statuses = {reg_reading.registration_for(ts, o.id, a.id).status
                for o in [occurrences[0], occurrences[2], fourth]}
    assert statuses == {RegistrationStatus.CANCELLED}
    assert reg_series.apply_series_registrations(ts, _get(ts, type(fourth), fourth.id)) == 0


def test_guests_are_held_until_they_confirm(session, tenant, ts):
    m, (a,) = _setup(session, tenant, n=1, capacity=1)
    guest_reg = reg_guests.register_guest(ts, _get(ts, type(m), m.id), family_name="木村",
                                   given_name="花", email="Guest@Example.jp",
                                   industry="保険")
    ts.commit()
    assert guest_reg.status == PENDING and guest_reg.confirmed_at is None
    assert guest_reg.member.status == MemberStatus.GUEST
    assert guest_reg.member.email == "guest@example.jp"
    assert reg_reading.counts(ts, [m.id])[m.id]["unconfirmed"] == 1
    _reg(ts, m, a)  # the member takes the only seat: the guest held nothing
    confirmed = reg_guests.confirm_guest(ts, _get(ts, Registration, guest_reg.id))
    ts.commit()
    assert confirmed.status == WAITLISTED and confirmed.confirmed_at is not None
    with pytest.raises(reg_seats.RegistrationError, match="valid email"):
        reg_guests.register_guest(ts, m, family_name="x", given_name="y", email="not-an-email")
    with pytest.raises(reg_seats.RegistrationError, match="too long"):
        reg_guests.register_guest(ts, m, family_name="長" * 61, given_name="y", email="a@b.jp")
    ts.rollback()
    members_only = seated_meetup(ts, tenant, is_public=False)
    ts.commit()
    with pytest.raises(reg_seats.RegistrationError, match="members only"):
        reg_guests.register_guest(ts, _get(ts, type(members_only), members_only.id),
                           family_name="木村", given_name="花", email="guest@example.jp")


def test_notify_cancelled_emails_everyone_registered(session, tenant, ts):
    m, people_ = _setup(session, tenant, n=3, capacity=2)
    regs = [_reg(ts, m, p) for p in people_]
    reg_services.cancel_registration(ts, _get(ts, Registration, regs[0].id))
    ts.commit()
    before = len(outbox(ts))
    assert reg_emails.notify_cancelled(ts, _get(ts, type(m), m.id)) == 2
    ts.commit()
    sent = outbox(ts, "meetups/registrations/meetup_cancelled")
    assert {o.to_email for o in sent} == {people_[1].email, people_[2].email}
    assert len(outbox(ts)) == before + 2
    reg_emails.notify_cancelled(ts, _get(ts, type(m), m.id))  # idempotent
    ts.commit()
    assert len(outbox(ts)) == before + 2


def test_counts_is_one_query_for_many_meetups(app, session, tenant, ts):
    meetups = [seated_meetup(session, tenant, capacity=1) for _ in range(4)]
    people_ = people_in(session, tenant, 2)
    session.commit()
    for m in meetups:
        for p in people_:
            _reg(ts, m, p)
    with count_statements(app) as counter:
        result = reg_reading.counts(ts, [m.id for m in meetups])
    assert len(counter) == 1
    assert all(result[m.id]["going"] == 1 and result[m.id]["waitlisted"] == 1 for m in meetups)


def test_another_communitys_meetup_is_invisible_to_the_services(session, tenant, other_tenant,
                                                                ts):
    theirs = seated_meetup(session, other_tenant)
    (a,) = people_in(session, tenant, 1)
    session.commit()
    with pytest.raises(reg_seats.RegistrationError):
        reg_services.register(ts, theirs, _get(ts, Member, a.id))
    ts.rollback()
    assert registrations_of(ts, theirs.id) == []
    assert reg_reading.counts(ts, [theirs.id])[theirs.id]["going"] == 0
    assert ts.scalars(select(Registration)).all() == []


def test_guest_member_cannot_register_for_members_only_meetup(session, tenant, ts):
    m = seated_meetup(session, tenant, is_public=False)
    guest = factories.member(session, tenant, status=MemberStatus.GUEST)
    session.commit()
    with pytest.raises(reg_seats.RegistrationError, match="members only"):
        _reg(ts, m, guest)
    assert later(0) - later(0) < timedelta(seconds=1)


def test_paid_meetups_keep_a_waitlist_too(session, tenant, ts):
    m, (a, b) = _setup(session, tenant, n=2, capacity=1, price=3000)
    ra = _reg(ts, m, a)
    rb = _reg(ts, m, b)
    assert (ra.status, rb.status) == (GOING, WAITLISTED)
    reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
    ts.commit()
    # The freed seat is offered for a limited time (see test_registration_offers.py).
    assert _get(ts, Registration, rb.id).status == RegistrationStatus.OFFERED


def test_the_materialiser_registers_series_registrants_for_new_dates(ts, series, people):
    from joren.tenants.meetups.models import Meetup
    from joren.tenants.meetups.series import services as series_service

    member = _get(ts, Member, people.member_member.id)
    reg_series.register_series(ts, _get(ts, type(series), series.id), member)
    ts.commit()
    before = set(ts.scalars(select(Registration.meetup_id).where(
        Registration.member_id == member.id)))
    assert before
    created = series_service.materialize_series(
        ts, _get(ts, type(series), series.id), now=later(100))
    ts.commit()
    assert created
    for meetup_row in created:
        registration = reg_reading.registration_for(ts, meetup_row.id, member.id)
        assert registration is not None and registration.status == GOING
        assert registration.source == "series"
    assert ts.get(Meetup, created[0].id).series_id == series.id
