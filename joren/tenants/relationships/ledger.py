"""A member's network as the portal shows it: their ledger rows with the other person as the
member may see them, and whom they have not followed up. A constant number of statements
however large the network.

What each viewer sees of an introduction: "connected", "waiting for answers" (sent), or "did
not connect" for both declined and expired, so that a decline is never revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from joren.platform.db import utcnow
from joren.platform.identity.community import community_of
from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.meetups.models import ATTENDED, Attendance, Meetup, MeetupStatus
from joren.tenants.members.profiles.services import ProfileView, profile_view
from joren.tenants.members.services import reading_order
from joren.tenants.relationships.models import Contact, Relationship

MILESTONE_LOW = 5
MILESTONE_HIGH = 7
RECENT_MEETUPS = 2
RECENT_DAYS = 60
FOLLOW_UP_LIMIT = 40
FOLLOW_UP_SHOWN = 8          # the rest of the list stays folded on the page
NETWORK_LIMIT = 500


@dataclass
class NetworkEntry:
    relationship: Relationship
    other: Member
    profile: ProfileView
    viewer_id: int

    @property
    def depth(self) -> int:
        return self.relationship.contacts

    @property
    def milestone_percent(self) -> int:
        """How far along the bar toward seven contacts (the top of the milestone)."""
        return min(100, round(100 * self.depth / MILESTONE_HIGH))

    @property
    def milestone_reached(self) -> bool:
        return self.depth >= MILESTONE_LOW

    @property
    def given(self) -> int:
        r = self.relationship
        return r.referrals_low_to_high if r.member_low_id == self.viewer_id else (
            r.referrals_high_to_low)

    @property
    def received(self) -> int:
        r = self.relationship
        return r.referrals_high_to_low if r.member_low_id == self.viewer_id else (
            r.referrals_low_to_high)

    @property
    def introduction(self) -> str:
        """"" (none), "connected", "waiting" or "not_connected" — never "declined"."""
        status = self.relationship.introduction_status
        if status == IntroductionStatus.CONNECTED:
            return "connected"
        if status == IntroductionStatus.SENT:
            return "waiting"
        if status in (IntroductionStatus.DECLINED, IntroductionStatus.EXPIRED):
            return "not_connected"
        return ""


@dataclass
class FollowUp:
    other: Member
    profile: ProfileView
    reason: str                  # "introduced" or "met"
    since: date                  # connected on, or the meetup's day
    meetup: Meetup | None = None


def _local(value: datetime | None, zone) -> date | None:  # type: ignore[no-untyped-def]
    if value is None:
        return None
    return value.astimezone(zone).date()


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    return date.fromisoformat(str(value)[:10])


def network(session: Session, viewer: Member) -> list[NetworkEntry]:
    """The viewer's relationships, deepest and most recent first (one statement).

    A pair whose only tie is an introduction that did not connect is left out: there is
    nothing to show, and the other side should not see a trace of a decline.
    """
    me = viewer.id
    other_id = case((Relationship.member_low_id == me, Relationship.member_high_id),
                    else_=Relationship.member_low_id)
    shown = or_(Relationship.contacts > 0, Relationship.referrals_low_to_high > 0,
                Relationship.referrals_high_to_low > 0, Relationship.meetups_together > 0,
                Relationship.introduction_status.in_([IntroductionStatus.CONNECTED.value,
                                                      IntroductionStatus.SENT.value]))
    rows = session.execute(
        select(Relationship, Member).join(Member, Member.id == other_id)
        .where(or_(Relationship.member_low_id == me, Relationship.member_high_id == me), shown,
               Member.status != MemberStatus.INACTIVE)
        .limit(NETWORK_LIMIT)
    ).unique().all()
    entries = [NetworkEntry(r, m, profile_view(viewer, m), me) for r, m in rows]
    entries.sort(key=lambda e: (-e.depth, -(e.relationship.last_contact_on or date.min).toordinal(),
                                e.other.reading, e.other.id))
    return entries


def _last_contact_between(me: int, other_column):  # type: ignore[no-untyped-def]
    """The latest day either of the two logged a contact with the other (scalar subquery)."""
    return (select(func.max(Contact.happened_on))
            .where(or_(and_(Contact.member_id == me, Contact.other_id == other_column),
                       and_(Contact.member_id == other_column, Contact.other_id == me)))
            .scalar_subquery())


def not_followed_up(session: Session, viewer: Member, now: datetime | None = None
                    ) -> list[FollowUp]:
    """People the viewer has not logged a contact with since they connected by introduction,
    or since a recent meetup both attended (the viewer's last two meetups within 60 days).
    Three statements."""
    me = viewer.id
    now = now or utcnow()
    zone = community_of(session).zone
    found: dict[int, FollowUp] = {}

    other_id = case((Introduction.member_low_id == me, Introduction.member_high_id),
                    else_=Introduction.member_low_id)
    for intro, other, last in session.execute(
            select(Introduction, Member, _last_contact_between(me, Member.id))
            .join(Member, Member.id == other_id)
            .where(Introduction.status == IntroductionStatus.CONNECTED,
                   or_(Introduction.member_low_id == me, Introduction.member_high_id == me),
                   Member.status != MemberStatus.INACTIVE)
            .order_by(Introduction.connected_at.desc()).limit(FOLLOW_UP_LIMIT)).unique():
        since = _local(intro.connected_at, zone) or _local(intro.sent_at, zone)
        last = _as_date(last)
        if since is not None and (last is None or last < since):
            found[other.id] = FollowUp(other, profile_view(viewer, other), "introduced", since)

    recent = session.execute(
        select(Meetup)
        .join(Attendance, and_(Attendance.meetup_id == Meetup.id, Attendance.member_id == me))
        .where(Attendance.status.in_(ATTENDED), Meetup.status != MeetupStatus.CANCELLED,
               Meetup.starts_at <= now, Meetup.starts_at >= now - timedelta(days=RECENT_DAYS))
        .order_by(Meetup.starts_at.desc()).limit(RECENT_MEETUPS)).scalars().all()
    if recent:
        meetups = {m.id: m for m in recent}
        # The attendees shown are chosen on the reading columns first (the attendance
        # (tenant, meetup, status) index, no wide rows sorted); only those are loaded whole
        # and have their last contact looked up.
        shown = (select(Attendance.meetup_id.label("meetup_id"),
                        Attendance.member_id.label("member_id"))
                 .join(Member, Member.id == Attendance.member_id)
                 .where(Attendance.meetup_id.in_(list(meetups)),
                        Attendance.status.in_(ATTENDED),
                        Member.id != me, Member.status == MemberStatus.MEMBER)
                 .order_by(*reading_order()).limit(FOLLOW_UP_LIMIT * RECENT_MEETUPS)
                 .subquery("shown"))
        rows = session.execute(
            select(shown.c.meetup_id, Member, _last_contact_between(me, Member.id))
            .join(shown, shown.c.member_id == Member.id)
            .order_by(*reading_order())).unique().all()
        for meetup_id, other, last in rows:
            meetup = meetups[meetup_id]
            since = _local(meetup.starts_at, zone)
            last = _as_date(last)
            if last is not None and since is not None and last >= since:
                continue
            earlier = found.get(other.id)
            if earlier is not None and (earlier.reason == "introduced" or earlier.since >= since):
                continue
            if earlier is None and len(found) >= FOLLOW_UP_LIMIT:
                continue
            found[other.id] = FollowUp(other, profile_view(viewer, other), "met", since,
                                       meetup)
    # Someone met at both recent meetups is listed once, with the later one; a contact
    # logged since the earlier one but before the later one still leaves them listed.
    return sorted(found.values(), key=lambda f: (f.reason != "introduced", -f.since.toordinal(),
                                                 f.other.reading, f.other.id))
