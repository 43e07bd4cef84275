"""A community's email comes from the community: "<community> via Joren" on the installation's
own address, Reply-To the community's contact when a feature knows one (issue 16, item 14)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import parseaddr

from joren.platform.mail.mime import build_message, wire_message
from joren.platform.mail.sender_identity import FROM_NAME, reply_to_wanted
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.public.models import PublicContact
from tests.workers.helpers import notice

NOW = datetime(2026, 6, 10, 1, 0, tzinfo=UTC)


@contextmanager
def contact(address):  # type: ignore[no-untyped-def]
    def answer(_session, *, community_id):  # type: ignore[no-untyped-def]
        return address

    reply_to_wanted.connect(answer)
    try:
        yield
    finally:
        reply_to_wanted.disconnect(answer)


def _sent(app, message):  # type: ignore[no-untyped-def]
    """The message both ways the sender builds it: the fast wire form and the full one."""
    mail_from = app.config["MAIL_FROM"]
    fast = message_from_bytes(wire_message(message, mail_from, NOW), policy=default_policy)
    return fast, build_message(message, mail_from, NOW)


def test_a_communitys_email_carries_its_name_on_the_installations_address(
        app, app_ctx, session, tenant):
    message = notice(session, community_id=tenant.id)
    address = parseaddr(app.config["MAIL_FROM"])[1]
    for built in _sent(app, message):
        assert parseaddr(str(built["From"])) == ("大阪異業種交流会 via Joren", address)
        assert built[FROM_NAME] is None and built["Reply-To"] is None


def test_reply_to_is_the_communitys_contact_when_there_is_one(app, app_ctx, session, tenant):
    with contact("info@osaka-mixer.example.jp"):
        message = notice(session, community_id=tenant.id, key="with-contact")
    for built in _sent(app, message):
        assert built["Reply-To"] == "info@osaka-mixer.example.jp"
    with contact("evil@example.jp\r\nBcc: x@example.jp"):
        message = notice(session, community_id=tenant.id, key="bad-contact")
    assert "Reply-To" not in message.headers


def test_platform_mail_stays_joren(app, app_ctx, session):
    message = notice(session, key="platform")
    for built in _sent(app, message):
        assert parseaddr(str(built["From"])) == parseaddr(app.config["MAIL_FROM"])


def test_reply_to_is_the_contact_published_on_the_public_page(app, app_ctx, session, tenant,
                                                              other_tenant):
    with unscoped(session):
        session.add(PublicContact(tenant_id=other_tenant.id, contact_name="他会",
                                  contact_email="other@example.jp"))
        session.flush()
    message = notice(session, community_id=tenant.id, key="none-published")
    assert "Reply-To" not in message.headers  # another community's contact is not ours
    with unscoped(session):
        session.add(PublicContact(tenant_id=tenant.id, contact_name="事務局",
                                  contact_email="jimukyoku@osaka-mixer.example.jp"))
        session.flush()
    message = notice(session, community_id=tenant.id, key="published")
    for built in _sent(app, message):
        assert built["Reply-To"] == "jimukyoku@osaka-mixer.example.jp"
