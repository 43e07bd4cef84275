"""The engagement thresholds form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from joren.tenants.engagement.services import LIMITS


def _range(field: str) -> NumberRange:
    low, high = LIMITS[field]
    return NumberRange(low, high, message=_l("Enter a number from %(min)s to %(max)s."))


class EngagementSettingsForm(FlaskForm):
    regular_min = IntegerField(_l("Regular: meetups attended"),
                               validators=[InputRequired(), _range("regular_min")])
    regular_window = IntegerField(_l("Regular: out of the last … meetups"),
                                  validators=[InputRequired(), _range("regular_window")])
    one_time_misses = IntegerField(_l("One-time: meetups missed after the first visit"),
                                   validators=[InputRequired(), _range("one_time_misses")])
    lapsed_misses = IntegerField(_l("Lapsed regular: meetups missed in a row"),
                                 validators=[InputRequired(), _range("lapsed_misses")])

    def validate_regular_min(self, field: IntegerField) -> None:
        window = self.regular_window.data
        if field.data is not None and window is not None and field.data > window:
            raise ValidationError(_l("Cannot be more than the number of meetups looked at."))

    def values(self) -> dict[str, int]:
        return {name: int(getattr(self, name).data) for name in LIMITS}
