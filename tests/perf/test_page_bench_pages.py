"""The page benchmark's own checks (default suite, small sizes): the big community builds on
this database (SQLite or PostgreSQL under row-level security), every console and portal GET
route is either measured by tools/page_bench.py or excluded with a reason, and every measured
page answers 200 on the community the benchmark builds.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from joren.models import Account, Attendance, Community, Introduction, Meetup, Member
from joren.platform.tenancy import unscoped
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.relationships.models import Relationship
from tests.perf import bigcommunity
from tools import page_bench_pages

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def big(app, maker):  # type: ignore[no-untyped-def]
    with app.app_context():
        return bigcommunity.build(maker, members=60, attendance=250, meetups=12)


def test_every_console_and_portal_page_is_measured_or_excluded(app):  # type: ignore[no-untyped-def]
    routes = page_bench_pages.page_endpoints(app)
    ids = dict.fromkeys(("next_meetup", "past_meetup", "profile", "editable", "series",
                         "import_batch", "journal_entry", "referral", "payment", "announcement"), 1)
    measured = {page.endpoint for page in page_bench_pages.pages(app, "x", ids)}
    assert set(routes) == measured | set(page_bench_pages.EXCLUDED)
    assert not measured & set(page_bench_pages.EXCLUDED)
    # Known pages of both surfaces are there, so the walk itself cannot go blind.
    assert {"community.console.dashboard", "community.analytics.dashboard",
            "community.introductions.queue", "community.checkin.door",
            "community.portal.home", "community.relationships.network",
            "accounts.account"} <= measured


def test_big_community_builds_and_every_measured_page_answers(  # type: ignore[no-untyped-def]
        app, big, session, maker, login):
    """One build for both (it is the slow part): what it holds, then every page on it."""
    _holds_what_pages_read(big, session)
    assert bigcommunity.locate(maker) == big  # what --reuse finds again
    _every_page_answers(app, big, session, login)


def _holds_what_pages_read(big, session) -> None:  # type: ignore[no-untyped-def]
    with unscoped(session):
        def count(model):  # type: ignore[no-untyped-def]
            return session.scalar(select(func.count()).select_from(model)
                                  .where(model.tenant_id == big.community_id))

        assert count(Member) == 60
        assert count(Meetup) == 12 + bigcommunity.UPCOMING
        assert count(Attendance) == big.attendance
        assert abs(big.attendance - 250) <= 12
        assert count(MemberEngagement) == 60
        assert count(Introduction) > 10
        assert count(Relationship) > 0
        statuses = set(session.scalars(select(Introduction.status).where(
            Introduction.tenant_id == big.community_id)))
        assert {"suggested", "connected"} <= {str(s) for s in statuses}
        small = session.scalar(select(Community).where(Community.slug == big.small_slug))
        assert session.scalar(select(func.count()).select_from(Member)
                              .where(Member.tenant_id == small.id)) == 31


def _every_page_answers(app, big, session, login) -> None:  # type: ignore[no-untyped-def]
    accounts = {role: session.scalar(select(Account).where(Account.email == email))
                for role, email in (("organizer", big.organizer_email),
                                    ("member", big.member_email))}
    clients = {role: login(account) for role, account in accounts.items()}
    failures = []
    for page in page_bench_pages.pages(app, big.slug, big.ids):
        response = clients[page.role].get(page.path)
        if response.status_code != 200:
            failures.append((page.name, response.status_code))
        elif page.endpoint == "community.members.console_list":
            # The other community's people never show up here.
            assert "small.bench.example.jp" not in response.get_data(as_text=True)
    assert failures == []
