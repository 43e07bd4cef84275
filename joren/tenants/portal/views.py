"""The member portal and the public community page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template
from sqlalchemy import func, select

from joren.platform.db import db, utcnow
from joren.platform.membership.edge import active_membership
from joren.tenants.meetups.models import ATTENDED, Attendance
from joren.tenants.meetups.registrations.reading import upcoming_registrations
from joren.tenants.meetups.views import portal_meetups
from joren.tenants.members.consent import services as consent

bp = Blueprint("portal", __name__)
# How many of the member's own upcoming registrations the home page lists.
MINE_SHOWN = 5


def _public_page() -> Any:
    community = g.community
    if not community.is_public and active_membership() is None:
        return render_template("portal/public/private_community.html")
    upcoming = portal_meetups(True, public_only=True, limit=5)
    return render_template("portal/public/community.html", upcoming=upcoming)


@bp.get("/")
def home() -> Any:
    membership = active_membership()
    if membership is None:
        return _public_page()
    attended = db.session.scalar(
        select(func.count(Attendance.id)).where(
            Attendance.member_id == membership.id, Attendance.status.in_(ATTENDED))
    ) or 0
    upcoming = portal_meetups(True, public_only=False, limit=3)
    mine = upcoming_registrations(db.session, membership.id, utcnow(), limit=MINE_SHOWN)
    return render_template("portal/home.html", upcoming=upcoming, attended=attended,
                           mine=mine, my_status={r.meetup_id: r for r in mine},
                           notice_ask=consent.ask_state(db.session, membership.id))


@bp.get("/about")
def about() -> Any:
    return _public_page()
