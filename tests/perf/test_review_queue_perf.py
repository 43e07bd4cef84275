"""The review queue with about a thousand suggestions waiting (issue 15): a page of it, a
filtered page, one approve from a card (the JSON answer the page's script gets: the queue is
not reloaded) and a bulk approve of a page's worth, beside a baseline measured in the same run
(the same pages on a community with one page of suggestions, and saving a note: a POST that
sends no email).

On demand: ``pytest -m perf -s tests/perf/test_review_queue_perf.py`` (with DATABASE_URL for
PostgreSQL). It prints the median (p50) of each and the statement counts; the counts are
asserted equal between the two sizes, the times are not asserted.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from joren.models import Member, Role
from joren.platform.tenancy import unscoped
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionSource,
    IntroductionStatus,
)
from tests import factories
from tests.tenants.helpers import count_statements

pytestmark = [pytest.mark.usefixtures("clock"), pytest.mark.perf]

RUNS = 15
JSON = {"Accept": "application/json"}
CODES = ("offers_for_ask", "regulars", "same_region", "met_not_spoken")


def _populate(session: Any, community: Any, pending: int) -> list[int]:
    """``pending`` suggestions between 2 × ``pending`` consenting members (a quarter of them
    regulars), with engine reasons and scores spread over 0.12–0.95."""
    with unscoped(session):
        session.execute(insert(Member), [
            {"tenant_id": community.id, "role": Role.MEMBER.value, "status": "member",
             "email": f"m{n}@{community.slug}.example.jp", "family_name": "山本",
             "given_name": f"翔太{n}", "family_name_kana": "ヤマモト",
             "given_name_kana": "ショウタ", "company": f"会社{n}", "search_key": f"yamamoto{n}",
             "accepts_introductions": True, "offer_1": "記帳代行と経理の仕組みづくり"}
            for n in range(2 * pending)])
        ids = session.scalars(select(Member.id).where(Member.tenant_id == community.id)
                              .order_by(Member.id)).all()
        session.execute(insert(MemberEngagement), [
            {"tenant_id": community.id, "member_id": m, "level": Level.REGULAR.value}
            for m in ids[::4]])
        session.execute(insert(Introduction), [
            {"tenant_id": community.id, "member_low_id": ids[2 * n],
             "member_high_id": ids[2 * n + 1], "source": IntroductionSource.ENGINE.value,
             "status": IntroductionStatus.SUGGESTED.value, "score": 0.12 + (n % 84) / 100,
             "message": "", "request_note": "",
             "reasons": [{"code": CODES[n % len(CODES)], "params": {
                 "a": ids[2 * n], "b": ids[2 * n + 1], "offer": "記帳代行",
                 "ask": "月末の請求書処理", "prefecture": "13", "meetups": 3}}]}
            for n in range(pending)])
        made = session.scalars(select(Introduction.id).where(
            Introduction.tenant_id == community.id).order_by(Introduction.score.desc(),
                                                             Introduction.id)).all()
    session.commit()
    return list(made)


def _p50(run: Callable[[], Any]) -> float:
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _measure(app: Any, c: Any, slug: str, ids: list[int]) -> dict[str, float]:
    queue = f"/c/{slug}/admin/introductions"
    filtered = queue + "?reason=offers_for_ask&min_score=0.3&page=2"
    pending = iter(ids)
    figures: dict[str, float] = {}

    def get(url: str) -> None:
        assert c.get(url).status_code == 200

    def approve() -> None:
        one = next(pending)
        answer = c.post(f"{queue}/{one}/approve", headers=JSON, data={f"m{one}-message": "ぜひ"})
        assert answer.status_code == 200, answer.json

    def note() -> None:
        one = ids[-1]
        assert c.post(f"{queue}/{one}/message", headers=JSON,
                      data={f"m{one}-message": f"メモ {time.perf_counter()}"}).status_code == 200

    def bulk() -> None:
        chosen = [str(next(pending)) for _ in range(30)]
        answer = c.post(f"{queue}/bulk", headers=JSON, data={"action": "approve",
                                                            "ids": chosen})
        assert len(answer.json["done"]) == 30

    get(queue)  # warm: templates compiled
    for name, run in (("page", lambda: get(queue)), ("filtered", lambda: get(filtered)),
                      ("approve", approve), ("note", note)):
        with count_statements(app) as sql:
            run()
        figures[f"{name}_sql"] = len(sql)
        figures[name] = _p50(run)
    if len(ids) > 30 * (RUNS + 2) + 2 * RUNS:
        figures["bulk"] = _p50(bulk)
    return figures


def test_review_queue_benchmark(app, session, login):  # type: ignore[no-untyped-def]
    sizes = {"perf-queue-small": 30 + 2 * RUNS + 4, "perf-queue-large": 1_000}
    clients, ids = {}, {}
    for slug, pending in sizes.items():
        community = factories.community(session, slug=slug)
        account = factories.account(session, f"organizer@{slug}.example.jp")
        factories.member(session, community, account, Role.OWNER)
        session.commit()
        ids[slug] = _populate(session, community, pending)
        clients[slug] = login(account)
    if session.bind.dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()
    base = _measure(app, clients["perf-queue-small"], "perf-queue-small",
                    ids["perf-queue-small"])
    big = _measure(app, clients["perf-queue-large"], "perf-queue-large",
                   ids["perf-queue-large"])
    print()
    print(f"review queue, p50 of {RUNS} requests ({session.bind.dialect.name}); baseline: "
          f"{sizes['perf-queue-small']} suggestions waiting, large: 1,000 waiting")
    for name, what in (("page", "queue page (30 cards)"),
                       ("filtered", "filtered page 2"),
                       ("approve", "approve one, with its note (JSON)"),
                       ("note", "save a note (no email): bare POST")):
        print(f"  {what:36} baseline {base[name] * 1000:7.1f} ms ({base[name + '_sql']:.0f} "
              f"statements)   1,000 waiting {big[name] * 1000:7.1f} ms "
              f"({big[name + '_sql']:.0f} statements)   x{big[name] / base[name]:.2f}")
    print(f"  {'bulk approve of 30 (60 emails)':36} 1,000 waiting {big['bulk'] * 1000:7.1f} ms"
          f"   = {big['bulk'] / 30 * 1000:.1f} ms per introduction, against "
          f"{big['approve'] * 1000:.1f} ms for one alone")
    for name in ("page", "filtered", "approve"):
        assert big[f"{name}_sql"] == base[f"{name}_sql"], name
    assert big["page_sql"] <= 10 and big["filtered_sql"] <= 10
