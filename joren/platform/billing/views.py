"""The owner's billing page in the console: plan, status, limits used, upgrade and manage."""

from __future__ import annotations

import logging
from typing import Any

import stripe
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from joren.platform.billing import stripe_client
from joren.platform.billing.forms import BillingActionForm
from joren.platform.billing.labels import STATUS_LABELS
from joren.platform.billing.plans import FREE, PRO, in_grace, plan_limits
from joren.platform.billing.services import BillingError, open_portal, start_checkout
from joren.platform.db import db
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
    limits = plan_limits(db.session, g.community)
    subscription = limits.subscription
    grace_ended = bool(
        subscription is not None and subscription.grace_until is not None
        and limits.plan == FREE and not in_grace(subscription)
        and subscription.status in ("past_due", "unpaid")
    )
    return render_template(
        "billing/page.html", limits=limits, subscription=subscription, free=FREE, pro=PRO,
        enabled=stripe_client.billing_configured(), in_grace=in_grace(subscription),
        grace_ended=grace_ended, status_labels=STATUS_LABELS, form=BillingActionForm(),
        returned=request.args.get("checkout", ""),
    )


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
