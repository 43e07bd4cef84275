"""How payment methods and statuses read on the pages (console, portal, CSV)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from joren.tenants.payments.models import DuesInterval, PaymentMethod, PaymentStatus


def method_labels() -> dict[PaymentMethod, str]:
    return {PaymentMethod.DOOR: _("At the door"), PaymentMethod.BANK_TRANSFER: _("Bank transfer"),
            PaymentMethod.STRIPE: _("Card (online)")}


def status_labels() -> dict[PaymentStatus, str]:
    return {PaymentStatus.PAID: _("Paid"), PaymentStatus.REFUNDED: _("Undone"),
            PaymentStatus.PENDING: _("Pending"), PaymentStatus.CANCELLED: _("Not completed")}


STATE_LABELS = {"paid": _l("Paid"), "lapsed": _l("Lapsed"), "not_paid": _l("Not paid")}

INTERVAL_LABELS = {DuesInterval.YEAR: _l("a year"), DuesInterval.MONTH: _l("a month")}
