"""The member's consent choices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField

from joren.tenants.members.consent.purposes import CHOICES, LABELS


class ConsentForm(FlaskForm):
    introductions = BooleanField(LABELS[CHOICES[0]])
    directory = BooleanField(LABELS[CHOICES[1]])
    announcements = BooleanField(LABELS[CHOICES[2]])
    follow_ups = BooleanField(LABELS[CHOICES[3]])
    via = HiddenField()
    next = HiddenField()


class NoticeForm(FlaskForm):
    """The organizers' text (checked in services.clean_body, so the message is one)."""

    body = TextAreaField(_l("Purposes of use (the notice people read)"))
