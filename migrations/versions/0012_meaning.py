"""Meaning in introductions: concepts members pick, and each suggestion's confidence

- members.offer_concepts / members.need_concepts: the vocabulary concepts (codes, comma
  separated, as ask_industries) a member picked in the profile form for what they offer and
  what they need (joren/tenants/members/vocabulary). The matching engine counts a pick fully.
- introductions.confidence: the calibrated probability (0..1) that an engine suggestion is a
  good match (joren/tenants/introductions/semantics.confidence); NULL for suggestions made
  by hand, by request, or before this revision. The review queue flags the low ones.

Columns on existing tables only: their row-level security policies already cover them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
# The lead re-chains this at merge.
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("offer_concepts", sa.String(200), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("need_concepts", sa.String(200), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("introductions") as batch:
        batch.add_column(sa.Column("confidence", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("introductions") as batch:
        batch.drop_column("confidence")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("need_concepts")
        batch.drop_column("offer_concepts")
