"""email template keys name the package that owns the template (issue 13's layout)

Queued messages render at send time from their stored key, so the keys of messages written
before the templates moved are renamed: registrations/* → meetups/registrations/*,
habits/* → relationships/habits/*, members/invitation → membership/invitation.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (old prefix, new prefix); an exact key is a prefix that matches only itself.
RENAMES = (
    ("registrations/", "meetups/registrations/"),
    ("habits/", "relationships/habits/"),
    ("members/invitation", "membership/invitation"),
)
outbox = sa.table("outbox_messages", sa.column("template", sa.String))


def _rename(pairs: Sequence[tuple[str, str]]) -> None:
    for old, new in pairs:
        rest = sa.func.substr(outbox.c.template, len(old) + 1)
        op.execute(outbox.update()
                   .where(outbox.c.template.like(old.replace("_", r"\_") + "%", escape="\\"))
                   .values(template=sa.literal(new) + rest))


def upgrade() -> None:
    _rename(RENAMES)


def downgrade() -> None:
    _rename([(new, old) for old, new in RENAMES])
