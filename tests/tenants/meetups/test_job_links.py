"""The meetup jobs that send email run with no request and no SERVER_NAME, as in production, and
every link they send is on BASE_URL (issue 12, finding 2): the seat-offer expiry every 5 minutes
and the reminders."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from flask import has_request_context

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_now
from joren.tenants.meetups.models import Registration, RegistrationStatus
from joren.tenants.meetups.registrations import services as reg_services
from tests import factories
from tests.links import assert_in_language, assert_links_on, stored, watch_rendering
from tests.tenants.meetups.helpers_feeds import in_, meetup_at, registration
from tests.tenants.meetups.test_registration_offers import _full_paid, _get

pytestmark = pytest.mark.usefixtures("clock")


def test_the_offer_expiry_job_passes_the_seat_on_with_links_on_base_url(
        app, session, tenant, tenant_session, run_jobs, production_base_url, monkeypatch):
    ts = tenant_session
    tenant.default_language = "en"
    session.commit()
    with app.test_request_context("/"):  # the setup registers and cancels as a request would
        m, (a, b, c), (ra, rb, rc) = _full_paid(session, tenant, ts)
        reg_services.cancel_registration(ts, _get(ts, Registration, ra.id))
        ts.commit()
    _get(ts, Registration, rb.id).offer_expires_at = utcnow() - timedelta(seconds=1)
    ts.commit()
    run_jobs()
    rendered = watch_rendering(monkeypatch)
    with app.app_context():
        assert not has_request_context() and app.config.get("SERVER_NAME") is None
        enqueue_now("joren.workers.offer_jobs.fan_out_expire_offers")
    run_jobs()
    assert _get(ts, Registration, rb.id).status == RegistrationStatus.CANCELLED
    assert _get(ts, Registration, rc.id).status == RegistrationStatus.OFFERED
    assert ("meetups/registrations/offer", False) in [(r.template, r.in_request) for r in rendered]
    offers = [o for o in stored(session, "meetups/registrations/offer") if o.to_email == c.email]
    [offer] = offers
    links = assert_links_on(production_base_url, [offer])
    assert any(link.startswith(f"{production_base_url}/c/{tenant.slug}/registrations/offer/")
               for link in links)
    assert_in_language(offer, "en")  # no account: the community's language


def test_reminders_from_the_job_link_to_base_url_in_each_readers_language(
        app, session, tenant, people, run_jobs, production_base_url, monkeypatch):
    people.member.language = "en"
    guest = factories.member(session, tenant, account=None, email="guest@example.jp")
    evening = meetup_at(session, tenant, in_(days=2, hours=-1), title="十二月定例会")
    registration(session, evening, people.member_member)
    registration(session, evening, guest)
    session.commit()
    rendered = watch_rendering(monkeypatch)
    with app.app_context():
        enqueue_now("joren.workers.reminder_jobs.fan_out_meetup_reminders")
    run_jobs()
    assert {(r.template, r.in_request) for r in rendered} == {("meetups/reminder", False)}
    mails = {m.to_email: m for m in stored(session, "meetups/reminder")}
    links = assert_links_on(production_base_url, mails.values())
    assert f"{production_base_url}/c/{tenant.slug}/meetups/{evening.id}" in links
    assert any("/tickets/" in link for link in links)
    assert_in_language(mails[people.member.email], "en")
    assert_in_language(mails["guest@example.jp"], "ja")
    # The calendar file's UID uses BASE_URL's host too.
    assert b"joren.example.jp:8443" in b"".join(
        base64.b64decode(a["content_b64"])
        for a in mails["guest@example.jp"].attachments)
