"""Joren operators' actions in the audit log (issue 17): the platform admin pages (who, when,
from where behind the proxy, what, before and after) and `joren create-admin` (actor
cli:<OS user>). An action on a community's data shows in that community's log as "Joren
operator"; one on no community's data only on the operators' page; another community's owner
sees neither; the operators' page filters and downloads, and is a 404 to everyone else."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import insert, select

from joren.app import configure_proxy
from joren.models import AuditEntry, OutboxMessage, OutboxStatus
from joren.platform.accountability import os_user
from joren.platform.tenancy import unscoped
from tests import factories
from tests.tenants.helpers import count_statements, in_english
from tests.workers.helpers import notice

pytestmark = pytest.mark.usefixtures("clock")

ADMIN = "root@example.jp"


@pytest.fixture()
def admin(session):  # type: ignore[no-untyped-def]
    account = factories.account(session, ADMIN, is_platform_admin=True)
    session.commit()
    return account


def _failed(app, session, key: str, community_id=None) -> OutboxMessage:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        message = notice(session, to=f"{key}@example.jp", key=key, community_id=community_id)
        message.status = OutboxStatus.FAILED
        message.attempts = 5
        message.last_error = "550 mailbox unavailable"
        session.commit()
    return message


def _entries(session) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    session.expire_all()
    with unscoped(session):
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_a_resend_is_recorded_with_the_operator_and_the_address_behind_the_proxy(
        app, session, login, admin, tenant, monkeypatch):
    message = _failed(app, session, "osaka-1", community_id=tenant.id)
    # One trusted proxy in front (TRUSTED_PROXY_COUNT=1): the address it saw is the client's,
    # whatever a client wrote before it in X-Forwarded-For.
    monkeypatch.setitem(app.config, "TRUSTED_PROXY_COUNT", 1)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)
    configure_proxy(app)
    response = login(admin).post(
        f"/admin/outbox/{message.id}/resend", environ_base={"REMOTE_ADDR": "10.0.0.2"},
        headers={"X-Forwarded-For": "192.0.2.66, 198.51.100.23"})
    assert response.status_code == 302
    [entry] = _entries(session)
    assert (entry.action, entry.entity, entry.entity_id) == (
        "update", "outbox_messages", message.id)
    assert (entry.tenant_id, entry.actor_kind) == (tenant.id, "operator")
    assert (entry.actor_account_id, entry.actor_name) == (admin.id, ADMIN)
    assert entry.actor_member_id is None
    assert entry.ip == "198.51.100.23"
    assert (entry.method, entry.path) == ("POST", f"/admin/outbox/{message.id}/resend")
    assert entry.changes["status"] == ["failed", "pending"]
    assert entry.changes["attempts"] == [5, 0]


def test_resend_all_records_each_message_with_its_community_or_none(
        app, session, login, admin, tenant, other_tenant):
    ours = _failed(app, session, "osaka-2", community_id=tenant.id)
    theirs = _failed(app, session, "kobe-1", community_id=other_tenant.id)
    account_mail = _failed(app, session, "signup-1")
    login(admin).post("/admin/outbox/failed/resend-all")
    owners = {e.entity_id: e.tenant_id for e in _entries(session)}
    assert owners == {ours.id: tenant.id, theirs.id: other_tenant.id, account_mail.id: None}


def test_owners_see_the_operators_actions_on_their_data_and_nothing_else(
        app, session, login, admin, people, tenant, other_tenant, owner_client):
    ours = _failed(app, session, "osaka-3", community_id=tenant.id)
    theirs = _failed(app, session, "kobe-2", community_id=other_tenant.id)
    account_mail = _failed(app, session, "signup-2")
    operator = login(admin)
    for message in (ours, theirs, account_mail):
        operator.post(f"/admin/outbox/{message.id}/resend",
                      environ_base={"REMOTE_ADDR": "203.0.113.99"})
    by_message = {e.entity_id: e.id for e in _entries(session)}

    page = in_english(owner_client).get(f"/c/{tenant.slug}/admin/audit").get_data(as_text=True)
    assert f'data-audit-entry="{by_message[ours.id]}"' in page
    assert page.count("data-audit-entry=") == 1
    assert "Joren operator" in page and ADMIN not in page  # never which operator
    assert "203.0.113.99" not in page  # nor from where
    # Searching for the operator's address finds nothing of theirs.
    found = owner_client.get(f"/c/{tenant.slug}/admin/audit?actor=root").get_data(as_text=True)
    assert "data-audit-entry=" not in found
    download = owner_client.get(f"/c/{tenant.slug}/admin/audit.csv").get_data(as_text=True)
    assert "Joren operator" in download and ADMIN not in download
    assert "203.0.113.99" not in download
    # The community's own export holds the entry the same way.
    archive = zipfile.ZipFile(io.BytesIO(owner_client.post(
        f"/c/{tenant.slug}/admin/export").data))
    everything = "".join(archive.read(name).decode("utf-8", "replace")
                         for name in archive.namelist())
    assert f"/admin/outbox/{ours.id}/resend" in everything  # the entry is there
    assert ADMIN not in everything and "203.0.113.99" not in everything

    other = in_english(login(people.other_owner))
    there = other.get(f"/c/{other_tenant.slug}/admin/audit").get_data(as_text=True)
    assert f'data-audit-entry="{by_message[theirs.id]}"' in there
    assert there.count("data-audit-entry=") == 1
    assert other.get(f"/c/{tenant.slug}/admin/audit").status_code in (403, 404)


def test_the_operators_page_filters_and_downloads(app, session, login, admin, tenant,
                                                 other_tenant):
    ours = _failed(app, session, "osaka-4", community_id=tenant.id)
    account_mail = _failed(app, session, "signup-3")
    operator = in_english(login(admin))
    for message in (ours, account_mail):
        operator.post(f"/admin/outbox/{message.id}/resend")
    # A community's own console entry is not an operator's: not on this page.
    with unscoped(session):
        session.add(AuditEntry(tenant_id=tenant.id, actor_name="佐藤", action="update",
                               entity="members", changes={}))
        session.commit()

    page = operator.get("/admin/audit").get_data(as_text=True)
    assert page.count("data-audit-entry=") == 2 and "大阪異業種交流会" in page
    assert "Email message" in page and "failed → pending" in page
    only_ours = operator.get(f"/admin/audit?community={tenant.slug}").get_data(as_text=True)
    assert only_ours.count("data-audit-entry=") == 1
    none = operator.get("/admin/audit?community=-").get_data(as_text=True)
    assert none.count("data-audit-entry=") == 1 and "大阪異業種交流会" not in none
    unknown = operator.get("/admin/audit?community=nowhere")
    assert unknown.status_code == 200 and "No community has that address." in unknown.get_data(
        as_text=True)
    assert "data-audit-entry=" not in unknown.get_data(as_text=True)
    bad = operator.get("/admin/audit?since=yesterday")
    assert bad.status_code == 200  # explained, never a 500

    rows = list(csv.reader(io.StringIO(
        operator.get("/admin/audit.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 3 and rows[0][-1] == "Community"
    assert {r[1] for r in rows[1:]} == {ADMIN}
    assert sorted(r[-1] for r in rows[1:]) == ["", "大阪異業種交流会"]
    # The download itself is recorded, as an operator's of no community.
    last = _entries(session)[-1]
    assert (last.action, last.tenant_id, last.actor_kind) == ("export", None, "operator")


@pytest.mark.parametrize("who", ["owner", "organizer", "member", "outsider"])
def test_the_operators_page_is_a_404_to_everyone_else(client, login, people, who):
    assert client.get("/admin/audit").status_code == 404
    signed_in = login(getattr(people, who))
    assert signed_in.get("/admin/audit").status_code == 404
    assert signed_in.get("/admin/audit.csv").status_code == 404


def test_create_admin_is_recorded_as_the_operators_command(app, session, people):
    session.commit()
    runner = app.test_cli_runner()
    created = runner.invoke(args=["create-admin", "New.Admin@Example.JP", "--password-stdin"],
                            input="correct horse battery staple\n")
    assert created.exit_code == 0, created.output
    promoted = runner.invoke(args=["create-admin", "organizer@example.jp"])
    assert promoted.exit_code == 0, promoted.output
    entries = [e for e in _entries(session) if e.entity == "accounts"]
    for entry in entries:
        assert entry.actor_kind == "cli" and entry.actor_name == f"cli:{os_user()}"
        assert entry.method == "CLI" and "create-admin" in entry.path
        assert entry.tenant_id is None and entry.ip == ""
        assert "correct horse" not in str(entry.changes) + entry.path
    new = entries[0]
    assert new.action == "create" and new.changes["email"] == [None, "new.admin@example.jp"]
    assert "new.admin@example.jp" in new.path.lower()
    assert all(e.changes.get("password_hash", ["•••"])[0] == "•••" for e in entries)
    assert {e.entity_id for e in entries[:-1]} == {new.entity_id}
    assert any(e.changes.get("is_platform_admin", [None])[-1] is True for e in entries[:-1])
    promotion = entries[-1]
    assert (promotion.action, promotion.entity_id) == ("update", people.organizer.id)
    assert promotion.changes["is_platform_admin"] == [False, True]


def test_the_operators_page_reads_in_few_statements_whatever_its_size(app, session, login,
                                                                      admin, tenant,
                                                                      other_tenant):
    operator = login(admin)
    counts = []
    for size in (3, 40):
        with unscoped(session):
            session.execute(insert(AuditEntry), [{
                "tenant_id": (tenant.id, other_tenant.id, None)[n % 3], "actor_kind": "operator",
                "actor_name": ADMIN, "action": "update", "entity": "outbox_messages",
                "entity_id": n, "changes": {"status": ["failed", "pending"]}}
                for n in range(size)])
        session.commit()
        with count_statements(app) as counter:
            assert operator.get("/admin/audit").status_code == 200
        counts.append(len(counter))
    assert counts[0] == counts[1] and counts[1] <= 10, counts
