"""email template keys name the package that owns the template (issue 13's layout)

Queued messages render at send time from their stored key, so the keys of messages written
before the templates moved are renamed: registrations/* → meetups/registrations/*,
habits/* → relationships/habits/*, members/invitation → membership/invitation. Messages
stored for rendering at send time named their context builder by module path; they now name
it by a registered name that survives a module moving (mail.outbox.context_builder).

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
# builder stored in render_context: (old, new)
BUILDERS = (
    ("joren.tenants.meetups.registrations:deferred_email_context", "meetups.registration-status"),
)
outbox = sa.table("outbox_messages", sa.column("id", sa.Integer),
                  sa.column("template", sa.String), sa.column("render_context", sa.JSON))


def _rename(pairs: Sequence[tuple[str, str]]) -> None:
    for old, new in pairs:
        rest = sa.func.substr(outbox.c.template, len(old) + 1)
        op.execute(outbox.update()
                   .where(outbox.c.template.like(old.replace("_", r"\_") + "%", escape="\\"))
                   .values(template=sa.literal(new) + rest))


def _rename_builders(pairs: Sequence[tuple[str, str]]) -> None:
    """Few rows (only messages still waiting to be rendered), so in Python: JSON functions
    differ between PostgreSQL and SQLite."""
    names = dict(pairs)
    bind = op.get_bind()
    rows = bind.execute(sa.select(outbox.c.id, outbox.c.render_context)
                        .where(outbox.c.render_context.is_not(None))).all()
    for row_id, stored in rows:
        if isinstance(stored, dict) and stored.get("builder") in names:
            bind.execute(outbox.update().where(outbox.c.id == row_id)
                         .values(render_context={**stored, "builder": names[stored["builder"]]}))


def upgrade() -> None:
    _rename(RENAMES)
    _rename_builders(BUILDERS)


def downgrade() -> None:
    _rename([(new, old) for old, new in RENAMES])
    _rename_builders([(new, old) for old, new in BUILDERS])
