"""Before and after each meetup: the three gives, "we talked", the journal, email preferences.

Portal pages (signed-in members): my evenings, the gives of one meetup, the private journal
and email preferences. The "we talked" link of the emails works without signing in: its
signed token is the credential; a forged, expired or other community's token gets a friendly
page (404), never a 500.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.inputs import int_arg
from joren.platform.membership.edge import active_membership, get_or_404, member_required
from joren.platform.membership.models import Member
from joren.platform.signing import LinkInvalid
from joren.tenants.meetups.models import Meetup
from joren.tenants.members.consent import services as consent
from joren.tenants.members.consent.purposes import Surface
from joren.tenants.relationships import journal, preferences
from joren.tenants.relationships.habits import links as habit_links
from joren.tenants.relationships.habits.forms import (
    PREFERENCE_LABELS,
    ConfirmForm,
    GivesForm,
    JournalEntryForm,
    NudgeContactForm,
    PreferencesForm,
)
from joren.tenants.relationships.habits.people import public_name
from joren.tenants.relationships.habits.schedule import local_date
from joren.tenants.relationships.models import ContactKind
from joren.tenants.relationships.services import LedgerError

bp = Blueprint("habits", __name__)

JOURNAL_ERRORS = {
    "empty": _l("Please write something first."),
    "too_long": _l("That is too long. Please shorten it."),
    "unknown_meetup": _l("Please choose one of the listed meetups."),
}


def _me() -> Member:
    member = active_membership()
    assert member is not None  # member_required
    return member


@bp.get("/evenings")
@member_required
def evenings() -> Any:
    """My evenings: the next meetups with my gives and people to meet; recent ones to note."""
    # Kept by the page cache: which meetups are next or recent follows the clock, so the page
    # is computed as of the start of the minute; the key holds the member and that minute.
    member_id = _me().id
    now = utcnow().replace(second=0, microsecond=0)

    def body() -> str:
        upcoming, past = journal.evenings(db.session, member_id, now=now)
        return render_template("relationships/habits/_evenings_body.html", upcoming=upcoming,
                               past=past)

    body_html = pagecache.cached_html(db.session, "habits.evenings",
                                      (member_id, now.isoformat()), body)
    return render_template("relationships/habits/evenings.html", body_html=body_html)


@bp.route("/meetups/<int:meetup_id>/gives", methods=["GET", "POST"])
@member_required
def gives(meetup_id: int) -> Any:
    member = _me()
    if request.method == "GET":
        # Kept by the page cache by member and meetup. The meetup is read only when the page
        # is computed: a kept page proves it was this community's (another's id answers 404
        # as it computes; any write in the community asks for another key).
        found: dict[str, Any] = {}

        def body() -> str:
            meetup: Meetup = get_or_404(Meetup, meetup_id)
            allowed = journal.takes_part(db.session, member.id, meetup)
            saved = journal.written(journal.gives_of(db.session, member.id, meetup.id))
            form = GivesForm(formdata=None)
            if allowed:
                start = saved or journal.suggested_gives(member)
                for field_, value in zip((form.give_1, form.give_2, form.give_3), start,
                                         strict=False):
                    field_.data = value
            found["title"] = meetup.title
            return _gives_body(meetup, form, saved, allowed)

        body_html, title = pagecache.cached_html_about(
            db.session, "habits.gives", (member.id, meetup_id), body,
            about=lambda: found["title"])
        return _gives_frame(body_html, title)
    meetup = get_or_404(Meetup, meetup_id)
    if not journal.takes_part(db.session, member.id, meetup):
        abort(403)
    saved = journal.written(journal.gives_of(db.session, member.id, meetup.id))
    form = GivesForm()
    if form.validate():
        try:
            journal.save_gives(db.session, member.id, meetup.id, form.gives())
        except journal.JournalInvalid:
            db.session.rollback()
            form.give_1.errors = [*form.give_1.errors, JOURNAL_ERRORS["too_long"]]
        else:
            db.session.commit()
            flash(_("Saved. They are on your evenings page for this meetup."), "success")
            return redirect(url_for(".gives", meetup_id=meetup.id))
    return _gives_frame(Markup(_gives_body(meetup, form, saved, True)), meetup.title)  # noqa: S704 - Jinja's autoescaped output


def _gives_body(meetup: Meetup, form: GivesForm, saved: list[str], allowed: bool) -> str:
    return render_template("relationships/habits/_gives_body.html", meetup=meetup, form=form,
                           saved=saved, allowed=allowed, prefilled=not saved and allowed)


def _gives_frame(body_html: Markup, title: str) -> str:
    return render_template("relationships/habits/gives.html", body_html=body_html, title=title)


# -- the journal ----------------------------------------------------------------------------------

def _journal_form(member: Member, entry: Any = None,
                  now: datetime | None = None) -> JournalEntryForm:
    """The note's form; the meetups it may be about as of ``now`` (default: right now)."""
    form = JournalEntryForm(obj=entry)
    form.set_meetups(journal.journal_meetups(db.session, member.id, now),
                     lambda value: format_date(value, "yyyy/MM/dd"))
    if request.method == "GET":
        if entry is not None:
            form.meetup_id.data = entry.meetup_id or 0
        else:
            wanted = int_arg("meetup_id", 0)
            known = {c.value for c in form.meetup_id.choices}  # type: ignore[union-attr]
            form.meetup_id.data = wanted if wanted in known else 0
    return form


def _journal_body(form: JournalEntryForm, entry: Any = None, **extra: Any) -> str:
    return render_template("relationships/habits/_journal_form_body.html", form=form,
                           entry=entry, **extra)


def _journal_page(body_html: str, editing: bool = False) -> str:
    # A refused form's body is computed here (a str): it is Jinja's autoescaped output too.
    return render_template("relationships/habits/journal_form.html", editing=editing,
                           body_html=Markup(body_html))  # noqa: S704 - Jinja's autoescaped output


def _save_entry(form: JournalEntryForm, member: Member, entry: Any = None) -> bool:
    if not form.validate():
        return False
    meetup_id = form.meetup_id.data or None
    try:
        if entry is None:
            journal.add_entry(db.session, member.id, form.body.data or "", meetup_id)
        else:
            journal.update_entry(db.session, entry, form.body.data or "", meetup_id)
    except journal.JournalInvalid as exc:
        db.session.rollback()
        field_ = form.meetup_id if exc.code == "unknown_meetup" else form.body
        field_.errors = [*field_.errors, JOURNAL_ERRORS[exc.code]]
        return False
    db.session.commit()
    return True


@bp.get("/journal", endpoint="journal")
@member_required
def journal_list() -> Any:
    # Kept by the page cache: the meetups a note may be about follow the clock, so the page is
    # computed as of the start of the minute; the key holds the member, that minute and the
    # page number.
    member_id = _me().id
    number = int_arg("page", 1)
    now = utcnow().replace(second=0, microsecond=0)

    def body() -> str:
        page = journal.journal_page(db.session, member_id, number)
        meetups = {m.id: m for m in journal.journal_meetups(db.session, member_id, now)}
        return render_template("relationships/habits/_journal_body.html", page=page,
                               meetups=meetups)

    body_html = pagecache.cached_html(db.session, "habits.journal",
                                      (member_id, now.isoformat(), number), body)
    return render_template("relationships/habits/journal.html", body_html=body_html)


@bp.route("/journal/new", methods=["GET", "POST"])
@member_required
def journal_new() -> Any:
    member = _me()
    if request.method == "POST":
        form = _journal_form(member)
        if _save_entry(form, member):
            flash(_("Saved in your journal."), "success")
            return redirect(url_for(".journal"))
        return _journal_page(_journal_body(form))
    # Kept by the page cache: the meetups a note may be about follow the clock, so the form is
    # computed as of the start of the minute; the key holds the member, that minute and the
    # meetup asked for.
    now = utcnow().replace(second=0, microsecond=0)
    wanted = int_arg("meetup_id", 0)
    return _journal_page(pagecache.cached_html(
        db.session, "habits.journal_new", (member.id, now.isoformat(), wanted),
        lambda: _journal_body(_journal_form(member, now=now))))


def _own_entry(entry_id: int) -> Any:
    entry = journal.entry_of(db.session, _me().id, entry_id)
    if entry is None:
        abort(404)  # someone else's (an organizer's too) or another community's
    return entry


@bp.route("/journal/<int:entry_id>", methods=["GET", "POST"])
@member_required
def journal_edit(entry_id: int) -> Any:
    member = _me()
    if request.method == "GET":
        # Kept by the page cache as the new note's form is (by member and minute), and by
        # note. The note is read (someone else's or another community's: 404) only when the
        # form is computed: a kept form proves it was the member's own, and any write in the
        # community asks for another key.
        now = utcnow().replace(second=0, microsecond=0)

        def body() -> str:
            entry = _own_entry(entry_id)
            return _journal_body(_journal_form(member, entry, now=now), entry,
                                 delete_form=ConfirmForm())

        return _journal_page(pagecache.cached_html(
            db.session, "habits.journal_edit", (member.id, entry_id, now.isoformat()), body),
            editing=True)
    entry = _own_entry(entry_id)
    form = _journal_form(member, entry)
    if request.method == "POST" and _save_entry(form, member, entry):
        flash(_("Saved in your journal."), "success")
        return redirect(url_for(".journal"))
    return _journal_page(_journal_body(form, entry, delete_form=ConfirmForm()), editing=True)


@bp.post("/journal/<int:entry_id>/delete")
@member_required
def journal_delete(entry_id: int) -> Any:
    entry = _own_entry(entry_id)
    if not ConfirmForm().validate():
        abort(400)
    journal.delete_entry(db.session, entry)
    db.session.commit()
    flash(_("The note was deleted."), "info")
    return redirect(url_for(".journal"))


# -- "we talked" -----------------------------------------------------------------------------------

@bp.route("/talked/<token>", methods=["GET", "POST"])
def talked(token: str) -> Any:
    """GET: who and where, with one button. POST: log it (once)."""
    try:
        link = habit_links.read_talked_token(token, g.community.id)
    except LinkInvalid as exc:
        state = "expired" if exc.expired else "invalid"
        return render_template("relationships/habits/talked.html", state=state), 404
    pair = habit_links.link_members(db.session, link)
    meetup = db.session.get(Meetup, link.meetup_id) if link.meetup_id is not None else None
    if pair is None or (link.meetup_id is not None and meetup is None):
        return render_template("relationships/habits/talked.html", state="invalid"), 404
    _member, other = pair
    form = NudgeContactForm() if meetup is None else ConfirmForm()
    state = "done" if habit_links.already_logged(db.session, link) else "confirm"
    if request.method == "POST" and state == "confirm":
        if not form.validate():
            return render_template("relationships/habits/talked.html", state=state, form=form,
                                   meetup=meetup, other_name=public_name(other)), 400
        kind = ContactKind(form.kind.data) if meetup is None else ContactKind.TALKED
        happened = local_date(meetup.starts_at, g.community) if meetup is not None else None
        try:
            habit_links.log_talked(db.session, link, kind=kind, happened_on=happened)
        except (LedgerError, ValueError):  # e.g. a member or meetup gone meanwhile
            db.session.rollback()
            return render_template("relationships/habits/talked.html", state="invalid"), 404
        db.session.commit()
        state = "logged"
    return render_template("relationships/habits/talked.html", state=state, form=form,
                           meetup=meetup, other_name=public_name(other))


# -- email preferences -------------------------------------------------------------------

@bp.route("/email-preferences", methods=["GET", "POST"], endpoint="preferences")
@member_required
def preferences_page() -> Any:
    member = _me()
    email = member.email or ""
    if request.method == "GET":
        # The address's unsubscribes (a platform table: an unsubscribe link marks no
        # community) are read on every view (one statement of its own, no transaction) and
        # are in the key with the member and the address: the page is kept while they are
        # as it shows them. The form is built only when the page is computed.
        stopped = (preferences.stopped_categories_alone(db.session, email, g.community.id)
                   if email else set())
        return _preferences_frame(pagecache.cached_html(
            db.session, "habits.preferences", (member.id, email, sorted(stopped)),
            lambda: _preferences_body(PreferencesForm(formdata=None), email, stopped)))
    form = PreferencesForm()
    if email and form.validate():
        before = consent.current_state(db.session, member)
        if request.form.get("action") == "resume_all":
            preferences.resubscribe(db.session, email, preferences.ALL, g.community.id)
        else:
            preferences.save(db.session, email, g.community.id,
                             {c: bool(form[c].data) for c in preferences.TOGGLES})
        db.session.flush()
        consent.record_flag_changes(db.session, member, g.community, before,
                                    surface=Surface.PROFILE, now=utcnow())
        db.session.commit()
        flash(_("Your email preferences are saved."), "success")
        return redirect(url_for(".preferences"))
    stopped = preferences.stopped_categories(db.session, email, g.community.id) if email \
        else set()
    return _preferences_frame(Markup(_preferences_body(form, email, stopped)))  # noqa: S704 - Jinja's autoescaped output


def _preferences_body(form: PreferencesForm, email: str, stopped: set[str]) -> str:
    if request.method == "GET":
        for category in preferences.TOGGLES:
            form[category].data = category not in stopped
    return render_template("relationships/habits/_preferences_body.html", form=form,
                           email=email, all_stopped=preferences.ALL in stopped,
                           labels=PREFERENCE_LABELS, toggles=preferences.TOGGLES)


def _preferences_frame(body_html: Markup) -> str:
    return render_template("relationships/habits/preferences.html", body_html=body_html)
