"""The import's forms: upload, column mapping, confirm."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import Length, Optional

from joren.tenants.imports.models import ImportKind


class UploadForm(FlaskForm):
    kind = SelectField(_l("What the file contains"), choices=lambda: [
        (ImportKind.MEMBERS.value, _l("Members (one row per person)")),
        (ImportKind.ATTENDANCE.value, _l("Past attendance (one row per person per meetup)")),
    ])
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


class MappingForm(FlaskForm):
    preset_name = StringField(_l("Save this mapping as a preset (optional)"),
                              validators=[Optional(), Length(max=80)])


class ConfirmForm(FlaskForm):
    valid_only = BooleanField(_l("Import only the valid rows and leave the rejected ones out"))
