"""Member profiles (portal: my profile; console: guests' rows) and the member directory."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.i18n import current_language
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, member_required, require
from joren.platform.membership.models import Member
from joren.tenants.members import vocabulary
from joren.tenants.members.consent import services as consent
from joren.tenants.members.consent.purposes import Purpose, Surface
from joren.tenants.members.industries import (
    COMPANY_SIZES,
    INDUSTRIES,
    PREFECTURE_REGION,
    PREFECTURES,
    REGIONS,
)
from joren.tenants.members.profiles.forms import (
    DirectoryFilterForm,
    ProfileForm,
    concept_choices,
    industry_choices,
    size_choices,
)
from joren.tenants.members.profiles.services import (
    ProfileForbidden,
    ProfileInvalid,
    directory_member,
    may_edit,
    profile_view,
    search_directory,
    update_member_profile,
)
from joren.tenants.members.signals import (
    MemberLevels,
    ProfileSections,
    member_levels_wanted,
    profile_sections_wanted,
)

bp = Blueprint("profiles", __name__)

ERRORS = {
    "too_long": _l("Please use at most %(max)s characters."),
    "bad_url": _l("Please enter a full web address starting with https:// or http://."),
    "unknown_choice": _l("Please choose one of the listed options."),
    "too_many_offers": _l("Please list at most %(max)s things you can offer."),
    "too_many_concepts": _l("Please pick at most %(max)s."),
}


def _member_levels() -> MemberLevels | None:
    """The level a feature above keeps per member (engagement), if any answers."""
    for _receiver, answer in member_levels_wanted.send(db.session):
        return answer
    return None


def _labels(levels: MemberLevels | None = None) -> dict[str, Any]:
    """Label look-ups for templates, in the reader's language."""
    language = current_language()
    return {
        "industry": {code: label(language) for code, label in INDUSTRIES.items()},
        "size": {code: label(language) for code, label in COMPANY_SIZES.items()},
        "prefecture": {code: label(language) for code, label in PREFECTURES.items()},
        "region": {code: REGIONS[region](language) for code, region in PREFECTURE_REGION.items()},
        "level": dict(levels.labels) if levels is not None else {},
        "concept": {code: c.label(language) for code, c in vocabulary.concepts().items()},
    }


def _save(form: ProfileForm, member: Member) -> bool:
    """Validate and save; on refusal put the messages next to the fields, change nothing."""
    if not form.validate():
        return False
    own = member.id == g.membership.id
    before = consent.state_from_flags(member, set())
    try:
        update_member_profile(db.session, g.membership, member, form.submitted())
        if own:  # the person's own choice: part of their consent history
            consent.record_flag_changes(
                db.session, member, g.community,
                {p: before[p] for p in (Purpose.INTRODUCTIONS, Purpose.DIRECTORY)},
                surface=Surface.PROFILE, now=utcnow())
    except ProfileForbidden:
        abort(403)
    except ProfileInvalid as exc:
        db.session.rollback()
        for name, (code, params) in exc.errors.items():
            form[name].errors = [*form[name].errors, ERRORS[code] % params]
        flash(_("Nothing was saved. Please correct the highlighted fields."), "danger")
        return False
    db.session.commit()
    return True


def _edit_page(template: str, form: ProfileForm, member: Member, status: int = 200,
               **extra: Any) -> Any:
    return render_template(template, form=form, member=member, labels=_labels(),
                           industry_choices=industry_choices(),
                           size_choices=size_choices(), concept_choices=concept_choices(),
                           max_concepts=vocabulary.MAX_PICKS, **extra), status


def _sections(member: Member, groups: frozenset[str], page: str,
              now: datetime | None = None) -> list[ProfileSections]:
    """What the features above add to this profile page (the gives for a meetup soon, the
    buttons to log a contact, ...), as of ``now`` (default: right now)."""
    return [answer for _receiver, answer in profile_sections_wanted.send(
        db.session, viewer=g.membership, member=member, groups=groups, page=page, now=now)]


@bp.route("/profile", methods=["GET", "POST"])
@member_required
def mine() -> Any:
    member = g.membership
    if request.method == "POST":
        form = ProfileForm()
        if _save(form, member):
            flash(_("Your profile has been saved."), "success")
            return redirect(url_for(".mine"))
        return _mine_page(_mine_body(form, member), 422)
    # Kept by the page cache: the gives shown for a meetup soon follow the clock, so the page
    # is computed as of the start of the minute; the key holds the member and that minute.
    now = utcnow().replace(second=0, microsecond=0)
    return _mine_page(pagecache.cached_html(
        db.session, "profiles.mine", (member.id, now.isoformat()),
        lambda: _mine_body(_loaded(member), member, now)))


def _mine_body(form: ProfileForm, member: Member, now: datetime | None = None) -> str:
    return _edit_page("members/profiles/_mine_body.html", form, member,
                      sections=_sections(member, frozenset({"give_ask"}), "mine", now))[0]


def _mine_page(body_html: str, status: int = 200) -> Any:
    # A refused form's body is computed here, not kept: Jinja's output, marked safe as the
    # kept one is (else the page would show its HTML as text).
    return render_template("members/profiles/mine.html",
                           body_html=Markup(body_html)), status  # noqa: S704 - Jinja's autoescaped output


@bp.route("/admin/members/<int:member_id>/profile", methods=["GET", "POST"])
@require(Capability.MANAGE_MEMBERS)
def console_edit(member_id: int) -> Any:
    if member_id == g.membership.id:
        abort(403)  # their own profile is edited on the portal
    if request.method == "POST":
        member = _editable(member_id)
        form = ProfileForm()
        if _save(form, member):
            flash(_("Saved."), "success")
            return redirect(url_for("community.members.console_detail", member_id=member.id))
        return _console_edit_page(_title(member), _console_edit_body(form, member), 422)
    # The form filled from the row is the same for every organizer: kept by the page cache,
    # the key holds the member and what decides whether the reader may edit the row (their
    # role and status). The member is read only when the page is computed: a kept page proves
    # it was this community's and editable (another's id answers 404, a row the reader may
    # not edit 403, as it computes; neither is kept).
    seen: dict[str, Any] = {}

    def body() -> str:
        member = _editable(member_id)
        seen["title"] = _title(member)
        return _console_edit_body(_loaded(member), member)

    body_html, about = pagecache.cached_html_about(
        db.session, "profiles.console_edit",
        (member_id, g.membership.role.value, g.membership.status.value), body,
        about=lambda: dict(seen))
    return _console_edit_page(about["title"], body_html)


def _editable(member_id: int) -> Member:
    member = get_or_404(Member, member_id)
    if not may_edit(g.membership, member):
        abort(403)
    return member


def _title(member: Member) -> str:
    return member.display_name or member.email or ""


def _loaded(member: Member) -> ProfileForm:
    form = ProfileForm()
    form.load(member)
    return form


def _console_edit_body(form: ProfileForm, member: Member) -> str:
    return _edit_page("members/profiles/_console_edit_body.html", form, member)[0]


def _console_edit_page(title: str, body_html: str, status: int = 200) -> Any:
    return render_template("members/profiles/console_edit.html", title=title,
                           body_html=body_html), status


@bp.get("/directory")
@member_required
def directory() -> Any:
    """Kept by the page cache and shared by every reader of the same role (what a member sees
    of others follows their settings and the reader's role alone): the key holds the role and
    every argument. The one row that differs is the reader's own (they see all of it), so a
    page that lists its reader is computed for them, under a key that holds them too."""
    me = g.membership
    arguments = sorted(request.args.items(multi=True))
    listed: dict[str, Any] = {}
    body_html, shown = pagecache.cached_html_about(
        db.session, "profiles.directory", (me.role.value, arguments),
        lambda: _directory_body(own=False, listed=listed), about=lambda: listed.get("ids"))
    if not me.is_organizer and me.id in (shown or []):
        body_html = pagecache.cached_html(
            db.session, "profiles.directory.own", (me.role.value, arguments, me.id),
            lambda: _directory_body(own=True, listed=listed))
    return render_template("members/profiles/directory.html", body_html=body_html)


def _directory_body(own: bool, listed: dict[str, Any]) -> str:
    form = DirectoryFilterForm(request.args)
    levels = _member_levels()
    labels = _labels(levels)
    form.level.choices = [("", _("All engagement levels")), *labels["level"].items()]
    if not labels["level"]:
        del form.level
    if not form.validate():
        form = DirectoryFilterForm(formdata=None)
        if not labels["level"]:
            del form.level
    level = form.level.data if "level" in form else ""
    page = search_directory(db.session, g.membership, query=form.q.data or "",
                            industry=form.industry.data or "", level=level or "",
                            levels=levels, page=form.page.data or 1, own=own)
    listed["ids"] = [profile.member_id for profile in page.items]
    return render_template("members/profiles/_directory_body.html", form=form, page=page,
                           labels=labels)


@bp.get("/members/<int:member_id>")
@member_required
def show(member_id: int) -> Any:
    """A member's profile as the reader may see it. Kept by the page cache: what shows
    follows the reader (their role, their own page) and the gives for a meetup soon follow
    the clock, so the page is computed as of the start of the minute; the key holds the
    reader, the member and that minute. A member the reader may not see is a 404, never
    kept."""
    me = g.membership
    now = utcnow().replace(second=0, microsecond=0)
    found: dict[str, Any] = {}
    body_html, name = pagecache.cached_html_about(
        db.session, "profiles.show", (me.id, member_id, now.isoformat()),
        lambda: _show_body(member_id, now, found), about=lambda: found["name"])
    return render_template("members/profiles/show.html", body_html=body_html,
                           display_name=name)


def _show_body(member_id: int, now: datetime, found: dict[str, Any]) -> str:
    member = get_or_404(Member, member_id)
    if member.id != g.membership.id and not g.membership.is_organizer:
        member = directory_member(db.session, member_id)
        if member is None:
            abort(404)
    profile = profile_view(g.membership, member)
    found["name"] = profile.display_name
    return render_template("members/profiles/_show_body.html", profile=profile,
                           labels=_labels(),
                           sections=_sections(member, profile.groups, "show", now))
