"""CSV import of members and past attendance, and CSV export of members (organizers)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from sqlalchemy import select

from joren.platform import pagecache
from joren.platform.db import db
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import get_or_404, require
from joren.tenants.imports import services as imports
from joren.tenants.imports.columns import FIELDS, guess_mapping
from joren.tenants.imports.csv_decode import MAX_BYTES, CsvFileError
from joren.tenants.imports.forms import ConfirmForm, MappingForm, UploadForm
from joren.tenants.imports.labels import STATUS_LABELS
from joren.tenants.imports.models import (
    ImportBatch,
    ImportKind,
    ImportPreset,
)
from joren.tenants.imports.plan import ImportError_
from joren.tenants.imports.rows import batch_rows
from joren.tenants.members.export import export_response

bp = Blueprint("imports", __name__)


def _batch(batch_id: int) -> ImportBatch:
    batch: ImportBatch = get_or_404(ImportBatch, batch_id)
    return batch


@bp.route("/admin/imports/", methods=["GET", "POST"])
@require(Capability.MANAGE_MEMBERS)
def new() -> Any:
    if request.method == "GET":
        # The same for every organizer of the community: kept by the page cache (the recent
        # imports are the community's rows; the form's token is each reader's own).
        body_html = pagecache.cached_html(db.session, "imports.new", (),
                                          lambda: _new_body(UploadForm()))
        return render_template("imports/new.html", body_html=body_html)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(MAX_BYTES + 1)
        try:
            batch = imports.create_batch(db.session, kind=ImportKind(form.kind.data),
                                         filename=upload.filename or "", data=data,
                                         actor=g.membership)
        except CsvFileError as exc:
            db.session.rollback()
            form.file.errors = [str(exc)]
        else:
            db.session.commit()
            return redirect(url_for(".mapping", batch_id=batch.id))
    # A refused upload: the page shows why, never kept.
    return render_template("imports/new.html", body_html=Markup(_new_body(form))), 400  # noqa: S704 - Jinja's autoescaped output


def _new_body(form: UploadForm) -> str:
    recent = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())
                                .limit(20)).all()
    return render_template("imports/_new_body.html", form=form, recent=recent,
                           max_mb=MAX_BYTES // (1024 * 1024), status_labels=STATUS_LABELS)


@bp.route("/admin/imports/<int:batch_id>/mapping", methods=["GET", "POST"])
@require(Capability.MANAGE_MEMBERS)
def mapping(batch_id: int) -> Any:
    batch = _batch(batch_id)
    header, rows = batch_rows(batch)
    form = MappingForm()
    preset = None
    if request.args.get("preset", type=int):
        preset = get_or_404(ImportPreset, request.args.get("preset", type=int))
    chosen = batch.mapping if batch.mapping and not preset else \
        guess_mapping(header, preset)
    problems: list[str] = []
    if form.validate_on_submit():
        chosen = [request.form.get(f"col{i}", "") for i in range(len(header))]
        problems = imports.save_mapping(db.session, batch, chosen,
                                        preset_name=form.preset_name.data or "",
                                        actor=g.membership)
        if not problems:
            db.session.commit()
            return redirect(url_for(".preview", batch_id=batch.id))
        db.session.rollback()
    return render_template(
        "imports/mapping.html", batch=batch, header=header, sample=rows[:3], form=form,
        chosen=chosen, fields=FIELDS, problems=problems,
        presets=imports.presets(db.session, batch.kind), preset=preset,
    ), (400 if problems or (request.method == "POST" and form.errors) else 200)


@bp.route("/admin/imports/<int:batch_id>/preview", methods=["GET", "POST"])
@require(Capability.MANAGE_MEMBERS)
def preview(batch_id: int) -> Any:
    batch = _batch(batch_id)
    if not batch.mapping:
        return redirect(url_for(".mapping", batch_id=batch.id))
    form = ConfirmForm()
    error = ""
    if form.validate_on_submit():
        try:
            imports.confirm(db.session, batch, valid_only=bool(form.valid_only.data))
        except ImportError_ as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            return redirect(url_for(".status", batch_id=batch.id))
    try:
        plan = imports.preview(db.session, batch)
    except ImportError_ as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for(".mapping", batch_id=batch.id))
    db.session.commit()
    rejected = plan.rejected
    shown = [r for r in plan.rows if r.action != "reject"][: imports.PREVIEW_ROWS]
    return render_template(
        "imports/preview.html", batch=batch, plan=plan, rejected=rejected, shown=shown,
        form=form, error=error, counts={a: plan.count(a) for a in ("create", "merge", "reject")},
        new_attendance=sum(1 for r in plan.rows if r.attendance == "new"),
        existing_attendance=sum(1 for r in plan.rows if r.attendance == "exists"),
    ), (400 if error else 200)


@bp.route("/admin/imports/<int:batch_id>/status")
@require(Capability.MANAGE_MEMBERS)
def status(batch_id: int) -> Any:
    wants_json = request.args.get("format") == "json" or (
        request.accept_mimetypes.best == "application/json")
    if wants_json:
        return jsonify(_batch(batch_id).summary)
    # Kept by the page cache by batch. The batch is read only when the page is computed: a
    # kept page proves it was this community's (another's id answers 404 as it computes);
    # the worker's progress is written through the session, which marks the community.
    body_html = pagecache.cached_html(db.session, "imports.status", (batch_id,),
                                      lambda: _status_body(_batch(batch_id)))
    return render_template("imports/status.html", body_html=body_html)


def _status_body(batch: ImportBatch) -> str:
    return render_template("imports/_status_body.html", batch=batch,
                           status_label=STATUS_LABELS[batch.status])


@bp.route("/admin/members/export.csv")
@require(Capability.EXPORT_PERSONAL_DATA)
def export_members() -> Any:
    if g.community is None:  # pragma: no cover - the edge always sets it
        abort(404)
    return export_response(db.session, g.community)
