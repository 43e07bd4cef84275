"""The console's own forms: a note on a member, a registration taken by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from joren.tenants.meetups.labels import SOURCE_LABELS
from joren.tenants.meetups.registrations.manual import MANUAL_SOURCES


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    contacted = BooleanField(_l("I contacted this person (a call, a message, a visit)"))


class ManualRegistrationForm(FlaskForm):
    source = SelectField(_l("Where the registration came from"),
                         choices=lambda: [(s, SOURCE_LABELS[s]) for s in MANUAL_SOURCES],
                         validators=[DataRequired(_l("Choose where the registration came from."))])
    member_id = IntegerField(_l("Member"), validators=[Optional()])
    family_name = StringField(_l("Family name"), validators=[Optional(), Length(max=60)])
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=60)])
    family_name_kana = StringField(_l("Family name reading (kana)"),
                                   validators=[Optional(), Length(max=60)])
    given_name_kana = StringField(_l("Given name reading (kana)"),
                                  validators=[Optional(), Length(max=60)])
    email = StringField(_l("Email (optional)"), validators=[Optional(), Length(max=320)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=120)])
    title = StringField(_l("Job title"), validators=[Optional(), Length(max=80)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=80)])
    note = StringField(_l("Note for the organizers"), validators=[Optional(), Length(max=500)])
    notify = BooleanField(_l("Send the confirmation email"))

    GUEST_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana",
                    "email", "company", "title", "industry")
