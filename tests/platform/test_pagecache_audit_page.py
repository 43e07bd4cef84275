"""The audit log's page kept by the page cache (issue 14). The log's rows mark no community
(a download records itself there and must not recompute every kept page), so the page reads
the log's state (entries, newest id) on every view: an entry shows at once, whether it came
with another change of the community or alone (a download); the filters are part of what
is kept; and another community's owner never gets it."""

from __future__ import annotations

import pytest

from joren.models import MemberStatus
from joren.tenants.privacy import audit_log
from tests import factories
from tests.platform.pagecache_helpers import counting, same_cached_and_not
from tests.tenants.helpers import count_statements, meetup

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def logged(session, tenant, people, organizer_client):  # type: ignore[no-untyped-def]
    """An edit in the console and a download, both in the log."""
    guest = factories.member(session, tenant, company="旧社名", status=MemberStatus.GUEST)
    evening = meetup(session, tenant)
    session.commit()
    organizer_client.post(f"/c/{tenant.slug}/admin/members/{guest.id}", data={
        "action": "profile", "profile-family_name": "上田", "profile-company": "新社名"})
    organizer_client.get(f"/c/{tenant.slug}/admin/meetups/{evening.id}/registrations.csv")
    return evening


def _page(tenant, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/audit{query}"


def test_the_log_is_the_same_kept_and_computed_once(app, monkeypatch, owner_client, tenant,
                                                    logged):
    page = same_cached_and_not(app, owner_client, _page(tenant))
    assert page.count("data-audit-entry=") == 2 and "旧社名 → 新社名" in page
    computed = counting(monkeypatch, audit_log, "page")
    for _ in range(3):
        owner_client.get(_page(tenant))
    assert computed == []  # kept: only the log's state was read


def test_a_download_alone_shows_at_once(owner_client, organizer_client, tenant, logged):
    assert owner_client.get(_page(tenant)).get_data(as_text=True).count(
        "data-audit-entry=") == 2
    # A download writes only its audit entry: no community's fingerprint moves.
    organizer_client.get(f"/c/{tenant.slug}/admin/meetups/{logged.id}/registrations.csv")
    assert owner_client.get(_page(tenant)).get_data(as_text=True).count(
        "data-audit-entry=") == 3


def test_the_filters_are_part_of_the_kept_page(owner_client, tenant, logged):
    assert owner_client.get(_page(tenant)).get_data(as_text=True).count(
        "data-audit-entry=") == 2
    only = owner_client.get(_page(tenant, "?action=export")).get_data(as_text=True)
    assert only.count("data-audit-entry=") == 1
    bad = owner_client.get(_page(tenant, "?since=not-a-date"))
    assert bad.status_code == 200 and 'is-invalid' in bad.get_data(as_text=True)


def test_the_log_is_computed_within_ten_statements(app, owner_client, tenant, logged):
    with count_statements(app) as counter:
        assert owner_client.get(_page(tenant)).status_code == 200
    assert len(counter) <= 10, counter.statements


def test_the_kept_log_is_never_another_communitys(login, people, owner_client, tenant,
                                                  other_tenant, logged):
    assert "新社名" in owner_client.get(_page(tenant)).get_data(as_text=True)
    assert "新社名" in owner_client.get(_page(tenant)).get_data(as_text=True)  # kept
    theirs = login(people.other_owner)
    assert theirs.get(_page(tenant)).status_code in (403, 404)
    own = theirs.get(_page(other_tenant)).get_data(as_text=True)
    assert own.count("data-audit-entry=") == 0 and "新社名" not in own
