"""Forms of the habit pages: the three gives, the journal, "we talked", email preferences."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from joren.tenants.relationships.journal import BODY_LENGTH, GIVE_LENGTH
from joren.tenants.relationships.models import ContactKind

_GIVE_HELP = _l("For example: an introduction to a tax accountant, what worked for us in hiring")


class GivesForm(FlaskForm):
    give_1 = StringField(_l("First thing I can give"), validators=[Length(max=GIVE_LENGTH)],
                         description=_GIVE_HELP)
    give_2 = StringField(_l("Second thing I can give"), validators=[Length(max=GIVE_LENGTH)])
    give_3 = StringField(_l("Third thing I can give"), validators=[Length(max=GIVE_LENGTH)])

    def gives(self) -> list[str]:
        return [self.give_1.data or "", self.give_2.data or "", self.give_3.data or ""]


class JournalEntryForm(FlaskForm):
    body = TextAreaField(
        _l("What I took away"),
        validators=[DataRequired(message=_l("Please write something first.")),
                    Length(max=BODY_LENGTH)],
        description=_l("One insight, a name to remember, something to do next. Only you can "
                       "see this."))
    meetup_id = SelectField(_l("Meetup"), coerce=int, validate_choice=True)

    def set_meetups(self, meetups: list[Any], format_date: Any) -> None:
        self.meetup_id.choices = [SelectChoice(0, _l("No particular meetup"))] + [
            SelectChoice(m.id, f"{format_date(m.starts_at)} {m.title}") for m in meetups]


class ConfirmForm(FlaskForm):
    """One button (CSRF only)."""


class NudgeContactForm(FlaskForm):
    kind = SelectField(_l("How were you in touch?"), validate_choice=True, choices=[
        SelectChoice(ContactKind.ONE_ON_ONE.value, _l("We met one-on-one")),
        SelectChoice(ContactKind.CALL.value, _l("We talked on the phone or a video call")),
        SelectChoice(ContactKind.OTHER.value, _l("We were in touch another way")),
    ])


PREFERENCE_LABELS = {
    "reminders": (_l("Meetup reminders"),
                  _l("Before each meetup you registered for: when and where it is, your "
                     "ticket and a calendar file.")),
    "meetup_prep": (_l("People to meet before meetups"),
                    _l("Two days before a meetup you registered for: the members worth meeting "
                       "there, and a reminder to note three things you can give.")),
    "follow_ups": (_l("Next-day follow-ups"),
                   _l("The morning after a meetup: the people you met, with one click to note "
                      "that you talked, and a moment to record an insight.")),
    "nudges": (_l("Introduction nudges"),
               _l("A month after an introduction, if neither of you has logged a contact: a "
                  "gentle reminder to follow up.")),
    "introductions": (_l("Introduction suggestions"),
                      _l("Introductions the organizers propose to you and other members.")),
    "we_miss_you": (_l("Notes from the organizers when we miss you"),
                    _l("A personal note from the organizers when you have not come for a "
                       "while.")),
    "announcements": (_l("Announcements"),
                      _l("News the organizers send to the community or to some of its "
                         "members.")),
    "surveys": (_l("After-meetup surveys"),
                _l("The day after a meetup you attended: a one-minute survey.")),
}


class PreferencesForm(FlaskForm):
    reminders = BooleanField(PREFERENCE_LABELS["reminders"][0])
    meetup_prep = BooleanField(PREFERENCE_LABELS["meetup_prep"][0])
    follow_ups = BooleanField(PREFERENCE_LABELS["follow_ups"][0])
    nudges = BooleanField(PREFERENCE_LABELS["nudges"][0])
    introductions = BooleanField(PREFERENCE_LABELS["introductions"][0])
    we_miss_you = BooleanField(PREFERENCE_LABELS["we_miss_you"][0])
    announcements = BooleanField(PREFERENCE_LABELS["announcements"][0])
    surveys = BooleanField(PREFERENCE_LABELS["surveys"][0])
