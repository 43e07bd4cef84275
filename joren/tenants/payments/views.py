"""Payments: the per-meetup list (marking paid at the door or by bank transfer, undo, totals,
CSV), payment settings, the member's payments and receipts (page and PDF)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from joren.platform import pagecache
from joren.platform.accountability import audit_this_request
from joren.platform.csv_export import csv_response
from joren.platform.db import db, utcnow
from joren.platform.membership.capabilities import Capability, has_capability
from joren.platform.membership.edge import (
    active_membership,
    get_or_404,
    member_required,
    require,
)
from joren.platform.membership.models import Member
from joren.platform.pagination import page_number
from joren.platform.templating import yen
from joren.tenants.meetups.models import Meetup
from joren.tenants.payments import pricing, receipts, refunds
from joren.tenants.payments import services as svc
from joren.tenants.payments.dues import services as dues
from joren.tenants.payments.forms import PaymentSettingsForm
from joren.tenants.payments.labels import method_labels, status_labels
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus

bp = Blueprint("payments", __name__)

ERRORS = {
    "bad_method": _l("Choose how the fee was paid."),
    "forbidden": _l("Only organizers can mark or undo a bank transfer."),
    "cancelled": _l("This meetup is cancelled."),
    "free": _l("This meetup is free: there is nothing to collect."),
    "member_free": _l("With paid-up dues, this member pays nothing for this meetup."),
    "not_due": _l("This person is not registered for or attending this meetup."),
    "already_paid": _l("This fee is already marked as paid."),
    "not_manual": _l("Only payments marked by hand can be undone here."),
    "not_paid": _l("This payment is not marked as paid."),
    "use_refund": _l("This fee was paid online: use “Refund” to give it back through Stripe."),
    "not_online": _l("Only fees paid online can be refunded here; undo a payment marked by "
                     "hand instead."),
    "refund_forbidden": _l("Only organizers can refund a payment."),
    "bad_refund_amount": _l("This amount cannot be refunded."),
}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"method_labels": method_labels(), "payment_status_labels": status_labels(),
            "can_mark": svc.can_mark}


def _error(code: str) -> str:
    return str(ERRORS.get(code, ERRORS["bad_method"]))


# -- organizer console -------------------------------------------------------------------

@bp.get("/admin/meetups/<int:meetup_id>/payments")
@require(Capability.MARK_DOOR_PAYMENT)
def meetup_payments(meetup_id: int) -> Any:
    # Kept whole by the page cache, looked up before the meetup is read (a kept page under the
    # community's fingerprint proves the meetup is the community's and unchanged). What the
    # reader may do (the buttons) follows their role; the pager keeps every argument; whose
    # dues are paid up follows the day.
    found: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "payments.meetup",
        (meetup_id, g.membership.role.value, sorted(request.args.items(multi=True)),
         utcnow().date().isoformat()),
        lambda: _meetup_body(get_or_404(Meetup, meetup_id), found), about=lambda: found)
    return render_template("payments/meetup.html", meetup_title=about["title"],
                           body_html=body_html)


def _meetup_body(meetup: Meetup, found: dict[str, Any]) -> str:
    page = svc.meetup_rows_page(db.session, meetup, page_number(request.args.get("page")))
    found.update(title=meetup.title)
    return render_template("payments/_meetup_body.html", meetup=meetup, page=page,
                           rows=page.items, totals=svc.totals(db.session, meetup),
                           refund_totals=svc.refund_totals(db.session, meetup))


@bp.post("/admin/meetups/<int:meetup_id>/payments/mark")
@require(Capability.MARK_DOOR_PAYMENT)
def mark(meetup_id: int) -> Any:
    meetup = get_or_404(Meetup, meetup_id)
    raw = request.form.get("member_id", "")
    member = (db.session.get(Member, int(raw))
              if raw.isascii() and raw.isdigit() and len(raw) < 10 else None)
    if member is None:
        abort(404)
    try:
        method = PaymentMethod(request.form.get("method", ""))
        svc.mark_paid(db.session, meetup, member, method, g.membership,
                      note=(request.form.get("note") or "").strip())
    except ValueError:
        flash(_error("bad_method"), "error")
        return redirect(url_for(".meetup_payments", meetup_id=meetup.id), 303)
    except svc.PaymentError as error:
        db.session.rollback()
        if error.code == "forbidden":
            abort(403)
        flash(_error(error.code), "error")
        return redirect(url_for(".meetup_payments", meetup_id=meetup.id), 303)
    db.session.commit()
    flash(_("%(name)s: marked as paid (%(method)s).", name=member.display_name,
            method=method_labels()[method]), "success")
    return redirect(url_for(".meetup_payments", meetup_id=meetup.id), 303)


@bp.post("/admin/payments/<int:payment_id>/undo")
@require(Capability.REVERSE_PAYMENTS)
def undo(payment_id: int) -> Any:
    payment = get_or_404(Payment, payment_id)
    try:
        svc.undo(db.session, payment, g.membership)
    except svc.PaymentError as error:
        db.session.rollback()
        if error.code == "forbidden":
            abort(403)
        flash(_error(error.code), "error")
    else:
        db.session.commit()
        flash(_("The payment of %(name)s was undone.", name=payment.member.display_name),
              "success")
    if payment.meetup_id is None:
        return redirect(url_for(".settings"), 303)
    return redirect(url_for(".meetup_payments", meetup_id=payment.meetup_id), 303)


@bp.post("/admin/payments/<int:payment_id>/refund")
@require(Capability.REVERSE_PAYMENTS)
def refund(payment_id: int) -> Any:
    """Refund a fee paid online, in full, through Stripe (made by a job after the commit)."""
    payment = get_or_404(Payment, payment_id)
    back = (url_for(".meetup_payments", meetup_id=payment.meetup_id)
            if payment.meetup_id is not None else url_for(".settings"))
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm the refund."), "warning")
        return redirect(back, 303)
    try:
        asked = refunds.request_refund(db.session, payment, actor=g.membership,
                                       reason="organizer")
    except svc.PaymentError as error:
        db.session.rollback()
        flash(_error(error.code), "error")
    else:
        db.session.commit()
        if asked:
            flash(_("A refund of %(amount)s to %(name)s was requested from Stripe.",
                    amount=yen(payment.refund_amount_jpy), name=payment.member.display_name),
                  "success")
        else:
            flash(_("A refund of this payment is already under way or done."), "info")
    return redirect(back, 303)


def _refund_state(payment: Payment | None) -> tuple[str, int]:
    """The refund column of the CSV and how much was given back."""
    if payment is None or payment.method != PaymentMethod.STRIPE:
        return "", 0
    if payment.status == PaymentStatus.REFUNDED:
        return _("Refunded"), payment.refund_amount_jpy or payment.amount_jpy
    if payment.refund_pending:
        return _("Refund pending"), 0
    if payment.status == PaymentStatus.PAID and payment.refund_amount_jpy:
        return _("Partially refunded"), payment.refund_amount_jpy
    return "", 0


@bp.get("/admin/meetups/<int:meetup_id>/payments.csv")
@require(Capability.EXPORT_PERSONAL_DATA)
def export(meetup_id: int) -> Response:
    meetup = get_or_404(Meetup, meetup_id)
    methods, statuses = method_labels(), status_labels()

    def when(value: Any) -> str:
        return format_datetime(value, "yyyy/MM/dd HH:mm") if value else ""

    header = [_("Name"), _("Reading"), _("Company"), _("Amount due (JPY)"), _("Status"),
              _("Method"), _("Amount paid (JPY)"), _("Paid at"), _("Marked by"),
              _("Receipt number"), _("Undone at"), _("Undone by"), _("Note"),
              _("Application fee (JPY)"), _("Refund"), _("Refunded (JPY)"),
              _("Refund requested at"), _("Stripe refund")]
    rows = []
    for row in svc.meetup_rows(db.session, meetup):
        p = row.payment
        state, refunded = _refund_state(p)
        rows.append([
            row.member.display_name, row.member.reading, row.member.company,
            row.fee,
            statuses[p.status] if p else _("Not paid"),
            methods[p.method] if p else "", p.amount_jpy if p and p.is_paid else 0,
            when(p.paid_at) if p else "", row.marked_by.display_name if row.marked_by else "",
            p.receipt_number or "" if p else "", when(p.refunded_at) if p else "",
            row.refunded_by.display_name if row.refunded_by else "", p.note if p else "",
            p.application_fee_jpy if p and p.method == PaymentMethod.STRIPE else 0,
            state, refunded, when(p.refund_requested_at) if p else "",
            p.stripe_refund_id or "" if p else "",
        ])
    day = meetup.starts_at.strftime("%Y%m%d")
    return csv_response(f"payments-{day}-{meetup.id}.csv", header, rows)


@bp.route("/admin/payments/settings", methods=["GET", "POST"])
@require(Capability.MANAGE_PAYMENTS)
def settings() -> Any:
    if request.method == "GET":
        # Kept by the page cache: the receipt settings are the community's row (an unsaved
        # default until the first save, so a GET writes nothing).
        body_html = pagecache.cached_html(
            db.session, "payments.settings", (),
            lambda: _settings_body(PaymentSettingsForm(
                obj=svc.settings_for(db.session, create=False))))
        return render_template("payments/settings.html", body_html=body_html)
    row = svc.settings_for(db.session, create=True)
    form = PaymentSettingsForm(obj=row)
    if form.validate_on_submit():
        row.issuer_name = (form.issuer_name.data or "").strip()
        row.issuer_address = (form.issuer_address.data or "").strip()
        row.registration_number = form.registration_number.data or ""
        db.session.commit()
        flash(_("Payment settings saved."), "success")
        return redirect(url_for(".settings"), 303)
    # A refused save: the page shows what was typed and why, never kept.
    db.session.rollback()
    return render_template("payments/settings.html",
                           body_html=Markup(_settings_body(form))), 422  # noqa: S704 - Jinja's autoescaped output


def _settings_body(form: PaymentSettingsForm) -> str:
    return render_template("payments/_settings_body.html", form=form)


# -- the member's side -------------------------------------------------------------------

@bp.get("/payments")
@member_required
def mine() -> Any:
    member = active_membership()
    assert member is not None
    # The member's own page; whether their dues are paid up follows the community's day: the
    # member and the day are the key.
    now = utcnow()
    today = pricing.local_date(now, g.community.zone)
    body_html = pagecache.cached_html(
        db.session, "payments.mine", (member.id, today.isoformat()),
        lambda: render_template(
            "payments/_mine_body.html", payments=svc.member_payments(db.session, member.id),
            my_dues=dues.member_state_now(db.session, member, g.community, now)))
    return render_template("payments/mine.html", body_html=body_html)


def _receipt_payment(payment_id: int) -> Payment:
    """A payment with a receipt: the member's own; someone else's meetup fee for those who
    take fees at the door, their dues for those who manage payments; others are not found."""
    payment = get_or_404(Payment, payment_id)
    viewer = active_membership()
    assert viewer is not None
    needs = (Capability.MANAGE_PAYMENTS if payment.kind == PaymentKind.DUES
             else Capability.MARK_DOOR_PAYMENT)
    if payment.member_id != viewer.id and not has_capability(viewer, needs):
        abort(404)
    if not payment.receipt_number or payment.status == PaymentStatus.PENDING:
        abort(404)
    if payment.member_id != viewer.id:
        audit_this_request()  # someone else's receipt: its download and changes are logged
    return payment


def _receipt(payment: Payment) -> receipts.Receipt:
    return receipts.build(payment, g.community, svc.settings_for(db.session, create=False))


@bp.get("/payments/<int:payment_id>/receipt")
@member_required
def receipt(payment_id: int) -> Any:
    """Kept by the page cache: the key holds the reader (whether it is theirs, what they may
    see) and the payment. Someone else's receipt is marked for the audit log on every view,
    kept or computed."""
    viewer = active_membership()
    assert viewer is not None
    found: dict[str, Any] = {}
    body_html, about = pagecache.cached_html_about(
        db.session, "payments.receipt", (viewer.id, payment_id),
        lambda: _receipt_body(payment_id, found), about=lambda: found)
    if about["on_behalf"]:
        audit_this_request()
    return render_template("payments/receipt.html", body_html=body_html,
                           title=about["title"], number=about["number"])


def _receipt_body(payment_id: int, found: dict[str, Any]) -> str:
    payment = _receipt_payment(payment_id)
    data = _receipt(payment)
    texts = receipts.lines(data)
    found.update(on_behalf=payment.member_id != g.membership.id, title=texts["title"],
                 number=data.number)
    return render_template("payments/_receipt_body.html", payment=payment, receipt=data,
                           texts=texts)


ADDRESSEE_ERRORS = {
    "honorific": _l("Choose 様 (a person) or 御中 (a company)."),
    "long": _l("The addressee can be at most 200 characters."),
}


@bp.post("/payments/<int:payment_id>/receipt/addressee")
@member_required
def receipt_addressee(payment_id: int) -> Any:
    """Put a company (or another name) on the receipt as its addressee (宛名)."""
    payment = _receipt_payment(payment_id)
    try:
        receipts.set_addressee(payment, request.form.get("addressee", ""),
                               request.form.get("honorific", "sama"))
    except receipts.AddresseeError as exc:
        db.session.rollback()
        flash(str(ADDRESSEE_ERRORS[exc.code]), "danger")
    else:
        db.session.commit()
        flash(_("The receipt's addressee was changed."), "success")
    return redirect(url_for(".receipt", payment_id=payment.id))


@bp.get("/payments/<int:payment_id>/receipt.pdf")
@member_required
def receipt_pdf(payment_id: int) -> Response:
    payment = _receipt_payment(payment_id)
    body = receipts.pdf(_receipt(payment))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'inline; filename="receipt-{payment.receipt_number}.pdf"')
    response.headers["Cache-Control"] = "private, no-store"
    return response
