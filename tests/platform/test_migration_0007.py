"""Migration 0007: messages queued before the templates moved still render after it.

Their stored email keys move with the templates (registrations/* → meetups/registrations/*,
habits/* → relationships/habits/*, members/invitation → membership/invitation), a builder stored
by module path becomes its registered name, other keys stay, and a downgrade restores them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from joren.platform.mail import outbox
from joren.tenants.meetups.registrations import emails
from tests.platform.test_migrations import (  # noqa: F401 - fixtures
    _alembic_config,
    _databases,
    postgres_url,
    sqlite_url,
)

OLD_BUILDER = "joren.tenants.meetups.registrations:deferred_email_context"
BEFORE = {
    "registrations/offer": "meetups/registrations/offer",
    "registrations/guest_confirm": "meetups/registrations/guest_confirm",
    "habits/follow_up": "relationships/habits/follow_up",
    "members/invitation": "membership/invitation",
    "accounts/magic": "accounts/magic",
    "meetups/reminder": "meetups/reminder",
    "payments/refunded": "payments/refunded",
}


def _rows(engine: sa.Engine) -> dict[str, tuple[str, object]]:
    outbox = sa.Table("outbox_messages", sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        return {key: (template, context) for key, template, context in conn.execute(
            sa.select(outbox.c.idempotency_key, outbox.c.template, outbox.c.render_context))}


@pytest.mark.parametrize("database", _databases())
def test_queued_messages_keep_their_templates_across_0007(request, database):
    url = request.getfixturevalue(database)
    cfg = _alembic_config(url)
    command.upgrade(cfg, "0006")
    engine = sa.create_engine(url)
    outbox = sa.Table("outbox_messages", sa.MetaData(), autoload_with=engine)
    common = {"to_email": "a@example.com", "language": "ja", "subject": "", "text_body": "",
              "html_body": "", "headers": {}, "attachments": [], "status": "pending",
              "attempts": 0, "last_error": "", "message_id": "", "category": "transactional",
              "created_at": datetime(2026, 12, 1, tzinfo=UTC),
              "updated_at": datetime(2026, 12, 1, tzinfo=UTC)}
    with engine.begin() as conn:
        conn.execute(sa.insert(outbox), [
            {**common, "idempotency_key": old, "template": old,
             "render_context": {"builder": OLD_BUILDER, "values": {"r": 1}}
             if old == "registrations/offer" else None}
            for old in BEFORE])
    try:
        command.upgrade(cfg, "0007")
        after = _rows(engine)
        assert {key: template for key, (template, _) in after.items()} == BEFORE
        assert after["registrations/offer"][1] == {"builder": "meetups.registration-status",
                                                   "values": {"r": 1}}
        command.downgrade(cfg, "0006")
        back = _rows(engine)
        assert {key: template for key, (template, _) in back.items()} == {k: k for k in BEFORE}
        assert back["registrations/offer"][1] == {"builder": OLD_BUILDER, "values": {"r": 1}}
    finally:
        engine.dispose()


def test_the_builder_name_0007_stores_is_registered(app):
    assert outbox._builder("meetups.registration-status") is emails.deferred_email_context
    assert emails.DEFERRED_CONTEXT == "meetups.registration-status"
    with pytest.raises(ValueError):
        outbox._builder(OLD_BUILDER)
