"""Publishing the privacy notice and recording each person's consent.

One source of truth. The current state of each consent *is* the flag the product already
obeys: ``Member.accepts_introductions`` (matching reads it), the profile's visibility groups
(the directory reads them) and the email opt-outs in ``email_unsubscribes`` (every sender
reads them). ``consent_records`` is the history: who answered what, under which version of
the notice, when and where. Recording an answer sets the flag in the same transaction, and
the state shown anywhere (the member's page, the console, the CSV) is read back from the
flags, so the two cannot disagree about *now*; a flag changed elsewhere (the profile page,
an email's unsubscribe link) is still obeyed at once, and the pages that change it add a
history row too. Keeping a second "consented" column would let matching and the consent
table drift apart; deriving the flags from the history would make every sender read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from joren.platform.identity.community import Community
from joren.platform.mail.models import EmailUnsubscribe
from joren.platform.mail.unsubscribes import ALL, lift_unsubscribes, record_unsubscribe
from joren.platform.membership.models import Invitation, Member, MemberStatus, ProfileVisibility
from joren.platform.tenant_guard import statements_alone
from joren.tenants.members.consent.defaults import default_notice
from joren.tenants.members.consent.models import NOTICE_MAX, ConsentRecord, PrivacyNotice
from joren.tenants.members.consent.purposes import (
    CHOICES,
    EMAIL_CATEGORIES,
    Purpose,
    Surface,
)

SHOWN_IN_DIRECTORY = ("work_visibility", "give_ask_visibility")
ALL_GROUPS = ("contact_visibility", "work_visibility", "give_ask_visibility",
              "goals_visibility")


class NoticeError(Exception):
    """The notice cannot be published: ``code`` is ``empty`` or ``too_long``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- the notice ------------------------------------------------------------------------------

def latest_notice(session: Session) -> PrivacyNotice | None:
    """The session's community's newest published version, if any."""
    return session.scalar(select(PrivacyNotice).order_by(PrivacyNotice.version.desc())
                          .limit(1))


def notice_versions(session: Session) -> list[PrivacyNotice]:
    return list(session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc())))


def clean_body(body: str) -> str:
    """The text as stored: line ends normalised, outer blank space gone; checked."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise NoticeError("empty")
    if len(text) > NOTICE_MAX:
        raise NoticeError("too_long")
    return text


def publish_notice(session: Session, body: str, *, actor: Member | None,
                   now: datetime) -> PrivacyNotice | None:
    """Publish ``body`` as the next version; None when it is the current text unchanged."""
    text = clean_body(body)
    current = latest_notice(session)
    if current is not None and current.body == text:
        return None
    notice = PrivacyNotice(version=(current.version + 1) if current else 1, body=text,
                           published_at=now, published_by_id=actor.id if actor else None)
    session.add(notice)
    session.flush()
    return notice


def notice_text(session: Session, community: Community) -> tuple[PrivacyNotice | None, str]:
    """What people are shown: the published version, or Joren's default in the community's
    language while the organizers have published none."""
    notice = latest_notice(session)
    if notice is not None:
        return notice, notice.body
    return None, default_notice(community.default_language, community.name)


def ensure_notice(session: Session, community: Community, now: datetime) -> PrivacyNotice:
    """The version an answer points at: publishes the default as version 1 when needed."""
    notice, text = notice_text(session, community)
    if notice is None:
        notice = publish_notice(session, text, actor=None, now=now)
    assert notice is not None
    return notice


# -- the state, read from the flags ----------------------------------------------------------

def _stopped(session: Session, email: str | None, community_id: int) -> set[str]:
    if not email:
        return set()
    return set(session.scalars(select(EmailUnsubscribe.category).where(
        EmailUnsubscribe.email == email.lower(),
        (EmailUnsubscribe.community_id == community_id)
        | EmailUnsubscribe.community_id.is_(None))))


def state_from_flags(member: Member, stopped: set[str]) -> dict[Purpose, bool]:
    """Each purpose's current consent, as the product obeys it."""
    receives = {purpose: bool(member.email) and ALL not in stopped
                and not (set(categories) & stopped)
                for purpose, categories in EMAIL_CATEGORIES.items()}
    return {
        Purpose.INTRODUCTIONS: bool(member.accepts_introductions),
        Purpose.DIRECTORY: any(getattr(member, g) == ProfileVisibility.MEMBERS
                               for g in SHOWN_IN_DIRECTORY),
        **receives,
    }


def current_state(session: Session, member: Member) -> dict[Purpose, bool]:
    return state_from_flags(member, _stopped(session, member.email, member.tenant_id))


def stopped_categories(session: Session, member: Member) -> list[str]:
    """The email categories the member's address stopped here or everywhere (sorted): what
    ``current_state`` reads outside the community's rows (an unsubscribe link marks none)."""
    return sorted(_stopped(session, member.email, member.tenant_id))


def stopped_categories_alone(session: Session, member: Member) -> list[str]:
    """``stopped_categories`` read as a statement of its own when the request has no
    transaction open yet (tenant_guard.statements_alone): a kept page checks them on every
    view, and through the ORM that one statement would open a transaction, set its community
    and roll it back (four round trips). The unsubscribes are no community's rows (no
    row-level security), so the statement needs no scope."""
    if not member.email:
        return []
    return sorted(address_stopped_alone(session, member.email, member.tenant_id))


def address_stopped_alone(session: Session, email: str, community_id: int) -> set[str]:
    """The categories an address stopped in a community or everywhere, read as a statement of
    its own (``stopped_categories_alone``'s read, for an address rather than a member: the
    kept email preferences page)."""
    connection = session.connection()
    with statements_alone(connection):
        return set(connection.execute(_STOPPED, {
            "email": email.strip().lower(), "community_id": community_id}).scalars())


_STOPPED = select(EmailUnsubscribe.category).where(
    EmailUnsubscribe.email == bindparam("email"),
    (EmailUnsubscribe.community_id == bindparam("community_id"))
    | EmailUnsubscribe.community_id.is_(None))


# -- recording answers -----------------------------------------------------------------------

def _apply(session: Session, member: Member, purpose: Purpose, granted: bool,
           lift: bool = True) -> None:
    if purpose == Purpose.INTRODUCTIONS:
        member.accepts_introductions = granted
    elif purpose == Purpose.DIRECTORY:
        if not granted:
            for group in ALL_GROUPS:
                setattr(member, group, ProfileVisibility.ORGANIZERS)
        elif not any(getattr(member, g) == ProfileVisibility.MEMBERS
                     for g in SHOWN_IN_DIRECTORY):
            for group in SHOWN_IN_DIRECTORY:
                setattr(member, group, ProfileVisibility.MEMBERS)
    elif purpose in EMAIL_CATEGORIES and member.email:
        categories = EMAIL_CATEGORIES[purpose]
        if granted and lift:
            lift_unsubscribes(session, member.email, categories, member.tenant_id)
        elif granted:
            return
        else:
            for category in categories:
                record_unsubscribe(session, member.email, category, member.tenant_id)


def record_answers(session: Session, member: Member, community: Community,
                   answers: Mapping[Purpose, bool], *, surface: Surface, now: datetime,
                   acknowledge: bool = True, lift: bool = True) -> PrivacyNotice:
    """Record ``answers`` (purpose → yes/no) under the current notice and set the flags they
    drive; with ``acknowledge``, also that the person saw this version. Without ``lift``, a
    yes does not lift an email opt-out already recorded (an address not yet proven must not
    undo someone's unsubscribe). The caller commits."""
    notice = ensure_notice(session, community, now)
    rows = []
    if acknowledge:
        rows.append(ConsentRecord(member_id=member.id, notice_id=notice.id,
                                  purpose=Purpose.NOTICE.value, granted=True,
                                  surface=surface.value, recorded_at=now))
    for purpose, granted in answers.items():
        _apply(session, member, purpose, bool(granted), lift)
        rows.append(ConsentRecord(member_id=member.id, notice_id=notice.id,
                                  purpose=purpose.value, granted=bool(granted),
                                  surface=surface.value, recorded_at=now))
    session.add_all(rows)
    session.flush()
    return notice


def record_guest_answers(session: Session, member: Member, community: Community,
                         answers: Mapping[Purpose, bool], *, now: datetime) -> None:
    """The public guest form: the notice was read (the form requires it) and the guest's
    choices. The form proves no address, so a member's own choices (made signed in) are
    left alone, and a yes never lifts an opt-out already recorded for the address."""
    if member.status != MemberStatus.GUEST:
        return
    record_answers(session, member, community, answers, surface=Surface.GUEST_FORM, now=now,
                   lift=False)


def record_flag_changes(session: Session, member: Member, community: Community,
                        before: Mapping[Purpose, bool], *, surface: Surface,
                        now: datetime) -> None:
    """After a page changed the flags directly (the profile, email preferences): a history
    row for each purpose whose state changed, so the history tells every change."""
    after = current_state(session, member)
    changed = {p: after[p] for p in CHOICES if p in before and before[p] != after[p]}
    if not changed:
        return
    notice = ensure_notice(session, community, now)
    session.add_all(ConsentRecord(member_id=member.id, notice_id=notice.id, purpose=p.value,
                                  granted=granted, surface=surface.value, recorded_at=now)
                    for p, granted in changed.items())
    session.flush()


# -- asking ----------------------------------------------------------------------------------

def acknowledged_version(session: Session, member_id: int) -> int | None:
    """The newest version of the notice this member saw, None when never asked."""
    return session.scalar(
        select(func.max(PrivacyNotice.version))
        .join(ConsentRecord, ConsentRecord.notice_id == PrivacyNotice.id)
        .where(ConsentRecord.member_id == member_id,
               ConsentRecord.purpose == Purpose.NOTICE.value))


@dataclass(frozen=True)
class Ask:
    """Whether to ask the member: never asked, or a newer version to read."""

    seen: int | None
    latest: int | None

    @property
    def never_asked(self) -> bool:
        return self.seen is None

    @property
    def new_version(self) -> bool:
        return self.seen is not None and self.latest is not None and self.latest > self.seen

    @property
    def needed(self) -> bool:
        return self.never_asked or self.new_version


def ask_columns() -> tuple[Any, Any]:
    """The two columns of ``ask_state`` (``seen``, ``latest``), for a statement that reads
    more in the same round trip; the member is the bound parameter ``member_id``."""
    seen = (select(func.max(PrivacyNotice.version))
            .join(ConsentRecord, ConsentRecord.notice_id == PrivacyNotice.id)
            .where(ConsentRecord.member_id == bindparam("member_id"),
                   ConsentRecord.purpose == Purpose.NOTICE.value)
            .scalar_subquery())
    latest = select(func.max(PrivacyNotice.version)).scalar_subquery()
    return seen.label("seen"), latest.label("latest")


# Built once: the statement is the same for every member (the member is a bound parameter).
_ASK_STATE = select(*ask_columns())


def ask_state(session: Session, member_id: int) -> Ask:
    """One statement: the member's newest acknowledged version and the newest published."""
    row = session.execute(_ASK_STATE, {"member_id": member_id}).one()
    return Ask(seen=row.seen, latest=row.latest)


def first_surface(session: Session, member: Member) -> Surface:
    """Where a member's first answer comes from: the organizers' list (an offer that no
    organizer sent) or an invitation; the portal otherwise."""
    invited_by = session.execute(
        select(Invitation.invited_by_id).where(Invitation.member_id == member.id,
                                               Invitation.accepted_at.is_not(None))
        .order_by(Invitation.accepted_at.desc()).limit(1)).first()
    if invited_by is None:
        return Surface.PORTAL
    return Surface.IMPORT if invited_by[0] is None else Surface.INVITATION


# -- what the organizers see -----------------------------------------------------------------

@dataclass
class Overview:
    """One member's consent, as the console shows it."""

    version: int | None = None  # newest version they saw; None: not yet asked
    answered_at: datetime | None = None
    state: dict[Purpose, bool] = field(default_factory=dict)
    changed_at: dict[Purpose, datetime] = field(default_factory=dict)

    @property
    def asked(self) -> bool:
        return self.version is not None


def overviews(session: Session, members: Iterable[Member],
              stopped: dict[str, dict[str, datetime]] | None = None) -> dict[int, Overview]:
    """Each member's overview in three statements, whatever the number of members (two when
    their ``unsubscribes`` are given)."""
    members = list(members)
    ids = [m.id for m in members]
    if not ids:
        return {}
    result = {m.id: Overview() for m in members}
    rows = session.execute(
        select(ConsentRecord.member_id, ConsentRecord.purpose,
               func.max(ConsentRecord.recorded_at), func.max(PrivacyNotice.version))
        .join(PrivacyNotice, PrivacyNotice.id == ConsentRecord.notice_id)
        .where(ConsentRecord.member_id.in_(ids))
        .group_by(ConsentRecord.member_id, ConsentRecord.purpose))
    for member_id, purpose, at, version in rows:
        view = result[member_id]
        if purpose == Purpose.NOTICE.value:
            view.version, view.answered_at = version, at
        elif purpose in Purpose._value2member_map_:
            view.changed_at[Purpose(purpose)] = at
    if stopped is None:
        stopped = unsubscribes(session, members)
    for m in members:
        stops = stopped.get((m.email or "").lower(), {})
        view = result[m.id]
        view.state = state_from_flags(m, set(stops))
        _date_unsubscribes(view, stops)
    return result


def unsubscribes(session: Session, members: Iterable[Member]) -> dict[str, dict[str, datetime]]:
    """The members' addresses' unsubscribes (their community's and every community's):
    address -> category -> when (one statement, none without addresses)."""
    members = list(members)
    if not members:
        return {}
    return address_unsubscribes(session, members[0].tenant_id,
                                [m.email for m in members if m.email])


def address_unsubscribes(session: Session, community_id: int,
                         addresses: Iterable[str]) -> dict[str, dict[str, datetime]]:
    """``unsubscribes`` by address: the addresses' unsubscribes (the community's and every
    community's): address -> category -> when (one statement, none without addresses)."""
    emails = sorted({a.lower() for a in addresses if a})
    stopped: dict[str, dict[str, datetime]] = {}
    if emails:
        for email, category, at in session.execute(
                select(EmailUnsubscribe.email, EmailUnsubscribe.category,
                       EmailUnsubscribe.created_at).where(
                    EmailUnsubscribe.email.in_(emails),
                    (EmailUnsubscribe.community_id == community_id)
                    | EmailUnsubscribe.community_id.is_(None))):
            stopped.setdefault(email, {})[category] = at
    return stopped


def address_unsubscribes_alone(session: Session, community_id: int,
                               addresses: Iterable[str]) -> dict[str, dict[str, datetime]]:
    """``address_unsubscribes`` read as a statement of its own when the request has no
    transaction open yet (tenant_guard.statements_alone), as ``stopped_categories_alone``:
    a kept page (a member's story) checks them on every view, and through the ORM that one
    statement would open a transaction, set its community and roll it back. The unsubscribes
    are no community's rows (no row-level security), so the statement needs no scope."""
    emails = sorted({a.lower() for a in addresses if a})
    stopped: dict[str, dict[str, datetime]] = {}
    if emails:
        connection = session.connection()
        with statements_alone(connection):
            for email, category, at in connection.execute(
                    _ADDRESS_UNSUBSCRIBES, {"emails": emails, "community_id": community_id}):
                stopped.setdefault(email, {})[category] = at
    return stopped


_ADDRESS_UNSUBSCRIBES = select(
    EmailUnsubscribe.email, EmailUnsubscribe.category, EmailUnsubscribe.created_at).where(
    EmailUnsubscribe.email.in_(bindparam("emails", expanding=True)),
    (EmailUnsubscribe.community_id == bindparam("community_id"))
    | EmailUnsubscribe.community_id.is_(None))


def _date_unsubscribes(view: Overview, stops: dict[str, datetime]) -> None:
    """An opt-out made by an email's unsubscribe link (no history row) dates the email
    purposes it stopped, when it is newer than the last answer."""
    for purpose, categories in EMAIL_CATEGORIES.items():
        times = [at for category, at in stops.items() if category in (*categories, ALL)]
        if times and not view.state[purpose]:
            latest = max(times)
            if purpose not in view.changed_at or latest > view.changed_at[purpose]:
                view.changed_at[purpose] = latest


def history(session: Session, member_id: int) -> list[tuple[ConsentRecord, int]]:
    """Every answer of one member, newest first, with the version it answered."""
    return [(record, version) for record, version in session.execute(
        select(ConsentRecord, PrivacyNotice.version)
        .join(PrivacyNotice, PrivacyNotice.id == ConsentRecord.notice_id)
        .where(ConsentRecord.member_id == member_id)
        .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc()))]
