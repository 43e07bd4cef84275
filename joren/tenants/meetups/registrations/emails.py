"""The emails of a registration: confirmed, waitlisted, pending, promoted, a seat offered, pay
to confirm, a hold released, a guest's confirmation link, a series booked, a meetup cancelled.

Each is queued through the outbox with an idempotency key naming the registration and the
change, so a retried job or a doubled request sends nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.mail.outbox import Attachment, context_builder, queue_email
from joren.platform.membership.language import recipient_language
from joren.platform.membership.models import Member
from joren.platform.urls import external_url
from joren.tenants.meetups.models import (
    ACTIVE,
    Meetup,
    MeetupSeries,
    Registration,
    RegistrationStatus,
    SeriesRegistration,
)
from joren.tenants.meetups.registrations.fees import member_fee, online_fee
from joren.tenants.meetups.registrations.links import (
    GUEST_CONFIRM_DAYS,
    guest_confirm_token,
    offer_token,
    status_stamp,
)
from joren.tenants.meetups.registrations.reading import waitlist_rank

# The registered name of the builder below: stored in queued rows, so it never changes.
DEFERRED_CONTEXT = "meetups.registration-status"


def community_of(registration: Registration) -> Community:
    session = Session.object_session(registration)
    assert session is not None
    community = session.get(Community, registration.tenant_id)
    assert community is not None
    return community


def _ticket_url(registration: Registration) -> str:
    return external_url("community.feeds.ticket", slug=community_of(registration).slug,
                        token=registration.checkin_token)


def send(session: Session, registration: Registration, template: str, key: str,
         attachments: list[Attachment] | None = None, *, deferred: bool = False,
         **extra: Any) -> None:
    """Queue ``template`` (any feature's email key) to the registration's member, with the
    registration's usual context. ``deferred``: store plain values only and let the sender
    render it (for emails queued under the meetup lock: rendering there would make every
    concurrent registration wait for it); ``extra`` must then be plain too."""
    member, meetup = registration.member, registration.meetup
    if not member.email:
        return
    community = community_of(registration)
    plain = {
        "community_name": community.name, "member_name": member.display_name,
        # What this member pays (the member price when their dues are paid up).
        "fee": member_fee(session, meetup, member) if meetup.price else 0,
        "meetup_url": external_url("community.meetups.portal_detail", slug=community.slug,
                                   meetup_id=meetup.id),
        "mine_url": external_url("community.registrations.mine", slug=community.slug),
        **extra,
    }
    if deferred:
        context: dict[str, Any] = {**plain, "registration_id": registration.id}
    else:
        context = {**plain, "meetup": meetup, "registration": registration}
    queue_email(session, to=member.email, template=template, context=context,
                language=recipient_language(member, community), idempotency_key=key,
                community_id=community.id, attachments=attachments,
                render_with=DEFERRED_CONTEXT if deferred else None)


@context_builder(DEFERRED_CONTEXT)
def deferred_email_context(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """The context of an email ``send`` stored unrendered: its plain values and the
    registration and meetup, read now (``session`` is scoped to the community)."""
    registration = session.scalar(
        select(Registration).where(Registration.id == values["registration_id"])
        .options(joinedload(Registration.meetup)))
    if registration is None:
        raise LookupError(f"registration {values['registration_id']} is gone")
    return {**values, "registration": registration, "meetup": registration.meetup}


def _status_key(registration: Registration) -> str:
    return f"registration:{registration.id}:{registration.status.value}:" \
           f"{status_stamp(registration)}"


def notify_status(session: Session, registration: Registration) -> None:
    template = {
        RegistrationStatus.GOING: "meetups/registrations/confirmed",
        RegistrationStatus.WAITLISTED: "meetups/registrations/waitlisted",
        RegistrationStatus.PENDING: "meetups/registrations/pending",
    }.get(registration.status)
    if template is None:
        return
    send(session, registration, template, _status_key(registration), deferred=True,
         ticket_url=_ticket_url(registration), rank=waitlist_rank(session, registration))


def notify_promoted(session: Session, registration: Registration) -> None:
    send(session, registration, "meetups/registrations/promoted",
         _status_key(registration) + ":promoted", deferred=True,
         ticket_url=_ticket_url(registration))


def notify_offer(session: Session, registration: Registration) -> None:
    community = community_of(registration)
    accept_url = external_url("community.registrations.offer_link", slug=community.slug,
                              token=offer_token(registration))
    pay_online = online_fee(session, registration.meetup, registration.member)
    send(session, registration, "meetups/registrations/offer",
         f"registration:{registration.id}:offer:{status_stamp(registration)}",
         accept_url=accept_url, expires_at=registration.offer_expires_at,
         pay_online=pay_online > 0,
         fee=pay_online or member_fee(session, registration.meetup, registration.member))


def notify_pay_to_confirm(session: Session, registration: Registration, fee: int,
                          pay_url: str) -> None:
    send(session, registration, "meetups/registrations/pay_to_confirm",
         f"registration:{registration.id}:pay:{status_stamp(registration)}",
         expires_at=registration.offer_expires_at, fee=fee, pay_url=pay_url)


def notify_released(session: Session, registration: Registration, template: str,
                    key: str) -> None:
    send(session, registration, template,
         f"registration:{registration.id}:{key}:{status_stamp(registration)}")


def notify_guest_confirm(session: Session, registration: Registration) -> None:
    community = community_of(registration)
    confirm_url = external_url("community.registrations.guest_confirm", slug=community.slug,
                               token=guest_confirm_token(registration))
    # One link per registration and minute: asking again soon after does not flood the inbox.
    minute = int(utcnow().timestamp() // 60)
    send(session, registration, "meetups/registrations/guest_confirm",
         f"registration:{registration.id}:guest-confirm:{minute}", confirm_url=confirm_url,
         valid_days=GUEST_CONFIRM_DAYS)


def notify_series(session: Session, series: MeetupSeries, member: Member,
                  row: SeriesRegistration, now: datetime) -> None:
    """One email for the whole series, listing the booked occurrences (not one per date)."""
    if not member.email:
        return
    booked = list(session.scalars(
        select(Registration).join(Registration.meetup)
        .where(Registration.series_registration_id == row.id, Meetup.starts_at > now,
               Registration.status.in_(ACTIVE))
        .options(joinedload(Registration.meetup)).order_by(Meetup.starts_at)
    ).unique())
    community = session.get(Community, member.tenant_id)
    assert community is not None
    context = {
        "community_name": community.name, "series": series, "member_name": member.display_name,
        "registrations": booked,
        "mine_url": external_url("community.registrations.mine", slug=community.slug),
    }
    stamp = int(now.timestamp() * 1_000_000)
    queue_email(session, to=member.email, template="meetups/registrations/series_confirmed",
                context=context, language=recipient_language(member, community),
                idempotency_key=f"series-registration:{row.id}:{stamp}",
                community_id=community.id)


def notify_cancelled(session: Session, meetup: Meetup) -> int:
    """Email everyone going, waiting or pending that this occurrence is cancelled."""
    registrations = session.scalars(
        select(Registration).where(Registration.meetup_id == meetup.id,
                                   Registration.status.in_(ACTIVE),
                                   Registration.confirmed_at.is_not(None))
        .options(joinedload(Registration.member))
    ).unique().all()
    for registration in registrations:
        send(session, registration, "meetups/registrations/meetup_cancelled",
             f"meetup-cancelled:{meetup.id}:{registration.id}")
    return len(registrations)
