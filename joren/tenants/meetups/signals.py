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
