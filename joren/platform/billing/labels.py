"""How a subscription's status reads on the billing page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "": _l("No subscription"),
    "active": _l("Active"),
    "trialing": _l("Trial"),
    "past_due": _l("Payment failed"),
    "unpaid": _l("Unpaid"),
    "canceled": _l("Subscription ended"),
    "incomplete": _l("Waiting for the first payment"),
    "incomplete_expired": _l("First payment not made"),
    "paused": _l("Paused"),
}
