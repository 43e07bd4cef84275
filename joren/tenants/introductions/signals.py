"""What introductions tells (and asks) the features above it (relationships, ...).

Introductions never imports those features. Each signal is sent with the SQLAlchemy
``Session`` as sender (bound to the community, inside the caller's transaction); the features
above connect receivers in their own ``subscribers.py``, imported once by
``joren.app.configure_subscribers``.
"""

from __future__ import annotations

from blinker import Namespace

signals = Namespace()

spoken_pairs_wanted = signals.signal("spoken-pairs-wanted")
"""A question: which pairs of members have already spoken with each other?

Sent by the matching engine's loader with ``member_ids`` (sorted list of int, or None for the
whole community). Each receiver returns a set of (low id, high id) pairs whose two members are
both among ``member_ids`` (a logged contact, for example); the loader takes the union of all
answers. With no receiver, no pair counts as spoken beyond CONNECTED introductions."""

introductions_changed = signals.signal("introductions-changed")
"""Introductions were created, answered or expired (their status changed), inside the caller's
transaction, with ``pairs`` (list of (low id, high id)). Features that keep figures per pair
(the relationship ledger) recompute those pairs. Receivers return nothing."""
