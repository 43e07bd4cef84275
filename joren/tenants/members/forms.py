"""Forms of the console's member pages and invitations."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from joren.platform.communities.invitations import INVITABLE_ROLES, InvitationError, normalise_email
from joren.platform.membership.labels import ROLE_LABELS, STATUS_LABELS
from joren.platform.membership.models import MemberStatus, Role

MAX_INVITES_AT_ONCE = 50
_SEPARATORS = re.compile(r"[\s,;]+")


def role_choices(roles: tuple[Role, ...] = tuple(Role)) -> list[tuple[str, object]]:
    return [(role.value, ROLE_LABELS[role]) for role in roles]


def _status_choices() -> list[tuple[str, object]]:
    return [(status.value, STATUS_LABELS[status]) for status in MemberStatus]


class MemberFilterForm(FlaskForm):
    """The search box and filters above the member list (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)],
                    description=_l("Name, reading (kana), romaji, company or email"))
    role = SelectField(_l("Role"), validators=[Optional()],
                       choices=lambda: [("", _l("All roles")), *role_choices()])
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=lambda: [("", _l("All statuses")), *_status_choices()])
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=100000)])


class MemberProfileForm(FlaskForm):
    family_name = StringField(_l("Family name"), validators=[Optional(), Length(max=60)])
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=60)])
    family_name_kana = StringField(_l("Family name reading (kana)"),
                                   validators=[Optional(), Length(max=60)])
    given_name_kana = StringField(_l("Given name reading (kana)"),
                                  validators=[Optional(), Length(max=60)])
    company = StringField(_l("Company"), validators=[Optional(), Length(max=120)])
    title = StringField(_l("Job title"), validators=[Optional(), Length(max=80)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=80)])


class MemberRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices)
    status = SelectField(_l("Status"), choices=_status_choices)


class InviteForm(FlaskForm):
    emails = TextAreaField(
        _l("Email addresses"),
        validators=[DataRequired(_l("Enter at least one email address.")),
                    Length(max=20000)],
        description=_l("One per line, or separated by commas. Up to %(count)s at a time.",
                       count=MAX_INVITES_AT_ONCE),
    )
    role = SelectField(_l("Invite as"), choices=lambda: role_choices(INVITABLE_ROLES),
                       default=Role.MEMBER.value)
    message = TextAreaField(_l("Personal message (optional)"),
                            validators=[Optional(), Length(max=1000)])


def split_addresses(text: str) -> tuple[list[str], list[str]]:
    """(valid addresses, lowercased and without repeats; entries that are not addresses)."""
    text = unicodedata.normalize("NFKC", text or "").replace("、", ",")
    good: list[str] = []
    bad: list[str] = []
    for entry in _SEPARATORS.split(text):
        entry = entry.strip().strip("<>")
        if not entry:
            continue
        try:
            email = normalise_email(entry)
        except InvitationError:
            if entry not in bad:
                bad.append(entry)
            continue
        if email not in good:
            good.append(email)
    return good, bad
