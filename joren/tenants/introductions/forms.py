"""Forms of the introduction pages: settings, the review queue, requests and answers."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError

from joren.tenants.introductions.models import Cadence
from joren.tenants.introductions.services import LIMITS, MESSAGE_LENGTH, NOTE_LENGTH
from joren.tenants.introductions.tokens import CHOICES


def _range(name: str) -> NumberRange:
    low, high = LIMITS[name]
    return NumberRange(low, high, message=_l("Enter a number from %(min)s to %(max)s."))


class SettingsForm(FlaskForm):
    cadence = SelectField(_l("How often to suggest introductions"), choices=[
        SelectChoice(Cadence.WEEKLY.value, _l("Every week")),
        SelectChoice(Cadence.BIWEEKLY.value, _l("Every 2 weeks")),
        SelectChoice(Cadence.MONTHLY.value, _l("Every month")),
        SelectChoice(Cadence.OFF.value, _l("Off (only when I run a cycle myself)")),
    ])
    auto_send = BooleanField(_l("Send suggestions without my review"))
    per_member_cap = IntegerField(_l("Introductions per member per cycle"),
                                  validators=[InputRequired(), _range("per_member_cap")])
    expiry_days = IntegerField(_l("Days members have to answer"),
                               validators=[InputRequired(), _range("expiry_days")])


class MessageForm(FlaskForm):
    message = TextAreaField(_l("Your note to both members"),
                            validators=[Optional(), Length(max=MESSAGE_LENGTH)])


class ManualForm(FlaskForm):
    """An introduction the organizer makes by hand. Each member is typed (a name, reading,
    romaji, company or email): the picker sets the chosen id as the organizer types, and
    without JavaScript the text is resolved when the form is sent."""

    member_a_query = StringField(_l("First member"), validators=[Optional(), Length(max=100)],
                                 description=_l("Type a name, reading or email address."))
    member_a = HiddenField(validators=[Optional()])
    member_b_query = StringField(_l("Second member"), validators=[Optional(), Length(max=100)],
                                 description=_l("Type a name, reading or email address."))
    member_b = HiddenField(validators=[Optional()])
    message = TextAreaField(_l("Your note to both members"),
                            validators=[Optional(), Length(max=MESSAGE_LENGTH)])

    def validate_member_b(self, field: HiddenField) -> None:
        if field.data and field.data == self.member_a.data:
            raise ValidationError(_l("Choose two different members."))


class RequestForm(FlaskForm):
    note = TextAreaField(_l("Why you would like to meet (for the organizers)"),
                         validators=[Optional(), Length(max=NOTE_LENGTH)])


class AnswerForm(FlaskForm):
    choice = HiddenField(validators=[InputRequired(), AnyOf(CHOICES)])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (approve, skip, run a cycle)."""
