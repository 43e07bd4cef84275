"""What each role may do inside its community: the one table every console route checks.

Roles are ordered (owner > organizer > staff > member) and a capability names the least
role that holds it, so a higher role always holds everything a lower one does. Views declare
the capability they need with ``edge.require``; templates ask ``can("...")`` to hide what
the viewer cannot use; services that enforce a rule of their own ask ``has_capability``.
SECURITY.md shows the same table; ``tests/test_role_matrix.py`` walks every console route
against it.
"""

from __future__ import annotations

import enum

from joren.platform.membership.models import Member, MemberStatus, Role


class Capability(enum.StrEnum):
    # Staff run the door.
    VIEW_CONSOLE = "view_console"  # the console dashboard, meetups and series (read)
    RUN_DOOR = "run_door"  # check-in, walk-ins, QR scan, the door and print lists, registrations
    MARK_DOOR_PAYMENT = "mark_door_payment"  # see a meetup's payments, mark a fee paid at the door
    VIEW_MEMBERS = "view_members"  # the member list, a member's page, pending invitations (read)
    VIEW_ANALYTICS = "view_analytics"  # engagement levels, analytics, outcomes (read)
    # Organizers run the community.
    EXPORT_PERSONAL_DATA = "export_personal_data"  # every CSV download
    REVERSE_PAYMENTS = "reverse_payments"  # undo a hand-marked payment, refund one made online
    MANAGE_PAYMENTS = "manage_payments"  # fees, dues, bank transfers, Stripe Connect
    MANAGE_MEETUPS = "manage_meetups"  # series, one-offs, edits, cancellations, approvals
    MANAGE_MEMBERS = "manage_members"  # edit people, roles of members and staff, invite, import
    MANAGE_INTRODUCTIONS = "manage_introductions"  # the introduction queue and its settings
    EMAIL_MEMBERS = "email_members"  # "we miss you" and other messages sent from the console
    MANAGE_SETTINGS = "manage_settings"  # the community's settings and engagement thresholds
    # Owners own it.
    MANAGE_LEADERS = "manage_leaders"  # make or unmake organizers and owners
    MANAGE_BILLING = "manage_billing"  # the Joren plan and its payment
    DELETE_COMMUNITY = "delete_community"  # delete the whole community (or cancel that)


MINIMUM_ROLE: dict[Capability, Role] = {
    Capability.VIEW_CONSOLE: Role.STAFF,
    Capability.RUN_DOOR: Role.STAFF,
    Capability.MARK_DOOR_PAYMENT: Role.STAFF,
    Capability.VIEW_MEMBERS: Role.STAFF,
    Capability.VIEW_ANALYTICS: Role.STAFF,
    Capability.EXPORT_PERSONAL_DATA: Role.ORGANIZER,
    Capability.REVERSE_PAYMENTS: Role.ORGANIZER,
    Capability.MANAGE_PAYMENTS: Role.ORGANIZER,
    Capability.MANAGE_MEETUPS: Role.ORGANIZER,
    Capability.MANAGE_MEMBERS: Role.ORGANIZER,
    Capability.MANAGE_INTRODUCTIONS: Role.ORGANIZER,
    Capability.EMAIL_MEMBERS: Role.ORGANIZER,
    Capability.MANAGE_SETTINGS: Role.ORGANIZER,
    Capability.MANAGE_LEADERS: Role.OWNER,
    Capability.MANAGE_BILLING: Role.OWNER,
    Capability.DELETE_COMMUNITY: Role.OWNER,
}


def role_has(role: Role, capability: Capability) -> bool:
    return role.at_least(MINIMUM_ROLE[capability])


def has_capability(member: Member | None, capability: Capability) -> bool:
    """Whether this membership (active, any role) holds ``capability``."""
    if member is None or member.status == MemberStatus.INACTIVE:
        return False
    return role_has(member.role, capability)


def capabilities_of(role: Role) -> frozenset[Capability]:
    return frozenset(c for c in Capability if role_has(role, c))
