"""Forms of the network pages; the rules live in relationships.services and .referrals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import Optional

from joren.platform.inputs import BoundedIntegerField
from joren.tenants.relationships.models import ContactKind

# The kinds offered as one-tap buttons, in the order people meet.
KIND_LABELS = {
    ContactKind.TALKED: _l("Talked at a meetup"),
    ContactKind.CARD_EXCHANGE: _l("Exchanged business cards"),
    ContactKind.ONE_ON_ONE: _l("Met one-on-one"),
    ContactKind.CALL: _l("A call or video call"),
}
OUTCOMES = ("won", "lost")


class ContactForm(FlaskForm):
    """Logging a contact: one of the kind buttons, optionally a day, a meetup and a note."""

    kind = HiddenField()
    happened_on = DateField(_l("When"), validators=[Optional()],
                            description=_l("Leave empty for today."))
    meetup_id = BoundedIntegerField(validators=[Optional()])
    note = TextAreaField(_l("A note (optional)"))
    next = HiddenField()


class ReferralForm(FlaskForm):
    description = TextAreaField(
        _l("What you passed on"),
        description=_l("For example: introduced a client looking for a new office."))
    given_on = DateField(_l("When"), validators=[Optional()],
                         description=_l("Leave empty for today."))


class CloseReferralForm(FlaskForm):
    outcome = HiddenField()
    value = StringField(_l("Value of the business (yen)"),
                        description=_l("Whole yen, for example 1,200,000."))
    closed_on = DateField(_l("Closed on"), validators=[Optional()],
                          description=_l("Leave empty for today."))
