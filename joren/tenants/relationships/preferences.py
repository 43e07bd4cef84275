"""A member's email preferences in one community, kept as opt-outs in ``EmailUnsubscribe``.

Each kind of email a member can turn off is a mail category (``platform.mail.categories``);
"off" is an opt-out row for the member's address and this community, exactly what the
List-Unsubscribe link of those emails records, so the page and the links agree. Turning a kind
back on deletes the row (and an opt-out of the same kind for every community, since the person
signed in and asked for these emails). An opt-out of "all" mail from the community is shown
separately and can be lifted from the page too.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from joren.platform.mail.models import EmailUnsubscribe
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.tenants.members.consent.services import address_stopped_alone

ALL = "all"
# The kinds a member turns on or off here, in the order the page lists them.
TOGGLES = ("reminders", "meetup_prep", "follow_ups", "nudges", "introductions", "we_miss_you",
           "announcements", "surveys")


def _rows(session: Session, email: str, community_id: int) -> set[tuple[str, int | None]]:
    return set(session.execute(
        select(EmailUnsubscribe.category, EmailUnsubscribe.community_id).where(
            EmailUnsubscribe.email == email.strip().lower(),
            (EmailUnsubscribe.community_id == community_id)
            | EmailUnsubscribe.community_id.is_(None))))


def stopped_categories(session: Session, email: str, community_id: int) -> set[str]:
    """Categories this address opted out of here (or everywhere), "all" included."""
    return {category for category, _ in _rows(session, email, community_id)}


def stopped_categories_alone(session: Session, email: str, community_id: int) -> set[str]:
    """``stopped_categories``, read as a statement of its own when the request has no
    transaction open yet (``consent.address_stopped_alone``): the kept preferences page reads
    them on every view (an unsubscribe link marks no community), and through the ORM that
    one statement would open a transaction, set its community and roll it back."""
    return address_stopped_alone(session, email, community_id)


def receiving(session: Session, email: str, community_id: int) -> dict[str, bool]:
    """For each toggle, whether its emails reach this address (one query)."""
    stopped = stopped_categories(session, email, community_id)
    return {category: category not in stopped and ALL not in stopped for category in TOGGLES}


def resubscribe(session: Session, email: str, category: str, community_id: int) -> int:
    """Lift the opt-out of ``category`` here (and everywhere); return rows deleted.
    The caller commits."""
    result = session.execute(delete(EmailUnsubscribe).where(
        EmailUnsubscribe.email == email.strip().lower(),
        EmailUnsubscribe.category == category,
        (EmailUnsubscribe.community_id == community_id)
        | EmailUnsubscribe.community_id.is_(None)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def save(session: Session, email: str, community_id: int, wanted: dict[str, bool]) -> None:
    """Turn each toggle in ``wanted`` on (True) or off (False). The caller commits."""
    stopped = stopped_categories(session, email, community_id)
    for category in TOGGLES:
        if category not in wanted:
            continue
        if wanted[category] and category in stopped:
            resubscribe(session, email, category, community_id)
        elif not wanted[category] and category not in stopped:
            record_unsubscribe(session, email, category, community_id)
