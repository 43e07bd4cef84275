"""Every path that writes profile text announces it, and the trained verifier judges the new
sentences in a job after the commit: the profile form (one member, ``profile_changed``), a CSV
import and the demo (a batch, ``profiles_changed``: one job for all). Without Redis the job
runs in the process's background runner, after the save has answered
(``joren.platform.inprocess``), never inline in the member's request."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from joren.demo.loader import first_introductions, load_demo
from joren.platform import inprocess
from joren.platform.membership.models import Member
from joren.tenants.imports import services as imports
from joren.tenants.imports.models import ImportKind
from joren.tenants.introductions import verifier
from joren.tenants.introductions.models import TagVerdict
from joren.tenants.members.profiles.services import update_member_profile
from joren.tenants.members.signals import profile_changed, profiles_changed
from tests.tenants.introductions.intro_support import person

pytestmark = pytest.mark.usefixtures("clock")

WEBSITES = "We build websites for small shops"
SHOP_NEEDS_A_SITE = "We need a new website for the shop"
ENGLISH_SITE = "英語のホームページを作りたい"


@pytest.fixture
def encoded(monkeypatch):
    """Every batch of texts the encoder is asked to embed, in order."""
    batches: list[list[str]] = []
    encode = verifier.encode

    def counting(batch):  # type: ignore[no-untyped-def]
        batches.append(list(batch))
        return encode(batch)

    monkeypatch.setattr(verifier, "encode", counting)
    return batches


@pytest.fixture
def announced():
    """What ``profile_changed`` and ``profiles_changed`` were sent with, in order."""
    got: list[tuple[str, dict]] = []

    def one(sender, **kw):  # type: ignore[no-untyped-def]
        got.append(("one", kw))

    def many(sender, **kw):  # type: ignore[no-untyped-def]
        got.append(("many", kw))

    profile_changed.connect(one)
    profiles_changed.connect(many)
    yield got
    profile_changed.disconnect(one)
    profiles_changed.disconnect(many)


@pytest.fixture
def embedded(app, monkeypatch):
    """Embedded mode (no Redis: ``RQ_ASYNC`` off) with the test's background runner, which
    holds its jobs until the test drains it (tests/conftest.py), so what runs when is
    deterministic."""
    monkeypatch.setitem(app.config, "RQ_ASYNC", False)
    assert inprocess.runner.hold
    return inprocess.runner


def _judged(s) -> set[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return set(s.execute(select(TagVerdict.side, TagVerdict.sentence).distinct()).all())


def _texts(batches: list[list[str]]) -> set[str]:
    return {t for batch in batches for t in batch}


# --- a batch: one announcement, one job ----------------------------------------------------

def test_a_batch_of_profiles_is_judged_by_one_job_in_one_batch_per_side(
        app, session, scoped, tenant, encoded, run_jobs):
    who = [person(session, tenant, offer_1=WEBSITES),
           person(session, tenant, ask_description=SHOP_NEEDS_A_SITE),
           person(session, tenant, challenges=ENGLISH_SITE)]
    session.commit()
    s = scoped(tenant)
    with app.app_context():
        profiles_changed.send(s, tenant_id=tenant.id, member_ids=[m.id for m in who],
                              fields=frozenset({"offer_1", "ask_description", "challenges"}))
        s.commit()
    assert encoded == []                      # after the commit, in a job
    assert run_jobs() == 1                    # one RQ job for the batch, no request around it
    assert len(encoded) == 2                  # one encoder batch per side
    assert _texts(encoded) == {WEBSITES, SHOP_NEEDS_A_SITE, ENGLISH_SITE}
    assert _judged(scoped(tenant)) == {
        ("offer", verifier.digest(WEBSITES)), ("need", verifier.digest(SHOP_NEEDS_A_SITE)),
        ("need", verifier.digest(ENGLISH_SITE))}
    # Columns the verifier does not read queue nothing.
    with app.app_context():
        profiles_changed.send(s, tenant_id=tenant.id, member_ids=[who[0].id],
                              fields=frozenset({"company", "title"}))
        s.commit()
    assert run_jobs() == 0


def test_an_import_announces_its_batch_once_with_every_member_it_wrote(
        app, session, scoped, tenant, announced, run_jobs):
    known = person(session, tenant, family_name="佐藤", given_name="太郎",
                   email="taro.sato@example.jp", company="")
    session.commit()
    s = scoped(tenant)
    text = ("氏名,メールアドレス,会社名\n"
            "佐藤 太郎,taro.sato@example.jp,佐藤商店\n"
            "鈴木 花子,hanako@example.jp,鈴木工務店\n"
            "高橋 一郎,ichiro@example.jp,高橋製作所\n")
    with app.app_context():
        batch = imports.create_batch(s, kind=ImportKind.MEMBERS, filename="x.csv",
                                     data=text.encode(), actor=None)
        assert imports.save_mapping(s, batch, ["full_name", "email", "company"]) == []
        imports.preview(s, batch)
        imports.confirm(s, batch, valid_only=False)
        s.commit()
    announced.clear()
    assert run_jobs() == 1                    # the import job, by an RQ worker
    new = set(s.scalars(select(Member.id).where(Member.email.in_(
        ["hanako@example.jp", "ichiro@example.jp"]))))
    assert len(new) == 2
    assert [kind for kind, _kw in announced] == ["many"]          # one for the batch
    (_kind, kw), = announced
    assert kw["tenant_id"] == tenant.id
    assert kw["member_ids"] == sorted({known.id, *new})           # new and filled in
    assert "company" in kw["fields"]
    assert s.scalar(select(Member.company).where(Member.id == known.id)) == "佐藤商店"
    # An import writes no offers or needs: nothing for the verifier to judge.
    assert run_jobs() == 0


def test_the_demo_is_judged_by_one_job_and_its_first_cycle_embeds_nothing(
        app, session, encoded, run_jobs):
    now = datetime(2026, 6, 20, 3, 0, tzinfo=UTC)
    with app.app_context():
        load_demo(session, now=now)
        session.commit()
    assert encoded == []
    assert run_jobs() == 1
    assert len(encoded) == 2                  # every profile, one encoder batch per side
    judged = _judged(session)
    assert judged
    encoded.clear()
    assert first_introductions(session, now=now) >= 10
    session.commit()
    assert encoded == []                      # the cycle read the job's verdicts
    assert _judged(session) == judged


# --- embedded mode: the save answers first --------------------------------------------------

def test_without_redis_a_save_answers_before_the_encoder_runs(
        app, session, scoped, tenant, encoded, embedded, run_jobs):
    shop = person(session, tenant, ask_description=SHOP_NEEDS_A_SITE)
    session.commit()
    s = scoped(tenant)
    member = s.get(Member, shop.id)
    with app.test_request_context("/"):
        update_member_profile(s, member, member, {"challenges": ENGLISH_SITE})
        s.commit()
    assert encoded == []                      # the save did not wait for the encoder
    assert embedded.pending == 1              # the job waits in the background runner
    assert run_jobs() == 0                    # not an RQ job
    assert embedded.drain(timeout=600)
    assert _texts(encoded) == {SHOP_NEEDS_A_SITE, ENGLISH_SITE}
    assert ("need", verifier.digest(ENGLISH_SITE)) in _judged(scoped(tenant))


def test_a_background_job_that_fails_is_logged_and_the_next_runs(
        app, session, scoped, tenant, encoded, embedded, monkeypatch, caplog):
    shop = person(session, tenant)
    session.commit()
    s = scoped(tenant)
    member = s.get(Member, shop.id)

    def broken(batch):  # type: ignore[no-untyped-def]
        raise RuntimeError("the encoder is gone")

    working = verifier.encode
    monkeypatch.setattr(verifier, "encode", broken)
    failures = embedded.failures
    with app.test_request_context("/"):
        update_member_profile(s, member, member, {"challenges": ENGLISH_SITE})
        s.commit()                            # the save succeeds whatever the job does
    with caplog.at_level(logging.ERROR, logger="joren.jobs.inprocess"):
        assert embedded.drain(timeout=600)
    assert embedded.failures == failures + 1
    assert "judge_profiles" in caplog.text and "the encoder is gone" in caplog.text
    monkeypatch.setattr(verifier, "encode", working)
    with app.test_request_context("/"):
        update_member_profile(s, member, member, {"ask_description": SHOP_NEEDS_A_SITE})
        s.commit()
    assert embedded.drain(timeout=600)
    assert ("need", verifier.digest(SHOP_NEEDS_A_SITE)) in _judged(scoped(tenant))


def test_under_rq_a_background_job_waits_in_the_database_like_any_while_redis_is_down(
        app, session, scoped, tenant, monkeypatch):
    from redis.exceptions import ConnectionError as RedisDown

    from joren.platform import jobs
    from joren.platform.deferred import DeferredJob

    shop = person(session, tenant)
    session.commit()
    s = scoped(tenant)
    member = s.get(Member, shop.id)

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RedisDown("no Redis")

    monkeypatch.setattr(jobs, "enqueue_now", down)
    with app.test_request_context("/"):
        update_member_profile(s, member, member, {"challenges": ENGLISH_SITE})
        s.commit()                            # saved all the same
    waiting = session.scalars(select(DeferredJob)).all()
    assert [(j.job_name, j.args, j.options) for j in waiting] == [
        ("joren.workers.introduction_jobs.judge_profiles", [tenant.id, [shop.id]], {})]
