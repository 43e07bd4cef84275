"""The introduction cycle job runs with no request and no SERVER_NAME, as in production; the
proposals it sends link to BASE_URL, in each reader's language (issue 12, finding 2)."""

from __future__ import annotations

from joren.platform.jobs import enqueue_now
from joren.tenants.introductions import services
from joren.tenants.introductions.models import Cadence
from joren.workers import introduction_jobs
from tests import factories
from tests.links import assert_in_language, assert_links_on, stored, watch_rendering
from tests.tenants.introductions.test_cycles import _community


def test_the_cycle_job_sends_proposals_linking_to_base_url(
        app, session, scoped, tenant, people, run_jobs, production_base_url, monkeypatch):
    who = _community(session, tenant)
    who["hire_help"].account_id = factories.account(session, "hire@example.jp",
                                                     language="en").id
    session.commit()
    s = scoped(tenant)
    services.update_settings(s, cadence=Cadence.WEEKLY, auto_send=True, per_member_cap=2,
                             expiry_days=10)
    s.commit()
    rendered = watch_rendering(monkeypatch)
    with app.app_context():
        enqueue_now(introduction_jobs.RUN_CYCLE_JOB, tenant.id, "2026-W48")
    run_jobs()
    assert rendered and {(r.template, r.in_request) for r in rendered} == {
        ("introductions/proposal", False)}
    proposals = stored(session, "introductions/proposal")
    links = assert_links_on(production_base_url, proposals)
    assert any(link.startswith(f"{production_base_url}/c/{tenant.slug}/introductions/")
               for link in links)
    by_reader = {m.to_email: m for m in proposals}
    assert_in_language(by_reader["hire@example.jp"], "en")  # their account's language
    assert_in_language(by_reader["need@example.jp"], "ja")  # no account: the community's
