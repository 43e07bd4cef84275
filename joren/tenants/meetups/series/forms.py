"""Forms of the console's series and occurrence editors, with the friendly rule builder."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from joren.tenants.meetups.series import words
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
    "syntax": _l("Write the rule as NAME=VALUE parts separated by semicolons, e.g. "
                 "FREQ=MONTHLY;BYDAY=2TU."),
    "count_and_until": _l("A rule can end after a number of times (COUNT) or on a date "
                          "(UNTIL), not both."),
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


# What each part of a rule takes, said when that part is wrong.
PART_ERRORS = {
    "FREQ": _l("FREQ must be WEEKLY, MONTHLY, YEARLY or DAILY."),
    "INTERVAL": _l("INTERVAL must be a whole number from 1 to 60 (e.g. INTERVAL=2 for every "
                   "other week or month)."),
    "COUNT": _l("COUNT must be a whole number from 1 to 1000."),
    "UNTIL": _l("UNTIL must be a date written like 20271231."),
    "BYDAY": _l("BYDAY must list weekdays (MO TU WE TH FR SA SU), each with an optional "
                "week of the month from 1 to 5 or -1 for the last: e.g. 2TU, or 1TU,3TU, "
                "or -1FR."),
    "BYMONTHDAY": _l("BYMONTHDAY must list days from 1 to 31, or -1 for the last day of the "
                     "month."),
    "BYSETPOS": _l("BYSETPOS must list positions such as 1,3 or -1."),
    "BYMONTH": _l("BYMONTH must list months from 1 to 12."),
    "WKST": _l("WKST must be a weekday: MO, TU, WE, TH, FR, SA or SU."),
}


def error_message(code: str, part: str | None = None) -> Any:
    """The message for an error code; for a rule, it names the part that is wrong."""
    if code == "unknown_part" and part:
        return _l("“%(part)s” is not a part of a recurrence rule. Use FREQ, INTERVAL, COUNT, "
                  "UNTIL, BYDAY, BYMONTHDAY, BYSETPOS or BYMONTH.", part=part)
    if code == "repeated_part" and part:
        return _l("The rule names %(part)s twice.", part=part)
    if code in ("bad_part", "absurd", "syntax") and part in PART_ERRORS:
        return PART_ERRORS[part]
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


MONTHLY_PATTERNS = ("monthly_weekday", "monthly_last_weekday", "monthly_weekdays",
                    "monthly_day", "monthly_last_day")
LAST_SAFE_DAY = 28  # every month has it


class SeriesForm(_MeetupFields):
    pattern = SelectField(_l("Repeats"), default="monthly_weekday", choices=[
        SelectChoice("weekly", _l("Every week")),
        SelectChoice("biweekly", _l("Every 2 weeks")),
        SelectChoice("monthly_weekday",
                     _l("Monthly on the same weekday (e.g. the 2nd Tuesday)")),
        SelectChoice("monthly_last_weekday",
                     _l("Monthly on the last such weekday (e.g. the last Friday)")),
        SelectChoice("monthly_weekdays",
                     _l("Monthly on the weeks chosen below (e.g. the 1st and 3rd Tuesday)")),
        SelectChoice("monthly_day", _l("Monthly on the same day of the month")),
        SelectChoice("monthly_last_day", _l("Monthly on the last day of the month")),
        SelectChoice("advanced", _l("Advanced: an RFC 5545 rule")),
    ])
    weeks = SelectMultipleField(_l("Weeks of the month"), default=[], choices=[
        SelectChoice("1", _l("1st")), SelectChoice("2", _l("2nd")),
        SelectChoice("3", _l("3rd")), SelectChoice("4", _l("4th")),
        SelectChoice("-1", _l("last"))], validators=[Optional()],
        description=_l("For “the weeks chosen below”: the first date's weekday in each."))
    every_months = IntegerField(_l("Every how many months"), default=1, validators=[
        Optional(), NumberRange(1, 12, message=_l("Enter 1 to 12 months."))],
        description=_l("1 is every month, 2 every other month, 3 once a quarter."))
    ends = RadioField(_l("Ends"), default="never", choices=[
        SelectChoice("never", _l("Never")),
        SelectChoice("until", _l("On a date")),
        SelectChoice("count", _l("After a number of meetups")),
    ])
    until_date = DateField(_l("Last date"), validators=[Optional()])
    occurrences = IntegerField(_l("Number of meetups"), validators=[
        Optional(), NumberRange(1, 1000, message=_l("Enter 1 to 1000 meetups."))])
    # Set when the form asked which of two readings of the date was meant (4th or last).
    asked = HiddenField()
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

    def validate_pattern(self, field: SelectField) -> None:
        """Say when the date does not fit the pattern, or fits two ways (4th and last)."""
        first = self.first_date.data
        if first is None or field.data not in MONTHLY_PATTERNS:
            return
        weekday = format_date(first, "EEEE")
        n, _code = nth_weekday(first)
        is_last = is_last_weekday(first)
        if field.data == "monthly_day" and first.day > LAST_SAFE_DAY:
            raise ValidationError(_l(
                "Not every month has a day %(day)s, so some months would have no meetup. "
                "Choose “the last day of the month” to meet at each month's end, or a date "
                "up to the 28th.", day=first.day))
        if field.data == "monthly_last_weekday" and not is_last:
            raise ValidationError(_l("%(date)s is not the last %(weekday)s of its month.",
                                     date=format_date(first, "yyyy/MM/dd"), weekday=weekday))
        if field.data == "monthly_weekdays" and not self.weeks.data:
            raise ValidationError(_l("Choose the weeks of the month (e.g. 1st and 3rd)."))
        if field.data == "monthly_weekday" and n == 4 and is_last and self.asked.data != "1":
            # Most organizers mean the last one: offer it, say so, and let them choose.
            field.data, self.asked.data = "monthly_last_weekday", "1"
            raise ValidationError(_l(
                "%(date)s is both the 4th and the last %(weekday)s of its month. “The last "
                "%(weekday)s” is now chosen, so months with five %(weekday)ss meet on the "
                "fifth; choose “the same weekday” again for the 4th. Then save.",
                date=format_date(first, "yyyy/MM/dd"), weekday=weekday))

    def validate_ends(self, field: RadioField) -> None:
        if field.data == "until":
            if self.until_date.data is None:
                raise ValidationError(_l("Enter the last date."))
            if self.first_date.data and self.until_date.data < self.first_date.data:
                raise ValidationError(_l("The last date must be on or after the first date."))
        if field.data == "count" and not self.occurrences.data:
            raise ValidationError(_l("Enter how many meetups there are."))

    def rule(self) -> str:
        weeks = [int(w) for w in self.weeks.data or [] if w in ("1", "2", "3", "4", "-1")]
        return build_rule(self.pattern.data, self.first_date.data, self.rrule_text.data or "",
                          weeks=weeks, every_months=self.every_months.data or 1,
                          until=self.until_date.data if self.ends.data == "until" else None,
                          count=self.occurrences.data if self.ends.data == "count" else None)

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


def is_last_weekday(day: date) -> bool:
    """Whether no later date of the month has the same weekday (the last Friday, ...)."""
    return (day + timedelta(days=7)).month != day.month


def _ending(until: date | None, count: int | None) -> str:
    if until is not None:
        return f";UNTIL={until:%Y%m%d}T235959"
    if count:
        return f";COUNT={count}"
    return ""


def build_rule(pattern: str, first: date | None, advanced: str, *, weeks: list[int] | None = None,
               every_months: int = 1, until: date | None = None,
               count: int | None = None) -> str:
    """The rule the builder's choices make (the advanced text as written)."""
    if pattern == "advanced" or first is None:
        return advanced
    weekday = WEEKDAYS[first.weekday()]
    interval = f";INTERVAL={every_months}" if every_months > 1 else ""
    ending = _ending(until, count)
    if pattern == "weekly":
        return f"FREQ=WEEKLY;BYDAY={weekday}{ending}"
    if pattern == "biweekly":
        return f"FREQ=WEEKLY;INTERVAL=2;BYDAY={weekday}{ending}"
    if pattern == "monthly_weekday":
        n, code = nth_weekday(first)
        return f"FREQ=MONTHLY{interval};BYDAY={n}{code}{ending}"
    if pattern == "monthly_last_weekday":
        return f"FREQ=MONTHLY{interval};BYDAY=-1{weekday}{ending}"
    if pattern == "monthly_weekdays":
        ordered = sorted(set(weeks or [nth_weekday(first)[0]]), key=lambda n: n if n > 0 else 9)
        days = ",".join(f"{n}{weekday}" for n in ordered)
        return f"FREQ=MONTHLY{interval};BYDAY={days}{ending}"
    if pattern == "monthly_day":
        return f"FREQ=MONTHLY{interval};BYMONTHDAY={first.day}{ending}"
    if pattern == "monthly_last_day":
        return f"FREQ=MONTHLY{interval};BYMONTHDAY=-1{ending}"
    return advanced


def detect_pattern(rule: str, first: date) -> str:
    """The builder's choice that makes ``rule`` by itself (every month, no end), else
    "advanced" (the rule text is then shown as it is)."""
    for pattern in ("weekly", "biweekly", "monthly_weekday", "monthly_last_weekday",
                    "monthly_day", "monthly_last_day"):
        if build_rule(pattern, first, "") == rule:
            return pattern
    return "advanced"


def describe_rule(rule: str, dtstart_local: str) -> str:
    """The rule in words (毎月第2火曜日 / 2nd Tuesday of every month), never its raw text."""
    return words.describe(rule, dtstart_local)
