"""Forms of the introduction pages: settings, the review queue, requests and answers."""

from __future__ import annotations

import math
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional, ValidationError

from joren.tenants.engagement.labels import LEVEL_LABELS
from joren.tenants.introductions.models import Cadence
from joren.tenants.introductions.queue import REASON_KINDS, QueueFilter
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


def _finite(form: FlaskForm, field: FloatField) -> None:
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError(_l("Enter a number."))


def _score_field(label: str) -> FloatField:
    return FloatField(label, validators=[
        Optional(), _finite,
        NumberRange(0, 100, message=_l("Enter a number from %(min)s to %(max)s."))])


class QueueFilterForm(FlaskForm):
    """The review queue's filters (a GET form: read from the URL, no CSRF)."""

    class Meta:
        csrf = False

    member = StringField(_l("Member"), validators=[Optional(), Length(max=100)])
    level = SelectField(_l("Engagement"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any level")),
        *(SelectChoice(level.value, label) for level, label in LEVEL_LABELS.items())])
    reason = SelectField(_l("Why"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any reason")),
        *(SelectChoice(code, label) for code, label in REASON_KINDS.items())])
    confidence = SelectField(_l("Confidence"), validators=[Optional()], choices=[
        SelectChoice("", _l("Any confidence")), SelectChoice("low", _l("Low confidence only")),
        SelectChoice("sure", _l("Without low confidence"))])
    min_score = _score_field(_l("Score from"))
    max_score = _score_field(_l("Score to"))

    def to_filter(self) -> QueueFilter:
        """The filter of the fields that are valid (a wrong one is shown and left out)."""
        def ok(field: Any) -> Any:
            return None if field.errors or field.data in ("", None) else field.data

        return QueueFilter(level=ok(self.level) or "", reason=ok(self.reason) or "",
                           confidence=ok(self.confidence) or "",
                           member=(ok(self.member) or "").strip(),
                           min_score=ok(self.min_score), max_score=ok(self.max_score))


class BulkForm(FlaskForm):
    """Approve or skip the selected suggestions (their ids come as repeated ``ids``)."""

    action = HiddenField(validators=[InputRequired(), AnyOf(["approve", "skip"])])
    return_to = HiddenField(validators=[Optional(), Length(max=2000)])
