"""Platform admin pages: only platform admins see them; everyone else gets a 404."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from joren.models import MemberStatus, OutboxMessage, OutboxStatus
from tests import factories


@pytest.fixture()
def admin(session):
    account = factories.account(session, "root@example.jp", is_platform_admin=True)
    session.commit()
    return account


def _outbox(session, status, n):
    for i in range(n):
        session.add(OutboxMessage(
            idempotency_key=f"test-{status.value}-{i}", template="accounts/verify",
            to_email=f"to{i}@example.jp", language="ja", subject="件名", text_body="本文",
            html_body="<p>本文</p>", headers={}, status=status,
        ))
    session.flush()


def test_anonymous_visitors_get_404(client):
    response = client.get("/admin/")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["owner", "organizer", "member", "outsider"])
def test_accounts_that_are_not_platform_admins_get_404(login, people, session, who):
    response = login(getattr(people, who)).get("/admin/")
    assert response.status_code == 404
    assert b"community-total" not in response.data


def test_admin_sees_every_community_with_member_counts(login, admin, people, session, tenant,
                                                        other_tenant):
    factories.member(session, other_tenant, status=MemberStatus.INACTIVE)
    _outbox(session, OutboxStatus.SENT, 3)
    _outbox(session, OutboxStatus.FAILED, 1)
    session.commit()

    response = login(admin).get("/admin/")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "大阪異業種交流会" in page and "神戸経営者勉強会" in page
    assert _cell(page, "community-osaka-mixer", "members") == "4"
    assert _cell(page, "community-kobe-study", "members") == "2"
    assert _cell(page, "community-kobe-study", "active-members") == "1"
    assert _value(page, "community-total") == "2"
    assert _value(page, "account-total") == "7"  # six people and the admin
    assert _value(page, "outbox-sent") == "3"
    assert _value(page, "outbox-failed") == "1"
    assert _value(page, "outbox-pending") == "0"


def test_admin_page_speaks_english_too(login, admin, session):
    admin.language = "en"
    session.commit()
    page = login(admin).get("/admin/").get_data(as_text=True)
    assert "Platform administration" in page


def test_admin_page_in_japanese(login, admin, session):
    admin.language = "ja"
    session.commit()
    page = login(admin).get("/admin/").get_data(as_text=True)
    assert "プラットフォーム管理" in page


def test_member_counts_come_from_one_aggregate_query(login, admin, session, connection):
    def statements_for_page() -> int:
        seen = []

        def count(conn, cursor, statement, *args):
            sql = statement.lstrip().upper()
            if sql.startswith("SELECT") and not sql.startswith("SELECT SET_CONFIG("):
                seen.append(statement)

        event.listen(connection, "before_cursor_execute", count)
        try:
            assert login(admin).get("/admin/").status_code == 200
        finally:
            event.remove(connection, "before_cursor_execute", count)
        return len(seen)

    first = factories.community(session, slug="one")
    factories.member(session, first)
    session.commit()
    with_one = statements_for_page()

    for n in range(5):
        community = factories.community(session, slug=f"more-{n}")
        for _ in range(3):
            factories.member(session, community)
    session.commit()

    assert statements_for_page() == with_one


@pytest.mark.parametrize("page", ["0", "-3", "abc", "99999999999999999999999"])
def test_odd_page_numbers_never_fail(login, admin, page):
    response = login(admin).get(f"/admin/?page={page}")
    assert response.status_code == 200


def test_communities_are_paged(login, admin, session, monkeypatch):
    from joren.platform.admin import services

    monkeypatch.setattr(services, "PER_PAGE", 2)
    for n in range(3):
        factories.community(session, slug=f"paged-{n}", name=f"交流会{n}")
    session.commit()
    client = login(admin)
    first = client.get("/admin/").get_data(as_text=True)
    second = client.get("/admin/?page=2").get_data(as_text=True)
    shown = [f"paged-{n}" for n in range(3)]
    assert sum(slug in first for slug in shown) == 2
    assert sum(slug in second for slug in shown) == 1
    assert "page=2" in first


def _value(page: str, testid: str) -> str:
    marker = f'data-testid="{testid}">'
    start = page.index(marker) + len(marker)
    return page[start:page.index("<", start)].strip()


def _cell(page: str, row: str, column: str) -> str:
    start = page.index(f'data-testid="{row}"')
    end = page.index("</tr>", start)
    return _value(page[start:end], column)
