"""Kinds of email a person can opt out of, with the names the unsubscribe page shows.

A feature that sends a new kind of non-transactional email adds its category here.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

LABELS = {
    "all": _l("all emails from Joren except account and sign-in emails"),
    "announcements": _l("announcements"),
    "reminders": _l("meetup reminders"),
    "introductions": _l("introduction suggestions"),
    "follow_ups": _l("follow-up reminders"),
    "meetup_prep": _l("people to meet before meetups"),
    "nudges": _l("introduction nudges"),
    "digest": _l("the regular summary"),
    "notices": _l("notices"),
    "we_miss_you": _l("“we miss you” notes from the organizers"),
    "surveys": _l("after-meetup surveys"),
}


def category_label(category: str) -> str:
    label = LABELS.get(category)
    return str(label) if label is not None else str(_l("these emails"))
