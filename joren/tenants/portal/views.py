"""The member portal and the public community page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, render_template
from sqlalchemy import func, select

from joren.platform.communities.edge import active_membership
from joren.platform.db import db, utcnow
from joren.tenants.meetups.models import ATTENDED, Attendance, Meetup

bp = Blueprint("portal", __name__)


def _upcoming(public_only: bool, limit: int) -> list[Meetup]:
    stmt = select(Meetup).where(Meetup.starts_at >= utcnow())
    if public_only:
        stmt = stmt.where(Meetup.is_public.is_(True))
    return list(db.session.scalars(stmt.order_by(Meetup.starts_at).limit(limit)))


def _public_page() -> Any:
    community = g.community
    if not community.is_public and active_membership() is None:
        return render_template("public/private_community.html")
    return render_template("public/community.html", upcoming=_upcoming(True, limit=5))


@bp.get("/")
def home() -> Any:
    membership = active_membership()
    if membership is None:
        return _public_page()
    attended = db.session.scalar(
        select(func.count(Attendance.id)).where(
            Attendance.member_id == membership.id, Attendance.status.in_(ATTENDED))
    ) or 0
    return render_template("portal/home.html", upcoming=_upcoming(False, limit=3),
                           attended=attended)


@bp.get("/about")
def about() -> Any:
    return _public_page()
