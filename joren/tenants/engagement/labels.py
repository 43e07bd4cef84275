"""The words for each engagement level (beside the ``Level`` enum, for every page that shows
one: engagement's own, the dashboard, the directory, introductions, the CSV export)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from joren.tenants.engagement.levels import Level

LEVEL_LABELS = {
    Level.NONE: _l("Not attended yet"),
    Level.FIRST_TIMER: _l("First-timer"),
    Level.ONE_TIME: _l("One-time"),
    Level.RETURNING: _l("Returning"),
    Level.REGULAR: _l("Regular"),
    Level.LAPSED_REGULAR: _l("Lapsed regular"),
}
