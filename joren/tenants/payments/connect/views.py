"""The organizer's online-payments page: connect the community's own Stripe account (Stripe
Connect), follow the onboarding, see what Stripe still needs and Joren's application fee."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from joren.platform import pagecache
from joren.platform.billing.plans import (
    FREE,
    PRO,
    UNLIMITED,
    billing_enabled,
    effective_plan,
    in_grace,
    subscription_of,
)
from joren.platform.db import db, utcnow
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import require
from joren.platform.urls import external_url
from joren.tenants.payments.connect import services as connect
from joren.tenants.payments.connect.forms import ConnectForm
from joren.tenants.payments.models import ConnectAccount

log = logging.getLogger("joren.payments")

bp = Blueprint("connect", __name__, url_prefix="/admin/payments/online")

# Stripe's requirement codes, by their first part, in words an organizer understands.
REQUIREMENT_LABELS = {
    "business_type": _l("Type of business"),
    "business_profile": _l("Business details (what you sell, website)"),
    "company": _l("Company details"),
    "individual": _l("Your identity details"),
    "representative": _l("Representative's identity details"),
    "owners": _l("Owners' details"),
    "directors": _l("Directors' details"),
    "executives": _l("Executives' details"),
    "external_account": _l("Bank account for payouts"),
    "tos_acceptance": _l("Acceptance of Stripe's terms of service"),
    "settings": _l("Account settings (statement descriptor)"),
}


def requirement_label(code: str) -> str:
    label = REQUIREMENT_LABELS.get(code.split(".", 1)[0])
    return str(label) if label is not None else _("Other details")


def grouped_requirements(codes: list[str]) -> list[tuple[str, list[str]]]:
    """Stripe's codes under their label, in Stripe's order: [(label, [code, ...]), ...]."""
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(requirement_label(code), []).append(code)
    return list(groups.items())


def _state(account: ConnectAccount | None) -> str:
    if not billing_enabled():
        return "off"
    if account is None:
        return "not_connected"
    return "ready" if account.charges_enabled else "onboarding"


def _urls() -> dict[str, str]:
    return {"refresh_url": external_url(".refresh"),
            "return_url": external_url(".back")}


def _stripe_unreachable() -> Any:
    db.session.rollback()
    log.exception("Stripe request failed (Connect)")
    flash(_("Stripe could not be reached just now. Please try again in a moment."), "error")
    return redirect(url_for(".page"), 303)


def _billing_off() -> Any:
    db.session.rollback()
    flash(_("Online payments are off on this Joren, so there is no Stripe account to "
            "connect. Members pay at the door or by bank transfer."), "info")
    return redirect(url_for(".page"), 303)


@bp.get("")
@require(Capability.MANAGE_PAYMENTS)
def page() -> Any:
    """Kept by the page cache (issue 14): the connected account is the community's row (a
    Connect webhook's job binds its session to the community and writes it), and so is the
    plan's subscription. A grace period after a failed payment keeps the Pro fee until it
    ends: a page computed during it notes that moment and is computed again from it."""
    found: dict[str, Any] = {}
    body_html, _until = pagecache.cached_html_about(
        db.session, "connect.page", (billing_enabled(),), lambda: _page_body(found),
        about=lambda: found.get("until"), still_true=pagecache.not_yet)
    return render_template("payments/connect.html", body_html=body_html)


def _page_body(found: dict[str, Any]) -> str:
    account = connect.account_for(db.session)
    now = utcnow()
    if billing_enabled():
        subscription = subscription_of(db.session, g.community)
        plan = effective_plan(subscription, now)
        if (subscription is not None and subscription.grace_until is not None
                and in_grace(subscription, now)):
            found["until"] = subscription.grace_until.isoformat()
    else:
        plan = UNLIMITED
    due = connect.requirements(account)
    return render_template(
        "payments/_connect_body.html", state=_state(account), account=account, plan=plan,
        fee=connect.fee_percent(plan), free=FREE, pro=PRO, fee_percent=connect.fee_percent,
        requirements=grouped_requirements(due), form=ConnectForm())


@bp.post("/connect")
@require(Capability.MANAGE_PAYMENTS)
def start() -> Any:
    if not ConnectForm().validate_on_submit():
        abort(400)
    if not billing_enabled():
        return _billing_off()
    email = g.membership.email or getattr(current_user, "email", "") or ""
    try:
        account = connect.ensure_account(db.session, g.community, email=email)
        db.session.commit()  # kept even if the link below cannot be made now
        url = connect.account_link(g.community, account, **_urls())
    except connect.ConnectError:
        return _billing_off()
    except stripe.StripeError:
        return _stripe_unreachable()
    return redirect(url, code=303)


@bp.get("/return")
@require(Capability.MANAGE_PAYMENTS)
def back() -> Any:
    """Where Stripe sends the organizer after onboarding (finished or not): ask Stripe."""
    if not billing_enabled():
        return redirect(url_for(".page"), 303)
    try:
        account = connect.refresh(db.session)
    except stripe.StripeError:
        return _stripe_unreachable()
    db.session.commit()
    if account is None:
        return redirect(url_for(".page"), 303)
    if account.charges_enabled:
        flash(_("Your Stripe account is connected: members can now pay online."), "success")
    elif connect.requirements(account):
        flash(_("Stripe still needs a few details before members can pay online. "
                "You can continue the onboarding below."), "warning")
    else:
        flash(_("Stripe is checking the details you sent. This page shows the result as soon "
                "as Stripe is done."), "info")
    return redirect(url_for(".page"), 303)


@bp.get("/refresh")
@require(Capability.MANAGE_PAYMENTS)
def refresh() -> Any:
    """Stripe's ``refresh_url``: the link expired or was used, so make a new one."""
    if not billing_enabled():
        return redirect(url_for(".page"), 303)
    try:
        url = connect.continue_onboarding(db.session, g.community, **_urls())
    except connect.ConnectError:
        return redirect(url_for(".page"), 303)
    except stripe.StripeError:
        return _stripe_unreachable()
    return redirect(url, code=303)
