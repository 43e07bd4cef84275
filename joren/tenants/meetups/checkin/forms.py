"""The door's walk-in form and the self check-in code form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length, Optional


class WalkInForm(FlaskForm):
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=60)])
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=60)])
    family_name_kana = StringField(_l("Family name reading (kana)"),
                                   validators=[Optional(), Length(max=60)])
    given_name_kana = StringField(_l("Given name reading (kana)"),
                                  validators=[Optional(), Length(max=60)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=120)])
    title = StringField(_l("Job title"), validators=[Optional(), Length(max=80)])
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Length(max=320)])


class CodeForm(FlaskForm):
    code = StringField(_l("Check-in code"), validators=[DataRequired(), Length(max=12)])
