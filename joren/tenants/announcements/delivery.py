"""Each recipient's delivery state, read from their outbox row (counts and a page at a time)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.membership.models import Member
from joren.tenants.announcements.models import Announcement, AnnouncementRecipient

STATES = ("waiting", "queued", "sent", "failed", "unsubscribed")
_BY_STATUS = {
    None: "waiting",
    OutboxStatus.PENDING: "queued",
    OutboxStatus.SENDING: "queued",
    OutboxStatus.SENT: "sent",
    OutboxStatus.FAILED: "failed",
    OutboxStatus.SUPPRESSED: "unsubscribed",
}


def state_of(status: OutboxStatus | str | None) -> str:
    return _BY_STATUS[OutboxStatus(status) if status is not None else None]


def _joined(announcement: Announcement):  # type: ignore[no-untyped-def]
    return lambda statement: statement.select_from(AnnouncementRecipient).outerjoin(
        OutboxMessage, OutboxMessage.id == AnnouncementRecipient.outbox_message_id,
    ).where(AnnouncementRecipient.announcement_id == announcement.id)


def counts(session: Session, announcement: Announcement) -> dict[str, int]:
    """How many recipients are in each state, in one statement."""
    found = dict.fromkeys(STATES, 0)
    rows = session.execute(_joined(announcement)(
        select(OutboxMessage.status, func.count(AnnouncementRecipient.id)))
        .group_by(OutboxMessage.status))
    for status, number in rows:
        found[state_of(status)] += number
    return found


@dataclass(frozen=True)
class Delivery:
    member: Member
    state: str


def page(session: Session, announcement: Announcement, offset: int,
         limit: int) -> list[Delivery]:
    """One page of recipients in reading order, each with their state (one statement)."""
    rows = session.execute(_joined(announcement)(
        select(Member, OutboxMessage.status))
        .join(Member, (Member.tenant_id == AnnouncementRecipient.tenant_id)
              & (Member.id == AnnouncementRecipient.member_id))
        .order_by(case((Member.family_name_kana == "", 1), else_=0), Member.family_name_kana,
                  Member.given_name_kana, Member.id)
        .offset(offset).limit(limit)).all()
    return [Delivery(member, state_of(status)) for member, status in rows]
