"""Paid meetups' waitlist: a freed seat is offered for a limited time (pay at the door);
accept by signed link or portal, decline, expiry job, caps, isolation, ticket links."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask_babel import force_locale

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_now, minutes_slot_key
from joren.platform.membership.models import Member
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations import offers as reg_offers
from joren.tenants.meetups.registrations import reading as reg_reading
from joren.tenants.meetups.registrations import seats as reg_seats
from joren.tenants.meetups.registrations import services as reg_services
from joren.tenants.meetups.registrations import waitlist as reg_waitlist
from joren.workers import offer_jobs
from tests.tenants.meetups.helpers_registrations import (
    outbox,
    people_in,
    registrations_of,
    seated_meetup,
)

pytestmark = pytest.mark.usefixtures("clock")

GOING, WAITLISTED, OFFERED, CANCELLED = (
    RegistrationStatus.GOING, RegistrationStatus.WAITLISTED, RegistrationStatus.OFFERED,
    RegistrationStatus.CANCELLED)

@pytest.fixture()
def english_pages(session, tenant):  # type: ignore[no-untyped-def]
    """These tests read the English wording: the community speaks English."""
    tenant.default_language = "en"
    session.flush()



@pytest.fixture()
def ts(app_ctx, tenant_session):  # type: ignore[no-untyped-def]
    with force_locale("en"):
        yield tenant_session


@pytest.fixture()
def vs(app, tenant_session):  # type: ignore[no-untyped-def]
    """For tests that also make requests: services run inside ``in_ctx()`` only."""
    return tenant_session


@pytest.fixture()
def in_ctx(app):  # type: ignore[no-untyped-def]
    @contextmanager
    def push():  # type: ignore[no-untyped-def]
        with app.test_request_context("/"), force_locale("en"):
            yield

    return push


def _get(ts, model, pk):  # type: ignore[no-untyped-def]
    ts.expire_all()
    return ts.get(model, pk)


def _full_paid(session, tenant, ts, n=3, price=3000, **fields):  # type: ignore[no-untyped-def]
    """A paid meetup with one seat: the first of ``n`` people goes, the others wait."""
    m = seated_meetup(session, tenant, capacity=1, price=price, **fields)
    people = people_in(session, tenant, n)
    session.commit()
    regs = []
    for p in people:
        regs.append(reg_services.register(ts, _get(ts, Meetup, m.id), _get(ts, Member, p.id)))
        ts.commit()
    return m, people, regs


def _status(ts, pk):  # type: ignore[no-untyped-def]
    return _get(ts, Registration, pk).status


def _offer_link(ts, registration_id):  # type: ignore[no-untyped-def]
    mail = [o for o in outbox(ts, "meetups/registrations/offer")
            if f"registration:{registration_id}:offer:" in o.idempotency_key][-1]
    return re.search(r"(/c/[^/\s]+/registrations/offer/[^\s\"<]+)", mail.text_body).group(1)


def test_paid_cancellation_offers_the_seat_and_emails_it(session, tenant, ts, smtp_server,
                                                         run_jobs):
    m, (a, b, c), (ra, rb, rc) = _full_paid(session, tenant, ts)
    run_jobs()
    smtp_server.messages.clear()
    before = utcnow()
    reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
    ts.commit()
    offered = _get(ts, Registration, rb.id)
    assert offered.status == OFFERED and offered.waitlist_position is None
    assert before + timedelta(hours=23, minutes=59) < offered.offer_expires_at \
        <= utcnow() + timedelta(hours=24)
    assert _status(ts, rc.id) == WAITLISTED
    counts = reg_reading.counts(ts, [m.id])[m.id]
    assert (counts["going"], counts["offered"]) == (0, 1)
    run_jobs()
    [mail] = smtp_server.messages
    assert mail["To"] == b.email
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "3,000" in body and "定例会" in body
    assert f"/c/{tenant.slug}/registrations/offer/" in body
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "/registrations/offer/" in html
    [stored] = outbox(ts, "meetups/registrations/offer")
    assert stored.language == "ja"  # no account: the community's language


def test_capacity_counts_offers(session, tenant, ts):
    m, people, (ra, rb, rc) = _full_paid(session, tenant, ts)
    reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
    ts.commit()
    # The held seat is not free: a newcomer waits, and raising nothing promotes nobody.
    (newcomer,) = people_in(session, tenant, 1)
    session.commit()
    late = reg_services.register(ts, _get(ts, Meetup, m.id), _get(ts, Member, newcomer.id))
    ts.commit()
    assert late.status == WAITLISTED
    assert reg_waitlist.fill_seats(ts, _get(ts, Meetup, m.id)) == []
    seated = [r for r in registrations_of(session, m.id) if r.status in (GOING, OFFERED)]
    assert len(seated) == 1


def test_accept_via_signed_link_without_signing_in(english_pages, session, tenant, vs, in_ctx,
                                                   client):
    ts = vs
    with in_ctx():
        m, people, (ra, rb, rc) = _full_paid(session, tenant, ts)
        reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
        ts.commit()
    link = _offer_link(ts, rb.id)
    page = client.get(link, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Take the seat" in page.get_data(as_text=True)
    assert _status(ts, rb.id) == OFFERED  # GET changes nothing
    done = client.post(link, data={"action": "accept"}, headers={"Accept-Language": "en"})
    assert done.status_code == 200 and "The seat is yours" in done.get_data(as_text=True)
    assert _status(ts, rb.id) == GOING
    assert _get(ts, Registration, rb.id).offer_expires_at is None
    assert outbox(ts, "meetups/registrations/confirmed")[-1].to_email == people[1].email
    # A second click is harmless.
    assert client.post(link, data={"action": "accept"}).status_code == 200
    assert _status(ts, rb.id) == GOING


def test_accept_and_decline_in_the_portal(session, tenant, vs, in_ctx, people, member_client):
    ts = vs
    m = seated_meetup(session, tenant, capacity=1, price=2000)
    (first, third) = people_in(session, tenant, 2)
    session.commit()
    with in_ctx():
        for p in (first, people.member_member, third):
            reg_services.register(ts, _get(ts, Meetup, m.id), _get(ts, Member, p.id))
            ts.commit()
        r_first, r_me, r_third = registrations_of(session, m.id)
        reg_services.cancel_registration(ts, _get(ts, Registration, r_first.id))
        ts.commit()
    page = member_client.get(f"/c/{tenant.slug}/meetups/{m.id}").get_data(as_text=True)
    assert f"/meetups/{m.id}/offer/accept" in page and f"/meetups/{m.id}/offer/decline" in page
    assert "Seat offered" in page and "pay at the door" in page
    member_client.post(f"/c/{tenant.slug}/meetups/{m.id}/offer/decline")
    assert _status(ts, r_me.id) == CANCELLED
    assert _status(ts, r_third.id) == OFFERED  # passed on at once
    # Declined: accepting now is refused and changes nothing.
    r = member_client.post(f"/c/{tenant.slug}/meetups/{m.id}/offer/accept",
                           follow_redirects=True)
    assert "no longer available" in r.get_data(as_text=True)
    assert _status(ts, r_me.id) == CANCELLED


def test_portal_accept_before_expiry(session, tenant, vs, in_ctx, people, member_client):
    ts = vs
    m = seated_meetup(session, tenant, capacity=1, price=2000)
    (first,) = people_in(session, tenant, 1)
    session.commit()
    with in_ctx():
        for p in (first, people.member_member):
            reg_services.register(ts, _get(ts, Meetup, m.id), _get(ts, Member, p.id))
            ts.commit()
        r_first, r_me = registrations_of(session, m.id)
        reg_services.cancel_registration(ts, _get(ts, Registration, r_first.id))
        ts.commit()
    r = member_client.post(f"/c/{tenant.slug}/meetups/{m.id}/offer/accept",
                           follow_redirects=True)
    assert _status(ts, r_me.id) == GOING
    body = r.get_data(as_text=True)
    assert f"/tickets/{r_me.checkin_token}" in body  # the QR ticket link for going people
    mine = member_client.get(f"/c/{tenant.slug}/meetups/mine").get_data(as_text=True)
    assert f"/tickets/{r_me.checkin_token}" in mine


def test_accept_after_expiry_is_refused_and_changes_nothing(english_pages, session, tenant, vs,
                                                            in_ctx, client):
    ts = vs
    with in_ctx():
        m, people, (ra, rb, rc) = _full_paid(session, tenant, ts)
        reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
        ts.commit()
        link = _offer_link(ts, rb.id)
        with pytest.raises(reg_seats.RegistrationError, match="expired"):
            reg_offers.accept_offer(ts, _get(ts, Registration, rb.id),
                             now=utcnow() + timedelta(hours=25))
        ts.rollback()
    offered = _get(ts, Registration, rb.id)
    offered.offer_expires_at = utcnow() - timedelta(minutes=1)
    ts.commit()
    r = client.post(link, data={"action": "accept"}, headers={"Accept-Language": "en"})
    assert r.status_code == 400 and "expired" in r.get_data(as_text=True)
    assert _status(ts, rb.id) == OFFERED


def test_expiry_job_passes_the_seat_on_and_is_idempotent(app, session, tenant, other_tenant,
                                                         ts, run_jobs, smtp_server):
    m, (a, b, c), (ra, rb, rc) = _full_paid(session, tenant, ts)
    reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
    ts.commit()
    _get(ts, Registration, rb.id).offer_expires_at = utcnow() - timedelta(seconds=1)
    ts.commit()
    run_jobs()
    smtp_server.messages.clear()
    with app.app_context():
        enqueue_now("joren.workers.offer_jobs.fan_out_expire_offers")
    run_jobs()
    expired = _get(ts, Registration, rb.id)
    assert expired.status == CANCELLED and expired.note == "offer expired"
    assert _status(ts, rc.id) == OFFERED
    recipients = sorted(msg["To"] for msg in smtp_server.messages)
    assert recipients == sorted([b.email, c.email])
    smtp_server.messages.clear()
    with app.app_context():
        enqueue_now(offer_jobs.EXPIRE_OFFERS_JOB, tenant.id, "again")
    run_jobs()
    assert smtp_server.messages == []
    assert _status(ts, rc.id) == OFFERED and _status(ts, rb.id) == CANCELLED


def test_offer_deadline_is_capped_before_the_start(session, tenant, ts):
    soon = utcnow() + timedelta(hours=10)
    m, people, (ra, rb, rc) = _full_paid(session, tenant, ts, starts_at=soon)
    reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
    ts.commit()
    offered = _get(ts, Registration, rb.id)
    assert offered.status == OFFERED
    assert abs(offered.offer_expires_at - (soon - timedelta(hours=2))) < timedelta(seconds=2)


def test_too_close_to_the_start_promotes_straight_to_going(session, tenant, ts):
    m, people, (ra, rb, rc) = _full_paid(session, tenant, ts,
                                         starts_at=utcnow() + timedelta(hours=2, minutes=30))
    reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
    ts.commit()
    assert _status(ts, rb.id) == GOING
    assert outbox(ts, "meetups/registrations/offer") == []


def test_free_meetups_and_manual_promotion_stay_going(session, tenant, ts):
    m, people, (ra, rb, rc) = _full_paid(session, tenant, ts, price=0)
    reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
    ts.commit()
    assert _status(ts, rb.id) == GOING
    paid, _people, (pa, pb, pc) = _full_paid(session, tenant, ts)
    reg_services.promote(ts, _get(ts, Registration, pc.id))
    ts.commit()
    assert _status(ts, pc.id) == GOING


def test_console_lists_offers_with_deadlines(english_pages, session, tenant, vs, in_ctx,
                                             organizer_client):
    ts = vs
    with in_ctx():
        m, people, (ra, rb, rc) = _full_paid(session, tenant, ts)
        reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
        ts.commit()
    page = organizer_client.get(f"/c/{tenant.slug}/admin/meetups/{m.id}/registrations",
                                headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Offered" in page and people[1].family_name in page and "until" in page


def test_other_community_and_bad_tokens_are_refused(session, tenant, other_tenant, vs, in_ctx,
                                                    client, people, login):
    ts = vs
    with in_ctx():
        m, _people, (ra, rb, rc) = _full_paid(session, tenant, ts)
        reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
        ts.commit()
    link = _offer_link(ts, rb.id)
    token = link.rsplit("/", 1)[1]
    elsewhere = f"/c/{other_tenant.slug}/registrations/offer/{token}"
    assert client.get(elsewhere).status_code == 400
    assert client.post(elsewhere, data={"action": "accept"}).status_code == 400
    for bad in ("x", token[:-3] + "abc", "a" * 300, "..%2F"):
        assert client.get(f"/c/{tenant.slug}/registrations/offer/{bad}").status_code in (400,
                                                                                        404)
        assert client.post(f"/c/{tenant.slug}/registrations/offer/{bad}",
                           data={"action": "accept"}).status_code in (400, 404)
    # Another community's owner cannot accept this meetup's offer through their portal.
    other = login(people.other_owner)
    assert other.post(f"/c/{other_tenant.slug}/meetups/{m.id}/offer/accept").status_code == 404
    assert _status(ts, rb.id) == OFFERED


def test_expire_job_is_scheduled_every_five_minutes():
    from datetime import UTC, datetime

    from joren.workers.cron import SCHEDULE

    assert any(e.func is offer_jobs.fan_out_expire_offers and e.interval == "*/5 * * * *"
               for e in SCHEDULE)
    slot = minutes_slot_key(offer_jobs.EVERY_MINUTES, datetime(2026, 11, 22, 6, 9, 59, tzinfo=UTC))
    assert slot == "2026-11-22T06-05"
