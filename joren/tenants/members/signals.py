"""What members asks the features above it (engagement, relationships, ...).

Members never imports those features. Its pages and its CSV export ask, through these
signals, what the features above add; each feature connects receivers in its own
``subscribers.py``, imported once by ``joren.app.configure_subscribers``. Every signal is sent
with the SQLAlchemy ``Session`` (bound to the community) as sender; the answers are read from
``signal.send(...)`` (a list of (receiver, value)), in the order the receivers answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace
from markupsafe import Markup

signals = Namespace()


@dataclass(frozen=True)
class ProfileSections:
    """HTML a feature adds to a profile page: above the profile's own sections (``top``) and
    below them (``bottom``)."""

    top: Markup = field(default_factory=Markup)
    bottom: Markup = field(default_factory=Markup)


profile_sections_wanted = signals.signal("profile-sections-wanted")
"""A question asked in a request while a profile page renders: what do the features above add?

Sent with ``viewer`` (the signed-in Member), ``member`` (whose profile), ``groups`` (frozenset
of the field groups the viewer may see), ``page`` ("show": a member's profile page; "mine":
one's own profile form) and ``now`` (the page's moment; None: right now). Each receiver
returns ``ProfileSections``."""


@dataclass(frozen=True)
class MemberLevels:
    """A level a feature keeps per member, which the directory shows and filters by.

    ``level_of`` is a correlated scalar subquery (the level of ``Member``'s row, NULL when
    none), so the directory filters and reads it in its own statements; ``labels`` maps each
    level's value to its label, in the order the filter lists them."""

    level_of: Any
    labels: dict[str, Any]


member_levels_wanted = signals.signal("member-levels-wanted")
"""A question asked by the member directory: does a feature above keep a level per member?
Sent with no keyword arguments; a receiver returns ``MemberLevels``. The first answer is used;
without one the directory has no level filter and no level badges."""


@dataclass(frozen=True)
class ExportColumns:
    """Columns a feature adds to the members CSV export: ``header`` and, per member id, the
    values in the same order (a member missing from ``values`` gets empty cells)."""

    header: list[str]
    values: dict[int, list[Any]]


export_columns_wanted = signals.signal("export-columns-wanted")
"""A question asked by the members CSV export: which columns do the features above add?
Sent with ``community`` (the Community, for its time zone). Each receiver returns
``ExportColumns``; they follow members' own columns in the order received."""


profile_changed = signals.signal("profile-changed")
"""A member's profile was saved with new values, inside the caller's transaction: sent with
``tenant_id``, ``member_id`` and ``fields`` (frozenset of the columns whose values changed).
Features that keep something computed from a profile (the introductions' verdicts on its
sentences) refresh it, after the commit. Receivers return nothing."""


profiles_changed = signals.signal("profiles-changed")
"""Many members' profiles were written at once, outside the profile form (a CSV import's
batch, the demo's people), inside the caller's transaction: sent once per batch with
``tenant_id``, ``member_ids`` (sorted list of int: the members written, new ones included)
and ``fields`` (frozenset of the columns written for any of them). Receivers refresh what
they keep computed from those profiles in one piece of work, as for ``profile_changed``.
Receivers return nothing."""
