"""The audit log is append-only and kept for RETENTION_AUDIT_DAYS (retention.py): the nightly
purge deletes a community's entries past the period (and, once for the installation, the
operators' entries of no community), nothing younger, nobody else's; nothing else can change
or delete an entry, in the ORM and, on PostgreSQL, for the app's database role itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, select, text, update

from joren.models import AuditEntry
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.privacy import audit_log
from joren.tenants.privacy.audit import AppendOnly
from joren.workers import privacy_jobs

DAY = timedelta(days=1)


def _entry(session, tenant_id, name: str) -> AuditEntry:  # type: ignore[no-untyped-def]
    # As audit.py writes them: Core, unscoped for an operator's entry of no community.
    with unscoped(session):
        entry_id = session.execute(insert(AuditEntry).returning(AuditEntry.id), [{
            "tenant_id": tenant_id, "created_at": utcnow(), "actor_name": name,
            "action": "update", "entity": "members",
            "changes": {"company": ["旧社名", "新社名"]}}]).scalar_one()
        return session.get(AuditEntry, entry_id)


def _left(session) -> set[str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return set(session.scalars(select(AuditEntry.actor_name)))


def test_the_purge_deletes_entries_past_the_period_and_nothing_else(app, session, tenant,
                                                                   other_tenant, clock):
    days = app.config["RETENTION_AUDIT_DAYS"]
    assert days == 730  # the documented default
    _entry(session, tenant.id, "ours-old")
    _entry(session, other_tenant.id, "theirs-old")
    _entry(session, None, "operators-old")
    session.commit()
    clock.shift(days=2)
    _entry(session, tenant.id, "ours-new")
    _entry(session, None, "operators-new")
    session.commit()

    clock.shift(days * DAY - 3 * DAY)  # the old ones are 729 days old: kept
    with app.app_context():
        assert privacy_jobs.purge_retained(tenant.id, "x") == 0
        privacy_jobs.purge_retained_installation()
    assert len(_left(session)) == 5

    clock.shift(days=2)  # 731 days: past the period; the new ones are 729 days old
    with app.app_context():
        privacy_jobs.purge_retained(tenant.id, "y")
    assert _left(session) == {"theirs-old", "operators-old", "ours-new", "operators-new"}
    with app.app_context():
        privacy_jobs.purge_retained_installation()
        privacy_jobs.purge_retained(other_tenant.id, "y")
    assert _left(session) == {"ours-new", "operators-new"}


def test_nothing_but_the_purge_changes_or_deletes_an_entry(session, tenant, scoped):
    entry = _entry(session, tenant.id, "kept")
    session.commit()
    own = scoped(tenant)
    row = own.get(AuditEntry, entry.id)
    row.actor_name = "edited"
    with pytest.raises(AppendOnly):
        own.flush()
    own.rollback()
    own.delete(own.get(AuditEntry, entry.id))
    with pytest.raises(AppendOnly):
        own.flush()
    own.rollback()
    with pytest.raises(AppendOnly):
        own.execute(update(AuditEntry).values(actor_name="edited"))
    own.rollback()
    with pytest.raises(AppendOnly), unscoped(own):
        own.execute(delete(AuditEntry))
    own.rollback()
    assert _left(session) == {"kept"}


@pytest.mark.postgres
def test_the_app_role_can_neither_update_nor_delete_an_entry_but_in_the_purge(
        connection, session, tenant, other_tenant):
    """PostgreSQL's policies (migration 0024), for the app's role (the tests run as one that
    owns nothing): no UPDATE at all, even with the bypass; DELETE only after allow_purge."""
    assert connection.scalar(text("SELECT current_user")) == "joren_test_app"
    _entry(session, tenant.id, "ours")
    _entry(session, None, "operators")
    session.commit()

    def run(sql: str, tenant_id: str = "", bypass: str = "off", purge: bool = False) -> int:
        # In a savepoint rolled back after: the settings and any change go with it.
        nested = connection.begin_nested()
        try:
            connection.execute(text(
                "SELECT set_config('joren.tenant_id', :t, true), "
                "set_config('joren.bypass', :b, true), "
                "set_config('joren.audit_purge', :p, true)"),
                {"t": tenant_id, "b": bypass, "p": "on" if purge else "off"})
            return connection.execute(text(sql)).rowcount
        finally:
            nested.rollback()

    ours = str(tenant.id)
    assert run("SELECT * FROM audit_entries", ours) == 1  # its own, never the operators'
    assert run("SELECT * FROM audit_entries", str(other_tenant.id)) == 0
    assert run("SELECT * FROM audit_entries", bypass="on") == 2
    for scope in ({"tenant_id": ours}, {"bypass": "on"}, {"bypass": "on", "purge": True}):
        assert run("UPDATE audit_entries SET actor_name = 'x'", **scope) == 0
    assert run("DELETE FROM audit_entries", ours) == 0
    assert run("DELETE FROM audit_entries", bypass="on") == 0
    assert run("DELETE FROM audit_entries", purge=True) == 2  # the purge's setting alone
    assert _left(session) == {"ours", "operators"}
    # The purge path: audit_log.purge sets that setting (rls.allow_purge) for its transaction.
    assert audit_log.purge(session, None, entry_time_after(session)) == 1
    assert _left(session) == {"ours"}


def entry_time_after(session):  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.scalar(select(AuditEntry.created_at).order_by(
            AuditEntry.created_at.desc()).limit(1)) + timedelta(seconds=1)


def test_a_community_keeps_its_audit_log_for_its_own_period(app, session, login, people,
                                                          tenant, other_tenant, clock):
    """An owner may set the audit period (a year at least); the purge follows it for that
    community alone, and the page says how long entries are kept."""
    session.commit()
    client = login(people.organizer)
    short = client.post(f"/c/{tenant.slug}/admin/privacy", data={"audit_days": "30"})
    assert short.status_code == 422
    assert "365" in short.get_data(as_text=True)  # the error names the lowest period
    assert client.post(f"/c/{tenant.slug}/admin/privacy",
                       data={"audit_days": "400"}).status_code == 302
    assert "400" in client.get(f"/c/{tenant.slug}/admin/privacy").get_data(as_text=True)
    # Another community's period is not theirs to change.
    assert client.post(f"/c/{other_tenant.slug}/admin/privacy",
                       data={"audit_days": "365"}).status_code in (403, 404)

    _entry(session, tenant.id, "ours")
    _entry(session, other_tenant.id, "theirs")
    session.commit()
    clock.shift(days=401)
    with app.app_context():
        privacy_jobs.purge_retained(tenant.id, "z")
        privacy_jobs.purge_retained(other_tenant.id, "z")
    left = _left(session)
    assert "ours" not in left  # past this community's 400 days
    assert "theirs" in left  # the other keeps the installation's 730
