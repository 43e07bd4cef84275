"""Each recipient's delivery state, read from their outbox row (counts and a page at a time).

The mail worker moves these states without writing in the community (the outbox is the
platform's), so a kept delivery page (views.detail) asks ``settled`` whether what it showed can
still move: "waiting" (no outbox row yet) changes only when the send job links one, a write in
the community; an email sent or suppressed is never sent again nor taken back (the sender
claims only PENDING rows, an unsubscribe or a closing community suppresses only waiting ones,
an operator resends only FAILED ones, and the retention purge empties a finished email's text
but keeps its row and status). Queued and failed emails move on their own: while any are
shown, ``live`` reads the states again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


# The states no later delivery event changes (see the module docstring).
SETTLED = frozenset({"waiting", "sent", "unsubscribed"})


def settled(counts: dict[str, int], shown: list[str]) -> bool:
    """Whether no state a page shows (its ``counts``, read after its recipients' ``shown``
    states) can move without a write in the community."""
    return (all(number == 0 for state, number in counts.items() if state not in SETTLED)
            and all(state in SETTLED for state in shown))


def live(session: Session, announcement: Announcement,
         outbox_ids: list[int | None]) -> dict[str, Any]:
    """What a delivery page shows of the outbox: the counts, and the state of each of the
    page's recipients (by their outbox row, in page order); two statements."""
    ids = [i for i in outbox_ids if i is not None]
    found = {row[0]: row[1] for row in session.execute(
        select(OutboxMessage.id, OutboxMessage.status).where(OutboxMessage.id.in_(ids)))}
    return {"counts": counts(session, announcement),
            "shown": [state_of(found.get(i)) for i in outbox_ids]}


@dataclass(frozen=True)
class Delivery:
    member: Member
    state: str
    outbox_id: int | None


def page(session: Session, announcement: Announcement, offset: int,
         limit: int) -> list[Delivery]:
    """One page of recipients in reading order, each with their state (one statement). The
    page is chosen from the recipients and their readings alone (on PostgreSQL an index of
    the members holds those), then only its members' rows are read."""
    order = (case((Member.family_name_kana == "", 1), else_=0), Member.family_name_kana,
             Member.given_name_kana, Member.id)
    members = (Member.tenant_id == AnnouncementRecipient.tenant_id) & (
        Member.id == AnnouncementRecipient.member_id)
    chosen = (select(AnnouncementRecipient.member_id, AnnouncementRecipient.outbox_message_id)
              .join(Member, members)
              .where(AnnouncementRecipient.announcement_id == announcement.id)
              .order_by(*order).offset(offset).limit(limit).subquery())
    rows = session.execute(
        select(Member, OutboxMessage.status, chosen.c.outbox_message_id)
        .join(chosen, chosen.c.member_id == Member.id)
        .outerjoin(OutboxMessage, OutboxMessage.id == chosen.c.outbox_message_id)
        .order_by(*order)).all()
    return [Delivery(member, state_of(status), outbox_id) for member, status, outbox_id in rows]
