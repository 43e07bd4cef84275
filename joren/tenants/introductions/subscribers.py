"""Introductions reacts to what the features below it announce.

Imported once by ``joren.app.configure_subscribers``; importing connects the receivers.
"""

from __future__ import annotations

from typing import Any

from flask import has_app_context
from sqlalchemy.orm import Session

from joren.platform.jobs import enqueue_after_commit
from joren.tenants.introductions import verdicts
from joren.tenants.members.signals import profile_changed

JUDGE_PROFILES_JOB = "joren.workers.introduction_jobs.judge_profiles"


@profile_changed.connect
def judge_after_profile_change(session: Session, *, tenant_id: int, member_id: int,
                               fields: frozenset[str], **_: Any) -> None:
    """A member's offers or needs changed: the trained verifier judges their new sentences
    once the change is committed, so the next cycle reads stored verdicts. Without an
    application (scripts, unit tests) nothing is queued: the next cycle judges them."""
    if fields & {*verdicts.OFFER_FIELDS, *verdicts.NEED_FIELDS} and has_app_context():
        enqueue_after_commit(session, JUDGE_PROFILES_JOB, tenant_id, [member_id])
