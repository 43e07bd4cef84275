"""Introductions reacts to what the features below it announce.

Imported once by ``joren.app.configure_subscribers``; importing connects the receivers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import has_app_context
from sqlalchemy.orm import Session

from joren.platform.jobs import enqueue_after_commit
from joren.tenants.introductions import verdicts
from joren.tenants.members.signals import profile_changed, profiles_changed

JUDGE_PROFILES_JOB = "joren.workers.introduction_jobs.judge_profiles"
JUDGED_FIELDS = frozenset({*verdicts.OFFER_FIELDS, *verdicts.NEED_FIELDS})


@profile_changed.connect
def judge_after_profile_change(session: Session, *, tenant_id: int, member_id: int,
                               fields: frozenset[str], **_: Any) -> None:
    """A member's offers or needs changed: the trained verifier judges their new sentences
    once the change is committed, so the next cycle reads stored verdicts. Without an
    application (scripts, unit tests) nothing is queued: the next cycle judges them."""
    _judge_later(session, tenant_id, [member_id], fields)


@profiles_changed.connect
def judge_after_profiles_change(session: Session, *, tenant_id: int, member_ids: Iterable[int],
                                fields: frozenset[str], **_: Any) -> None:
    """Many profiles written at once (an import, the demo): one job judges all their new
    sentences, in one encoder batch per side."""
    _judge_later(session, tenant_id, member_ids, fields)


def _judge_later(session: Session, tenant_id: int, member_ids: Iterable[int],
                 fields: frozenset[str]) -> None:
    ids = sorted({int(i) for i in member_ids})
    if ids and fields & JUDGED_FIELDS and has_app_context():
        # Embedded mode runs it beside the request (``background``), not before the answer:
        # the first judging in a process loads the encoder (seconds), and nobody waits on it.
        enqueue_after_commit(session, JUDGE_PROFILES_JOB, tenant_id, ids, background=True)
