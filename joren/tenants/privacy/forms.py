"""The community's retention periods (blank: the installation's)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from joren.tenants.privacy.retention import MAX_DAYS, MIN_AUDIT_DAYS, MIN_DAYS

_RANGE = _l("Enter a number of days from %(low)s to %(high)s, or leave it blank.",
            low=MIN_DAYS, high=MAX_DAYS)
_AUDIT_RANGE = _l("Enter a number of days from %(low)s to %(high)s, or leave it blank.",
                  low=MIN_AUDIT_DAYS, high=MAX_DAYS)


class RetentionForm(FlaskForm):
    import_days = IntegerField(
        _l("Uploaded CSV files (days)"),
        validators=[Optional(), NumberRange(min=MIN_DAYS, max=MAX_DAYS, message=_RANGE)])
    outbox_days = IntegerField(
        _l("Emails sent (days)"),
        validators=[Optional(), NumberRange(min=MIN_DAYS, max=MAX_DAYS, message=_RANGE)])
    audit_days = IntegerField(
        _l("Audit log entries (days)"),
        validators=[Optional(), NumberRange(min=MIN_AUDIT_DAYS, max=MAX_DAYS,
                                            message=_AUDIT_RANGE)])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Who"), validators=[Optional(), Length(max=100)])
    action = SelectField(_l("What"), choices=[], validators=[Optional()])
    entity = SelectField(_l("On"), choices=[], validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


class OperatorAuditFilterForm(AuditFilterForm):
    community = StringField(_l("Community (the name in its address)"),
                            validators=[Optional(), Length(max=100)])
