"""The audit log's words for what was done and to what, in the reader's language; the
table's own name where no label is written (a new table shows up, never disappears)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from joren.tenants.privacy.models import ActorKind, AuditEntry

ACTION_LABELS = {
    "create": _l("Added"), "update": _l("Changed"), "delete": _l("Deleted"),
    "bulk": _l("Changed in bulk"), "export": _l("Downloaded"),
    "erase": _l("Removed (personal data erased)"),
}

ENTITY_LABELS = {
    "accounts": _l("Account"),
    "announcements": _l("Announcement"),
    "attendance_changes": _l("Attendance change"),
    "attendances": _l("Attendance"),
    "communities": _l("Community settings"),
    "contacts": _l("Logged contact"),
    "dues_settings": _l("Dues settings"),
    "email_unsubscribes": _l("Email preference"),
    "engagement_settings": _l("Engagement settings"),
    "event_images": _l("Picture"),
    "import_batches": _l("Member import"),
    "introduction_settings": _l("Introduction settings"),
    "introductions": _l("Introduction"),
    "invitations": _l("Invitation"),
    "meetup_questions": _l("Registration question"),
    "meetup_series": _l("Meetup series"),
    "meetups": _l("Meetup"),
    "member_notes": _l("Member note"),
    "members": _l("Member"),
    "outbox_messages": _l("Email message"),
    "payment_settings": _l("Payment settings"),
    "payments": _l("Payment"),
    "referrals": _l("Referral"),
    "registrations": _l("Meetup registration"),
    "retention_settings": _l("Retention settings"),
}


def entity_label(entity: str) -> str:
    label = ENTITY_LABELS.get(entity)
    return str(label) if label is not None else entity


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def label_maps(entries: Iterable[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The actions' and the entities' labels of ``entries``, each translated once (a page of
    the log repeats a few of each)."""
    listed = list(entries)
    return ({a: action_label(a) for a in {e.action for e in listed}},
            {n: entity_label(n) for n in {e.entity for e in listed}})


def actor_for_owner(entry: AuditEntry) -> str:
    """Who did it, as a community's owner reads it: a member's name, or Joren's operators
    (never which operator)."""
    if entry.actor_kind == ActorKind.MEMBER:
        return entry.actor_name
    return _("Joren operator")


def ip_for_owner(entry: AuditEntry) -> str:
    """Where from, as a community's owner reads it: not the address of Joren's operators."""
    return entry.ip if entry.actor_kind == ActorKind.MEMBER else ""


def entity_choices(entities: list[str]) -> list[tuple[str, str]]:
    return [("", _("Anything"))] + sorted(((e, entity_label(e)) for e in entities),
                                          key=lambda pair: pair[1])


def action_choices() -> list[tuple[str, str]]:
    return [("", _("Anything"))] + [(k, str(v)) for k, v in ACTION_LABELS.items()]

