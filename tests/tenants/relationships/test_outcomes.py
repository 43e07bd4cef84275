"""The organizer's view of outcomes: introductions made, accepted, followed by a contact or a
referral, by month; the value of closed business; who may see it; constant statements."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from joren.platform.db import utcnow
from joren.tenants.introductions.models import IntroductionStatus
from joren.tenants.relationships import outcomes
from joren.tenants.relationships.models import ReferralStatus
from tests import factories
from tests.tenants.helpers import count_statements, in_english
from tests.tenants.relationships.ledger_helpers import contact, introduction, referral

pytestmark = pytest.mark.usefixtures("clock")

NOW = datetime(2026, 6, 20, 3, 0, tzinfo=UTC)
PAGE = "/c/osaka-mixer/admin/outcomes"


def _at(day: str, hour: int = 3) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _history(session, tenant):  # type: ignore[no-untyped-def]
    m = [factories.member(session, tenant, family_name=f"会員{i}") for i in range(12)]
    # June: connected, then a contact; connected, then a referral (the only contact came
    # before they connected); declined.
    introduction(session, m[0], m[1], IntroductionStatus.CONNECTED,
                 sent_at=_at("2026-06-01"), connected_at=_at("2026-06-03"))
    contact(session, m[1], m[0], date(2026, 6, 5))
    introduction(session, m[2], m[3], IntroductionStatus.CONNECTED,
                 sent_at=_at("2026-06-02"), connected_at=_at("2026-06-04"))
    contact(session, m[2], m[3], date(2026, 5, 20))
    referral(session, m[3], m[2], on=date(2026, 6, 10), status=ReferralStatus.CLOSED_WON,
             value=1_000_000, closed_on=date(2026, 6, 15))
    introduction(session, m[4], m[5], IntroductionStatus.DECLINED, sent_at=_at("2026-06-05"))
    # April: one still waiting, one expired. A year and more ago: out of the window.
    introduction(session, m[6], m[7], IntroductionStatus.SENT, sent_at=_at("2026-04-10"))
    introduction(session, m[8], m[9], IntroductionStatus.EXPIRED, sent_at=_at("2026-04-11"))
    introduction(session, m[10], m[11], IntroductionStatus.CONNECTED,
                 sent_at=_at("2025-05-01"), connected_at=_at("2025-05-02"))
    # Never sent: not counted.
    introduction(session, m[0], m[2], IntroductionStatus.SUGGESTED)
    introduction(session, m[0], m[3], IntroductionStatus.SKIPPED)
    # Closed business: April from m[6]; a lost and an open one count nothing.
    referral(session, m[6], m[7], on=date(2026, 4, 1), status=ReferralStatus.CLOSED_WON,
             value=500_000, closed_on=date(2026, 4, 30))
    referral(session, m[6], m[8], on=date(2026, 4, 1), status=ReferralStatus.CLOSED_WON,
             value=700_000, closed_on=date(2026, 5, 1))
    referral(session, m[4], m[5], status=ReferralStatus.CLOSED_LOST, closed_on=date(2026, 6, 1))
    referral(session, m[4], m[6])
    session.flush()
    return m


def test_outcomes_by_month(session, scoped, tenant):
    m = _history(session, tenant)
    result = outcomes.outcomes(scoped(tenant), now=NOW)
    months = {row.month: row for row in result.months}
    assert [row.month for row in result.months][0] == "2025-07"
    assert result.months[-1].month == "2026-06"
    june, april = months["2026-06"], months["2026-04"]
    assert (june.made, june.connected, june.contacted, june.referred) == (3, 2, 1, 1)
    assert (june.rate(june.connected), june.rate(june.contacted)) == (67, 33)
    assert (april.made, april.connected, april.contacted, april.referred) == (2, 0, 0, 0)
    assert months["2026-05"].made == 0 and months["2026-05"].rate(0) is None
    total = result.total
    assert (total.made, total.connected, total.contacted, total.referred) == (5, 2, 1, 1)
    values = {v.month: (v.value, v.count) for v in result.values}
    assert values["2026-06"] == (1_000_000, 1)
    assert values["2026-04"] == (500_000, 1)
    assert values["2026-05"] == (700_000, 1)
    assert result.total_value == 2_200_000
    assert [(c.member.id, c.count, c.value) for c in result.connectors] == [
        (m[6].id, 2, 1_200_000), (m[3].id, 1, 1_000_000)]


def test_month_boundaries_follow_the_community_time_zone(session, scoped, tenant):
    a, b = factories.member(session, tenant), factories.member(session, tenant)
    # 2026-05-31 20:00 UTC is 2026-06-01 05:00 in Tokyo: a June introduction.
    introduction(session, a, b, IntroductionStatus.SENT,
                 sent_at=datetime(2026, 5, 31, 20, 0, tzinfo=UTC))
    result = outcomes.outcomes(scoped(tenant), now=NOW)
    assert {row.month: row.made for row in result.months}["2026-06"] == 1


def test_outcomes_never_mix_communities(session, scoped, tenant, other_tenant):
    _history(session, tenant)
    x, y = factories.member(session, other_tenant), factories.member(session, other_tenant)
    introduction(session, x, y, IntroductionStatus.CONNECTED, sent_at=_at("2026-06-01"),
                 connected_at=_at("2026-06-02"))
    referral(session, x, y, status=ReferralStatus.CLOSED_WON, value=9, closed_on=date(2026, 6, 3))
    mine = outcomes.outcomes(scoped(tenant), now=NOW)
    theirs = outcomes.outcomes(scoped(other_tenant), now=NOW)
    assert (mine.total.made, mine.total_value) == (5, 2_200_000)
    assert (theirs.total.made, theirs.total.connected, theirs.total_value) == (1, 1, 9)


def test_the_page_shows_counts_rates_and_values(session, tenant, people, organizer_client,
                                                staff_client, member_client):
    a, b = factories.member(session, tenant), factories.member(session, tenant)
    c = factories.member(session, tenant, family_name="紹介", given_name="名人")
    now = utcnow()
    introduction(session, a, b, IntroductionStatus.CONNECTED, sent_at=now - timedelta(hours=2),
                 connected_at=now - timedelta(hours=1))
    introduction(session, a, c, IntroductionStatus.DECLINED, sent_at=now - timedelta(hours=2))
    contact(session, b, a, now.date())
    referral(session, c, b, status=ReferralStatus.CLOSED_WON, value=3_456_789,
             closed_on=now.date())
    session.commit()
    page = in_english(organizer_client).get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="introductions-table"' in text and 'id="value-table"' in text
    footer = text.split("<tfoot>")[1].split("</tfoot>")[0]
    assert ">2<" in footer and "1 <span" in footer and "(50%)" in footer
    assert "¥3,456,789" in text
    assert "紹介 名人" in text
    assert in_english(staff_client).get(PAGE).status_code == 200
    assert member_client.get(PAGE).status_code == 403


def test_statements_stay_constant_as_introductions_grow(app, session, tenant, people,
                                                        organizer_client):
    def grow(count: int) -> None:
        for i in range(count):
            a, b = factories.member(session, tenant), factories.member(session, tenant)
            sent = utcnow() - timedelta(days=30 * (i % 6), hours=1)
            introduction(session, a, b, IntroductionStatus.CONNECTED, sent_at=sent,
                         connected_at=sent)
            contact(session, a, b, sent.date())
            referral(session, b, a, status=ReferralStatus.CLOSED_WON, value=100 * (i + 1),
                     closed_on=sent.date())
        session.commit()

    def statements() -> int:
        with count_statements(app) as counted:
            assert organizer_client.get(PAGE).status_code == 200
        return len(counted)

    grow(2)
    small = statements()
    grow(12)
    assert statements() == small


def test_only_the_two_introduced_count_in_either_order(session, scoped, tenant):
    """A contact or referral counts for the pair in whichever order it was logged, never for
    a pair that shares only one of the two people."""
    m = [factories.member(session, tenant) for i in range(5)]
    introduction(session, m[0], m[1], IntroductionStatus.CONNECTED,
                 sent_at=_at("2026-06-01"), connected_at=_at("2026-06-02"))
    introduction(session, m[2], m[3], IntroductionStatus.CONNECTED,
                 sent_at=_at("2026-06-01"), connected_at=_at("2026-06-02"))
    # m[0] and m[1] each met someone else; m[3] and m[2] met and passed business (high → low).
    contact(session, m[0], m[2], date(2026, 6, 5))
    contact(session, m[4], m[1], date(2026, 6, 5))
    referral(session, m[1], m[3], on=date(2026, 6, 6))
    contact(session, m[3], m[2], date(2026, 6, 7))
    referral(session, m[3], m[2], on=date(2026, 6, 8))
    session.flush()
    june = {row.month: row for row in outcomes.outcomes(scoped(tenant), now=NOW).months}[
        "2026-06"]
    assert (june.made, june.connected, june.contacted, june.referred) == (2, 2, 1, 1)
