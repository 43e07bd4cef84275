"""What a person is asked to agree to, where they were asked, and the flag each answer sets.

Running the meetups (registrations, attendance, the emails about a person's own registration
such as its confirmation, ticket, changes and receipts) is what they joined for: it needs no
consent and is stated in the notice, not asked. The purposes below are the uses a person may
refuse and still take part.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Purpose(enum.StrEnum):
    NOTICE = "notice"  # saw this version of the notice (not a use: an acknowledgment)
    INTRODUCTIONS = "introductions"
    DIRECTORY = "directory"
    ANNOUNCEMENTS = "announcements"
    FOLLOW_UPS = "follow_ups"


# The purposes a person chooses, in the order every page lists them.
CHOICES = (Purpose.INTRODUCTIONS, Purpose.DIRECTORY, Purpose.ANNOUNCEMENTS,
           Purpose.FOLLOW_UPS)
# A guest (the public page's form) is not in the directory nor matched: only emails apply.
GUEST_CHOICES = (Purpose.ANNOUNCEMENTS,)

# Email purposes drive the member's email preferences (platform.mail categories): consent is
# "no opt-out row for these categories here".
EMAIL_CATEGORIES: dict[Purpose, tuple[str, ...]] = {
    Purpose.ANNOUNCEMENTS: ("announcements", "we_miss_you", "surveys"),
    Purpose.FOLLOW_UPS: ("follow_ups", "meetup_prep", "nudges"),
}

LABELS = {
    Purpose.NOTICE: _l("Read the privacy notice"),
    Purpose.INTRODUCTIONS: _l("Introductions between members"),
    Purpose.DIRECTORY: _l("Profile shown in the member directory"),
    Purpose.ANNOUNCEMENTS: _l("Announcements from the organizers"),
    Purpose.FOLLOW_UPS: _l("Follow-up and networking emails"),
}

EXPLANATIONS = {
    Purpose.INTRODUCTIONS: _l("Your profile (what you offer and whom you want to meet) is "
                              "matched with other members, and the organizers suggest "
                              "introductions. Contact details are exchanged only when both "
                              "of you accept."),
    Purpose.DIRECTORY: _l("Other members see your work and what you offer in the member "
                          "directory. Without it, members see only your name; the details "
                          "are for the organizers."),
    Purpose.ANNOUNCEMENTS: _l("News from the organizers, “we miss you” notes and the short "
                              "survey after a meetup."),
    Purpose.FOLLOW_UPS: _l("People to meet before a meetup, the next-day follow-up and "
                           "gentle reminders to stay in touch."),
}


class Surface(enum.StrEnum):
    INVITATION = "invitation"  # accepted an organizer's invitation (joined)
    IMPORT = "import"  # the organizer's list, answered at the person's first sign-in
    GUEST_FORM = "guest_form"  # the public page's guest registration
    SERIES = "series"  # signing up for a whole series
    PORTAL = "portal"  # the member's own privacy page (or its banner)
    PROFILE = "profile"  # the member's profile or email preferences page


SURFACE_LABELS = {
    Surface.INVITATION: _l("joining by invitation"),
    Surface.IMPORT: _l("first sign-in after the organizers' import"),
    Surface.GUEST_FORM: _l("guest registration form"),
    Surface.SERIES: _l("series sign-up"),
    Surface.PORTAL: _l("member portal"),
    Surface.PROFILE: _l("profile or email preferences"),
}
