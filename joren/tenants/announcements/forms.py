"""The announcement form and the scheduling form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from joren.tenants.announcements.labels import SEGMENT_LABELS


class AnnouncementForm(FlaskForm):
    segment = SelectField(_l("Send to"), default="everyone",
                          choices=[SelectChoice(k, v) for k, v in SEGMENT_LABELS.items()])
    meetup_id = SelectField(_l("Meetup"), choices=[], validate_choice=False)
    subject = StringField(_l("Subject"), validators=[
        DataRequired(_l("Enter a subject.")), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[
        DataRequired(_l("Enter the message.")), Length(max=10_000)])


class ScheduleForm(FlaskForm):
    send_at = StringField(_l("Send at"), validators=[Optional(), Length(max=20)])
