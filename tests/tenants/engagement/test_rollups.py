"""The analytics rollups give exactly the figures the register gives.

The reference is the dashboard's computation from before the rollups (``reference_analytics``,
straight from the register on every view). On random communities (Hypothesis picks the seeds:
sizes, zones, cancelled and future meetups, one under way, guests, walk-ins, absent and
excused, inactive members, thresholds) the page's figures equal it: read from a rebuild, from
the register when there are no rollups yet, and after updates by difference.
"""

from __future__ import annotations

from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joren.platform.db import utcnow
from joren.tenants.engagement import analytics, services
from joren.tenants.engagement.analytics import Analytics
from joren.tenants.engagement.rollups import store
from tests import factories
from tests.tenants.engagement import reference_analytics as reference
from tests.tenants.engagement.helpers import past_meetups, record
from tests.tenants.engagement.rollup_worlds import build
from tests.tenants.helpers import count_statements

pytestmark = pytest.mark.usefixtures("clock")

EXAMPLES = settings(max_examples=25, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def assert_same(got: Analytics, expected: Analytics) -> None:
    for field in fields(Analytics):
        if field.name != "current":
            assert getattr(got, field.name) == getattr(expected, field.name), field.name


def _figures(s, world, now):  # type: ignore[no-untyped-def]
    return analytics.analytics(s, world.community.zone, now)


def _reference(s, world, now):  # type: ignore[no-untyped-def]
    return reference.analytics(s, world.community.zone, now)


@EXAMPLES
@given(seed=st.integers(0, 2**31))
def test_rollups_equal_the_register(session, scoped, seed):
    now = utcnow()
    world = build(session, seed, now)
    s = scoped(world.community)
    services.recompute_community(s, now=now)
    expected = _reference(s, world, now)

    from_register = _figures(s, world, now)
    assert_same(from_register, expected)
    assert from_register.current == (expected.occurrences == 0)

    store.rebuild(s, now)
    stored = _figures(s, world, now)
    assert stored.current
    assert_same(stored, expected)
    s.rollback()


@pytest.mark.parametrize("members,meetups", [(40, 30), (120, 60)])
def test_larger_communities(session, scoped, members, meetups):
    now = utcnow()
    world = build(session, members * 7 + meetups, now, members=members, meetups=meetups)
    s = scoped(world.community)
    services.recompute_community(s, now=now)
    store.rebuild(s, now)
    stored = _figures(s, world, now)
    assert stored.current and stored.occurrences > 0
    assert sum(m.total for m in stored.mix) > 0
    assert_same(stored, _reference(s, world, now))


def _grow(session, scoped, tenant, past, members, now):  # type: ignore[no-untyped-def]
    for n in range(members):
        person = factories.member(session, tenant, industry_code="EGR"[n % 3])
        record(session, past, person, ["xxx.xxxx.x", "....xxx..X", "x......", "X.x.A.xxwx"][n % 4])
    s = scoped(tenant)
    services.recompute_community(s, now=now)
    store.rebuild(s, now)
    s.commit()
    session.commit()
    return s


def test_the_page_reads_the_rollups_in_at_most_ten_statements(app, organizer_client, session,
                                                               scoped, tenant):
    """With current rollups the whole analytics page (the signed-in request included) costs
    the same few statements for 10 members or 80, and the figures take five of them."""
    now = utcnow()
    past = past_meetups(session, tenant, 10, now=now)
    page = "/c/osaka-mixer/admin/analytics"
    counts = []
    for members in (10, 70):
        s = _grow(session, scoped, tenant, past, members, now)
        organizer_client.get(page)
        with count_statements(app) as sql:
            assert organizer_client.get(page).status_code == 200
        with count_statements(app) as figures:
            assert analytics.analytics(s, tenant.zone, now).current
        assert len(figures) == 5
        counts.append(len(sql))
    assert counts[0] == counts[1] <= 10, counts
