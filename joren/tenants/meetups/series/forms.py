"""Forms of the console's series and occurrence editors, with the friendly rule builder."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from joren.tenants.meetups.series.checks import (
    MAX_CAPACITY,
    MAX_DURATION,
    MAX_PRICE,
    MAX_REFUND_CUTOFF_HOURS,
)

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

RULE_ERRORS = {
    "empty": _l("Enter a recurrence rule."),
    "invalid": _l("This recurrence rule is not valid. Example: FREQ=MONTHLY;BYDAY=2TU "
                  "(every second Tuesday)."),
    "too_frequent": _l("A meetup can repeat at most once a day; hourly or more frequent "
                       "rules are not allowed."),
    "absurd": _l("This rule repeats too many times or with too long an interval."),
    "no_dates": _l("This rule gives no date within five years of the first date."),
    "bad_start": _l("Enter a valid first date and start time."),
    "bad_timezone": _l("The community's timezone is not valid; fix it in the settings."),
}
FIELD_ERRORS = {
    "too_long": _l("This is too long."),
    "required": _l("This field is required."),
    "bad_url": _l("Enter a web address that starts with http:// or https://."),
    "out_of_range": _l("This value is out of range."),
    "capacity_below_going": _l("The capacity cannot be lower than the number of people "
                               "already going."),
    "member_price_above_price": _l("The member fee cannot be higher than the fee."),
}
GENERAL_ERRORS = {
    "cancelled": _l("This meetup is cancelled and can no longer be edited."),
    "not_in_series": _l("This meetup is not part of a series (or was already edited on its "
                        "own), so only this one can be changed."),
    "bad_scope": _l("Choose which meetups to change."),
}


def error_message(code: str) -> Any:
    return RULE_ERRORS.get(code) or FIELD_ERRORS.get(code) or GENERAL_ERRORS.get(
        code, _l("The meetup could not be saved. Check the values and try again."))


def _reminder_days(form: FlaskForm, field: StringField) -> None:
    try:
        days = parse_days(field.data or "")
    except ValueError:
        raise ValidationError(_l("Enter whole numbers of days between 1 and 60, "
                                 "separated by commas (e.g. 7, 2).")) from None
    field.parsed = days  # type: ignore[attr-defined]


def parse_days(text: str) -> list[int]:
    cleaned = text.replace("、", ",").replace("，", ",")
    days = sorted({int(part) for part in cleaned.split(",") if part.strip()}, reverse=True)
    if any(not 1 <= d <= 60 for d in days) or len(days) > 5:
        raise ValueError(text)
    return days


def _url() -> list[Any]:
    return [Optional(), Length(max=500),
            URL(require_tld=False, message=_l("Enter a web address that starts with "
                                               "http:// or https://."))]


class _MeetupFields(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter a title.")),
        Length(max=200, message=_l("The title can be at most %(max)d characters."))])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20000)])
    first_date = DateField(_l("Date"), validators=[
        DataRequired(_l("Enter a valid date."))])
    start_time = TimeField(_l("Start time"), validators=[
        DataRequired(_l("Enter a valid time, e.g. 19:00."))])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=120, validators=[
        DataRequired(_l("Enter the duration in minutes.")),
        NumberRange(5, MAX_DURATION, message=_l("The duration must be between 5 minutes and "
                                                "24 hours."))])
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    map_url = StringField(_l("Map link"), validators=_url())
    online_url = StringField(_l("Online link"), validators=_url(),
                             description=_l("For online or hybrid meetups (Zoom, Meet, ...)."))
    capacity = IntegerField(_l("Capacity"), validators=[
        Optional(), NumberRange(1, MAX_CAPACITY, message=_l("The capacity must be at least 1 "
                                                            "(leave it empty for no limit)."))],
        description=_l("Leave empty for no limit."))
    price = IntegerField(_l("Fee (¥)"), default=0, validators=[
        Optional(), NumberRange(0, MAX_PRICE, message=_l("The fee must be a whole number of "
                                                         "yen, 0 or more (0 is free)."))],
        description=_l("0 means free."))
    member_price = IntegerField(
        _l("Fee for members with paid-up dues (¥)"),
        validators=[Optional(), NumberRange(0, MAX_PRICE, message=_l(
            "The member fee must be a whole number of yen, 0 or more."))],
        description=_l("Leave empty for the same fee for everyone."))
    refund_cutoff_hours = IntegerField(
        _l("Refund when cancelled at least this many hours before"),
        validators=[Optional(), NumberRange(0, MAX_REFUND_CUTOFF_HOURS, message=_l(
            "Enter 0 to 720 hours (30 days), or leave empty."))],
        description=_l("For fees paid online: a member who cancels this early is refunded in "
                       "full, later not at all. Leave empty for no refunds on cancellation. "
                       "A meetup you cancel is always refunded."))
    requires_approval = BooleanField(_l("The organizer approves each registration"))
    industry_cap = IntegerField(_l("At most this many people per industry"), validators=[
        Optional(), NumberRange(1, MAX_CAPACITY, message=_l("Enter 1 or more, or leave empty."))])
    registration_opens_days = IntegerField(
        _l("Registration opens (days before)"),
        validators=[Optional(), NumberRange(0, 365, message=_l("Enter 0 to 365 days."))],
        description=_l("Leave empty to open registration at once."))
    registration_closes_minutes = IntegerField(
        _l("Registration closes (minutes before the start)"), default=0,
        validators=[Optional(), NumberRange(0, 43200, message=_l("Enter 0 to 43200 minutes."))])

    def validate_member_price(self, field: IntegerField) -> None:
        if field.data is not None and field.data > (self.price.data or 0):
            raise ValidationError(FIELD_ERRORS["member_price_above_price"])

    def pricing_fields(self) -> dict[str, Any]:
        return {"price": self.price.data or 0, "member_price": self.member_price.data,
                "refund_cutoff_hours": self.refund_cutoff_hours.data}

    def local_start(self) -> datetime:
        return datetime.combine(self.first_date.data, self.start_time.data)


class SeriesForm(_MeetupFields):
    pattern = SelectField(_l("Repeats"), default="monthly_weekday", choices=[
        SelectChoice("weekly", _l("Every week")),
        SelectChoice("biweekly", _l("Every 2 weeks")),
        SelectChoice("monthly_weekday",
                     _l("Monthly on the same weekday (e.g. the 2nd Tuesday)")),
        SelectChoice("monthly_day", _l("Monthly on the same day of the month")),
        SelectChoice("advanced", _l("Advanced: an RFC 5545 rule")),
    ])
    rrule_text = StringField(_l("Recurrence rule (advanced)"),
                             validators=[Optional(), Length(max=400)],
                             description=_l("For example FREQ=MONTHLY;BYDAY=2TU "
                                            "(every second Tuesday)."))
    first_date = DateField(_l("First date"), validators=[
        DataRequired(_l("Enter a valid date."))])
    visibility = SelectField(_l("Who can see it"), default="public", choices=[
        SelectChoice("public", _l("Public (guests can see and register)")),
        SelectChoice("members", _l("Members only")),
    ])
    reminder_days = StringField(_l("Reminder emails (days before)"), default="2",
                                validators=[Optional(), Length(max=40), _reminder_days],
                                description=_l("Comma separated, e.g. 7, 2."))
    reminder_morning_of = BooleanField(_l("Also remind on the morning of the meetup"),
                                       default=True)

    def rule(self) -> str:
        return build_rule(self.pattern.data, self.first_date.data, self.rrule_text.data or "")

    def series_fields(self) -> dict[str, Any]:
        return {
            "title": self.title.data.strip(), "description": self.description.data or "",
            "rrule": self.rule(), "dtstart_local": self.local_start().isoformat(),
            "duration_minutes": self.duration_minutes.data,
            "venue_name": self.venue_name.data or "",
            "venue_address": self.venue_address.data or "",
            "map_url": self.map_url.data or "", "online_url": self.online_url.data or "",
            "capacity": self.capacity.data, **self.pricing_fields(),
            "visibility": self.visibility.data, "requires_approval": self.requires_approval.data,
            "industry_cap": self.industry_cap.data,
            "registration_opens_days": self.registration_opens_days.data,
            "registration_closes_minutes": self.registration_closes_minutes.data or 0,
            "reminder_days": parse_days(self.reminder_days.data or ""),
            "reminder_morning_of": self.reminder_morning_of.data,
        }


class OneOffForm(_MeetupFields):
    is_public = BooleanField(_l("Public (guests can see and register)"), default=True)

    def meetup_fields(self) -> dict[str, Any]:
        return {
            "title": self.title.data.strip(), "description": self.description.data or "",
            "duration_minutes": self.duration_minutes.data,
            "venue_name": self.venue_name.data or "",
            "venue_address": self.venue_address.data or "",
            "map_url": self.map_url.data or "", "online_url": self.online_url.data or "",
            "capacity": self.capacity.data, **self.pricing_fields(),
            "is_public": self.is_public.data, "requires_approval": self.requires_approval.data,
            "industry_cap": self.industry_cap.data,
        }


class OccurrenceForm(OneOffForm):
    scope = RadioField(_l("Change"), default="this", choices=[
        SelectChoice("this", _l("This meetup only")),
        SelectChoice("following", _l("This and the following meetups of the series")),
    ])
    registration_opens_days = None  # type: ignore[assignment]
    registration_closes_minutes = None  # type: ignore[assignment]


def nth_weekday(day: date) -> tuple[int, str]:
    """(n, weekday code) of a date: the 2nd Tuesday is (2, "TU"); a 5th becomes -1 (last)."""
    n = (day.day - 1) // 7 + 1
    return (-1 if n == 5 else n), WEEKDAYS[day.weekday()]


def build_rule(pattern: str, first: date | None, advanced: str) -> str:
    if pattern == "advanced" or first is None:
        return advanced
    weekday = WEEKDAYS[first.weekday()]
    if pattern == "weekly":
        return f"FREQ=WEEKLY;BYDAY={weekday}"
    if pattern == "biweekly":
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}"
    if pattern == "monthly_weekday":
        n, code = nth_weekday(first)
        return f"FREQ=MONTHLY;BYDAY={n}{code}"
    if pattern == "monthly_day":
        return f"FREQ=MONTHLY;BYMONTHDAY={first.day}"
    return advanced


def detect_pattern(rule: str, first: date) -> str:
    for pattern in ("weekly", "biweekly", "monthly_weekday", "monthly_day"):
        if build_rule(pattern, first, "") == rule:
            return pattern
    return "advanced"


NTH = {1: _l("1st"), 2: _l("2nd"), 3: _l("3rd"), 4: _l("4th"), -1: _l("last")}


def describe_rule(rule: str, dtstart_local: str) -> str:
    """A person's words for the rules the builder makes (毎月第2火曜日); others as written."""
    try:
        first = datetime.fromisoformat(dtstart_local).date()
    except ValueError:
        return rule
    weekday = format_date(first, "EEEE")
    pattern = detect_pattern(rule, first)
    if pattern == "weekly":
        return _("Every %(weekday)s", weekday=weekday)
    if pattern == "biweekly":
        return _("Every other %(weekday)s", weekday=weekday)
    if pattern == "monthly_weekday":
        n, _code = nth_weekday(first)
        return _("Monthly on the %(nth)s %(weekday)s", nth=NTH[n], weekday=weekday)
    if pattern == "monthly_day":
        return _("Monthly on day %(day)s", day=first.day)
    return rule
