"""What a member pays for a meetup, and how much of it online: meetups asks (``fee_asked``,
``online_fee_asked``); payments, which knows dues and Stripe, answers. Without an answer the
fee is the meetup's price, paid at the door."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform.membership.models import Member
from joren.tenants.meetups.models import Meetup
from joren.tenants.meetups.signals import fee_asked, first_answer, online_fee_asked


def member_fee(session: Session, meetup: Meetup, member: Member | None) -> int:
    """What ``member`` (None: someone not signed in) owes for ``meetup``, in JPY."""
    answer = first_answer(fee_asked, session, meetup_id=meetup.id,
                          member_id=member.id if member is not None else None)
    return int(answer) if answer is not None else int(meetup.price or 0)


def online_fee(session: Session, meetup: Meetup, member: Member | None) -> int:
    """What ``member`` pays online to take a seat; 0 when the fee is not paid online."""
    if member is None:
        return 0
    answer = first_answer(online_fee_asked, session, meetup_id=meetup.id, member_id=member.id)
    return int(answer) if answer is not None else 0
