"""The account's "your data" page and the archive it hands out."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from joren.platform import pagecache
from joren.platform.csv_export import content_disposition, csv_response
from joren.platform.db import db, utcnow
from joren.platform.membership.capabilities import Capability, has_capability
from joren.platform.membership.edge import get_or_404, member_required, require
from joren.platform.membership.models import Member, Role
from joren.platform.pagination import page_number
from joren.tenants.members.consent import defaults
from joren.tenants.members.consent import services as consent
from joren.tenants.members.consent.forms import NoticeForm
from joren.tenants.members.consent.models import NOTICE_MAX
from joren.tenants.privacy import (
    accounts,
    audit_labels,
    audit_log,
    closing,
    erasure,
    export,
    retention,
)
from joren.tenants.privacy.forms import AuditFilterForm, RetentionForm
from joren.tenants.privacy.models import RetentionSettings

bp = Blueprint("privacy", __name__)


def _readme(data: export.PersonalData) -> str:
    names = ", ".join(sorted(data.communities.values())) or _("none")
    lines = [
        _("Your data at Joren, as of %(when)s (UTC).", when=data.generated_at.strftime(
            "%Y-%m-%d %H:%M")),
        "",
        _("Communities: %(names)s", names=names),
        "",
        _("data.json holds everything in one file. Each folder holds one community's rows "
          "as CSV files that open in Excel; the folder named account holds your account, "
          "your signed-in devices and the emails Joren sent you."),
        _("Passwords, sign-in tokens and other secrets are not included."),
    ]
    return "\r\n".join(lines) + "\r\n"


@bp.get("/account/data")
@login_required
def page() -> Any:
    return render_template("privacy/data.html")


@bp.post("/account/data/archive")
@login_required
def download() -> Any:
    now = utcnow()
    data = export.collect(db.session, current_user._get_current_object(), now)
    body = export.archive(data, _readme(data))
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(
        f"joren-data-{now:%Y%m%d}.zip")
    response.headers["Cache-Control"] = "no-store"
    return response


# Inside a community (/c/<slug>/…): an organizer removes a member; a member leaves.
community = Blueprint("privacy_community", __name__)


def _may_remove(actor: Member, member: Member) -> bool:
    if member.id == actor.id:
        return False  # leaving is the member's own page
    if member.role.at_least(Role.ORGANIZER):
        return has_capability(actor, Capability.MANAGE_LEADERS)
    return True


@community.route("/admin/members/<int:member_id>/remove", methods=["GET", "POST"])
@require(Capability.MANAGE_MEMBERS)
def remove_member(member_id: int) -> Any:
    actor = g.membership
    if request.method == "GET":
        # Kept by the page cache by member, the reader's role (who may remove organizers) and
        # whether the reader is that member (never: leaving is their own page). The member is
        # read only when the page is computed: a refusal (another community's id, a member
        # already removed, one the reader may not remove) is an error as it computes, never
        # kept.
        body_html = pagecache.cached_html(
            db.session, "privacy.remove_member",
            (member_id, actor.role.value, actor.id == member_id),
            lambda: _remove_body(_removable(member_id)))
        return render_template("privacy/remove.html", body_html=body_html)
    member = _removable(member_id)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm the removal."), "danger")
        return _remove_page(member), 422
    name = member.display_name
    try:
        erasure.erase_member(db.session, member, actor=actor, now=utcnow())
    except erasure.CannotRemove:
        db.session.rollback()
        flash(_("The last owner cannot be removed."), "danger")
        return _remove_page(member), 422
    db.session.commit()
    flash(_("%(name)s was removed and their personal data erased.", name=name), "success")
    return redirect(url_for("community.members.console_list"))


def _removable(member_id: int) -> Member:
    member = get_or_404(Member, member_id)
    if erasure.is_erased(member):
        abort(404)  # already removed: nothing of theirs is left to remove
    if not _may_remove(g.membership, member):
        abort(403)
    return member


def _remove_body(member: Member) -> str:
    return render_template("privacy/_remove_body.html", member=member)


def _remove_page(member: Member) -> str:
    return render_template("privacy/remove.html",
                           body_html=Markup(_remove_body(member)))  # noqa: S704 - Jinja's autoescaped output


@community.route("/leave", methods=["GET", "POST"])
@member_required
def leave() -> Any:
    member = g.membership
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            flash(_("Tick the box to confirm that you are leaving."), "danger")
            return render_template("privacy/leave.html"), 422
        try:
            erasure.erase_member(db.session, member, actor=member, now=utcnow())
        except erasure.CannotRemove:
            db.session.rollback()
            flash(_("You are this community's only owner: make someone else an owner before "
                    "you leave."), "danger")
            return render_template("privacy/leave.html"), 422
        name = g.community.name
        db.session.commit()
        flash(_("You have left %(name)s. Your personal data there is erased.", name=name),
              "success")
        return redirect(url_for("accounts.account"))
    return render_template("privacy/leave.html")


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account() -> Any:
    account = current_user._get_current_object()
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            flash(_("Tick the box to confirm that you want your account deleted."), "danger")
            return _deletion_page(account), 422
        try:
            accounts.request_deletion(db.session, account, utcnow())
        except accounts.OnlyOwner as exc:
            db.session.rollback()
            flash(_("You are the only owner of %(names)s: make someone else an owner first.",
                    names=", ".join(exc.names)), "danger")
            return _deletion_page(account), 422
        db.session.commit()
        # The page itself now says when, with the button that cancels.
        return redirect(url_for("privacy.delete_account"))
    return _deletion_page(account)


@bp.post("/account/delete/cancel")
@login_required
def cancel_deletion() -> Any:
    accounts.cancel_deletion(db.session, current_user._get_current_object())
    db.session.commit()
    flash(_("Your account will not be deleted."), "success")
    return redirect(url_for("accounts.account"))


def _deletion_page(account: Any) -> str:
    return render_template("privacy/delete_account.html", due=accounts.deletion_due_at(account),
                           grace_days=accounts.GRACE.days,
                           sole=accounts.sole_ownerships(db.session, account))


@community.route("/admin/privacy", methods=["GET", "POST"])
@require(Capability.MANAGE_SETTINGS)
def retention_settings() -> Any:
    defaults = retention.installation_periods(current_app.config)
    if request.method == "GET":
        # Kept by the page cache (issue 14): the periods and the notice are the community's
        # rows; the cards shown follow the reader's role, the defaults the installation.
        return render_template("privacy/retention.html", body_html=pagecache.cached_html(
            db.session, "privacy.retention",
            (g.membership.role.value, defaults.import_days, defaults.outbox_days,
             defaults.audit_days),
            lambda: _retention_body(defaults, None)))
    form = RetentionForm(obj=db.session.scalar(select(RetentionSettings)))
    if not form.validate():
        return render_template("privacy/retention.html",
                               body_html=Markup(_retention_body(defaults, form))), 422  # noqa: S704 - Jinja's autoescaped output
    retention.save_periods(db.session, form.import_days.data, form.outbox_days.data,
                           form.audit_days.data)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for(".retention_settings"))


def _retention_body(defaults: retention.Periods, form: RetentionForm | None) -> str:
    """The page's content: the form as saved (``form`` None) or as typed, the notice."""
    own = db.session.scalar(select(RetentionSettings))
    if form is None:
        form = RetentionForm(obj=own)
    return render_template("privacy/_retention_body.html", form=form, defaults=defaults,
                           notice=consent.latest_notice(db.session),
                           periods=retention.periods_of(own, defaults))


NOTICE_ERRORS = {
    "empty": _l("Write the notice: it cannot be empty."),
    "too_long": _l("The notice is too long: at most %(max)s characters.", max=NOTICE_MAX),
}


def _notice_page(form: NoticeForm, preview: str | None = None, status: int = 200) -> Any:
    """The editor as a POST shows it (a preview, a refused text): computed, never kept."""
    return render_template("privacy/notice_editor.html",
                           body_html=Markup(_notice_body(form, preview))), status  # noqa: S704 - Jinja's autoescaped output


def _notice_body(form: NoticeForm, preview: str | None = None) -> str:
    versions = consent.notice_versions(db.session)
    authors = {m.id: m.display_name for m in db.session.scalars(select(Member).where(
        Member.id.in_({v.published_by_id for v in versions if v.published_by_id})))} \
        if any(v.published_by_id for v in versions) else {}
    return render_template("privacy/_notice_editor_body.html", form=form, preview=preview,
                           versions=versions, authors=authors, max_length=NOTICE_MAX,
                           defaults=list(defaults.TEXTS))


def _notice_form(language: str) -> NoticeForm:
    """The form a GET shows: Joren's standard text in ``language`` (when asked), else the
    community's published notice."""
    form = NoticeForm()
    if language:
        form.body.data = defaults.default_notice(language, g.community.name)
    else:
        form.body.data = consent.notice_text(db.session, g.community)[1]
    return form


@community.route("/admin/privacy/notice", methods=["GET", "POST"])
@require(Capability.MANAGE_SETTINGS)
def notice_editor() -> Any:
    if request.method == "GET":
        # Kept by the page cache by the standard text asked for (none: the published one);
        # the notice, its versions and their authors are the community's rows.
        language = request.args.get("default", "")
        language = language if language in defaults.TEXTS else ""
        body_html = pagecache.cached_html(
            db.session, "privacy.notice_editor", (language,),
            lambda: _notice_body(_notice_form(language)))
        return render_template("privacy/notice_editor.html", body_html=body_html)
    form = NoticeForm()
    if not form.validate():
        return _notice_page(form, status=400)
    try:
        body = consent.clean_body(form.body.data or "")
    except consent.NoticeError as exc:
        form.body.errors = [str(NOTICE_ERRORS[exc.code])]
        return _notice_page(form, status=422)
    if request.form.get("action") == "preview":
        return _notice_page(form, preview=body)
    notice = consent.publish_notice(db.session, body, actor=g.membership, now=utcnow())
    db.session.commit()
    if notice is None:
        flash(_("Nothing changed: the published notice stays as it is."), "info")
    else:
        flash(_("Published as version %(version)s. Members will be asked to read it.",
                version=notice.version), "success")
    return redirect(url_for(".notice_editor"))


def _audit_filters(shown: bool = True) -> tuple[AuditFilterForm, audit_log.Filters]:
    """The filters of the query string; the kinds of things the log names are read for the
    form shown (``shown``), else only to check one that was asked for (the download)."""
    form = AuditFilterForm(request.args)
    form.action.choices = audit_labels.action_choices()
    form.entity.choices = audit_labels.entity_choices(
        audit_log.entities(db.session) if shown or request.args.get("entity") else [])
    if not form.validate():
        return form, audit_log.Filters()
    return form, audit_log.Filters(actor=form.actor.data or "", action=form.action.data or "",
                                   entity=form.entity.data or "", since=form.since.data,
                                   until=form.until.data)


@community.get("/admin/audit")
@require(Capability.MANAGE_LEADERS)
def audit_page() -> Any:
    """The log a page at a time, with its filters. Its rows mark no community's kept pages
    (models.py), so the page, kept by the page cache for the query string, notes the log's
    state (entries, newest id) read before its rows and is computed again once the log has
    another (one statement a view)."""
    audit_days = current_app.config["RETENTION_AUDIT_DAYS"]
    seen: list[int] = []
    body_html, _state = pagecache.cached_html_about(
        db.session, "privacy.audit", (audit_days, sorted(request.args.items(multi=True))),
        lambda: _audit_body(audit_days, seen), about=lambda: seen,
        still_true=lambda kept: kept == audit_log.log_state_alone(db.session))
    return render_template("privacy/audit.html", body_html=body_html)


def _audit_body(audit_days: int, seen: list[int]) -> str:
    seen[:] = audit_log.log_state(db.session)  # before the rows: a newer row is a newer state
    form, filters = _audit_filters()
    found = audit_log.page(db.session, filters, page_number(request.args.get("page")))
    return render_template("privacy/_audit_body.html", form=form, page=found,
                           labels=audit_labels, operators=False, audit_days=audit_days)


def audit_csv_header() -> list[str]:
    return [_("When (UTC)"), _("Who"), _("Member id"), _("From"), _("What"), _("On"),
            _("Id"), _("Request"), _("Changes")]


def audit_csv_rows(entries: Iterable[Any], operators: bool) -> Iterator[list[Any]]:
    """Each entry as a CSV row: for Joren's operators as recorded, for a community's owners
    with an operator shown as "Joren operator" and without the operator's address. Each
    label is translated once per file, not once per row."""
    actions: dict[str, str] = {}
    entities: dict[str, str] = {}
    for e in entries:
        who = e.actor_name if operators else audit_labels.actor_for_owner(e)
        ip = e.ip if operators else audit_labels.ip_for_owner(e)
        action = actions.get(e.action)
        if action is None:
            action = actions[e.action] = audit_labels.action_label(e.action)
        entity = entities.get(e.entity)
        if entity is None:
            entity = entities[e.entity] = audit_labels.entity_label(e.entity)
        yield [e.created_at.strftime("%Y-%m-%d %H:%M:%S"), who, e.actor_member_id or "", ip,
               action, entity, e.entity_id or "", f"{e.method} {e.path}",
               json.dumps(e.changes, ensure_ascii=False)]


@community.get("/admin/audit.csv")
@require(Capability.MANAGE_LEADERS)
def audit_csv() -> Any:
    _form, filters = _audit_filters(shown=False)
    body = audit_csv_rows(audit_log.rows_for_csv(db.session, filters), operators=False)
    return csv_response(f"audit-{g.community.slug}-{utcnow():%Y%m%d}.csv", audit_csv_header(),
                        body)


@community.post("/admin/export")
@require(Capability.MANAGE_LEADERS)
def export_community() -> Any:
    now = utcnow()
    data = export.collect_community(db.session, g.community.id, now)
    readme = "\r\n".join([
        _("Everything %(name)s holds in Joren, as of %(when)s (UTC).", name=g.community.name,
          when=now.strftime("%Y-%m-%d %H:%M")),
        _("data.json holds every table in one file; each CSV file holds one table and opens "
          "in Excel. Passwords, sign-in tokens and other secrets are not included."),
    ]) + "\r\n"
    response = Response(export.archive(data, readme), mimetype="application/zip")
    response.headers["Content-Disposition"] = content_disposition(
        f"joren-{g.community.slug}-{now:%Y%m%d}.zip")
    response.headers["Cache-Control"] = "no-store"
    return response


@community.app_context_processor
def _closing_banner() -> dict[str, Any]:
    """When the community of this request closes (closing.py), for the layout's banner; read
    from the community already loaded, no query."""
    found = g.get("community")
    return {"closing_due": closing.deletion_due_at(found, current_app.config)
            if found is not None else None}


def _community_deletion_page(status: int = 200) -> Any:
    due = closing.deletion_due_at(g.community, current_app.config)
    grace_days = closing.grace(current_app.config).days
    # It shows the community's name and address, when it closes and the grace period, read
    # on every view (the community is loaded with the sign-in): rendered once per distinct
    # values of those (issue 14).
    body_html = pagecache.html_by_inputs(
        "privacy_community.delete_community",
        (g.community.id, g.community.name, g.community.slug, repr(due), grace_days),
        lambda: render_template("privacy/_delete_community_body.html", due=due,
                                grace_days=grace_days))
    return render_template("privacy/delete_community.html", body_html=body_html), status


@community.route("/admin/delete", methods=["GET", "POST"])
@require(Capability.DELETE_COMMUNITY)
def delete_community() -> Any:
    if request.method == "POST" and g.community.deletion_requested_at is None:
        try:
            due = closing.schedule_deletion(
                db.session, g.community, account_id=current_user.id,
                typed_slug=request.form.get("slug", ""), now=utcnow(),
                config=current_app.config)
        except closing.WrongSlug:
            db.session.rollback()
            flash(_("That is not this community's address. Type %(slug)s exactly to confirm.",
                    slug=g.community.slug), "danger")
            return _community_deletion_page(422)
        db.session.commit()
        flash(_("%(name)s is closing and will be deleted on %(date)s. You can cancel until "
                "then.", name=g.community.name, date=format_date(due, "long")), "warning")
        return redirect(url_for(".delete_community"))
    return _community_deletion_page()


@community.post("/admin/delete/cancel")
@require(Capability.DELETE_COMMUNITY)
def cancel_community_deletion() -> Any:
    if closing.cancel_deletion(db.session, g.community):
        db.session.commit()
        flash(_("%(name)s will not be deleted. Everything is as it was.",
                name=g.community.name), "success")
    return redirect(url_for(".delete_community"))
