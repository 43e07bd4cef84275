"""Where a person's data lives: every table, and which of its columns name a person.

Every mapped table has an entry here, and tests/tenants/privacy/test_registry.py fails when
one has not (a new table, or a new column naming a member, an account or an address): a table
that holds a person's data is part of the export, or it is declared to hold none, with why.

- ``subject``: columns naming the member a row is about. The row is theirs: it is exported
  to them.
- ``actor``: columns naming a member who did something to someone else's row (the organizer
  who marked a payment). The row is about the other person, so it is not exported to the actor.
- ``account``: columns naming the account the row belongs to.
- ``email``: columns holding an address; a row whose address is the person's is theirs.
- ``via``: (column, parent table): the row belongs to whoever the parent row (a registration)
  is about, as the parent's entry says.
- ``reason``: for a table that names nobody, why it holds no personal data.

Columns whose name says they hold a secret (a token, a hash, a nonce) are never exported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECRET_COLUMN = re.compile(r"(token|hash|nonce|secret|password)")


@dataclass(frozen=True)
class Holds:
    subject: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    account: tuple[str, ...] = ()
    email: tuple[str, ...] = ()
    via: tuple[str, str] | None = None
    reason: str = ""

    @property
    def is_personal(self) -> bool:
        return bool(self.subject or self.account or self.email or self.via)


NOBODY = "settings, counts or structure of a community: names no person"

TABLES: dict[str, Holds] = {
    "accounts": Holds(account=("id",), email=("email",)),
    "account_sessions": Holds(account=("account_id",)),
    # The row's search keys (search_key; the door's search_romaji, search_romaji_given,
    # search_company) are derived from its names and company: exported with the row, blanked
    # with them by an erasure (the ORM recomputes them), left out of the audit log.
    "members": Holds(subject=("id",), account=("account_id",), email=("email",)),
    "attendances": Holds(subject=("member_id", "substitute_member_id")),
    "attendance_changes": Holds(subject=("member_id",), actor=("changed_by_id",)),
    "contacts": Holds(subject=("member_id", "other_id")),
    "dues_subscriptions": Holds(subject=("member_id",)),
    "engagement_member_rollups": Holds(subject=("member_id",)),
    "member_engagements": Holds(subject=("member_id",)),
    "import_batches": Holds(actor=("created_by_id",),
                            reason="an organizer's upload: the people in it are members, "
                                   "exported from their own rows; kept per the retention rule"),
    "import_presets": Holds(actor=("created_by_id",), reason="column mappings, no person"),
    "introductions": Holds(subject=("member_low_id", "member_high_id"),
                           actor=("decided_by_id", "requested_by_id")),
    "invitations": Holds(subject=("member_id",), actor=("invited_by_id",), email=("email",)),
    "journal_entries": Holds(subject=("member_id",)),
    "meetup_gives": Holds(subject=("member_id",)),
    "payments": Holds(subject=("member_id",),
                      actor=("marked_by_id", "refund_requested_by_id", "refunded_by_id")),
    "referrals": Holds(subject=("giver_id", "receiver_id")),
    "registrations": Holds(subject=("member_id",)),
    "relationships": Holds(subject=("member_low_id", "member_high_id")),
    "series_registrations": Holds(subject=("member_id",)),
    "outbox_messages": Holds(email=("to_email",)),
    "email_unsubscribes": Holds(email=("email",)),
    "stripe_events": Holds(reason="Stripe's notices about a community's subscription and "
                                  "payments; the payments themselves are exported"),
    "billing_subscriptions": Holds(reason=NOBODY),
    # The account that asked for the community's deletion (closing.py): a plain id.
    "communities": Holds(actor=("deletion_requested_by_id",), reason=NOBODY),
    "connect_accounts": Holds(reason=NOBODY),
    "deferred_jobs": Holds(reason="job names and ids waiting for a worker"),
    "dues_settings": Holds(reason=NOBODY),
    "engagement_cohort_rollups": Holds(reason=NOBODY),
    "engagement_meetup_rollups": Holds(reason=NOBODY),
    "engagement_rollup_states": Holds(reason=NOBODY),
    "engagement_settings": Holds(reason=NOBODY),
    "introduction_cycles": Holds(reason=NOBODY),
    "introduction_settings": Holds(reason=NOBODY),
    "meetup_series": Holds(reason=NOBODY),
    "meetups": Holds(reason=NOBODY),
    "meetup_fee_tallies": Holds(reason=NOBODY),
    "data_changes": Holds(reason=NOBODY),
    "tag_verdicts": Holds(reason="the tag verifier's verdicts, keyed by a 64-bit digest of a "
                                 "profile sentence (never its text) with no member's id; a "
                                 "cycle deletes those no profile holds any more"),
    "payment_settings": Holds(reason=NOBODY),
    "retention_settings": Holds(reason=NOBODY),
    "registration_answers": Holds(via=("registration_id", "registrations")),
    "survey_responses": Holds(subject=("member_id",)),
    "announcement_recipients": Holds(subject=("member_id",)),
    "announcements": Holds(reason="an organizer's message to a segment; who received it is "
                                  "in announcement_recipients"),
    "public_contacts": Holds(email=("contact_email",)),
    "event_images": Holds(reason="pictures of series and meetups, uploaded by organizers"),
    "meetup_questions": Holds(reason=NOBODY),
    # An organizer's notes about a member are about that member: exported to them, and
    # deleted when they are removed.
    "member_notes": Holds(subject=("member_id",), actor=("author_id",)),
    # The privacy notice (利用目的): each version names the organizer who published it; the
    # consent history is the person's own (exported to them, erased with them).
    "privacy_notices": Holds(actor=("published_by_id",),
                             reason="the community's notice, in versions; names only the "
                                    "organizer who published each"),
    "consent_records": Holds(subject=("member_id",)),
    "audit_entries": Holds(reason="the console's accountability record (who changed what); "
                                  "kept for RETENTION_AUDIT_DAYS, then purged"),
}


def exported_columns(table) -> list[str]:  # type: ignore[no-untyped-def]
    """A table's columns minus those holding secrets."""
    return [c.name for c in table.columns if not SECRET_COLUMN.search(c.name)]
