"""Who asked for no more mail of a kind, and recording such a request."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from joren.platform.identity.community import Community
from joren.platform.mail.categories import LABELS
from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage, OutboxStatus

TRANSACTIONAL = "transactional"
ALL = "all"


def is_unsubscribed(session: Session, email: str, category: str, community_id: int | None) -> bool:
    """True when ``email`` opted out of ``category`` (or of everything) here or everywhere."""
    if category == TRANSACTIONAL:
        return False
    stmt = select(EmailUnsubscribe.id).where(
        EmailUnsubscribe.email == email.lower(),
        EmailUnsubscribe.category.in_([category, "all"]),
        (EmailUnsubscribe.community_id == community_id) | EmailUnsubscribe.community_id.is_(None),
    )
    return session.scalar(stmt.limit(1)) is not None


def unsubscribed_among(session: Session, emails: Iterable[str], category: str,
                       community_id: int | None) -> set[str]:
    """The addresses among ``emails`` (lower-cased) that opted out of ``category`` here or
    everywhere: ``is_unsubscribed`` for many addresses in one statement."""
    wanted = sorted({e.lower() for e in emails if e})
    if category == TRANSACTIONAL or not wanted:
        return set()
    return set(session.scalars(select(EmailUnsubscribe.email).where(
        EmailUnsubscribe.email.in_(wanted),
        EmailUnsubscribe.category.in_([category, "all"]),
        (EmailUnsubscribe.community_id == community_id) | EmailUnsubscribe.community_id.is_(None),
    )))


def record_unsubscribe(
    session: Session, email: str, category: str, community_id: int | None
) -> bool:
    """Stop ``category`` mail to ``email`` (from one community, or all when None).

    Idempotent: asking twice changes nothing more. Messages of that kind still waiting in the
    outbox are suppressed too. Transactional mail (sign-in links, resets) cannot be stopped.
    Returns True when this call recorded a new opt-out. The caller commits.
    """
    email = email.strip().lower()
    if category == TRANSACTIONAL:
        return False
    if community_id is not None and session.get(Community, community_id) is None:
        return False  # the community is gone: it sends nothing any more
    _suppress_waiting(session, email, category, community_id)
    existing = session.scalar(
        select(EmailUnsubscribe.id).where(
            EmailUnsubscribe.email == email,
            EmailUnsubscribe.category == category,
            EmailUnsubscribe.community_id.is_(None) if community_id is None
            else EmailUnsubscribe.community_id == community_id,
        ).limit(1)
    )
    if existing is not None:
        return False
    try:
        with session.begin_nested():
            session.add(EmailUnsubscribe(email=email, category=category, community_id=community_id))
    except IntegrityError:
        return False  # a concurrent request (a mail client and a person) recorded it first
    return True


def _suppress_waiting(
    session: Session, email: str, category: str, community_id: int | None
) -> None:
    categories = [category] if category != "all" else None
    stmt = update(OutboxMessage).where(
        OutboxMessage.to_email == email,
        OutboxMessage.status == OutboxStatus.PENDING,
        OutboxMessage.category != TRANSACTIONAL,
    )
    if categories is not None:
        stmt = stmt.where(OutboxMessage.category.in_(categories))
    if community_id is not None:
        stmt = stmt.where(OutboxMessage.community_id == community_id)
    session.execute(
        stmt.values(status=OutboxStatus.SUPPRESSED).execution_options(synchronize_session=False)
    )


def lift_unsubscribes(session: Session, email: str, categories: Iterable[str],
                      community_id: int) -> int:
    """Let ``categories`` mail from this community reach ``email`` again: their opt-outs here
    and everywhere go, and an opt-out of "all" (here or everywhere) becomes one opt-out per
    other category, so nothing else resumes. Returns rows deleted; the caller commits."""
    email = email.strip().lower()
    wanted = set(categories)
    scope = (EmailUnsubscribe.community_id == community_id) | EmailUnsubscribe.community_id.is_(
        None)
    rows = session.execute(select(EmailUnsubscribe.id, EmailUnsubscribe.category,
                                  EmailUnsubscribe.community_id)
                           .where(EmailUnsubscribe.email == email, scope)).all()
    for _id, category, scope_id in rows:
        if category != ALL:
            continue
        have = {c for _i, c, s in rows if s == scope_id}
        for other in LABELS:
            if other != ALL and other not in wanted and other not in have:
                session.add(EmailUnsubscribe(email=email, category=other,
                                             community_id=scope_id))
    gone = [row_id for row_id, category, _s in rows if category in wanted or category == ALL]
    if gone:
        session.execute(delete(EmailUnsubscribe).where(EmailUnsubscribe.id.in_(gone)))
    session.flush()
    return len(gone)
