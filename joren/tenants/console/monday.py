"""The dashboard's "what needs doing": the next meetup's seats, suggestions to review, unpaid
fees, guests to follow up, lapsed regulars and new sign-ups.

Every figure is aggregated in SQL and the few names beside each come from one more statement
(a UNION ALL of short, limited lists), so the page costs the same however large the
community. Guests to follow up are read from the engagement rollups (a member's first two
visits), lapsed regulars from the stored engagement levels, the unpaid fees from the stored
per-meetup fee tallies (their names from the latest meetups owing any).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    cast,
    except_,
    func,
    literal,
    null,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from joren.platform.membership.models import Member, MemberStatus
from joren.tenants.console.models import MemberNote
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.engagement.rollups.models import MemberRollup
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from joren.tenants.meetups.models import (
    ACTIVE,
    ATTENDED,
    SEATED,
    Attendance,
    Meetup,
    MeetupStatus,
    Registration,
    RegistrationStatus,
)
from joren.tenants.payments.models import (
    MeetupFeeTally,
    Payment,
    PaymentKind,
    PaymentStatus,
)

# How far back each list looks.
FOLLOW_UP_DAYS = 60   # a guest's first visit this recent, not back since
UNPAID_DAYS = 90      # fees of meetups this recent
NEW_DAYS = 14         # sign-ups this recent
NAMES = 3             # names shown beside each figure


@dataclass
class Person:
    member_id: int
    name: str
    meetup_id: int | None = None
    detail: str = ""


@dataclass
class NextMeetup:
    id: int
    title: str
    starts_at: datetime
    capacity: int | None
    seated: int
    waitlisted: int
    pending: int

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.seated >= self.capacity


@dataclass
class Todo:
    next_meetup: NextMeetup | None
    suggestions: int
    unpaid: int
    follow_up: int
    lapsed: int
    new_signups: int
    upcoming_meetups: int
    total_meetups: int
    names: dict[str, list[Person]] = field(default_factory=dict)

    def people(self, kind: str) -> list[Person]:
        return self.names.get(kind, [])


# The statements are built once, with the moments they depend on as parameters: building
# these wide statements cost the page more Python time than running them.
_NOW, _UNPAID_SINCE, _FOLLOW_SINCE, _NEW_SINCE = (
    bindparam(name) for name in ("now", "unpaid_since", "follow_since", "new_since"))


def _moments(now: datetime) -> dict[str, datetime]:
    return {"now": now, "unpaid_since": now - timedelta(days=UNPAID_DAYS),
            "follow_since": now - timedelta(days=FOLLOW_UP_DAYS),
            "new_since": now - timedelta(days=NEW_DAYS)}


def _next_meetup_id():  # type: ignore[no-untyped-def]
    return (select(Meetup.id)
            .where(Meetup.status == MeetupStatus.SCHEDULED, Meetup.starts_at >= _NOW)
            .order_by(Meetup.starts_at, Meetup.id).limit(1).scalar_subquery())


def _recent_fees():  # type: ignore[no-untyped-def]
    return and_(Meetup.price > 0, Meetup.status == MeetupStatus.SCHEDULED,
                Meetup.starts_at < _NOW, Meetup.starts_at >= _UNPAID_SINCE)


def _unpaid_total():  # type: ignore[no-untyped-def]
    """How many fees of recent paid meetups are owed: the sum of the stored per-meetup
    tallies (joren/tenants/payments/tallies.py), a dozen rows."""
    return (select(func.coalesce(func.sum(MeetupFeeTally.unpaid), 0))
            .join(Meetup, Meetup.id == MeetupFeeTally.meetup_id)
            .where(_recent_fees(), MeetupFeeTally.unpaid > 0).scalar_subquery())


def _named_since():  # type: ignore[no-untyped-def]
    """The start of the earliest recent meetup whose unpaid fees the first few names need:
    the latest meetups owing anything, taken until they owe NAMES (their tallies say how
    many each owes), and any other meetup starting at the same moment."""
    before = func.coalesce(func.sum(MeetupFeeTally.unpaid).over(
        order_by=(Meetup.starts_at.desc(), Meetup.id.desc()),
        rows=(None, -1)), 0)
    latest = (select(Meetup.starts_at.label("starts_at"), before.label("before"))
              .select_from(MeetupFeeTally).join(Meetup, Meetup.id == MeetupFeeTally.meetup_id)
              .where(_recent_fees(), MeetupFeeTally.unpaid > 0).subquery("latest"))
    return (select(func.min(latest.c.starts_at)).where(latest.c.before < NAMES)
            .scalar_subquery())


def _unpaid_pairs():  # type: ignore[no-untyped-def]
    """(meetup_id, member_id, starts_at) owing the fee of one of the latest recent paid
    meetups that the first few names come from (``_named_since``): registered as going or
    recorded as attending, with no paid fee. Set operations on narrow rows, each source read
    once (registrations and attendances from their (tenant, meetup, status, member) indexes,
    migration 0026): the people due, less those who paid. The meetup's start comes along
    from the join that picks the meetups (it depends on the meetup alone, so it changes
    nothing to the sets); a join after the sets would have the planner guess their size,
    and a wrong guess cost PostgreSQL a nested loop over every pair."""
    named = and_(_recent_fees(), Meetup.starts_at >= _named_since())

    def pairs(table, *where):  # type: ignore[no-untyped-def]
        return (select(table.meetup_id.label("meetup_id"), table.member_id.label("member_id"),
                       Meetup.starts_at.label("starts_at"))
                .join(Meetup, Meetup.id == table.meetup_id).where(named, *where))

    due = union(pairs(Registration, Registration.status == RegistrationStatus.GOING),
                pairs(Attendance, Attendance.status.in_(ATTENDED))).subquery("due")
    return except_(
        select(due.c.meetup_id, due.c.member_id, due.c.starts_at),
        pairs(Payment, Payment.kind == PaymentKind.MEETUP_FEE,
              Payment.status == PaymentStatus.PAID),
    ).subquery("unpaid")


def _follow_up_filter():  # type: ignore[no-untyped-def]
    """Guests whose one visit was recent, who have not registered again and whom nobody has
    noted contacting since."""
    upcoming = (select(Registration.id).join(Meetup, Meetup.id == Registration.meetup_id)
                .where(Registration.member_id == Member.id, Registration.status.in_(ACTIVE),
                       Meetup.starts_at >= _NOW).correlate(Member).exists())
    contacted = (select(MemberNote.id).where(
        MemberNote.member_id == Member.id, MemberNote.contacted.is_(True),
        MemberNote.created_at >= MemberRollup.first_at).correlate(Member, MemberRollup).exists())
    return and_(Member.status == MemberStatus.GUEST, MemberRollup.second_position.is_(None),
                MemberRollup.first_at >= _FOLLOW_SINCE, MemberRollup.first_at < _NOW,
                ~upcoming, ~contacted)


def _follow_up_from():  # type: ignore[no-untyped-def]
    return (select(Member.id).select_from(MemberRollup)
            .join(Member, Member.id == MemberRollup.member_id))


def _lapsed_filter():  # type: ignore[no-untyped-def]
    return and_(MemberEngagement.level == Level.LAPSED_REGULAR,
                Member.status != MemberStatus.INACTIVE)


def _new_filter():  # type: ignore[no-untyped-def]
    return and_(Member.joined_at >= _NEW_SINCE, Member.joined_at <= _NOW,
                Member.status != MemberStatus.INACTIVE)


def _count(stmt):  # type: ignore[no-untyped-def]
    return select(func.count()).select_from(stmt.subquery()).scalar_subquery()


def todo(session: Session, now: datetime) -> Todo:
    """The dashboard's figures: the meetups' and suggestions' counts (one statement), the next
    meetup (one), and the names with each list's total (one: the unpaid fees, the widest
    list, are read once)."""
    row = session.execute(_counts_statement(), {"now": now}).one()
    found, totals = names(session, now)
    return Todo(next_meetup=next_meetup(session, now), suggestions=row[0] or 0,
                unpaid=totals.get("unpaid", 0), follow_up=totals.get("follow_up", 0),
                lapsed=totals.get("lapsed", 0), new_signups=totals.get("new", 0),
                upcoming_meetups=row[1] or 0, total_meetups=row[2] or 0, names=found)


@cache
def _counts_statement():  # type: ignore[no-untyped-def]
    return select(
        _count(select(Introduction.id).where(
            Introduction.status == IntroductionStatus.SUGGESTED)),
        _count(select(Meetup.id).where(Meetup.starts_at >= _NOW)),
        _count(select(Meetup.id)),
    )


@cache
def _next_meetup_statement():  # type: ignore[no-untyped-def]
    def counted(statuses):  # type: ignore[no-untyped-def]
        return (select(func.count(Registration.id))
                .where(Registration.meetup_id == Meetup.id, Registration.status.in_(statuses),
                       Registration.confirmed_at.is_not(None))
                .correlate(Meetup).scalar_subquery())

    return (select(Meetup.id, Meetup.title, Meetup.starts_at, Meetup.capacity, counted(SEATED),
                   counted((RegistrationStatus.WAITLISTED,)),
                   counted((RegistrationStatus.PENDING,)))
            .where(Meetup.id == _next_meetup_id()))


def next_meetup(session: Session, now: datetime) -> NextMeetup | None:
    """The next scheduled meetup with its seats taken, waitlist and pending approvals."""
    found = session.execute(_next_meetup_statement(), {"now": now}).first()
    if found is None:
        return None
    return NextMeetup(id=found[0], title=found[1], starts_at=found[2], capacity=found[3],
                      seated=found[4] or 0, waitlisted=found[5] or 0, pending=found[6] or 0)


def _listed(kind: str, stmt, total=None):  # type: ignore[no-untyped-def]
    """The first few rows of a list, each with the list's total (a window over the whole
    list, counted before the limit, unless ``total`` says it)."""
    total = func.count().over() if total is None else total
    limited = stmt.add_columns(total.label("total")).limit(NAMES).subquery()
    return select(literal(kind).label("kind"), *limited.c)


def names(session: Session, now: datetime) -> tuple[dict[str, list[Person]], dict[str, int]]:
    """A few names for each list and each list's total, in one UNION ALL of limited
    selects."""
    found: dict[str, list[Person]] = defaultdict(list)
    totals: dict[str, int] = {}
    for kind, member_id, family, given, email, meetup_id, detail, total in session.execute(
            _names_statement(), _moments(now)):
        totals[kind] = total or 0
        name = f"{family or ''} {given or ''}".strip() or (email or "")
        found[kind].append(Person(member_id=member_id, name=name, meetup_id=meetup_id,
                                  detail=detail or ""))
    return dict(found), totals


@cache
def _names_statement():  # type: ignore[no-untyped-def]
    """The lists of ``names`` as one UNION ALL of limited selects (built once)."""
    unpaid = _unpaid_pairs()
    low, high = aliased(Member, name="low"), aliased(Member, name="high")
    no_meetup = cast(null(), Integer)  # typed, so PostgreSQL can match the UNION's columns

    def person(*extra):  # type: ignore[no-untyped-def]
        return (Member.id.label("member_id"), Member.family_name.label("family_name"),
                Member.given_name.label("given_name"), Member.email.label("email"), *extra)

    waiting = (select(*person(Registration.meetup_id.label("meetup_id"),
                              literal("").label("detail")))
               .join(Member, Member.id == Registration.member_id)
               .where(Registration.meetup_id == _next_meetup_id(),
                      Registration.status == RegistrationStatus.WAITLISTED)
               .order_by(Registration.waitlist_position, Registration.id))
    # The first few suggestions and the total are read from the introductions alone; only
    # those few are joined to the two people's names.
    first = (select(Introduction.member_low_id, Introduction.member_high_id,
                    Introduction.created_at, Introduction.id,
                    func.count().over().label("total"))
             .where(Introduction.status == IntroductionStatus.SUGGESTED)
             .order_by(Introduction.created_at, Introduction.id).limit(NAMES)
             .subquery("first"))
    suggested = (select(literal("suggestions").label("kind"), low.id, low.family_name,
                        low.given_name, low.email, no_meetup,
                        (high.family_name + " " + high.given_name).label("detail"), first.c.total)
                 .select_from(first)
                 .join(low, low.id == first.c.member_low_id)
                 .join(high, high.id == first.c.member_high_id))
    titled = aliased(Meetup, name="titled")
    owing = (select(*person(unpaid.c.meetup_id, titled.title.label("detail")))
             .select_from(unpaid).join(Member, Member.id == unpaid.c.member_id)
             .join(titled, titled.id == unpaid.c.meetup_id)
             .order_by(unpaid.c.starts_at.desc(), Member.family_name_kana, Member.id))
    follow = (select(*person(no_meetup, literal("").label("detail"))).select_from(MemberRollup)
              .join(Member, Member.id == MemberRollup.member_id)
              .where(_follow_up_filter())
              .order_by(MemberRollup.first_at.desc(), Member.id))
    lapsed = (select(*person(no_meetup, literal("").label("detail")))
              .join(MemberEngagement, MemberEngagement.member_id == Member.id)
              .where(_lapsed_filter())
              .order_by(MemberEngagement.last_attended_at.desc(), Member.id))
    new = (select(*person(no_meetup, literal("").label("detail"))).where(_new_filter())
           .order_by(Member.joined_at.desc(), Member.id))
    return union_all(_listed("waitlisted", waiting), suggested,
                     _listed("unpaid", owing, _unpaid_total()), _listed("follow_up", follow),
                     _listed("lapsed", lapsed), _listed("new", new))
