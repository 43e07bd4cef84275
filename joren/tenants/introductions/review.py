"""The organizer's decisions from the review queue: one suggestion with its note, or many at
once (approve or skip), in a fixed number of statements whatever their number.

Ids that are not this community's are never read (the tenant guard scopes the one statement
that loads them), so they are reported as unknown and nothing of theirs changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from joren.platform.db import utcnow
from joren.platform.mail.unsubscribes import unsubscribed_among
from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.introductions import optin, services
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.introductions.services import IntroductionError
from joren.tenants.introductions.signals import introductions_changed

BULK_LIMIT = 200
APPROVE, SKIP = "approve", "skip"


@dataclass
class Decided:
    """What a bulk decision did: the ids it changed, those it refused (with the reason's
    code) and those that are not this community's suggestions."""

    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)


def save_note_and_approve(session: Session, introduction: Introduction, message: str | None,
                          actor_id: int | None, now: datetime | None = None) -> None:
    """Store the organizer's note (when one was sent with the button), then approve: the
    proposal emails carry the note. When approving is refused the note is still stored
    (the caller commits either way), so nothing the organizer typed is lost."""
    if message is not None and message.strip() != (introduction.message or ""):
        services.edit_message(session, introduction, message)
    with session.begin_nested():
        services.approve(session, introduction, actor_id, now)


def _load(session: Session, ids: list[int]) -> list[Introduction]:
    return list(session.scalars(
        select(Introduction).where(Introduction.id.in_(ids))
        .options(selectinload(Introduction.member_low).selectinload(Member.account),
                 selectinload(Introduction.member_high).selectinload(Member.account))
        .order_by(Introduction.id).with_for_update(of=Introduction)))


def _refusal(introduction: Introduction, opted_out: set[str]) -> str | None:
    """Why the proposal emails could not reach both sides (``services.check_sendable``,
    with the opt-outs read beforehand for every member at once)."""
    if introduction.status != IntroductionStatus.SUGGESTED:
        return "not_pending"
    for member in (introduction.member_low, introduction.member_high):
        if member is None or member.status == MemberStatus.INACTIVE:
            return "inactive"
        if not member.email:
            return "no_email"
        if member.email.lower() in opted_out:
            return "unsubscribed"
    return None


def decide_many(session: Session, ids: Iterable[int], action: str, actor_id: int | None,
                now: datetime | None = None) -> Decided:
    """Approve (emails to both sides of each) or skip up to ``BULK_LIMIT`` suggestions.

    Each is decided as ``services.approve`` / ``services.skip`` would; one that cannot be
    (already decided, a member without an address, ...) is refused and the rest go ahead."""
    if action not in (APPROVE, SKIP):
        raise ValueError(action)
    wanted = sorted(set(ids))[:BULK_LIMIT]
    rows = _load(session, wanted) if wanted else []
    found = {i.id for i in rows}
    result = Decided(unknown=[i for i in wanted if i not in found])
    now = now or utcnow()
    opted_out = (unsubscribed_among(
        session, (m.email or "" for i in rows for m in (i.member_low, i.member_high) if m),
        optin.CATEGORY, rows[0].tenant_id) if rows and action == APPROVE else set())
    expires = now + timedelta(days=services.settings_of(session).expiry_days) if (
        action == APPROVE and rows) else None
    chosen = []
    for introduction in rows:
        refusal = (_refusal(introduction, opted_out) if action == APPROVE else
                   None if introduction.status == IntroductionStatus.SUGGESTED
                   else "not_pending")
        if refusal is not None:
            result.refused[introduction.id] = refusal
            continue
        introduction.decided_by_id = actor_id
        introduction.decided_at = now
        if action == APPROVE:
            introduction.status = IntroductionStatus.SENT
            introduction.sent_at = now
            introduction.expires_at = expires
        else:
            introduction.status = IntroductionStatus.SKIPPED
        chosen.append(introduction)
        result.done.append(introduction.id)
    session.flush()
    if action == APPROVE:
        optin.queue_proposals_many(session, chosen)
    if chosen:
        introductions_changed.send(
            session, pairs=[(i.member_low_id, i.member_high_id) for i in chosen])
    return result


def refusal_message(code: str) -> str:
    """The refusal's words in the reader's language."""
    return str(IntroductionError(code).message)


__all__ = ["APPROVE", "BULK_LIMIT", "SKIP", "Decided", "decide_many", "refusal_message",
           "save_note_and_approve"]
