"""What meetups tells the features above it (payments, engagement, relationships, ...).

Meetups never imports those features. When something happens that they react to, it sends a
signal here; each feature connects its receivers in its own ``subscribers.py``, and the
composition root (``joren.app.configure_subscribers``) imports those modules once.

Every signal is sent with the SQLAlchemy ``Session`` as sender (bound to the community, inside
the caller's transaction), so receivers read and write in the same unit of work. Keyword
arguments are plain data (ids, datetimes).

Two kinds:
- announcements: something happened; receivers react and return nothing;
- questions: meetups needs an answer only a higher feature has (what a member pays, where to
  pay). Receivers return a value, read from ``signal.send(...)``'s ``(receiver, value)``
  pairs with ``answers()``; a receiver that has nothing to say returns None. Without any
  answer meetups behaves as a community without that feature (free at the door, nothing kept).
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace, Signal

signals = Namespace()

# -- announcements ----------------------------------------------------------------------------

attendance_changed = signals.signal("attendance-changed")
"""A person's attendance at a meetup was recorded or changed (check-in, walk-in, a status set
after the meetup, an undo). Sent inside the caller's transaction, before commit, with
``tenant_id``, ``meetup_id`` and ``member_ids`` (list of int): features whose figures depend on
attendance (engagement levels, the relationship ledger) refresh those members once the change
is committed. Receivers return nothing."""

attendance_imported = signals.signal("attendance-imported")
"""Attendance rows were written in bulk, around the ORM (a CSV import). Sent inside the
caller's transaction, before commit, with ``tenant_id`` and ``meetup_ids`` (list of int):
features that store figures per meetup count those meetups again. Receivers return nothing."""

registration_cancelled = signals.signal("registration-cancelled")
"""A registration that counted was cancelled (by the member, the organizer, a "can't make it"
link, skipping a series date, a declined offer or approval). Keywords: ``registration_id``,
``actor_id`` (the member who did it; None: the person themselves through a link),
``held_seat`` (it held a seat being offered or paid for), ``now``. Sent after the change is
flushed and before the freed seat is passed on. Payments refunds a fee paid online when the
series' policy says so, and closes the held seat's open Checkout."""

meetup_cancelled = signals.signal("meetup-cancelled")
"""The organizer cancelled an occurrence (its registrants were emailed). Keywords:
``meetup_id``, ``actor_id``. Payments refunds every fee paid online for it, in full."""

# -- questions ----------------------------------------------------------------------------

fee_asked = signals.signal("fee-asked")
"""What does a member pay for a meetup (JPY)? Keywords: ``meetup_id``, ``member_id`` (None:
someone not signed in). Answer: an int. Without an answer: the meetup's price. Payments
answers the member price for members whose dues are paid up."""

online_fee_asked = signals.signal("online-fee-asked")
"""How much does this member pay online, now, to take a seat at this meetup (JPY)? Keywords:
``meetup_id``, ``member_id``. Answer: an int; above zero, the seat is held
(``awaiting_payment``) while they pay. Without an answer: 0 (fees are paid at the door)."""

expiring_holds = signals.signal("expiring-holds")
"""The sweep is about to release every held seat past its deadline. Keyword: ``now``. Receivers
settle the holds they know about first (a paid one is confirmed with
``registrations.holds.confirm_paid``) and answer the set of registration ids to leave held
for now (the next sweep looks again)."""

meetups_kept = signals.signal("meetups-kept")
"""Which of these occurrences hold records that must never be deleted with them (payments:
money)? Keyword: ``meetup_ids``. Answer: a set of meetup ids. Materialising a changed series
detaches them for review instead of deleting them."""

# -- questions of the web pages (sent inside a request) ---------------------------------------

checkout_asked = signals.signal("checkout-asked")
"""Where does this registration go to pay for its held seat? Keywords: ``registration_id``,
``back`` (the page to come back to). Answer: the response to send (payments: a redirect to
Stripe Checkout, or to ``back`` with a message). Without an answer: back, with a message that
there is nothing to pay."""

seat_note_asked = signals.signal("seat-note-asked")
"""What is shown beside a member's confirmed seat on the meetup page? Keyword:
``registration_id``. Answer: Markup (payments: "Paid ¥3,000 · Receipt") or None."""

cancel_note_asked = signals.signal("cancel-note-asked")
"""What is a person told before they cancel this registration (portal page, "can't make it"
link)? Keywords: ``registration_id``, ``now`` (the page's moment, or None). Answer: Markup
(payments: whether the fee paid online is refunded) or None."""


def answers(signal: Signal, sender: Any, **kwargs: Any) -> list[Any]:
    """The answers of ``signal``'s receivers (None left out), in the order they connected."""
    return [value for _receiver, value in signal.send(sender, **kwargs) if value is not None]


def first_answer(signal: Signal, sender: Any, **kwargs: Any) -> Any:
    """The first receiver's answer, or None when nobody answers."""
    found = answers(signal, sender, **kwargs)
    return found[0] if found else None
