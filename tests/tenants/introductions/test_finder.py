"""Concepts the vocabulary's words miss, found by the encoder (``finder``): a need phrased in
other words gets its concept, a generic sentence gets none; found once per sentence (the
profile job, or the first cycle that meets it) and stored per community."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from joren.platform.tenancy import unscoped
from joren.tenants.introductions import cycles, evidence, finder, verdicts, verifier
from joren.tenants.introductions.features import Features, History, Profile
from joren.tenants.introductions.matching import suggest
from joren.tenants.introductions.models import Introduction, TagVerdict
from joren.tenants.members import vocabulary
from tests.tenants.introductions.intro_support import person

pytestmark = pytest.mark.usefixtures("clock", "finder_on")


@pytest.fixture
def finder_on(monkeypatch):
    """The finder on (it is off in the product, ``finder.ENABLED``: see its docstring)."""
    monkeypatch.setattr(finder, "ENABLED", True)

QUITTING = "新しく入った人がすぐに辞めてしまう"     # people leave soon after joining: no cue
HIRING = "Recruitment support for small companies"
CATERING = "お弁当の仕出しをしています"               # what the asker offers: the words read it
GENERIC = ("経営者同士の交流を広げたい", "We want to grow our business", "よろしくお願いします")


def _recruiting() -> int:
    return vocabulary.index()["recruiting"]


def test_a_paraphrased_need_gets_its_concept_a_generic_sentence_none():
    assert verifier.tags_of([QUITTING], "need") == [[]]          # the words find nothing
    got = finder.find([QUITTING, *GENERIC], "need")
    assert got[0] == (_recruiting(),)
    assert got[1:] == [()] * len(GENERIC)


def test_a_sentence_the_words_tag_is_left_to_them(encoded):
    assert finder.find([HIRING], "offer") == [()]
    assert encoded == []                                          # not even embedded


def test_a_found_concept_makes_the_pair_and_names_it_without_a_direction():
    profiles = [Profile(1, offers=(HIRING,), prefecture="13", level="regular"),
                Profile(2, offers=(CATERING,), asks=(QUITTING,), prefecture="13",
                        level="regular")]
    words = Features(profiles, found=None)
    found = Features(profiles)
    assert words.meaning().need[1, _recruiting()] == 0
    assert found.meaning().need[1, _recruiting()] == finder.WEIGHT
    assert not [s for s in suggest(words, History()) if {s.a, s.b} == {1, 2}]
    (pair,) = [s for s in suggest(found, History()) if {s.a, s.b} == {1, 2}]
    # Named ("both are about recruiting"), never stated as "1's offer meets 2's need".
    named = evidence._read(found, [1], "need")[0]
    assert named[_recruiting()] == (QUITTING, False)
    assert all(r.code != "offers_for_ask" for r in pair.reasons)


def test_an_offer_is_found_only_in_a_profile_that_says_something_specific():
    # An offer the words miss gets its concept where the profile says something specific
    # elsewhere (here a need the words read); in a profile of generic sentences only (a
    # decoy's, a newcomer's) it stays unread: fillers are where a wrong find costs most.
    lunches = "We bring lunch boxes and party platters to offices"
    assert verifier.tags_of([lunches], "offer") == [[]]
    catering = vocabulary.index()["food_catering"]
    site = "We need a new website for the shop"               # the words read this need
    profiles = [Profile(1, offers=(lunches,), asks=(site,), prefecture="13", level="regular"),
                Profile(2, offers=(lunches,), asks=(GENERIC[1],), prefecture="13",
                        level="regular")]
    found = Features(profiles)
    assert found.found is not None and found.found.concepts([lunches], "offer") == [
        (catering,)]
    assert found.meaning().offer[0, catering] == finder.WEIGHT
    assert found.meaning().offer[1].nnz == 0 and found.meaning().need[1].nnz == 0


def test_found_concepts_are_found_in_one_batch_and_kept(encoded):
    kept = finder.Found()
    lines = [QUITTING, GENERIC[0], HIRING, QUITTING]
    got = kept.concepts(lines, "need")
    assert got[0] == got[3] == (_recruiting(),) and got[1] == ()
    assert sorted(encoded) == sorted([QUITTING, GENERIC[0]])     # tagged lines: not embedded
    assert kept.concepts(lines, "need") == got and len(encoded) == 2
    assert set(kept.judged) == {("need", verifier.digest(line)) for line in lines[:3]}


def test_while_the_finder_is_off_the_engine_reads_the_words_alone(monkeypatch):
    monkeypatch.setattr(finder, "ENABLED", False)
    profiles = [Profile(1, offers=(HIRING,), prefecture="13", level="regular"),
                Profile(2, offers=(CATERING,), asks=(QUITTING,), prefecture="13",
                        level="regular")]
    off = Features(profiles)
    assert off.found is None and off.meaning().need[1, _recruiting()] == 0


# --- stored per community -----------------------------------------------------------------

def _community(session, tenant):  # type: ignore[no-untyped-def]
    return {"hiring": person(session, tenant, offer_1=HIRING, prefecture="13"),
            "shop": person(session, tenant, offer_1=CATERING, ask_description=QUITTING,
                           prefecture="13"),
            "vague": person(session, tenant, ask_description=GENERIC[0], prefecture="13")}


def _found_rows(s) -> dict[tuple[str, int], str]:  # type: ignore[no-untyped-def]
    return {(side, sentence): concept for side, sentence, concept in s.execute(
        select(TagVerdict.side, TagVerdict.sentence, TagVerdict.concept)
        .where(TagVerdict.model_version == finder.version()))}


def test_the_job_stores_what_it_found_and_a_cycle_embeds_nothing_more(session, scoped, tenant,
                                                                      encoded):
    who = _community(session, tenant)
    session.commit()
    s = scoped(tenant)
    verdicts.judge_members(s, [m.id for m in who.values()])
    s.commit()
    rows = _found_rows(s)
    assert rows[("need", verifier.digest(QUITTING))] == "recruiting"
    assert rows[("need", verifier.digest(GENERIC[0]))] == finder.NOTHING
    assert rows[("offer", verifier.digest(HIRING))] == finder.NOTHING
    assert verdicts.read_found(s).known[("need", verifier.digest(QUITTING))] == (_recruiting(),)
    encoded.clear()
    cycles.run_cycle(s, "manual-202611230530")
    s.commit()
    assert encoded == []
    assert _found_rows(s) == rows
    pairs = {(i.member_low_id, i.member_high_id) for i in s.scalars(select(Introduction))}
    assert tuple(sorted((who["hiring"].id, who["shop"].id))) in pairs
    # The verifier's rows and the finder's live side by side: storing one keeps the other.
    versions = set(s.scalars(select(TagVerdict.model_version)))
    assert versions == {verifier.version(), finder.version()}


def test_a_cycle_finds_what_no_job_found_and_stores_it(session, scoped, tenant, encoded):
    _community(session, tenant)
    session.commit()
    s = scoped(tenant)
    cycles.run_cycle(s, "manual-202611230530")
    s.commit()
    assert QUITTING in encoded
    assert _found_rows(s)[("need", verifier.digest(QUITTING))] == "recruiting"
    encoded.clear()
    cycles.run_cycle(s, "manual-202611240530")
    s.commit()
    assert encoded == []


def test_while_the_finder_is_off_the_job_and_the_cycle_store_no_finder_rows(
        session, scoped, tenant, monkeypatch, encoded):
    monkeypatch.setattr(finder, "ENABLED", False)
    who = _community(session, tenant)
    session.commit()
    s = scoped(tenant)
    verdicts.judge_members(s, [m.id for m in who.values()])
    cycles.run_cycle(s, "manual-202611230530")
    s.commit()
    assert _found_rows(s) == {} and QUITTING not in encoded


def test_another_community_can_neither_read_nor_change_the_found_rows(session, scoped, tenant,
                                                                      other_tenant):
    who = _community(session, tenant)
    theirs = person(session, other_tenant, ask_description=GENERIC[1])
    session.commit()
    mine, other = scoped(tenant), scoped(other_tenant)
    verdicts.judge_members(mine, [m.id for m in who.values()])
    mine.commit()
    before = _found_rows(mine)
    verdicts.judge_members(other, [theirs.id, *(m.id for m in who.values())])  # ids not theirs
    other.commit()
    assert set(other.scalars(select(TagVerdict.tenant_id))) == {other_tenant.id}
    assert set(verdicts.read_found(other).known) == {("need", verifier.digest(GENERIC[1]))}
    other.execute(update(TagVerdict).values(concept="tax"))
    other.execute(delete(TagVerdict).where(TagVerdict.sentence == verifier.digest(QUITTING)))
    other.commit()
    assert _found_rows(scoped(tenant)) == before
    with unscoped(session):
        assert session.scalar(select(func.count()).select_from(TagVerdict).where(
            TagVerdict.tenant_id == tenant.id,
            TagVerdict.model_version == finder.version())) == len(before)
