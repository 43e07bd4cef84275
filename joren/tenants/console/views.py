"""The organizer console shell: the dashboard, community settings, a member's story and a
registration taken by hand."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from joren.platform import pagecache
from joren.platform.communities.forms import SettingsForm, timezone_choices
from joren.platform.communities.services import COMMON_TIMEZONES, update_community
from joren.platform.db import db, utcnow
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, require
from joren.platform.membership.models import Member, MemberStatus
from joren.platform.pagination import Page, page_number
from joren.tenants.console.forms import ManualRegistrationForm, NoteForm
from joren.tenants.console.labels import INTRODUCTION_LABELS, REFERRAL_LABELS
from joren.tenants.console.services import dashboard as dashboard_figures
from joren.tenants.console.story import TIMELINE_PER_PAGE, NoteError, add_note, story
from joren.tenants.engagement.labels import LEVEL_LABELS
from joren.tenants.meetups.labels import STATUS_LABELS
from joren.tenants.meetups.models import Meetup
from joren.tenants.meetups.registrations import reading
from joren.tenants.meetups.registrations.manual import register_by_hand
from joren.tenants.meetups.registrations.seats import RegistrationError
from joren.tenants.members.consent import services as consent
from joren.tenants.members.consent.purposes import CHOICES as CONSENT_CHOICES
from joren.tenants.members.consent.purposes import LABELS as CONSENT_LABELS
from joren.tenants.members.services import matching_ids, reading_order
from joren.tenants.payments.labels import method_labels
from joren.tenants.payments.labels import status_labels as payment_status_labels

bp = Blueprint("console", __name__, url_prefix="/admin")


@bp.get("/")
@require(Capability.VIEW_CONSOLE)
def dashboard() -> Any:
    welcome = request.args.get("welcome") == "1"
    # Its figures count from the present moment (the next meetup, who lapsed): besides any
    # change in the community, the kept page is renewed every minute. What the reader may
    # do follows their role.
    minute = utcnow().replace(second=0, microsecond=0).isoformat()
    body_html = pagecache.cached_html(
        db.session, "console.dashboard", (g.membership.role.value, welcome, minute),
        lambda: render_template("console/_dashboard_body.html",
                                figures=dashboard_figures(db.session), welcome=welcome))
    return render_template("console/dashboard.html", body_html=body_html)


@bp.route("/settings", methods=["GET", "POST"])
@require(Capability.MANAGE_SETTINGS)
def settings() -> Any:
    if request.method == "GET":
        # Rendering the form's fields (two dozen time zones, the kinds, the languages) was the
        # page's whole cost: the body is kept by the page cache. It shows the community's own
        # row (its writes mark the community) and, by the reader's role, the link to the
        # public page's settings.
        body_html = pagecache.cached_html(
            db.session, "console.settings", (g.membership.role.value,),
            lambda: _settings_body(_settings_form()))
        return render_template("console/settings.html", body_html=body_html)
    form = _settings_form()
    community = g.community
    if form.validate_on_submit():
        update_community(
            db.session, community,
            name=form.name.data, description=(form.description.data or "").strip(),
            kind=form.kind.data, city=(form.city.data or "").strip(),
            timezone=form.timezone.data, default_language=form.default_language.data,
            is_public=bool(form.is_public.data),
        )
        db.session.commit()
        flash(_("Settings saved."), "success")
        return redirect(url_for(".settings"))
    # A refused save: the page shows what was typed and why, never kept.
    return render_template("console/settings.html",
                           body_html=Markup(_settings_body(form)))  # noqa: S704 - Jinja's autoescaped output


def _settings_form() -> SettingsForm:
    community = g.community
    form = SettingsForm(obj=community)
    if request.method == "GET":
        form.kind.data = community.kind.value
    if community.timezone not in COMMON_TIMEZONES:
        form.timezone.choices = [(community.timezone, community.timezone), *timezone_choices()]
    return form


def _settings_body(form: SettingsForm) -> str:
    return render_template("console/_settings_body.html", form=form)


# --- a member's story -----------------------------------------------------------------------

NOTE_ERRORS = {
    "empty": _l("Write a note, or tick that you contacted them."),
    "long": _l("A note can be at most 1,000 characters."),
}


@bp.route("/members/<int:member_id>/story", methods=["GET", "POST"])
@require(Capability.VIEW_MEMBERS, post=Capability.MANAGE_MEMBERS)
def member_story(member_id: int) -> Any:
    # Which visits have started (a meetup with no attendance recorded) follows the clock:
    # the page is computed as of the start of the minute, which is in the key.
    now = utcnow().replace(second=0, microsecond=0)
    if request.method == "GET":
        return _kept_story(member_id, now)
    member = get_or_404(Member, member_id)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_note(db.session, member, g.membership, form.body.data or "",
                     contacted=bool(form.contacted.data))
        except NoteError as exc:
            db.session.rollback()
            form.form_errors.append(str(NOTE_ERRORS[str(exc)]))
        else:
            db.session.commit()
            flash(_("The note was saved."), "success")
            return redirect(url_for(".member_story", member_id=member.id))
    # A refused note: the page shows what was written and why, never kept.
    body_html = Markup(_story_body(member, now, form, {}))  # noqa: S704 - Jinja's autoescaped output
    return _story_frame(body_html, member.display_name), 422


def _kept_story(member_id: int, now: Any) -> str:
    """The story as a GET shows it, kept by the page cache: by member, the reader's role (who
    may write notes), every argument (the pager) and the minute. The member is read only when
    the page is computed: a kept page proves it was this community's (another's id answers
    404 as it computes; any write in the community asks for another key). Their address's
    unsubscribes (a platform table: an unsubscribe link marks no community) are read again
    on every view, by the address the page noted (one statement); the page is kept only
    while they are as it shows them."""
    read: dict[str, Any] = {}

    def body() -> str:
        # The form is made here, inside the kept HTML, so that its token is the stand-in each
        # view replaces with its reader's own.
        return _story_body(get_or_404(Member, member_id), now, NoteForm(), read)

    def unsubscribes_unchanged(about: Any) -> bool:
        return isinstance(about, dict) and about.get("unsubscribes") == _unsubscribes_seen(
            consent.address_unsubscribes_alone(db.session, g.community.id,
                                               about.get("emails", [])))

    body_html, about = pagecache.cached_html_about(
        db.session, "console.member_story",
        (member_id, g.membership.role.value, sorted(request.args.items(multi=True)),
         now.isoformat()), body, about=lambda: dict(read), still_true=unsubscribes_unchanged)
    return _story_frame(body_html, about["title"])


def _story_body(member: Member, now: Any, form: NoteForm, read: dict[str, Any]) -> str:
    stopped = consent.unsubscribes(db.session, [member])
    read["emails"] = [member.email] if member.email else []
    read["unsubscribes"] = _unsubscribes_seen(stopped)
    read["title"] = member.display_name
    page = page_number(request.args.get("page"))
    found = story(db.session, member, page)
    pages = Page(items=found.timeline, total=found.visits, page=page,
                 per_page=TIMELINE_PER_PAGE)
    return render_template(
        "console/_story_body.html", member=member, story=found, form=form,
        timeline_page=pages, now=now, level_labels=LEVEL_LABELS,
        introduction_labels=INTRODUCTION_LABELS, referral_labels=REFERRAL_LABELS,
        payment_method_labels=method_labels(), payment_status_labels=payment_status_labels(),
        consent=consent.overviews(db.session, [member], stopped)[member.id],
        consent_labels=CONSENT_LABELS, consent_choices=CONSENT_CHOICES)


def _story_frame(body_html: Markup, title: str) -> str:
    return render_template("console/story.html", body_html=body_html, title=title)


def _unsubscribes_seen(stopped: dict[str, dict[str, Any]]) -> list[list[str]]:
    return sorted([email, category, at.isoformat()] for email, stops in stopped.items()
                  for category, at in stops.items())


# --- a registration taken by hand ----------------------------------------------------------

SEARCH_SHOWN = 10


@bp.route("/meetups/<int:meetup_id>/register-by-hand", methods=["GET", "POST"])
@require(Capability.MANAGE_MEETUPS)
def manual_registration(meetup_id: int) -> Any:
    query = (request.args.get("q") or "").strip()[:100]
    if request.method == "POST":
        meetup = get_or_404(Meetup, meetup_id)
        form = ManualRegistrationForm()
        if form.validate_on_submit():
            done = _register_by_hand(meetup, form)
            if done is not None:
                return done
        # A refused form: the page shows what was typed and why, never kept.
        body_html = Markup(_manual_body(meetup, query, form))  # noqa: S704 - Jinja's autoescaped output
        return render_template("console/manual_registration.html", meetup_title=meetup.title,
                               body_html=body_html), 422
    # Kept while nothing in the community changes: the search is the only argument the page
    # reads (the form, made inside the kept HTML, carries a stand-in for the reader's token).
    # The meetup is read only when the page is computed: a kept page proves it was this
    # community's (another's id answers 404 as it computes, never kept).
    seen: dict[str, Any] = {}

    def body() -> str:
        meetup = get_or_404(Meetup, meetup_id)
        seen["title"] = meetup.title
        return _manual_body(meetup, query, ManualRegistrationForm())

    body_html, about = pagecache.cached_html_about(
        db.session, "console.manual_registration", (meetup_id, query), body,
        about=lambda: dict(seen))
    return render_template("console/manual_registration.html", meetup_title=about["title"],
                           body_html=body_html)


def _manual_body(meetup: Meetup, query: str, form: ManualRegistrationForm) -> str:
    chosen = db.session.get(Member, form.member_id.data) if form.member_id.data else None
    found = _search(query) if query else []
    counts = reading.counts(db.session, [meetup.id])[meetup.id]
    return render_template("console/_manual_registration_body.html", meetup=meetup, form=form,
                           query=query, found=found, chosen=chosen, counts=counts)


def _search(query: str) -> list[Member]:
    ids = matching_ids(query)
    if ids is None:
        return []
    return list(db.session.scalars(
        select(Member).where(Member.id.in_(ids), Member.status != MemberStatus.INACTIVE)
        .order_by(*reading_order()).limit(SEARCH_SHOWN)))


def _register_by_hand(meetup: Meetup, form: ManualRegistrationForm) -> Any:
    member = None
    guest = None
    if form.member_id.data:
        member = get_or_404(Member, form.member_id.data)
    else:
        guest = {name: form[name].data or "" for name in form.GUEST_FIELDS}
    try:
        registration = register_by_hand(
            db.session, meetup, source=form.source.data, member=member, guest=guest,
            notify=bool(form.notify.data), note=form.note.data or "")
    except RegistrationError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc.message))
        return None
    db.session.commit()
    flash(_("%(name)s is registered: %(status)s.", name=registration.member.display_name,
            status=STATUS_LABELS[registration.status]), "success")
    return redirect(url_for("community.registrations.console_list", meetup_id=meetup.id))
