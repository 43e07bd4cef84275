"""Lists that a large community makes long are served a page at a time (issue 14): a meetup's
payments, the members' dues, a meetup's attendance. The totals above them still count
everyone; bad page numbers fall back to a real page; another community's rows never count."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from joren.models import AttendanceStatus
from joren.platform.db import utcnow
from joren.tenants.meetups import views as meetup_views
from joren.tenants.payments import services as payments
from joren.tenants.payments.dues import services as dues
from tests import factories
from tests.tenants.helpers import attend, meetup

pytestmark = pytest.mark.usefixtures("clock")

PER_PAGE = 2


@pytest.fixture()
def small_pages(monkeypatch):  # type: ignore[no-untyped-def]
    for module in (payments, dues, meetup_views):
        monkeypatch.setattr(module, "PER_PAGE", PER_PAGE)


@pytest.fixture()
def evening(session, tenant, other_tenant, people):  # type: ignore[no-untyped-def]
    """Five people attended a ¥3,000 evening (one absent); the other community has a crowd
    of its own that must never count here."""
    past = meetup(session, tenant, "十月定例会", starts_at=utcnow() - timedelta(days=3),
                  price=3000)
    for n in range(5):
        attend(session, past, factories.member(session, tenant, family_name=f"参加{n}"))
    attend(session, past, factories.member(session, tenant, family_name="欠席"),
           AttendanceStatus.ABSENT)
    theirs = meetup(session, other_tenant, "よその会", starts_at=utcnow() - timedelta(days=3),
                    price=3000)
    for n in range(4):
        attend(session, theirs, factories.member(session, other_tenant, family_name=f"他{n}"))
    session.commit()
    return past


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-member-id="(\d+)"', html)


def _pages(html: str) -> str | None:
    found = re.search(r'data-page="(\d+)" data-pages="(\d+)"', html)
    return f"{found.group(1)}/{found.group(2)}" if found else None


def test_a_meetups_payments_come_a_page_at_a_time_with_totals_for_everyone(
        small_pages, organizer_client, evening):
    url = f"/c/osaka-mixer/admin/meetups/{evening.id}/payments"
    first = organizer_client.get(url).get_data(as_text=True)
    assert len(_rows(first)) == PER_PAGE and _pages(first) == "1/3"
    assert 'data-expected="15000"' in first  # five who attended, whatever the page
    seen = set(_rows(first))
    for page in (2, 3):
        html = organizer_client.get(f"{url}?page={page}").get_data(as_text=True)
        seen |= set(_rows(html))
    assert len(seen) == 5
    last = organizer_client.get(f"{url}?page=999")
    assert last.status_code == 200 and _pages(last.get_data(as_text=True)) == "3/3"
    for bad in ("abc", "-1", "0", "1" * 30, "２"):
        response = organizer_client.get(f"{url}?page={bad}")
        assert response.status_code == 200 and _pages(response.get_data(as_text=True)) == "1/3"


def test_the_members_dues_come_a_page_at_a_time(small_pages, organizer_client, session,
                                                people, evening):
    url = "/c/osaka-mixer/admin/payments/dues/members"
    html = organizer_client.get(url).get_data(as_text=True)
    # Members of this community only: the four people fixtures and the six who came here.
    assert len(re.findall(r'data-dues-state="', html)) == PER_PAGE
    assert _pages(html) == "1/5"
    everyone = set()
    for page in range(1, 6):
        page_html = organizer_client.get(f"{url}?page={page}").get_data(as_text=True)
        everyone |= set(_rows(page_html))
    assert len(everyone) == 10


def test_a_meetups_attendance_comes_a_page_at_a_time_and_counts_everyone(
        small_pages, organizer_client, evening):
    url = f"/c/osaka-mixer/admin/meetups/{evening.id}"
    html = organizer_client.get(url).get_data(as_text=True)
    assert _pages(html) == "1/3"
    assert re.search(r'badge text-bg-secondary">\D*5\D*</span>', html)  # five attended
    assert html.count('class="list-group-item d-flex') == PER_PAGE
    assert "他0" not in html


def test_a_meetups_payment_pages_follow_the_whole_lists_reading_order(scoped, tenant,
                                                                       evening):
    """Each page is chosen on the reading columns before the payments are joined: stitched
    together the pages are the whole list, in its order."""
    s = scoped(tenant)
    meetup_ = s.get(type(evening), evening.id)
    whole = [row.member.id for row in payments.meetup_rows(s, meetup_)]
    stitched = [row.member.id for page in (1, 2, 3)
                for row in payments.meetup_rows_page(s, meetup_, page, per_page=2).items]
    assert len(whole) == 5 and stitched == whole
