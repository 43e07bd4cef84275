"""Calendar feeds, tickets (QR) and the one-click "can't make it" link.

The feeds and tickets are read by calendar apps and door scanners that carry no session: the
secret in the URL is the credential, so an unknown, forged or other community's token is a
plain 404.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import segno
from flask import Blueprint, Response, abort, g, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from joren.platform.communities.edge import active_membership, member_required
from joren.platform.db import db, utcnow
from joren.tenants.meetups import ical, reminders
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.members.models import Member, MemberStatus

bp = Blueprint("feeds", __name__)

# How far back a feed reaches (recent meetups stay visible in calendars for a while).
FEED_PAST = timedelta(days=90)
FEED_MAX_AGE = 900
TICKET_TOKEN = re.compile(r"[A-Za-z0-9_-]{8,64}")
FEED_STATUSES = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED,
                 RegistrationStatus.PENDING, RegistrationStatus.OFFERED,
                 RegistrationStatus.AWAITING_PAYMENT)


def _calendar_response(body: bytes, filename: str, *, public: bool) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ical.CONTENT_TYPE
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    visibility = "public" if public else "private"
    response.headers["Cache-Control"] = f"{visibility}, max-age={FEED_MAX_AGE}"
    if not public:
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
    response.add_etag()
    return response.make_conditional(request)


def _meetup_url(meetup: Meetup) -> str:
    return url_for("community.meetups.portal_detail", meetup_id=meetup.id, _external=True)


@bp.get("/calendar.ics")
def community_ics() -> Any:
    """The community's public meetups (no sign-in; members-only meetups never appear)."""
    community = g.community
    if not community.is_public:
        abort(404)
    meetups = db.session.scalars(
        select(Meetup)
        .where(Meetup.is_public.is_(True), Meetup.starts_at >= utcnow() - FEED_PAST)
        .order_by(Meetup.starts_at, Meetup.id)
    ).all()
    body = ical.feed_ics(((m, None) for m in meetups), calendar_name=community.name,
                         timezone=community.timezone, host=reminders.site_host(),
                         url_for_meetup=_meetup_url)
    return _calendar_response(body, f"{community.slug}.ics", public=True)


@bp.get("/calendar/<token>.ics")
def member_ics(token: str) -> Any:
    """One member's own registrations, behind a secret link."""
    member_id = reminders.read_member_feed_token(token, g.community.id)
    member = db.session.get(Member, member_id) if member_id is not None else None
    if member is None or member.status == MemberStatus.INACTIVE:
        abort(404)
    registrations = db.session.scalars(
        select(Registration)
        .join(Registration.meetup)
        .options(selectinload(Registration.meetup))
        .where(Registration.member_id == member.id, Registration.status.in_(FEED_STATUSES),
               Meetup.starts_at >= utcnow() - FEED_PAST)
        .order_by(Meetup.starts_at, Meetup.id)
    ).all()
    body = ical.feed_ics(((r.meetup, r.status) for r in registrations),
                         calendar_name=g.community.name, timezone=g.community.timezone,
                         host=reminders.site_host(), url_for_meetup=_meetup_url)
    return _calendar_response(body, f"{g.community.slug}-mine.ics", public=False)


@bp.get("/calendar/subscribe")
@member_required
def subscribe() -> Any:
    member = active_membership()
    assert member is not None
    token = reminders.member_feed_token(member)
    mine = url_for("community.feeds.member_ics", token=token, _external=True)
    public = url_for("community.feeds.community_ics", _external=True)
    return render_template(
        "feeds/subscribe.html", mine_url=mine, mine_webcal=_webcal(mine),
        public_url=public if g.community.is_public else None, public_webcal=_webcal(public),
    )


def _webcal(url: str) -> str:
    return "webcal://" + url.split("://", 1)[-1]


def _registration_by_ticket(token: str) -> Registration:
    if not TICKET_TOKEN.fullmatch(token):
        abort(404)  # and never send a NUL byte or a megabyte to the database
    registration = db.session.scalar(
        select(Registration)
        .options(selectinload(Registration.meetup), selectinload(Registration.member))
        .where(Registration.checkin_token == token)
    )
    if registration is None:
        abort(404)
    return registration


@bp.get("/tickets/<token>")
def ticket(token: str) -> Any:
    """The registration's QR code and meetup details, to show at the door."""
    registration = _registration_by_ticket(token)
    return render_template("feeds/ticket.html", registration=registration,
                           meetup=registration.meetup, member=registration.member,
                           qr_svg=_qr_svg(registration.checkin_token), map_url=reminders.map_link(
                               registration.meetup),
                           valid=registration.status == RegistrationStatus.GOING)


@bp.get("/tickets/<token>.svg")
def ticket_qr(token: str) -> Any:
    registration = _registration_by_ticket(token)
    response = Response(_qr_svg(registration.checkin_token, scale=8), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


def _qr_svg(content: str, scale: int = 6) -> str:
    """The QR code holds the registration's check-in token, which the door scanner posts."""
    out = io.BytesIO()
    segno.make_qr(content, error="m").save(out, kind="svg", scale=scale, border=2,
                                          xmldecl=False, title="QR")
    return out.getvalue().decode("utf-8")


@bp.route("/meetups/cant-make-it/<token>", methods=["GET", "POST"])
def cant_make_it(token: str) -> Any:
    """GET: a confirmation page with one button; POST: free the seat."""
    registration_id = reminders.read_cant_make_it_token(token, g.community.id)
    registration = (db.session.get(Registration, registration_id)
                    if registration_id is not None else None)
    if registration is None:
        abort(404)
    meetup = registration.meetup
    started = meetup.starts_at <= utcnow()
    active = registration.status in FEED_STATUSES
    done = False
    if request.method == "POST" and active and not started:
        reminders.free_seat(db.session, registration)
        db.session.commit()
        done, active = True, False
    return render_template("feeds/cant_make_it.html", registration=registration, meetup=meetup,
                           started=started, active=active, done=done)
