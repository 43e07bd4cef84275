"""Forms of membership dues: the organizer's settings and marking dues paid by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from joren.tenants.payments.dues.services import MAX_AMOUNT, MAX_INSTRUCTIONS

ERRORS = {
    "name_required": _l("Enter a name for the dues, e.g. Annual membership fee."),
    "name_too_long": _l("The name can be at most 100 characters."),
    "bad_amount": _l("Enter the dues as a whole number of yen, 1 or more."),
    "bad_interval": _l("Choose monthly or annual dues."),
    "forbidden": _l("Only organizers can record or undo dues."),
    "bad_method": _l("Choose how the dues were paid."),
    "disabled": _l("Membership dues are not turned on for this community."),
    "not_member": _l("Only members pay dues."),
    "instructions_too_long": _l("The payment instructions can be at most 2,000 characters."),
    "overlap": _l("Dues for %(start)s – %(end)s are already recorded; choose a start date "
                  "after that period."),
    "not_manual": _l("Only dues marked by hand can be undone here."),
    "not_paid": _l("These dues are not marked as paid."),
    "offline": _l("Dues cannot be paid online in this community yet."),
    "already_subscribed": _l("You already pay your dues online."),
    "no_subscription": _l("You have no online dues payment to cancel."),
}


class DuesSettingsForm(FlaskForm):
    enabled = BooleanField(_l("This community collects membership dues"))
    name = StringField(_l("Name of the dues"), validators=[
        Optional(), Length(max=100, message=_l("The name can be at most 100 characters."))],
        description=_l("Shown to members and on receipts, e.g. 年会費 or 月会費."))
    amount_jpy = IntegerField(_l("Amount (¥)"), default=0, validators=[
        Optional(), NumberRange(0, MAX_AMOUNT, message=_l(
            "Enter the dues as a whole number of yen, 1 or more."))])
    interval = RadioField(_l("Payment interval"), default="year", choices=[
        SelectChoice("year", _l("Annually")),
        SelectChoice("month", _l("Monthly")),
    ], validators=[InputRequired(_l("Choose monthly or annual dues."))])
    instructions = TextAreaField(
        _l("How to pay by bank transfer or in cash"), validators=[
            Optional(), Length(max=MAX_INSTRUCTIONS, message=_l(
                "The payment instructions can be at most 2,000 characters."))],
        description=_l("Shown to members on their dues page, e.g. the bank account for "
                       "transfers (振込先) or when to pay in cash."))

    def validate_name(self, field: StringField) -> None:
        if self.enabled.data and not (field.data or "").strip():
            raise ValidationError(ERRORS["name_required"])

    def validate_amount_jpy(self, field: IntegerField) -> None:
        if self.enabled.data and not field.data:
            raise ValidationError(ERRORS["bad_amount"])


class MarkDuesForm(FlaskForm):
    method = RadioField(_l("Paid by"), default="bank_transfer", choices=[
        SelectChoice("bank_transfer", _l("Bank transfer")),
        SelectChoice("door", _l("Cash (at a meetup)")),
    ], validators=[InputRequired(_l("Choose how the dues were paid."))])
    period_start = DateField(_l("Period starts on"), validators=[Optional()],
                             description=_l("Left empty: the day after the dues already paid "
                                            "end, or today."))
    note = StringField(_l("Note"), validators=[
        Optional(), Length(max=500, message=_l("The note can be at most 500 characters."))])

    def validate_period_start(self, field: DateField) -> None:
        if field.raw_data and (field.raw_data[0] or "").strip() and field.data is None:
            field.errors.clear()  # our words, not the library's
            raise StopValidation(_l("Enter a valid date, e.g. 2026-04-01."))
