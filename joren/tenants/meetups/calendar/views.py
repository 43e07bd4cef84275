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
from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from joren.platform.db import db, utcnow
from joren.platform.membership.edge import active_membership, member_required
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.urls import external_url, site_host
from joren.tenants.meetups.calendar import ical, links
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from joren.tenants.meetups.registrations.box import cancel_note
from joren.tenants.meetups.registrations.services import cancel_registration, is_checked_in

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
    # A personal feed's URL is its secret: kept by no cache (headers.py adds no-referrer).
    response.headers["Cache-Control"] = (f"public, max-age={FEED_MAX_AGE}" if public
                                         else "private, no-store")
    if not public:
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
    response.add_etag()
    return response.make_conditional(request)


def _meetup_url(meetup: Meetup) -> str:
    return external_url("community.meetups.portal_detail", meetup_id=meetup.id)


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
                         timezone=community.timezone, host=site_host(),
                         url_for_meetup=_meetup_url)
    return _calendar_response(body, f"{community.slug}.ics", public=True)


@bp.get("/calendar/<token>.ics")
def member_ics(token: str) -> Any:
    """One member's own registrations, behind a secret link."""
    found = links.read_member_feed_token(token, g.community.id)
    member = db.session.get(Member, found[0]) if found is not None else None
    if (member is None or member.status == MemberStatus.INACTIVE
            or member.calendar_feed_version != found[1]):  # reset since: the old link is dead
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
                         host=site_host(), url_for_meetup=_meetup_url)
    return _calendar_response(body, f"{g.community.slug}-mine.ics", public=False)


@bp.get("/calendar/subscribe")
@member_required
def subscribe() -> Any:
    member = active_membership()
    assert member is not None
    token = links.member_feed_token(member)
    mine = external_url("community.feeds.member_ics", token=token)
    public = external_url("community.feeds.community_ics")
    return render_template(
        "meetups/calendar/subscribe.html", mine_url=mine, mine_webcal=_webcal(mine),
        public_url=public if g.community.is_public else None, public_webcal=_webcal(public),
    )


@bp.post("/calendar/reset")
@member_required
def reset_feed() -> Any:
    """A new personal feed address; calendars subscribed to the old one stop updating."""
    member = active_membership()
    assert member is not None
    links.reset_member_feed(db.session, member)
    db.session.commit()
    flash(_("Your calendar link was reset. The old address no longer works: subscribe again "
            "with the new one."), "success")
    return redirect(url_for(".subscribe"), 303)


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
    return render_template("meetups/calendar/ticket.html", registration=registration,
                           meetup=registration.meetup, member=registration.member,
                           qr_svg=_qr_svg(registration.checkin_token), map_url=ical.map_link(
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
    found = links.read_cant_make_it_token(token, g.community.id)
    registration = db.session.get(Registration, found[0]) if found is not None else None
    if registration is None or not links.cant_make_it_matches(registration, found[1]):
        abort(404)  # forged, another community's, or made for an earlier registration
    meetup = registration.meetup
    started = meetup.starts_at <= utcnow()
    if started:  # the link's lifetime ends when the meetup starts
        return render_template("meetups/calendar/cant_make_it.html", registration=registration,
                               meetup=meetup, started=True, active=False, done=False,
                               expired=True), 410
    # Checked in at the door already: the seat is taken for good, nothing to cancel.
    active = registration.status in FEED_STATUSES and not is_checked_in(db.session, registration)
    done = False
    if request.method == "POST" and active and not started:
        # The next waitlisted person is promoted and emailed.
        cancel_registration(db.session, registration, actor=None)
        db.session.commit()
        done, active = True, False
    return render_template("meetups/calendar/cant_make_it.html", registration=registration,
                           meetup=meetup, started=started, active=active, done=done,
                           cancel_note=cancel_note(db.session, registration) if active else None)
