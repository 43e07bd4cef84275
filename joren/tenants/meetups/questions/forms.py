"""The console's form for adding a question."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from joren.tenants.meetups.questions.labels import KIND_LABELS, PURPOSE_LABELS


class QuestionForm(FlaskForm):
    purpose = SelectField(_l("Asked"), default="registration",
                          choices=[SelectChoice(k, v) for k, v in PURPOSE_LABELS.items()])
    scope = SelectField(_l("For"), default="meetup", choices=[
        SelectChoice("meetup", _l("This meetup only")),
        SelectChoice("series", _l("Every meetup of the series"))])
    prompt = StringField(_l("Question"), validators=[
        DataRequired(_l("Enter the question.")), Length(max=300)])
    kind = SelectField(_l("Answer"), default="text",
                       choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()])
    choices_text = TextAreaField(_l("Choices (one per line)"),
                                 validators=[Optional(), Length(max=3000)])
    is_required = BooleanField(_l("Required"))
