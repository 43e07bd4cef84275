"""The demo community's first matching cycle gives the organizer suggestions worth approving,
with reasons in Japanese and in English."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from joren.demo.loader import first_introductions, load_demo
from joren.tenants.introductions import optin
from joren.tenants.introductions.models import Introduction, IntroductionCycle

pytestmark = pytest.mark.usefixtures("clock")

NOW = datetime(2026, 6, 20, 3, 0, tzinfo=UTC)


def test_the_demo_review_queue_has_sensible_suggestions(app, session):  # type: ignore[no-untyped-def]
    load_demo(session, now=NOW)
    suggested = first_introductions(session, now=NOW)
    assert suggested >= 10
    # The demo's past cycles (its relationship history) come before this month's.
    cycle = session.scalar(select(IntroductionCycle).order_by(IntroductionCycle.started_at.desc())
                           .limit(1))
    assert cycle.period == "2026-06" and cycle.suggested == suggested
    assert first_introductions(session, now=NOW) == suggested  # the month is done already

    items = session.scalars(select(Introduction).where(Introduction.cycle_id == cycle.id).options(
        selectinload(Introduction.member_low), selectinload(Introduction.member_high))).all()
    assert len(items) == suggested
    per_member = Counter(m for i in items for m in (i.member_low_id, i.member_high_id))
    assert max(per_member.values()) <= 2  # the default cap
    codes = Counter(r["code"] for i in items for r in i.reasons)
    # Mostly matches of what one offers and the other needs: a direction where both say it in
    # their own words and the tag verifier is sure of both, the same field where only one does
    # or the verifier doubts a side (``evidence.REASON_THRESHOLD``), a word in common where no
    # concept names it (``evidence``).
    text = codes["offers_for_ask"] + codes["shared_concept"] + codes["shared_words"]
    assert text >= len(items) // 2
    assert codes["offers_for_ask"] + codes["shared_concept"] >= len(items) // 5
    assert codes["offers_for_ask"] >= 5
    with app.app_context():
        for item in items:
            assert item.member_low.accepts_introductions and item.member_high.accepts_introductions
            assert item.member_low.company != item.member_high.company
            names = optin.display_names(item.member_low, item.member_high)
            japanese = optin.render_reasons(item, names, "ja")
            english = optin.render_reasons(item, names, "en")
            assert japanese and len(japanese) == len(english)
            assert all(name in " ".join(japanese) for name in names.values()
                       if any(r["code"] == "offers_for_ask" for r in item.reasons))
