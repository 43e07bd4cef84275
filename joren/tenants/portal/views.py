"""The member portal and the public community page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g, render_template
from sqlalchemy import bindparam, func, select

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.membership.edge import active_membership
from joren.tenants.meetups.models import ATTENDED, Attendance
from joren.tenants.meetups.registrations.reading import upcoming_registrations
from joren.tenants.meetups.views import portal_meetups
from joren.tenants.members.consent import services as consent

bp = Blueprint("portal", __name__)
# How many of the member's own upcoming registrations the home page lists.
MINE_SHOWN = 5

# The home page's counts in one statement, built once (the member is a bound parameter):
# the meetups the member attended, and whether to ask them to read the privacy notice.
_HOME_COUNTS = select(
    select(func.count(Attendance.id))
    .where(Attendance.member_id == bindparam("member_id"), Attendance.status.in_(ATTENDED))
    .scalar_subquery().label("attended"),
    *consent.ask_columns(),
)


def _public_page() -> Any:
    community = g.community
    if not community.is_public and active_membership() is None:
        return render_template("portal/public/private_community.html")
    # The public meetups to come are the same for every reader: kept by the page cache until
    # the first of them starts (then it leaves the list and the next one comes in).
    found: dict[str, Any] = {}
    upcoming_html, _first = pagecache.cached_html_about(
        db.session, "portal.public_upcoming", (), lambda: _public_upcoming(found),
        about=lambda: found.get("first"), still_true=_none_started_since)
    return render_template("portal/public/community.html", upcoming_html=upcoming_html)


def _public_upcoming(found: dict[str, Any]) -> str:
    upcoming = portal_meetups(True, public_only=True, limit=5)
    found["first"] = upcoming[0].starts_at.isoformat() if upcoming else None
    return render_template("portal/public/_upcoming.html", upcoming=upcoming)


def _none_started_since(first: str | None) -> bool:
    """Whether the first meetup the kept list shows has not started since."""
    return first is None or utcnow() <= datetime.fromisoformat(first)


@bp.get("/")
def home() -> Any:
    membership = active_membership()
    if membership is None:
        return _public_page()
    # The member's own page (their name, registrations, attendance, what they were asked to
    # read), computed as of the start of the minute: the member and the minute are the key.
    now = utcnow().replace(second=0, microsecond=0)

    def body() -> str:
        counts = db.session.execute(_HOME_COUNTS, {"member_id": membership.id}).one()
        upcoming = portal_meetups(True, public_only=False, limit=3, now=now)
        mine = upcoming_registrations(db.session, membership.id, now, limit=MINE_SHOWN)
        return render_template(
            "portal/_home_body.html", upcoming=upcoming, attended=counts.attended or 0,
            mine=mine, my_status={r.meetup_id: r for r in mine},
            notice_ask=consent.Ask(seen=counts.seen, latest=counts.latest))

    body_html = pagecache.cached_html(db.session, "portal.home",
                                      (membership.id, now.isoformat()), body)
    return render_template("portal/home.html", body_html=body_html)


@bp.get("/about")
def about() -> Any:
    return _public_page()
