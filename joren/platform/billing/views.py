"""The owner's billing page in the console: plan, status, limits used, upgrade and manage."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from joren.platform import pagecache
from joren.platform.billing import stripe_client
from joren.platform.billing.forms import BillingActionForm
from joren.platform.billing.labels import STATUS_LABELS
from joren.platform.billing.plans import FREE, PRO, billing_enabled, in_grace, plan_limits
from joren.platform.billing.services import BillingError, open_portal, start_checkout
from joren.platform.db import db, utcnow
from joren.platform.i18n import current_language
from joren.platform.membership.capabilities import Capability
from joren.platform.membership.edge import require
from joren.platform.urls import external_url

log = logging.getLogger("joren.billing")

bp = Blueprint("billing", __name__, url_prefix="/admin/billing")


def _billing_url(**args: Any) -> str:
    return external_url(".page", **args)


@bp.get("")
@require(Capability.MANAGE_BILLING)
def page() -> Any:
    """Kept by the page cache (issue 14): the subscription row is the community's, so a
    webhook's change to it (the job binds its session to the community and writes the row)
    asks for another key; the member count is the community's rows too. The grace period
    ends with the clock: a page computed during it notes when it ends and is computed again
    from that moment. The return from Checkout (``?checkout=``) and whether billing is
    configured are in the key."""
    returned = request.args.get("checkout", "")
    returned = returned if returned in ("success", "cancelled") else ""
    enabled = stripe_client.billing_configured()
    found: dict[str, Any] = {}
    body_html, _until = pagecache.cached_html_about(
        db.session, "billing.page", (enabled, billing_enabled(), returned),
        lambda: _page_body(enabled, returned, found), about=lambda: found.get("until"),
        still_true=pagecache.not_yet)
    return render_template("billing/page.html", body_html=body_html)


def _page_body(enabled: bool, returned: str, found: dict[str, Any]) -> str:
    now = utcnow()
    limits = plan_limits(db.session, g.community, now)
    subscription = limits.subscription
    grace = in_grace(subscription, now)
    grace_ended = bool(
        subscription is not None and subscription.grace_until is not None
        and limits.plan == FREE and not grace
        and subscription.status in ("past_due", "unpaid")
    )
    if subscription is not None and subscription.grace_until is not None \
            and now < subscription.grace_until:
        found["until"] = subscription.grace_until.isoformat()
    return render_template(
        "billing/_page_body.html", limits=limits, subscription=subscription, free=FREE,
        pro=PRO, enabled=enabled, in_grace=grace, grace_ended=grace_ended,
        status_labels=STATUS_LABELS, form=BillingActionForm(), returned=returned)


def _stripe_unreachable() -> Any:
    db.session.rollback()
    log.exception("Stripe request failed")
    flash(_("Stripe could not be reached just now; nothing was charged. "
            "Please try again in a moment."), "danger")
    return redirect(url_for(".page"))


def _refused() -> Any | None:
    """What both billing actions check first: the form (CSRF), and that billing is on."""
    if not BillingActionForm().validate_on_submit():
        abort(400)
    if not stripe_client.billing_configured():
        flash(_("Billing is off on this Joren, so there is nothing to upgrade."), "info")
        return redirect(url_for(".page"))
    return None


@bp.post("/upgrade")
@require(Capability.MANAGE_BILLING)
def upgrade() -> Any:
    refused = _refused()
    if refused is not None:
        return refused
    try:
        checkout = start_checkout(
            db.session, g.community, email=g.membership.email or "",
            success_url=_billing_url(checkout="success"),
            cancel_url=_billing_url(checkout="cancelled"), language=current_language())
    except BillingError:
        db.session.rollback()
        flash(_("This community is already on Pro."), "info")
        return redirect(url_for(".page"))
    except stripe.StripeError:
        return _stripe_unreachable()
    db.session.commit()
    return redirect(checkout.url, code=303)


@bp.post("/manage")
@require(Capability.MANAGE_BILLING)
def manage() -> Any:
    refused = _refused()
    if refused is not None:
        return refused
    try:
        portal = open_portal(db.session, g.community, return_url=_billing_url(),
                             language=current_language())
    except BillingError:
        flash(_("There is no subscription to manage yet."), "info")
        return redirect(url_for(".page"))
    except stripe.StripeError:
        return _stripe_unreachable()
    return redirect(portal.url, code=303)
