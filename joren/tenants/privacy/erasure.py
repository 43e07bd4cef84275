"""Removing a person from a community (issue 17): their personal data is erased, what the
community counts survives, and payment records stay as tax law requires.

One function serves both ways out: an organizer removing a member, and a member leaving.

- The member row stays (attendance, payments, relationships and rollups point at it) but holds
  nothing personal any more: names, readings, company, profile and address are blanked, the
  account is unlinked and the status is inactive. Pages show it as ``#<id>``.
- Rows that are only the person's own words go: their journal, what they offered before
  meetups, the contacts they logged, invitations to them, emails queued or sent to them in
  this community, their email preferences here, introductions still waiting, their answers
  to registration questions, the history of their consent to the privacy notice.
- Rows the community counts stay, with their free text blanked: attendance (and its history),
  registrations (future ones are cancelled, so a waitlisted person gets the seat), decided
  introductions (their reasons quote the profile, so they go), referrals, notes others logged,
  survey ratings (their comments go).
- Payments and dues stay for seven years (法人税法, 電子帳簿保存法): amount, date, method and
  receipt number, pointing at the blanked member row; their notes are blanked.

Files an organizer uploaded (import batches) and Stripe's notices are not rewritten here:
the retention rules purge them on their own schedule.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage
from joren.platform.membership.models import (
    Invitation,
    Member,
    MemberStatus,
    ProfileVisibility,
    Role,
)
from joren.tenants.console.models import MemberNote
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.meetups.models import (
    ACTIVE,
    Attendance,
    AttendanceChange,
    Meetup,
    Registration,
)
from joren.tenants.meetups.questions.models import RegistrationAnswer
from joren.tenants.meetups.registrations.services import cancel_registration
from joren.tenants.meetups.survey.models import SurveyResponse
from joren.tenants.members.consent.models import ConsentRecord
from joren.tenants.payments.models import Payment
from joren.tenants.privacy.audit import QUIET, record
from joren.tenants.relationships.models import Contact, JournalEntry, MeetupGives, Referral

BLANK_PROFILE = (
    "family_name", "given_name", "family_name_kana", "given_name_kana", "name_romaji",
    "company", "title", "industry", "department", "industry_code", "business_description",
    "company_size", "prefecture", "website", "offer_1", "offer_2", "offer_3", "ask_industries",
    "ask_company_sizes", "ask_description", "challenges", "goal_meetup", "goal_midterm",
    "goal_year",
)


class CannotRemove(Exception):
    """The last owner cannot leave or be removed: the community would have nobody to run it."""


def is_erased(member: Member) -> bool:
    """Whether ``member`` was removed already (nothing personal is left on the row)."""
    return (member.status == MemberStatus.INACTIVE and member.email is None
            and member.account_id is None and not member.family_name and not member.given_name)


def _check_not_last_owner(session: Session, member: Member) -> None:
    if member.role != Role.OWNER:
        return
    owners = session.scalar(select(func.count()).select_from(Member).where(
        Member.role == Role.OWNER, Member.status != MemberStatus.INACTIVE))
    if (owners or 0) <= 1:
        raise CannotRemove


def _cancel_future(session: Session, member: Member, actor: Member | None,
                   now: datetime) -> None:
    future = session.scalars(
        select(Registration).join(Meetup, Meetup.id == Registration.meetup_id)
        .where(Registration.member_id == member.id, Registration.status.in_(ACTIVE),
               Meetup.starts_at > now)
    ).all()
    for registration in future:
        cancel_registration(session, registration, actor, now=now)


def _delete_own_words(session: Session, member: Member, email: str | None) -> None:
    session.execute(delete(JournalEntry).where(JournalEntry.member_id == member.id))
    session.execute(delete(MeetupGives).where(MeetupGives.member_id == member.id))
    session.execute(delete(Contact).where(Contact.member_id == member.id))
    session.execute(delete(MemberNote).where(MemberNote.member_id == member.id))
    session.execute(delete(ConsentRecord).where(ConsentRecord.member_id == member.id))
    session.execute(delete(Invitation).where(Invitation.member_id == member.id))
    session.execute(delete(RegistrationAnswer).where(RegistrationAnswer.registration_id.in_(
        select(Registration.id).where(Registration.member_id == member.id))))
    session.execute(delete(Introduction).where(
        or_(Introduction.member_low_id == member.id, Introduction.member_high_id == member.id),
        Introduction.status.in_((IntroductionStatus.SUGGESTED, IntroductionStatus.SENT))))
    if email:
        lowered = email.lower()
        session.execute(delete(OutboxMessage).where(
            OutboxMessage.community_id == member.tenant_id,
            func.lower(OutboxMessage.to_email) == lowered))
        session.execute(delete(EmailUnsubscribe).where(
            EmailUnsubscribe.community_id == member.tenant_id,
            func.lower(EmailUnsubscribe.email) == lowered))
        session.execute(delete(Invitation).where(func.lower(Invitation.email) == lowered))


def _blank_free_text(session: Session, member: Member) -> None:
    mid = member.id
    session.execute(update(Attendance).where(
        or_(Attendance.member_id == mid, Attendance.substitute_member_id == mid))
        .values(note="", substitute_name=""))
    session.execute(update(AttendanceChange).where(AttendanceChange.member_id == mid)
                    .values(note=""))
    session.execute(update(Registration).where(Registration.member_id == mid)
                    .values(note="", checkin_token=secrets.token_urlsafe(24)))
    session.execute(update(Introduction).where(
        or_(Introduction.member_low_id == mid, Introduction.member_high_id == mid))
        .values(reasons=[], message="", request_note=""))
    session.execute(update(Referral).where(
        or_(Referral.giver_id == mid, Referral.receiver_id == mid)).values(description=""))
    session.execute(update(Contact).where(Contact.other_id == mid).values(note=""))
    # The receipt's 宛名 is kept: a receipt issued is a tax record (it names the payer).
    session.execute(update(Payment).where(Payment.member_id == mid).values(note=""))
    # The rating still counts in the meetup's average; the words and answers go.
    session.execute(update(SurveyResponse).where(SurveyResponse.member_id == mid)
                    .values(comment="", answers={}))


def erase_member(session: Session, member: Member, *, actor: Member | None,
                 now: datetime, force: bool = False) -> None:
    """Remove ``member`` from their community as the module's docstring says; the session's
    community must be the member's (the tenant guard scopes every statement to it).
    ``force``: even the last owner (their account's deletion, which they asked for)."""
    if not force:
        _check_not_last_owner(session, member)
    before = {"role": member.role.value, "status": member.status.value}
    quiet = session.info.get(QUIET)
    session.info[QUIET] = True  # the audit log says it happened, not what was erased
    try:
        _erase(session, member, actor, now)
    finally:
        session.info[QUIET] = quiet
    record(session, "erase", "members", member.id, {
        "role": [before["role"], member.role.value],
        "status": [before["status"], member.status.value]})


def _erase(session: Session, member: Member, actor: Member | None, now: datetime) -> None:
    email = member.email
    _cancel_future(session, member, actor, now)
    _delete_own_words(session, member, email)
    _blank_free_text(session, member)
    for name in BLANK_PROFILE:
        setattr(member, name, "")
    member.email = None
    member.account_id = None
    member.status = MemberStatus.INACTIVE
    member.accepts_introductions = False
    member.seeks_same_industry = False
    for visibility in ("contact_visibility", "work_visibility", "give_ask_visibility",
                       "goals_visibility"):
        setattr(member, visibility, ProfileVisibility.ORGANIZERS)
    member.calendar_feed_version += 1  # the personal calendar link stops working
    session.flush()
