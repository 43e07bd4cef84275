"""Forms of the payments area."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from joren.tenants.payments.models import REGISTRATION_NUMBER


def normalize_registration_number(value: str | None) -> str:
    """Full-width characters, spaces and hyphens are forgiven: "Ｔ１２３４-…" → "T1234…"."""
    text = unicodedata.normalize("NFKC", value or "").upper()
    return re.sub(r"[\s\-]", "", text)


class PaymentSettingsForm(FlaskForm):
    issuer_name = StringField(_l("Issuer name on receipts"),
                              validators=[Optional(), Length(max=200)],
                              description=_l("The person or company issuing receipts. "
                                             "Left empty, the community's name is used."))
    issuer_address = TextAreaField(_l("Issuer address"), validators=[Optional(), Length(max=300)])
    registration_number = StringField(
        _l("Qualified invoice registration number"),
        filters=[normalize_registration_number],
        validators=[Optional(), Regexp(REGISTRATION_NUMBER.pattern, message=_l(
            "The registration number is \"T\" followed by 13 digits, e.g. T1234567890123."))],
        description=_l("Leave empty if you are not a registered qualified invoice issuer: "
                       "receipts are then plain receipts without a tax breakdown."),
    )
