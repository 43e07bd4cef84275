"""Engagement pages: settings with thresholds explained, and the member's own engagement."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from joren.platform import pagecache
from joren.platform.db import db, utcnow
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, member_required, require
from joren.platform.membership.models import Member
from joren.tenants.engagement import services
from joren.tenants.engagement.forms import EngagementSettingsForm
from joren.tenants.engagement.labels import LEVEL_LABELS, STATUS_LABELS
from joren.tenants.engagement.levels import DEFAULTS, Level, Thresholds
from joren.tenants.engagement.models import MemberEngagement

bp = Blueprint("engagement", __name__)

def explain_thresholds(t: Thresholds) -> dict[str, str]:
    """Each threshold in plain words, with the community's numbers."""
    return {
        "regular": _("Members who came to at least %(min)s of the last %(window)s meetups "
                     "are regulars.", min=t.regular_min, window=t.regular_window),
        "one_time": _("Someone who came once and then missed the next %(count)s meetups is "
                      "counted as one-time.", count=t.one_time_misses),
        "first_timer": _("Someone who came once, to the latest meetup (or has missed fewer "
                         "than %(count)s since), is a first-timer.", count=t.one_time_misses),
        "returning": _("Someone who came twice or more but is not a regular is returning."),
        "lapsed": _("A member who was a regular and then missed the last %(count)s meetups "
                    "in a row is a lapsed regular.", count=t.lapsed_misses),
        "excused": _("Meetups a member sent apologies for (excused) count neither for nor "
                     "against them."),
    }


def encouragement(row: MemberEngagement, t: Thresholds) -> str:
    """The member's level in warm words."""
    if row.level == Level.REGULAR:
        return _("Thank you as always. You came to %(attended)s of the last %(window)s "
                 "meetups.", attended=row.attended_in_window, window=row.window_size)
    if row.level == Level.LAPSED_REGULAR:
        return _("We have missed you! You were one of our regulars, and everyone would be "
                 "glad to see you again. Come along whenever it suits you.")
    if row.level == Level.RETURNING:
        return _("Welcome back! You have come %(count)s times so far. Every visit deepens "
                 "the relationships.", count=row.attended_count)
    if row.level == Level.FIRST_TIMER:
        return _("Thank you for joining us for the first time! We look forward to seeing you "
                 "again next time.")
    if row.level == Level.ONE_TIME:
        date = format_date(row.last_attended_at, "long") if row.last_attended_at else ""
        return _("Thank you for coming on %(date)s. It would be lovely to see you again; the "
                 "next meetup is a good chance to reconnect.", date=date)
    return _("We look forward to meeting you at a meetup.")


@bp.route("/admin/engagement/settings", methods=["GET", "POST"])
@require(Capability.MANAGE_SETTINGS)
def settings() -> Any:
    if request.method == "GET":
        # Kept by the page cache: the thresholds are the community's row.
        body_html = pagecache.cached_html(db.session, "engagement.settings", (),
                                          lambda: _settings_body(None))
        return render_template("engagement/settings.html", body_html=body_html)
    form = _settings_form(services.thresholds(db.session))
    if form.validate_on_submit():
        try:
            services.update_settings(db.session, **form.values())
        except services.SettingsError:
            db.session.rollback()
            flash(_("These thresholds cannot be used together."), "danger")
        else:
            db.session.commit()
            flash(_("Engagement settings saved. Levels are being recomputed."), "success")
            return redirect(url_for(".settings"))
    # A refused save: the page shows what was typed and why, never kept.
    return render_template("engagement/settings.html",
                           body_html=Markup(_settings_body(form)))  # noqa: S704 - Jinja's autoescaped output


def _settings_form(current: Thresholds) -> EngagementSettingsForm:
    return EngagementSettingsForm(data={name: getattr(current, name) for name in services.LIMITS})


def _settings_body(form: EngagementSettingsForm | None) -> str:
    current = services.thresholds(db.session)
    return render_template("engagement/_settings_body.html",
                           form=form if form is not None else _settings_form(current),
                           explanations=explain_thresholds(current), defaults=DEFAULTS)


@bp.get("/engagement")
@member_required
def mine() -> Any:
    """The member's own engagement. Kept by the page cache like a member's engagement in the
    console (``member``): the key holds the member and the minute."""
    member = g.membership
    now = utcnow().replace(second=0, microsecond=0)
    recomputed: list[MemberEngagement] = []

    def body() -> str:
        row = _stored_or_recomputed(member.id, recomputed)
        return render_template(
            "engagement/_mine_body.html", row=row, level_label=LEVEL_LABELS[row.level],
            message=encouragement(row, services.thresholds(db.session)),
            history=services.history(db.session, member.id, now=now),
            status_labels=STATUS_LABELS)

    body_html = pagecache.cached_html(db.session, "engagement.mine",
                                      (member.id, now.isoformat()), body)
    if recomputed:
        db.session.commit()
    return render_template("engagement/mine.html", body_html=body_html)


def _stored_or_recomputed(member_id: int, recomputed: list[MemberEngagement]
                          ) -> MemberEngagement:
    """The member's stored figures, computed now when there are none yet (then noted in
    ``recomputed``, for the view to commit; a page computed so is not kept: the session
    wrote)."""
    row = services.engagement_of(db.session, member_id)
    if row is None:
        row = services.recompute_member(db.session, member_id)
        assert row is not None  # the member is in this community
        recomputed.append(row)
    return row


@bp.get("/admin/engagement/members/<int:member_id>")
@require(Capability.VIEW_ANALYTICS)
def member(member_id: int) -> Any:
    """One member's engagement, for the organizers.

    Kept by the page cache: the history lists the meetups begun by then, so it is computed as
    of the start of the minute; the key holds the member and that minute."""
    now = utcnow().replace(second=0, microsecond=0)
    recomputed: list[MemberEngagement] = []
    seen: dict[str, Any] = {}

    def body() -> str:
        # The member is read only when the page is computed: a kept page proves it was this
        # community's (another's id answers 404 as it computes, never kept).
        person = get_or_404(Member, member_id)
        seen["title"] = person.display_name
        row = _stored_or_recomputed(person.id, recomputed)
        return render_template(
            "engagement/_member_body.html", person=person, row=row,
            level_label=LEVEL_LABELS[row.level], status_labels=STATUS_LABELS,
            history=services.history(db.session, person.id, now=now))

    body_html, about = pagecache.cached_html_about(
        db.session, "engagement.member", (member_id, now.isoformat()), body,
        about=lambda: dict(seen))
    if recomputed:
        db.session.commit()
    return render_template("engagement/member.html", title=about["title"], body_html=body_html)
