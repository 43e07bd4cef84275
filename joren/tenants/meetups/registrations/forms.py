"""The public guest registration form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional


class GuestForm(FlaskForm):
    family_name = StringField(_l("Family name"), validators=[
        DataRequired(_l("Enter your family name.")), Length(max=60)])
    given_name = StringField(_l("Given name"), validators=[
        DataRequired(_l("Enter your given name.")), Length(max=60)])
    family_name_kana = StringField(_l("Family name reading (kana)"),
                                   validators=[Optional(), Length(max=60)])
    given_name_kana = StringField(_l("Given name reading (kana)"),
                                  validators=[Optional(), Length(max=60)])
    email = StringField(_l("Email"), validators=[
        DataRequired(_l("Enter your email address.")), Length(max=320),
        Email(_l("Enter a valid email address."), check_deliverability=False)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=120)])
    title = StringField(_l("Job title"), validators=[Optional(), Length(max=80)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=80)])
    # The community's privacy notice (members.consent): read before registering; the
    # announcements are the one use a guest chooses (a guest is not matched nor listed).
    notice_read = BooleanField(_l("I have read the privacy notice"), validators=[
        DataRequired(_l("Please read the privacy notice and tick the box to register."))])
    consent_announcements = BooleanField(
        _l("Send me news of future meetups and the short survey after this one"))
