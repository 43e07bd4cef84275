"""The trained verifier's verdicts, stored per community (``TagVerdict``): each profile
sentence's tags are judged when the profile changes, not in every cycle.

- ``judge_members`` (the job ``introduction_jobs.judge_profiles``, enqueued after a profile
  is saved or imported): the members' sentences not judged yet, in one encoder batch per
  side, stored.
- ``read`` (the loader, one statement): the community's verdicts of the current model as
  ``verifier.Verdicts``; the engine judges in one batch per side whatever is missing there
  (a cycle never depends on the job having run, and a fresh install with none stored
  works), and ``store`` (the cycle, after the engine) keeps what it judged, deleting the
  rows of other model versions when it stores; ``prune`` deletes the verdicts on sentences
  no profile holds any more (the cycle, which reads every profile).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from joren.platform.db import IN_LIMIT
from joren.platform.membership.models import Member
from joren.platform.tenancy import current_tenant_id
from joren.tenants.introductions import finder, verifier
from joren.tenants.introductions import text as textmod
from joren.tenants.introductions.models import TagVerdict
from joren.tenants.members import vocabulary

OFFER_FIELDS = ("offer_1", "offer_2", "offer_3", "business_description")
NEED_FIELDS = ("ask_description", "challenges", "goal_meetup")


def read(session: Session) -> verifier.Verdicts:
    """The community's stored verdicts of the current model (one statement), in the compact
    form ``verifier.Stored`` (arrays, not a dictionary per sentence: they are held for the
    whole cycle)."""
    version = verifier.version()
    at = vocabulary.index()
    sides: list[str] = []
    sentences: list[int] = []
    concepts: list[int] = []
    doubts: list[float] = []
    for side, sentence, concept, doubt in session.execute(
            select(TagVerdict.side, TagVerdict.sentence, TagVerdict.concept, TagVerdict.doubt)
            .where(TagVerdict.model_version == version)):
        k = at.get(concept)
        if k is not None:
            sides.append(side)
            sentences.append(int(sentence))
            concepts.append(k)
            doubts.append(float(doubt))
    return verifier.Verdicts(stored=verifier.Stored(sides, sentences, concepts, doubts))


def prune(session: Session, verdicts: verifier.Verdicts) -> int:
    """Delete the stored verdicts ``verdicts`` read but no sentence of this run asked for
    (sentences no profile holds any more); only after a run over the whole community.
    Returns the sentences deleted."""
    stale = sorted(verdicts.keys() - verdicts.used - set(verdicts.judged))
    for side in vocabulary.SIDES:
        gone = [sentence for s, sentence in stale if s == side]
        for start in range(0, len(gone), IN_LIMIT):
            session.execute(delete(TagVerdict).where(
                TagVerdict.side == side, TagVerdict.sentence.in_(gone[start:start + IN_LIMIT])))
    return len(stale)


def store(session: Session, verdicts: verifier.Verdicts) -> int:
    """Store what ``verdicts`` judged (rows another run stored meanwhile are left as they
    are); the rows of other model versions go. Returns the rows written."""
    codes = vocabulary.codes()
    version = verdicts.version
    tenant_id = current_tenant_id(session)
    rows = [{"tenant_id": tenant_id, "model_version": version, "side": side,
             "sentence": sentence, "concept": codes[k], "doubt": doubt}
            for (side, sentence), verdict in verdicts.judged.items()
            for k, doubt in verdict.items()]
    verdicts.judged.clear()
    if not rows:
        return 0
    session.execute(delete(TagVerdict).where(TagVerdict.model_version != version,
                                             TagVerdict.model_version.not_like(_FOUND_ROWS)))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), IN_LIMIT):
        session.execute(dialect.insert(TagVerdict).on_conflict_do_nothing(),
                        rows[start:start + IN_LIMIT])
    return len(rows)


_FOUND_ROWS = finder.PREFIX + "%"


def read_found(session: Session) -> finder.Found:
    """The community's stored found concepts of the current finder (one statement)."""
    got = read_both(session, verdicts=False)[1]
    assert got is not None
    return got


def read_both(session: Session, verdicts: bool = True
              ) -> tuple[verifier.Verdicts, finder.Found | None]:
    """The community's stored verdicts (as ``read``) and found concepts (as ``read_found``;
    None while the finder is off, ``finder.ENABLED``) in one statement, as the loader reads
    them."""
    if not finder.ENABLED and verdicts:
        return read(session), None
    version, found_version = verifier.version(), finder.version()
    at = vocabulary.index()
    known: dict[tuple[str, int], verifier.Verdict] = {}
    got: dict[tuple[str, int], tuple[int, ...]] = {}
    versions = [version, found_version] if verdicts else [found_version]
    for kind, side, sentence, concept, doubt in session.execute(
            select(TagVerdict.model_version, TagVerdict.side, TagVerdict.sentence,
                   TagVerdict.concept, TagVerdict.doubt)
            .where(TagVerdict.model_version.in_(versions))):
        key = (side, int(sentence))
        k = at.get(concept)
        if kind == found_version:
            got[key] = (*got.get(key, ()), k) if k is not None else got.get(key, ())
        elif k is not None:
            known.setdefault(key, {})[k] = float(doubt)
    return verifier.Verdicts(known), finder.Found(got)


def store_found(session: Session, found: finder.Found) -> int:
    """Store what ``found`` found (each sentence read: its concept, or ``finder.NOTHING``);
    the finder's rows of other versions go. Returns the rows written."""
    codes = vocabulary.codes()
    version = found.version
    tenant_id = current_tenant_id(session)
    rows = [{"tenant_id": tenant_id, "model_version": version, "side": side,
             "sentence": sentence, "concept": codes[ks[0]] if ks else finder.NOTHING,
             "doubt": 0.0}
            for (side, sentence), ks in found.judged.items()]
    found.judged.clear()
    if not rows:
        return 0
    session.execute(delete(TagVerdict).where(TagVerdict.model_version.like(_FOUND_ROWS),
                                             TagVerdict.model_version != version))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for start in range(0, len(rows), IN_LIMIT):
        session.execute(dialect.insert(TagVerdict).on_conflict_do_nothing(),
                        rows[start:start + IN_LIMIT])
    return len(rows)


def prune_found(session: Session, found: finder.Found) -> int:
    """Delete the finder's rows on sentences this run (over the whole community) did not
    read. Returns the sentences deleted."""
    stale = sorted(set(found.known) - found.used - set(found.judged))
    for side in vocabulary.SIDES:
        gone = [sentence for s, sentence in stale if s == side]
        for start in range(0, len(gone), IN_LIMIT):
            session.execute(delete(TagVerdict).where(
                TagVerdict.model_version == found.version, TagVerdict.side == side,
                TagVerdict.sentence.in_(gone[start:start + IN_LIMIT])))
    return len(stale)


def sentences(texts: Sequence[str]) -> list[str]:
    """The sentences of texts as the engine cuts them (``semantics.concept_rows``)."""
    return textmod.sentence_table(list(texts))[0]


def judge_members(session: Session, member_ids: Iterable[int]) -> int:
    """Judge the sentences of these members' profiles that the community has no verdict on
    (profiles changed: only their new sentences are embedded), and find the concepts of those
    the words tag nowhere (``finder``, stored as its rows); returns the tags judged."""
    ids = sorted({int(i) for i in member_ids})
    if not ids:
        return 0
    version = verifier.version()
    columns = [getattr(Member, f) for f in (*OFFER_FIELDS, *NEED_FIELDS)]
    offers: list[str] = []
    needs: list[str] = []
    for start in range(0, len(ids), IN_LIMIT):
        for row in session.execute(select(*columns)
                                   .where(Member.id.in_(ids[start:start + IN_LIMIT]))):
            offers.append("\n".join(t for t in row[:len(OFFER_FIELDS)] if t and t.strip()))
            needs.append("\n".join(t for t in row[len(OFFER_FIELDS):] if t and t.strip()))
    lines = {"offer": list(dict.fromkeys(sentences(offers))),
             "need": list(dict.fromkeys(sentences(needs)))}
    digests = {side: [verifier.digest(line) for line in got] for side, got in lines.items()}
    known: dict[tuple[str, int], verifier.Verdict] = {}
    for side, ds in digests.items():
        for start in range(0, len(ds), IN_LIMIT):
            for (sentence,) in session.execute(
                    select(TagVerdict.sentence).distinct()
                    .where(TagVerdict.model_version == version, TagVerdict.side == side,
                           TagVerdict.sentence.in_(ds[start:start + IN_LIMIT]))):
                known.setdefault((side, int(sentence)), {})[-1] = 0.0
    judged = verifier.Verdicts(known)
    for side, got in lines.items():
        judged.vetoed(got, side)
    count = sum(len(v) for v in judged.judged.values())
    store(session, judged)
    if finder.ENABLED:
        _find_members(session, lines)
    return count


def _find_members(session: Session, lines: dict[str, list[str]]) -> int:
    """Find the concepts of these sentences (``finder``) that the community has not read
    yet, and store them; returns the concepts found."""
    version = finder.version()
    known: dict[tuple[str, int], tuple[int, ...]] = {}
    for side, got in lines.items():
        ds = [verifier.digest(line) for line in got]
        for start in range(0, len(ds), IN_LIMIT):
            for (sentence,) in session.execute(
                    select(TagVerdict.sentence).distinct()
                    .where(TagVerdict.model_version == version, TagVerdict.side == side,
                           TagVerdict.sentence.in_(ds[start:start + IN_LIMIT]))):
                known[(side, int(sentence))] = ()
    found = finder.Found(known)
    for side, got in lines.items():
        found.concepts(got, side)
    count = sum(len(ks) for ks in found.judged.values())
    store_found(session, found)
    return count
