"""The trained verifier of tags in the engine (``verifier``, ``verdicts``): a sentence that
names a concept's words without meaning it loses the tag, in the concepts of the profile and
in the reasons; verdicts are judged once per sentence and stored per community."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sqlalchemy import delete, func, insert, select, update

from joren.platform.tenancy import TenantScopeError, unscoped
from joren.tenants.introductions import cycles, finder, verdicts, verifier
from joren.tenants.introductions.features import Features, History, Profile
from joren.tenants.introductions.matching import suggest
from joren.tenants.introductions.models import Introduction, TagVerdict
from joren.tenants.members import vocabulary
from joren.tenants.members.profiles.services import update_member_profile
from tests.tenants.introductions.intro_support import person

pytestmark = pytest.mark.usefixtures("clock")

SUBTITLES = "Webサイト掲載用の商品写真を撮影します"   # product photos for a website: not web design
WEBSITES = "We build websites for small shops"
SHOP_NEEDS_A_SITE = "We need a new website for the shop"


def _web() -> int:
    return vocabulary.index()["web_development"]


def test_a_sentence_that_only_names_the_words_loses_the_tag_a_right_one_keeps_it():
    # A verdict is the tag's doubt (the probability that it is wrong): vetoed above veto_at.
    at = verifier.veto_at()
    pitfall, right = verifier.judge([SUBTITLES, WEBSITES], "offer")
    assert pitfall[_web()] > at and right[_web()] <= at
    (need,) = verifier.judge([SHOP_NEEDS_A_SITE], "need")
    assert set(need) == {_web()} and need[_web()] <= at


def test_the_veto_changes_the_cycles_suggestions_and_reasons():
    profiles = [Profile(1, offers=(SUBTITLES,), prefecture="13", level="regular"),
                Profile(2, offers=(WEBSITES,), prefecture="13", level="regular"),
                Profile(3, asks=(SHOP_NEEDS_A_SITE,), prefecture="13", level="regular")]
    words = Features(profiles, verdicts=None)
    verified = Features(profiles)
    assert words.meaning().offer[0, _web()] > 0 and words.meaning().offer[1, _web()] > 0
    assert verified.meaning().offer[0, _web()] == 0 and verified.meaning().offer[1, _web()] > 0
    before = {(s.a, s.b): s for s in suggest(words, History())}
    after = {(s.a, s.b): s for s in suggest(verified, History())}
    # The right offer still meets the need, with its direction stated.
    assert before[(2, 3)].reasons[0].code == after[(2, 3)].reasons[0].code == "offers_for_ask"
    # The photographer's "website" (a tag of web design) made a pair with the shop; vetoed,
    # nothing is left to match on (they share no words either), and the pair is gone.
    assert (1, 3) in before and (1, 3) not in after


def test_verdicts_are_judged_in_one_batch_and_kept_in_process(encoded):
    kept = verifier.Verdicts()
    lines = [SUBTITLES, WEBSITES, "経営者同士の交流を広げたい", SUBTITLES]
    got = kept.vetoed(lines, "offer")
    assert got[0] == got[3] == frozenset({_web()})   # its photo tag stays
    assert got[1] == got[2] == frozenset()
    assert sorted(encoded) == sorted([SUBTITLES, WEBSITES])      # tagless lines: no embedding
    assert kept.vetoed(lines, "offer") == got and len(encoded) == 2
    assert set(kept.judged) == {("offer", verifier.digest(line)) for line in lines[:3]}


# --- stored per community -----------------------------------------------------------------

def _community(session, tenant):  # type: ignore[no-untyped-def]
    return {"subtitles": person(session, tenant, offer_1=SUBTITLES, prefecture="13"),
            "websites": person(session, tenant, offer_1=WEBSITES, prefecture="13"),
            "shop": person(session, tenant, ask_description=SHOP_NEEDS_A_SITE,
                           challenges="決算が不安", prefecture="13")}


def _stored(s) -> dict[tuple[str, int, str], bool]:  # type: ignore[no-untyped-def]
    """Each stored tag: vetoed (its doubt above the model's ``veto_at``)."""
    at = verifier.veto_at()
    return {(side, sentence, concept): doubt > at for side, sentence, concept, doubt in s.execute(
        select(TagVerdict.side, TagVerdict.sentence, TagVerdict.concept, TagVerdict.doubt)
        .where(_VERIFIERS))}


# The verifier's rows (the finder's, ``finder.PREFIX``, share the table: test_finder.py).
_VERIFIERS = TagVerdict.model_version.not_like(finder.PREFIX + "%")


def test_a_cycle_stores_what_it_judged_and_the_next_embeds_nothing(session, scoped, tenant,
                                                                   encoded):
    who = _community(session, tenant)
    session.commit()
    s = scoped(tenant)
    cycles.run_cycle(s, "manual-202611230530")
    s.commit()
    assert set(encoded) == {SUBTITLES, WEBSITES, SHOP_NEEDS_A_SITE, "決算が不安"}
    stored = _stored(s)
    assert stored[("offer", verifier.digest(SUBTITLES), "web_development")] is True
    assert stored[("offer", verifier.digest(WEBSITES), "web_development")] is False
    assert stored[("need", verifier.digest(SHOP_NEEDS_A_SITE), "web_development")] is False
    assert set(s.scalars(select(TagVerdict.model_version).where(_VERIFIERS))) == {
        verifier.version()}
    encoded.clear()
    cycles.run_cycle(s, "manual-202611240530")
    s.commit()
    assert encoded == []
    assert _stored(s) == stored
    # Suggested from the stored verdicts as from judged ones.
    pairs = {(i.member_low_id, i.member_high_id) for i in s.scalars(
        select(Introduction))}
    assert tuple(sorted((who["websites"].id, who["shop"].id))) in pairs


def test_a_profile_change_judges_only_its_new_sentences_in_a_job(app, session, scoped,
                                                                  tenant, encoded,
                                                                  run_jobs):
    who = _community(session, tenant)
    session.commit()
    s = scoped(tenant)
    assert verdicts.judge_members(s, [m.id for m in who.values()]) == 5
    s.commit()
    encoded.clear()
    shop = s.get(type(who["shop"]), who["shop"].id)
    with app.test_request_context("/"):
        update_member_profile(s, shop, shop, {
            "ask_description": SHOP_NEEDS_A_SITE, "challenges": "英語のホームページを作りたい"})
        s.commit()
    assert encoded == []                       # judged by the job, after the commit
    assert run_jobs() == 1                     # an RQ worker, no request around it
    assert encoded == ["英語のホームページを作りたい"]
    assert ("need", verifier.digest("英語のホームページを作りたい"), "web_development") in \
        _stored(scoped(tenant))
    # A change to fields the verifier does not read queues nothing.
    with app.test_request_context("/"):
        update_member_profile(s, shop, shop, {"company": "老舗の和菓子店"})
        s.commit()
    assert run_jobs() == 0


def test_a_new_model_version_judges_every_sentence_again(session, scoped, tenant, encoded,
                                                         monkeypatch):
    _community(session, tenant)
    session.commit()
    s = scoped(tenant)
    cycles.run_cycle(s, "manual-202611230530")
    s.commit()
    first = _stored(s)
    old = verifier.version()
    encoded.clear()
    newer = dataclasses.replace(verifier.model(), version="0" * 16)
    monkeypatch.setattr(verifier, "model", lambda: newer)
    cycles.run_cycle(s, "manual-202611240530")
    s.commit()
    assert set(encoded) == {SUBTITLES, WEBSITES, SHOP_NEEDS_A_SITE, "決算が不安"}
    assert set(s.scalars(select(TagVerdict.model_version).where(_VERIFIERS))) == {"0" * 16}
    assert _stored(s) == first and old != "0" * 16


def test_another_community_can_neither_read_nor_change_the_verdicts(session, scoped, tenant,
                                                                    other_tenant):
    who = _community(session, tenant)
    theirs = person(session, other_tenant, offer_1=WEBSITES)
    session.commit()
    mine, other = scoped(tenant), scoped(other_tenant)
    verdicts.judge_members(mine, [m.id for m in who.values()])
    mine.commit()
    before = _stored(mine)
    mine.commit()
    verdicts.judge_members(other, [theirs.id, *(m.id for m in who.values())])  # ids not theirs
    other.commit()
    assert set(other.scalars(select(TagVerdict.tenant_id))) == {other_tenant.id}
    assert len(_stored(other)) == 1            # their own sentence only
    assert verdicts.read(other).keys() == {("offer", verifier.digest(WEBSITES))}
    other.execute(update(TagVerdict).values(doubt=1.0))
    other.execute(delete(TagVerdict).where(TagVerdict.sentence == verifier.digest(SUBTITLES)))
    other.commit()
    with pytest.raises(TenantScopeError):
        other.execute(insert(TagVerdict), [{
            "tenant_id": tenant.id, "model_version": verifier.version(), "side": "need",
            "sentence": 1, "concept": "tax", "doubt": 1.0}])
    other.rollback()
    assert _stored(scoped(tenant)) == before
    if session.get_bind().dialect.name == "postgresql":
        # Below the ORM guard: row-level security alone keeps the rows apart.
        other.scalar(select(func.count()).select_from(TagVerdict))   # the scope is set
        raw = other.connection()
        assert raw.exec_driver_sql("SELECT DISTINCT tenant_id FROM tag_verdicts").all() == [
            (other_tenant.id,)]
        assert raw.exec_driver_sql("UPDATE tag_verdicts SET doubt = 1 - doubt "
                                  "WHERE model_version NOT LIKE 'found:%%'").rowcount == 1
        other.rollback()
    with unscoped(session):
        assert session.scalar(select(func.count()).select_from(TagVerdict).where(
            TagVerdict.tenant_id == tenant.id, _VERIFIERS)) == len(before)


def test_a_cycle_deletes_the_verdicts_of_sentences_no_profile_holds(session, scoped, tenant):
    who = _community(session, tenant)
    session.commit()
    s = scoped(tenant)
    cycles.run_cycle(s, "manual-202611230530")
    s.commit()
    shop = s.get(type(who["shop"]), who["shop"].id)
    shop.challenges = ""
    s.commit()
    gone = ("need", verifier.digest("決算が不安"), "tax")
    assert gone in _stored(s)
    cycles.run_cycle(s, "manual-202611240530")
    s.commit()
    assert gone not in _stored(s)
    assert ("offer", verifier.digest(SUBTITLES), "web_development") in _stored(s)


def test_stored_verdicts_in_compact_form_answer_as_the_dictionary_did(encoded):
    """``verifier.Stored`` (the loader's compact form) answers what the same verdicts as a
    dictionary answer: the vetoes, the doubts (0 for an untagged concept), the keys; a
    sentence stored nowhere is judged, once."""
    at = verifier.veto_at()
    rng = np.random.default_rng(4)
    lines = [f"line {k}" for k in range(60)]
    known: dict = {}
    rows = []
    for k, line in enumerate(lines[:50]):
        side = vocabulary.SIDES[k % 2]
        concepts = rng.choice(40, size=1 + k % 3, replace=False).tolist()
        # Doubts on both sides of the veto, and one right at it (not vetoed: above only).
        doubts = [at if k == 7 else float(d) for d in rng.random(len(concepts))]
        known[(side, verifier.digest(line))] = dict(zip(concepts, doubts, strict=True))
        rows += [(side, verifier.digest(line), c, d)
                 for c, d in zip(concepts, doubts, strict=True)]
    rng.shuffle(rows)
    stored = verifier.Verdicts(stored=verifier.Stored(*zip(*rows, strict=True)))
    plain = verifier.Verdicts(dict(known))
    assert stored.keys() == plain.keys() == set(known)
    for side in vocabulary.SIDES:
        mine = [line for k, line in enumerate(lines[:50]) if vocabulary.SIDES[k % 2] == side]
        assert stored.vetoed(mine, side) == plain.vetoed(mine, side)
        assert any(stored.vetoed(mine, side)) and not all(stored.vetoed(mine, side))
        concepts = list(range(40)) * 2
        asked = (mine * 80)[:len(concepts)]
        assert np.array_equal(stored.doubts(asked, concepts, side),
                              plain.doubts(asked, concepts, side))
    assert stored.used == plain.used and not stored.judged and not encoded
    # A stored sentence asked on the other side is not stored there: judged (tagless: {}).
    assert stored.vetoed([lines[0]], "need") == [frozenset()]
    assert stored.judged == {("need", verifier.digest(lines[0])): {}}
    assert verifier.Stored().find("offer", [1, 2]) == [None, None]
