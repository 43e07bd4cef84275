"""The "we miss you" email an organizer sends to a lapsed regular from the dashboard.

One email per member per absence: the idempotency key carries the date of the member's last
attendance, so pressing the button twice (or for a selection that includes someone already
written to) sends nothing more, while a member who comes back and drifts away again can be
written to again. Addresses that opted out of these emails are stored suppressed, not sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.i18n import format_local
from joren.platform.identity.community import Community
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.outbox import queue_email
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.tenant_guard import statements_alone
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.meetups.models import Meetup, MeetupStatus
from joren.tenants.meetups.reminders import DATE_FORMATS, meetup_link

TEMPLATE = "engagement/we_miss_you"
CATEGORY = "we_miss_you"
DAY_FORMATS = {"ja": "yyyy年M月d日", "en": "MMMM d, yyyy"}


class UnknownMember(LookupError):
    """An id that is not a member of this community: nothing is sent at all."""


@dataclass
class Outcome:
    """What pressing the button did, member ids by result."""

    queued: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    unsubscribed: list[int] = field(default_factory=list)
    no_email: list[int] = field(default_factory=list)
    not_lapsed: list[int] = field(default_factory=list)


def we_miss_you_key(tenant_id: int, member_id: int, last_attended_at: datetime | None) -> str:
    """One key per member per absence (the date of the last attendance before it)."""
    since = last_attended_at.date().isoformat() if last_attended_at else "never"
    return f"we-miss-you:{tenant_id}:{member_id}:{since}"


def sent_statuses(session: Session, community: Community,
                  rows: Iterable[tuple[int, datetime | None]]) -> dict[int, OutboxStatus]:
    """For (member id, last attended) pairs: the state of this absence's email, if any."""
    keys = {we_miss_you_key(community.id, member_id, last): member_id for member_id, last in rows}
    if not keys:
        return {}
    found = session.execute(
        select(OutboxMessage.idempotency_key, OutboxMessage.status)
        .where(OutboxMessage.community_id == community.id,
               OutboxMessage.idempotency_key.in_(list(keys))))
    return {keys[key]: status for key, status in found}


def sent_statuses_alone(session: Session, community: Community,
                        rows: Iterable[tuple[int, datetime | None]]) -> dict[int, OutboxStatus]:
    """``sent_statuses`` read as a statement of its own when the request has no transaction
    open yet (tenant_guard.statements_alone, as consent.stopped_categories_alone): the kept
    analytics page checks the emails' states on every view, and through the ORM that one
    statement would open a transaction, set its community and roll it back (four round
    trips). The outbox is no community's table (no row-level security): the statement names
    the community itself."""
    keys = {we_miss_you_key(community.id, member_id, last): member_id for member_id, last in rows}
    if not keys:
        return {}
    connection = session.connection()
    with statements_alone(connection):
        found = connection.execute(_SENT, {"community_id": community.id,
                                           "keys": list(keys)}).all()
    return {keys[key]: status for key, status in found}


_SENT = (select(OutboxMessage.idempotency_key, OutboxMessage.status)
         .where(OutboxMessage.community_id == bindparam("community_id"),
                OutboxMessage.idempotency_key.in_(bindparam("keys", expanding=True))))


def sent_status_alone(session: Session, community_id: int, key: str) -> str | None:
    """The state of the email under ``key`` (``we_miss_you_key``), or None, read as
    ``sent_statuses_alone`` reads them: a kept draft checks it on every view (the mail worker
    moves it and marks no community)."""
    connection = session.connection()
    with statements_alone(connection):
        found = connection.execute(_SENT, {"community_id": community_id, "keys": [key]}).all()
    return OutboxStatus(found[0][1]).value if found else None


def next_meetup(session: Session, now: datetime) -> Meetup | None:
    return session.scalar(
        select(Meetup).where(Meetup.status == MeetupStatus.SCHEDULED, Meetup.starts_at > now)
        .order_by(Meetup.starts_at, Meetup.id).limit(1))


def send_we_miss_you(session: Session, community: Community, member_ids: Iterable[int],
                     actor: Member, now: datetime | None = None, *, subject: str = "",
                     message: str = "") -> Outcome:
    """Queue the email for each lapsed regular in ``member_ids``; the caller commits.

    Every id must belong to this community (else ``UnknownMember`` and nothing is queued).
    Members who are not lapsed regulars (any more), have no address or have left are skipped.
    ``subject`` and ``message`` (the organizer's own words, edited from the draft) replace the
    standard subject and paragraphs; the greeting, the next meetup and the signature stay.
    """
    subject, message = clean_edit(subject, message)
    now = now or utcnow()
    wanted = sorted(set(member_ids))
    rows = session.execute(
        select(Member, MemberEngagement)
        .outerjoin(MemberEngagement, (MemberEngagement.tenant_id == Member.tenant_id)
                   & (MemberEngagement.member_id == Member.id))
        .where(Member.id.in_(wanted))).unique().all()
    if len(rows) != len(wanted):
        raise UnknownMember(wanted)
    outcome = Outcome()
    lapsed = []
    for member, engagement in sorted(rows, key=lambda r: r[0].id):
        if engagement is None or engagement.level != Level.LAPSED_REGULAR \
                or member.status == MemberStatus.INACTIVE:
            outcome.not_lapsed.append(member.id)
        elif not member.email:
            outcome.no_email.append(member.id)
        else:
            lapsed.append((member, engagement))
    sent = sent_statuses(session, community,
                         [(m.id, e.last_attended_at) for m, e in lapsed])
    upcoming = next_meetup(session, now) if lapsed else None
    for member, engagement in lapsed:
        if member.id in sent:
            outcome.already.append(member.id)
            continue
        key = we_miss_you_key(community.id, member.id, engagement.last_attended_at)
        language = recipient_language(member, community)
        message = queue_email(
            session, to=member.email, template=TEMPLATE,
            context={**_context(community, member, engagement, actor, upcoming, language),
                     "custom_subject": subject, "custom_message": message},
            language=language, idempotency_key=key, community_id=community.id,
            category=CATEGORY)
        if message.status == OutboxStatus.SUPPRESSED:
            outcome.unsubscribed.append(member.id)
        else:
            outcome.queued.append(member.id)
    return outcome


def _context(community: Community, member: Member, engagement: MemberEngagement,
             actor: Member, upcoming: Meetup | None, language: str) -> dict[str, Any]:
    zone = community.zone
    last = engagement.last_attended_at
    return {
        "community_name": community.name,
        "member_name": member.display_name,
        "organizer_name": actor.display_name,
        "attended_count": engagement.attended_count,
        "last_attended": format_local(last, zone, language, DAY_FORMATS) if last else "",
        "meetup": upcoming,
        "meetup_starts": (format_local(upcoming.starts_at, zone, language, DATE_FORMATS)
                          if upcoming else ""),
        "meetup_url": meetup_link(community, upcoming) if upcoming else "",
    }


SUBJECT_LIMIT = 200
MESSAGE_LIMIT = 4000


class EditError(ValueError):
    """An edited email that cannot be sent as it is; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def clean_edit(subject: str, message: str) -> tuple[str, str]:
    """The organizer's subject (one line) and message (line breaks as typed), trimmed."""
    subject = " ".join((subject or "").split())
    message = "\n".join(line.rstrip() for line in (message or "").strip().splitlines())
    if len(subject) > SUBJECT_LIMIT:
        raise EditError("subject_long")
    if len(message) > MESSAGE_LIMIT:
        raise EditError("message_long")
    return subject, message


@dataclass
class Draft:
    """What the email to one lapsed regular says, for the organizer to read and edit."""

    member: Member
    engagement: MemberEngagement | None
    language: str
    context: dict[str, Any]
    sent: OutboxStatus | None

    @property
    def can_send(self) -> bool:
        return (self.sent is None and bool(self.member.email) and self.engagement is not None
                and self.engagement.level == Level.LAPSED_REGULAR
                and self.member.status != MemberStatus.INACTIVE)


def draft(session: Session, community: Community, member: Member, actor: Member,
          now: datetime | None = None) -> Draft:
    """The email as it would go to ``member`` now: its context in their language (the
    templates' ``subject_part``/``message_part`` give the editable parts)."""
    now = now or utcnow()
    engagement = session.scalar(select(MemberEngagement).where(
        MemberEngagement.member_id == member.id))
    language = recipient_language(member, community)
    last = engagement.last_attended_at if engagement is not None else None
    sent = sent_statuses(session, community, [(member.id, last)]).get(member.id)
    context = _context(community, member, engagement, actor, next_meetup(session, now),
                       language) if engagement is not None else {}
    return Draft(member=member, engagement=engagement, language=language, context=context,
                 sent=sent)
