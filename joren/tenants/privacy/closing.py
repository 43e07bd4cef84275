"""Deleting a whole community (issue 17): an owner asks, the community closes for a grace
period they can cancel, then a daily job erases it.

- **Asking** (``schedule_deletion``): the owner types the community's slug. The community
  closes at once: no new registrations or members, no scheduled emails (reminders, surveys,
  introduction cycles, habits), a banner on every page. Announcements scheduled for later go
  back to drafts and none can be scheduled; one can still be sent now, so the organizers can
  tell their members. The owners are told by email. The console keeps working, so the owners
  can export everything and cancel.
- **Cancelling** (``cancel_deletion``) restores everything as it was.
- **Erasing** (``erase_community``, once ``COMMUNITY_DELETION_GRACE_DAYS`` have passed): every
  member is erased by erasure.py, then every row of the community goes, except the payments
  (seven years, 法人税法 and 電子帳簿保存法) and the rows they point at (the blanked member,
  the meetup and its registration): the same anonymised records an account's deletion leaves.
  Uploaded pictures are removed from the storage, its emails emptied, its Stripe notices'
  payloads emptied, its audit log deleted (nobody is left to read it). The owners are told.
- **The tombstone**: the ``communities`` row stays, with its name and slug and when it was
  deleted, because the kept payments point at it (composite foreign keys) and say whose
  records they are. Its slug is never given to another community: links, calendar feeds,
  QR tickets and emails that name it must not lead anyone to somebody else's community.
  The edge answers 404 for it.

Stripe: Joren's subscription (the Pro plan) is set to end at the end of the paid period when
the owner asks, not cancelled at once: the owner has paid for that period and the community
still runs during the grace period; and a subscription set to end can be kept going again
when the owner cancels the deletion, while a cancelled one cannot be revived. (A period that
ends during the grace period ends the plan; cancelling the deletion then leaves the community
on Free, and the owner subscribes again.) If the owner had already set it to end, Joren
leaves it so on a cancel. When the community is erased, a subscription still running is
cancelled at once, and the connected account is forgotten (payments/connect/services.py
``disconnect`` says why nothing is deleted at Stripe) once no refund is left pending (members'
future registrations are cancelled by the erasure, and their refunds need the account).
Joren's own Stripe customer stays: its invoices are Joren's own tax records.

Every Stripe call happens after the database says it is owed (``deletion_stripe_step``), so a
Stripe failure never loses the deletion: the error is recorded on the community
(``deletion_stripe_error``, logged) and the daily job tries again until Stripe answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import stripe
from sqlalchemy import Table, and_, delete, exists, func, not_, or_, select, update
from sqlalchemy.orm import Session

from joren.platform.billing import services as billing
from joren.platform.billing.models import StripeEvent
from joren.platform.billing.stripe_client import BillingOff
from joren.platform.db import Base
from joren.platform.identity.community import Community
from joren.platform.jobs import enqueue_after_commit
from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage, OutboxStatus
from joren.platform.mail.outbox import queue_email
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.storage import storage
from joren.platform.tenancy import unscoped
from joren.platform.urls import external_url
from joren.tenants.announcements.models import Announcement, AnnouncementStatus
from joren.tenants.meetups.public.models import EventImage
from joren.tenants.payments.connect import services as connect
from joren.tenants.payments.models import Payment, PaymentStatus
from joren.tenants.privacy import audit_log, erasure
from joren.tenants.privacy.retention import EMPTY_EMAIL

log = logging.getLogger("joren.privacy")

# What Joren still owes Stripe (Community.deletion_stripe_step).
PAUSE, PAUSED, RESUME, CLOSE, CLOSED = "pause", "paused", "resume", "close", "closed"
OWED = (PAUSE, RESUME, CLOSE)
# The payments stay, and so do the rows they point at (found from the foreign keys).
KEPT = "payments"
# Kept until Stripe is told (settle_stripe), then the connected account's row goes.
UNTIL_STRIPE = {"billing_subscriptions", "connect_accounts"}
AUDIT = "audit_entries"
SCHEDULED_EMAIL = "privacy/community_deletion_scheduled"
SETTLE_JOB = "joren.workers.privacy_jobs.settle_community_stripe"
DONE_EMAIL = "privacy/community_deleted"


class WrongSlug(ValueError):
    """The slug typed to confirm is not the community's."""


def grace(config: dict[str, Any]) -> timedelta:
    return timedelta(days=int(config["COMMUNITY_DELETION_GRACE_DAYS"]))


def deletion_due_at(community: Community, config: dict[str, Any]) -> datetime | None:
    if community.deletion_requested_at is None or community.deleted_at is not None:
        return None
    return community.deletion_requested_at + grace(config)


# -- asking and cancelling ---------------------------------------------------------------

def schedule_deletion(session: Session, community: Community, *, account_id: int,
                      typed_slug: str, now: datetime, config: dict[str, Any]) -> datetime:
    """Close ``community`` and schedule its erasure; returns when. Asking twice keeps the
    first date. The owners are emailed; Stripe is told by ``settle_stripe`` (a job)."""
    if (typed_slug or "").strip().lower() != community.slug.lower():
        raise WrongSlug(typed_slug)
    _lock(session, community)
    if community.deletion_requested_at is None:
        community.deletion_requested_at = now
        community.deletion_requested_by_id = account_id
        subscription = billing.live_subscription(session, community)
        if community.deletion_stripe_step == RESUME:
            community.deletion_stripe_step = PAUSED  # the resume never reached Stripe
        elif subscription is not None and not subscription.cancel_at_period_end:
            community.deletion_stripe_step = PAUSE
        else:
            community.deletion_stripe_step = ""
        community.deletion_stripe_error = ""
        # What was scheduled for later goes back to the drafts (the organizers see it there).
        session.execute(update(Announcement)
                        .where(Announcement.status == AnnouncementStatus.SCHEDULED)
                        .values(status=AnnouncementStatus.DRAFT, send_at=None))
        session.flush()
        _settle_after_commit(session, community)
        due = deletion_due_at(community, config)
        _tell_owners(session, community, SCHEDULED_EMAIL,
                     f"community-deletion:{community.id}:{now:%Y%m%dT%H%M%S}", due)
    return deletion_due_at(community, config)  # type: ignore[return-value]


def cancel_deletion(session: Session, community: Community) -> bool:
    """Open the community again, as before; False when it was not scheduled (or is gone)."""
    _lock(session, community)
    if community.deletion_requested_at is None or community.deleted_at is not None:
        return False
    community.deletion_requested_at = None
    community.deletion_requested_by_id = None
    if community.deletion_stripe_step == PAUSED:
        community.deletion_stripe_step = RESUME
    elif community.deletion_stripe_step == PAUSE:
        community.deletion_stripe_step = ""  # Stripe was never told: nothing to undo
    community.deletion_stripe_error = ""
    session.flush()
    _settle_after_commit(session, community)
    return True


def _lock(session: Session, community: Community) -> None:
    """Read the community again under a row lock: asking, cancelling and a Stripe step
    running at the same moment take turns, so none of them undoes another's step."""
    session.refresh(community, with_for_update=True)


def _settle_after_commit(session: Session, community: Community) -> None:
    if community.deletion_stripe_step in OWED:
        enqueue_after_commit(session, SETTLE_JOB, community.id)


def owners(session: Session) -> list[Member]:
    """The active owners of the session's community."""
    return list(session.scalars(select(Member).where(
        Member.role == Role.OWNER, Member.status != MemberStatus.INACTIVE).order_by(Member.id)))


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str


def _recipients(session: Session, community: Community) -> list[Recipient]:
    found = []
    for member in owners(session):
        email = member.email or (member.account.email if member.account else None)
        if email:
            found.append(Recipient(email, recipient_language(member, community),
                                   member.display_name))
    return found


def _tell_owners(session: Session, community: Community, template: str, key: str,
                 due: datetime | None, recipients: list[Recipient] | None = None,
                 community_id: int | None = None) -> None:
    recipients = _recipients(session, community) if recipients is None else recipients
    for person in recipients:
        context = {"community_name": community.name, "slug": community.slug, "due": due,
                   "name": person.name}
        if template == SCHEDULED_EMAIL:
            context["page_url"] = external_url(
                "community.privacy_community.delete_community", slug=community.slug)
        queue_email(session, to=person.email, template=template, context=context,
                    language=person.language, idempotency_key=f"{key}:{person.email}",
                    community_id=community_id if template == DONE_EMAIL else community.id)


# -- Stripe ----------------------------------------------------------------------------

def settle_stripe(session: Session, community: Community) -> bool:
    """Do what the community's deletion still owes Stripe; True when nothing is left owed.
    A failure is recorded on the community and tried again by the daily job."""
    _lock(session, community)
    step = community.deletion_stripe_step
    if step not in OWED:
        return True
    try:
        if step == PAUSE:
            billing.set_cancel_at_period_end(session, community, True, _reason(community))
            community.deletion_stripe_step = PAUSED
        elif step == RESUME:
            billing.set_cancel_at_period_end(session, community, False, "resume")
            community.deletion_stripe_step = ""
        else:
            billing.cancel_subscription_now(session, community)
            waiting = _refunds_pending(session)
            if waiting:
                # Refunds still to reach Stripe need the connected account: forget it after.
                community.deletion_stripe_error = f"close: {waiting} refund(s) still pending"
                session.flush()
                return False
            connect.disconnect(session)
            community.deletion_stripe_step = CLOSED
    except (stripe.StripeError, BillingOff) as exc:
        community.deletion_stripe_error = f"{step}: {type(exc).__name__}: {exc}"[:500]
        log.warning("community %s: Stripe step %s failed, tried again tomorrow: %s",
                    community.id, step, exc)
        session.flush()
        return False
    community.deletion_stripe_error = ""
    session.flush()
    return True


def _refunds_pending(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Payment).where(
        Payment.status == PaymentStatus.PAID, Payment.refund_requested_at.is_not(None))) or 0


def _reason(community: Community) -> str:
    asked = community.deletion_requested_at
    return f"deletion-{asked:%Y%m%dT%H%M%S}" if asked else "deletion"


# -- the daily job's reads ---------------------------------------------------------------

def due_for_deletion(session: Session, now: datetime, config: dict[str, Any]) -> list[int]:
    """Communities whose grace period has passed and that are not erased yet."""
    return list(session.scalars(select(Community.id).where(
        Community.deletion_requested_at.is_not(None), Community.deleted_at.is_(None),
        Community.deletion_requested_at <= now - grace(config)).order_by(Community.id)))


def stripe_owed(session: Session) -> list[int]:
    return list(session.scalars(select(Community.id).where(
        Community.deletion_stripe_step.in_(OWED)).order_by(Community.id)))


def empty_late_notices(session: Session) -> int:
    """Stripe's notices about deleted communities that arrived after the erasure (the
    subscription's end, a refund), once processed: their payloads emptied too."""
    gone = select(Community.id).where(Community.deleted_at.is_not(None))
    return session.execute(update(StripeEvent).where(
        StripeEvent.community_id.in_(gone), StripeEvent.processed_at.is_not(None),
        StripeEvent.payload != "").values(payload="")).rowcount or 0


# -- erasing -----------------------------------------------------------------------------

def _kept_tables() -> set[str]:
    """The payments and every table they point at, transitively (their parents stay)."""
    tables = Base.metadata.tables
    kept, todo = {KEPT}, [KEPT]
    while todo:
        for fk in tables[todo.pop()].foreign_keys:
            parent = fk.column.table.name
            if parent not in kept:
                kept.add(parent)
                todo.append(parent)
    return kept


def _tenant_tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if "tenant_id" in t.c]


def _unreferenced(table: Table) -> Any:
    """Rows of ``table`` no other row points at any more."""
    conditions = []
    for child in Base.metadata.sorted_tables:
        for constraint in child.foreign_key_constraints:
            if constraint.referred_table is not table or child is table:
                continue
            pairs = [element.parent == element.column for element in constraint.elements
                     if element.parent.name != "tenant_id"]
            if pairs:
                conditions.append(not_(exists().where(and_(*pairs))))
    return and_(*conditions) if conditions else None


def _remove_pictures(session: Session) -> int:
    """Delete the uploaded pictures' files (a storage that fails raises StorageError: the
    whole erasure rolls back and waits for the next run)."""
    keys = list(session.scalars(select(EventImage.storage_key)))
    store = storage()
    for key in keys:
        store.delete(key)
    return len(keys)


def _delete_rows(session: Session, tenant_id: int, now: datetime) -> None:
    kept = _kept_tables()
    for table in reversed(_tenant_tables()):
        if table.name in kept or table.name in UNTIL_STRIPE:
            continue
        if table.name == AUDIT:
            with unscoped(session):  # append-only: only the bypass deletes
                audit_log.purge(session, tenant_id, now + timedelta(days=1))
            continue
        session.execute(delete(table))
    # What the payments point at stays; the rest of those tables goes too.
    for table in reversed(_tenant_tables()):
        if table.name in kept and table.name != KEPT:
            unreferenced = _unreferenced(table)
            if unreferenced is not None:
                session.execute(delete(table).where(unreferenced))


def _empty_platform_rows(session: Session, tenant_id: int) -> None:
    with unscoped(session):
        session.execute(update(OutboxMessage).where(
            OutboxMessage.community_id == tenant_id,
            OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))
            .values(status=OutboxStatus.SUPPRESSED))
        session.execute(update(OutboxMessage).where(
            OutboxMessage.community_id == tenant_id,
            or_(OutboxMessage.to_email != "", OutboxMessage.text_body != ""))
            .values(**EMPTY_EMAIL))
        session.execute(delete(EmailUnsubscribe).where(EmailUnsubscribe.community_id == tenant_id))
        session.execute(update(StripeEvent).where(
            StripeEvent.community_id == tenant_id, StripeEvent.payload != "").values(payload=""))


@dataclass(frozen=True)
class Erased:
    members: int
    pictures: int


def erase_community(session: Session, community: Community, now: datetime) -> Erased | None:
    """Erase the session's community (the module's docstring says what stays) and leave its
    row as a tombstone; None when its deletion was cancelled meanwhile or is done. Idempotent:
    a run killed half-way rolls back and the next one starts again."""
    _lock(session, community)
    if community.deletion_requested_at is None or community.deleted_at is not None:
        return None
    recipients = _recipients(session, community)
    members = list(session.scalars(select(Member).order_by(Member.id)))
    erased = 0
    for member in members:
        if not erasure.is_erased(member):
            erasure.erase_member(session, member, actor=None, now=now, force=True)
            erased += 1
    pictures = _remove_pictures(session)
    _delete_rows(session, community.id, now)
    _empty_platform_rows(session, community.id)
    community.deleted_at = now
    community.description = ""
    community.city = ""
    community.is_public = False
    if community.deletion_stripe_step != CLOSED:
        community.deletion_stripe_step = CLOSE
    session.flush()
    _tell_owners(session, community, DONE_EMAIL, f"community-deleted:{community.id}", None,
                 recipients=recipients, community_id=None)
    log.info("community %s erased after its grace period (%d members)", community.id, erased)
    return Erased(members=erased, pictures=pictures)
