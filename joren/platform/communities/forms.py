"""Forms for creating a community and changing its settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from joren.platform.communities.services import (
    COMMON_TIMEZONES,
    DEFAULT_TIMEZONE,
    KIND_LABELS,
    SLUG_MAX,
    SLUG_MIN,
    is_valid_timezone,
    normalise_slug,
    slug_problem,
    suggest_slug,
)
from joren.platform.db import db
from joren.platform.i18n import LANGUAGES
from joren.platform.identity.community import CommunityKind

SLUG_MESSAGES = {
    "length": _l("Use between %(min)s and %(max)s characters.", min=SLUG_MIN, max=SLUG_MAX),
    "format": _l("Use lowercase letters a-z, digits and single hyphens, starting and ending "
                 "with a letter or digit."),
    "reserved": _l("This address is reserved. Please choose another one."),
    "taken": _l("Another community already uses this address. Please choose another one."),
}


def _kind_choices() -> list[tuple[str, object]]:
    return [(kind.value, KIND_LABELS[kind]) for kind in CommunityKind]


def timezone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in COMMON_TIMEZONES]


def _language_choices() -> list[tuple[str, str]]:
    return list(LANGUAGES.items())


def _check_timezone(form: FlaskForm, field: SelectField) -> None:
    if not is_valid_timezone(field.data or ""):
        raise ValidationError(_l("Choose a timezone from the list."))


class CommunityDetailsForm(FlaskForm):
    name = StringField(_l("Community name"), validators=[
        DataRequired(_l("Enter the community's name.")), Length(max=120)])
    kind = SelectField(_l("Kind of community"), choices=_kind_choices,
                       default=CommunityKind.CROSS_INDUSTRY.value)
    city = StringField(_l("City"), validators=[Optional(), Length(max=80)],
                       description=_l("For example: 大阪市北区"))
    timezone = SelectField(_l("Timezone"), choices=timezone_choices, default=DEFAULT_TIMEZONE,
                           validate_choice=False, validators=[_check_timezone])
    default_language = SelectField(_l("Default language"), choices=_language_choices,
                                   default="ja")


class NewCommunityForm(CommunityDetailsForm):
    slug = StringField(
        _l("Address (URL)"), validators=[Length(max=200)],
        description=_l("Lowercase letters a-z, digits and hyphens, 3–60 characters. "
                       "It cannot be changed later."),
    )

    def validate_slug(self, field: StringField) -> None:
        slug = normalise_slug(field.data or "")
        if not slug:
            suggestion = suggest_slug(self.name.data or "")
            if suggestion and slug_problem(db.session, suggestion) is None:
                field.data = suggestion
                return
            raise ValidationError(_l("Choose an address for your community, "
                                     "for example osaka-mixer."))
        field.data = slug
        problem = slug_problem(db.session, slug)
        if problem:
            raise ValidationError(SLUG_MESSAGES[problem])


class SettingsForm(CommunityDetailsForm):
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=2000)],
        description=_l("Shown on the public community page: who it is for, how often you "
                       "meet, what to expect."))
    is_public = BooleanField(
        _l("Public community page"),
        description=_l("When off, people who are not members only see the community's name."))
