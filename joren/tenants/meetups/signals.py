"""What meetups tells the features above it (payments, engagement, relationships, ...).

Meetups never imports those features. When something happens that they react to, it sends a
signal here; each feature connects its receivers in its own ``subscribers.py``, and the
composition root (``joren.app.configure_subscribers``) imports those modules once.

Every signal is sent with the SQLAlchemy ``Session`` as sender (bound to the community, inside
the caller's transaction), so receivers read and write in the same unit of work.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

attendance_changed = signals.signal("attendance-changed")
"""A person's attendance at a meetup was recorded or changed (check-in, walk-in, a status set
after the meetup, an undo). Sent inside the caller's transaction, before commit, with
``tenant_id``, ``meetup_id`` and ``member_ids`` (list of int): features whose figures depend on
attendance (engagement levels, the relationship ledger) refresh those members once the change
is committed. Receivers return nothing."""
