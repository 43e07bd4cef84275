"""Introductions: create, review (approve / skip / edit), answer and expire.

State machine (one row per pair, ever)::

    SUGGESTED --approve--> SENT --both accept--> CONNECTED
        |                   |---one declines--> DECLINED   (never revealed to the other side)
        '--skip--> SKIPPED  '---expires_at----> EXPIRED

Answers are idempotent: a side answers once; clicking again, or answering after the
introduction closed, changes nothing. Every status change is announced
(``signals.introductions_changed``), so the relationship ledger refreshes the pair's row.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joren.platform.billing import plans
from joren.platform.db import utcnow
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.tenancy import current_tenant_id
from joren.tenants.introductions import optin
from joren.tenants.introductions.models import (
    Cadence,
    Introduction,
    IntroductionSettings,
    IntroductionSource,
    IntroductionStatus,
    Response,
)
from joren.tenants.introductions.signals import introductions_changed

log = logging.getLogger("joren.introductions")

MESSAGE_LENGTH = 2000
NOTE_LENGTH = 1000
LIMITS = {"per_member_cap": (1, 10), "expiry_days": (3, 60)}

ERRORS = {
    "self": _l("A member cannot be introduced to themselves."),
    "unknown_member": _l("That member is not part of this community."),
    "inactive": _l("Only active members can be introduced."),
    "no_consent": _l("Both members must have agreed to receive introductions."),
    "already": _l("These two members have already been introduced or suggested before."),
    "already_requested": _l("You have already asked for this introduction, or it has been "
                            "arranged before. The organizers will take it from here."),
    "no_email": _l("Both members need an email address to be introduced."),
    "unsubscribed": _l("One of the two members has turned off introduction emails."),
    "not_pending": _l("This introduction is no longer waiting for review."),
    "not_yours": _l("This introduction is not addressed to you."),
    "too_long": _l("The message is too long."),
    "settings": _l("These settings are out of range."),
}


class IntroductionError(ValueError):
    """A refused operation; ``message`` is translatable (lazy), ``code`` is stable."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> Any:
        return ERRORS[self.code]


# -- settings ------------------------------------------------------------------------------

def settings_of(session: Session) -> IntroductionSettings:
    """The community's settings; an unsaved row with the defaults when it has none."""
    row = session.scalar(select(IntroductionSettings))
    if row is None:
        row = IntroductionSettings(cadence=Cadence.MONTHLY, auto_send=False, per_member_cap=2,
                                   expiry_days=14)
    return row


def update_settings(session: Session, *, cadence: Cadence, auto_send: bool, per_member_cap: int,
                    expiry_days: int) -> IntroductionSettings:
    for name, value in (("per_member_cap", per_member_cap), ("expiry_days", expiry_days)):
        low, high = LIMITS[name]
        if not low <= value <= high:
            raise IntroductionError("settings")
    row = session.scalar(select(IntroductionSettings))
    if auto_send and not (row is not None and row.auto_send):
        # Raises PlanLimitReached (with the upgrade message) on a plan without it.
        plans.check_limit(session, current_tenant_id(session), "auto_introductions")
    if row is None:
        row = IntroductionSettings()
        session.add(row)
    row.cadence = Cadence(cadence)
    row.auto_send = bool(auto_send)
    row.per_member_cap = per_member_cap
    row.expiry_days = expiry_days
    session.flush()
    return row


# -- creating ------------------------------------------------------------------------------

def reasons_json(reasons: Iterable[Any]) -> list[dict[str, Any]]:
    """Engine reasons (objects with code/params, or dicts) as stored JSON."""
    out = []
    for reason in reasons:
        if isinstance(reason, Mapping):
            code, params = reason.get("code"), reason.get("params") or {}
        else:
            code, params = reason.code, reason.params
        out.append({"code": str(code), "params": dict(params)})
    return out


def pair_exists(session: Session, a_id: int, b_id: int) -> bool:
    low, high = Introduction.ordered(a_id, b_id)
    return session.scalar(select(Introduction.id).where(
        Introduction.member_low_id == low, Introduction.member_high_id == high)) is not None


def introduce(session: Session, a_id: int, b_id: int, *, source: IntroductionSource | str,
              actor_id: int | None = None, message: str = "", reasons: Iterable[Any] = (),
              score: float | None = None, cycle_id: int | None = None,
              request_note: str = "") -> Introduction:
    """Put a pair in the review queue (SUGGESTED); IntroductionError when it cannot be."""
    source = IntroductionSource(source)
    if a_id == b_id:
        raise IntroductionError("self")
    members = {m.id: m for m in session.scalars(select(Member).where(Member.id.in_([a_id, b_id])))}
    if len(members) != 2:
        raise IntroductionError("unknown_member")
    if any(m.status == MemberStatus.INACTIVE for m in members.values()):
        raise IntroductionError("inactive")
    if source == IntroductionSource.ENGINE and not all(
            m.accepts_introductions for m in members.values()):
        raise IntroductionError("no_consent")
    message, request_note = message.strip(), request_note.strip()
    if len(message) > MESSAGE_LENGTH or len(request_note) > NOTE_LENGTH:
        raise IntroductionError("too_long")
    already = "already_requested" if source == IntroductionSource.MEMBER_REQUEST else "already"
    if pair_exists(session, a_id, b_id):
        raise IntroductionError(already)
    low, high = Introduction.ordered(a_id, b_id)
    intro = Introduction(
        member_low_id=low, member_high_id=high, source=source, cycle_id=cycle_id,
        status=IntroductionStatus.SUGGESTED, score=score, reasons=reasons_json(reasons),
        message=message, request_note=request_note,
        requested_by_id=actor_id if source == IntroductionSource.MEMBER_REQUEST else None,
    )
    try:
        with session.begin_nested():
            session.add(intro)
    except IntegrityError as exc:  # the same pair, stored a moment ago by someone else
        raise IntroductionError(already) from exc
    return intro


def request_introduction(session: Session, requester_id: int, target_id: int,
                         note: str = "") -> Introduction:
    """A member asks the organizers to introduce them to someone ("この方を紹介してほしい")."""
    target = session.get(Member, target_id)
    if target is None or target.status != MemberStatus.MEMBER:
        raise IntroductionError("unknown_member")
    return introduce(session, requester_id, target_id, source=IntroductionSource.MEMBER_REQUEST,
                     actor_id=requester_id, request_note=note)


# -- review --------------------------------------------------------------------------------

def _members(introduction: Introduction) -> tuple[Member, Member]:
    return introduction.member_low, introduction.member_high


def check_sendable(session: Session, introduction: Introduction) -> None:
    """Raise when the proposal emails could not reach both sides."""
    for member in _members(introduction):
        if member is None or member.status == MemberStatus.INACTIVE:
            raise IntroductionError("inactive")
        if not member.email:
            raise IntroductionError("no_email")
        if optin.opted_out(session, member):
            raise IntroductionError("unsubscribed")


def approve(session: Session, introduction: Introduction, actor_id: int | None,
            now: datetime | None = None) -> None:
    """SUGGESTED -> SENT; queues the proposal email to each side (once each)."""
    _lock(session, introduction)
    if introduction.status != IntroductionStatus.SUGGESTED:
        raise IntroductionError("not_pending")
    check_sendable(session, introduction)
    now = now or utcnow()
    settings = settings_of(session)
    introduction.status = IntroductionStatus.SENT
    introduction.decided_by_id = actor_id
    introduction.decided_at = now
    introduction.sent_at = now
    introduction.expires_at = now + timedelta(days=settings.expiry_days)
    session.flush()
    optin.queue_proposals(session, introduction)
    _announce(session, [introduction])


def skip(session: Session, introduction: Introduction, actor_id: int | None) -> None:
    """SUGGESTED -> SKIPPED: the pair is not suggested again."""
    _lock(session, introduction)
    if introduction.status != IntroductionStatus.SUGGESTED:
        raise IntroductionError("not_pending")
    introduction.status = IntroductionStatus.SKIPPED
    introduction.decided_by_id = actor_id
    introduction.decided_at = utcnow()
    session.flush()
    _announce(session, [introduction])


def edit_message(session: Session, introduction: Introduction, message: str) -> None:
    """The organizer's personal note, while the introduction waits for review."""
    if introduction.status != IntroductionStatus.SUGGESTED:
        raise IntroductionError("not_pending")
    message = message.strip()
    if len(message) > MESSAGE_LENGTH:
        raise IntroductionError("too_long")
    introduction.message = message
    session.flush()


# -- answers -------------------------------------------------------------------------------

def response_of(introduction: Introduction, member_id: int) -> Response:
    side = introduction.side_of(member_id)
    return introduction.low_response if side == "low" else introduction.high_response


def respond(session: Session, introduction: Introduction, member_id: int, accept: bool,
            now: datetime | None = None) -> None:
    """One side answers. Idempotent: a side's first answer stands; closed ones do not change.

    Both accept -> CONNECTED and both get each other's contact details. One declines ->
    DECLINED, and nobody is told (the other side simply sees the introduction closed).
    """
    try:
        side = introduction.side_of(member_id)
    except ValueError as exc:
        raise IntroductionError("not_yours") from exc
    _lock(session, introduction)
    now = now or utcnow()
    if introduction.status != IntroductionStatus.SENT:
        return
    if introduction.expires_at is not None and introduction.expires_at <= now:
        _expire(introduction, now)
        _announce(session, [introduction])
        return
    if response_of(introduction, member_id) != Response.PENDING:
        return
    answer = Response.ACCEPTED if accept else Response.DECLINED
    setattr(introduction, f"{side}_response", answer)
    setattr(introduction, f"{side}_responded_at", now)
    if answer == Response.DECLINED:
        introduction.status = IntroductionStatus.DECLINED
        introduction.closed_at = now
    elif (introduction.low_response == Response.ACCEPTED
          and introduction.high_response == Response.ACCEPTED):
        introduction.status = IntroductionStatus.CONNECTED
        introduction.connected_at = now
    session.flush()
    if introduction.status == IntroductionStatus.CONNECTED:
        optin.queue_connections(session, introduction)
    _announce(session, [introduction])


def _expire(introduction: Introduction, now: datetime) -> None:
    introduction.status = IntroductionStatus.EXPIRED
    introduction.closed_at = now


def expire_due(session: Session, now: datetime | None = None) -> int:
    """SENT introductions past their expiry -> EXPIRED, quietly (no email); return how many."""
    now = now or utcnow()
    due = session.scalars(
        select(Introduction)
        .where(Introduction.status == IntroductionStatus.SENT, Introduction.expires_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    for introduction in due:
        _expire(introduction, now)
    session.flush()
    _announce(session, due)
    if due:
        log.info("%d introductions expired", len(due))
    return len(due)


# -- helpers -------------------------------------------------------------------------------

def _lock(session: Session, introduction: Introduction) -> None:
    """Re-read the row under a lock (PostgreSQL), so two answers at once cannot both miss
    that the other side has accepted."""
    if introduction.id is not None:
        session.refresh(introduction, with_for_update=True)


def _announce(session: Session, introductions: Iterable[Introduction]) -> None:
    """Tell the features above that these pairs' introductions changed."""
    pairs = [(i.member_low_id, i.member_high_id) for i in introductions]
    if pairs:
        introductions_changed.send(session, pairs=pairs)
