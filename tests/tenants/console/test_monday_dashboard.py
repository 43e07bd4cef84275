"""The dashboard's "what needs doing": the next meetup's seats and waitlist, suggestions to
review, unpaid fees, guests to follow up, lapsed regulars and new sign-ups (issue 16, item 3)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from joren.models import AttendanceStatus, MemberStatus, Registration, RegistrationStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.console.models import MemberNote
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.engagement.rollups.store import rebuild
from joren.tenants.introductions.models import Introduction, IntroductionSource
from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from tests import factories
from tests.tenants.helpers import attend, count_statements, days_ago, in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")

DASHBOARD = "/c/osaka-mixer/admin/"


def _todo(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-todo-count="([\w-]+)">(\d+)<', body))


def _names(body: str, kind: str) -> str:
    found = re.search(rf'data-names="{kind}">(.*?)</ul>', body, re.S)
    return found.group(1) if found else ""


def _add(session, row):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.add(row)
        session.flush()
    return row


def _register(session, m, member, status=RegistrationStatus.GOING, position=None):  # type: ignore[no-untyped-def]
    return _add(session, Registration(tenant_id=m.tenant_id, meetup_id=m.id,
                                      member_id=member.id, status=status,
                                      waitlist_position=position))


def _week(session, community):  # type: ignore[no-untyped-def]
    """A community's week: returns the named people."""
    p = {}
    nxt = meetup(session, community, "次の定例会", utcnow() + timedelta(days=5), capacity=2)
    for name in ("席一", "席二"):
        _register(session, nxt, factories.member(session, community, given_name=name,
                                                 joined_at=days_ago(40)))
    for n, name in enumerate(("待ち一", "待ち二"), start=1):
        p[name] = factories.member(session, community, given_name=name, joined_at=days_ago(40))
        _register(session, nxt, p[name], RegistrationStatus.WAITLISTED, n)
    paid_meetup = meetup(session, community, "有料の会", days_ago(10), price=3000)
    free_meetup = meetup(session, community, "無料の会", days_ago(12))
    for name in ("未払", "支払済", "来訪", "連絡済", "再登録"):
        guest = name in ("来訪", "連絡済", "再登録")
        p[name] = factories.member(session, community, given_name=name,
                                   status=MemberStatus.GUEST if guest else MemberStatus.MEMBER,
                                   joined_at=days_ago(40))
        attend(session, free_meetup if guest else paid_meetup, p[name])
    _add(session, Payment(tenant_id=community.id, member_id=p["支払済"].id,
                          meetup_id=paid_meetup.id, kind=PaymentKind.MEETUP_FEE,
                          amount_jpy=3000, method=PaymentMethod.DOOR,
                          status=PaymentStatus.PAID, paid_at=days_ago(10)))
    # Three guests came once: one was contacted since, one registered again.
    _add(session, MemberNote(tenant_id=community.id, member_id=p["連絡済"].id,
                             body="電話しました", contacted=True, created_at=days_ago(5)))
    _register(session, nxt, p["再登録"], RegistrationStatus.WAITLISTED, 3)
    p["離脱"] = factories.member(session, community, given_name="離脱", joined_at=days_ago(400))
    _add(session, MemberEngagement(tenant_id=community.id, member_id=p["離脱"].id,
                                   level=Level.LAPSED_REGULAR, attended_count=5,
                                   last_attended_at=days_ago(120)))
    p["新人"] = factories.member(session, community, given_name="新人", joined_at=days_ago(3))
    low, high = sorted((p["未払"].id, p["離脱"].id))
    _add(session, Introduction(tenant_id=community.id, member_low_id=low, member_high_id=high,
                               source=IntroductionSource.ENGINE, reasons=[]))
    return p


@pytest.fixture()
def week(session, tenant, other_tenant, people, scoped):  # type: ignore[no-untyped-def]
    for m in (people.owner_member, people.organizer_member, people.staff_member,
              people.member_member):
        with unscoped(session):
            m.joined_at = days_ago(200)
    found = _week(session, tenant)
    _week(session, other_tenant)
    session.commit()
    for community in (tenant, other_tenant):
        s = scoped(community)
        rebuild(s)
        s.commit()
    return found


def test_each_figure_counts_what_needs_doing(organizer_client, week):
    body = organizer_client.get(DASHBOARD).get_data(as_text=True)
    # The other community has the same week: counted twice if it leaked.
    assert _todo(body) == {"suggestions": "1", "unpaid": "1", "follow_up": "1", "lapsed": "1",
                           "new": "1"}
    assert re.search(r'data-next="seats">[^<]*<strong>2 / 2</strong>', body)
    assert re.search(r'data-next="waitlist">[^<]*<strong>3</strong>', body)
    assert "太郎" not in _names(body, "follow_up")
    assert "来訪" in _names(body, "follow_up") and "連絡済" not in body.split("follow_up")[-1]
    assert "未払" in _names(body, "unpaid") and "有料の会" in _names(body, "unpaid")
    assert "支払済" not in _names(body, "unpaid")
    assert "離脱" in _names(body, "lapsed")
    assert "新人" in _names(body, "new")
    assert "待ち一" in _names(body, "waitlisted") and "待ち二" in _names(body, "waitlisted")


def test_each_figure_links_to_the_place_to_act(organizer_client, week):
    body = organizer_client.get(DASHBOARD).get_data(as_text=True)
    assert re.search(r'href="/c/osaka-mixer/admin/meetups/\d+/registrations"', body)
    assert re.search(r'href="/c/osaka-mixer/admin/meetups/\d+/register-by-hand"', body)
    assert 'href="/c/osaka-mixer/admin/introductions"' in body
    assert re.search(r'href="/c/osaka-mixer/admin/meetups/\d+/payments"', body)
    assert 'href="/c/osaka-mixer/admin/analytics#lapsed"' in body
    assert f'href="/c/osaka-mixer/admin/members/{week["来訪"].id}/story"' in body
    compose = f'href="/c/osaka-mixer/admin/analytics/lapsed/{week["離脱"].id}/we-miss-you"'
    assert compose in _names(body, "lapsed")


def test_dashboard_reads_in_both_languages(organizer_client, week):
    body = organizer_client.get(DASHBOARD).get_data(as_text=True)
    assert "今週やること" in body and "フォローしたいゲスト" in body
    assert "しばらくお休み中の常連" in body
    body = in_english(organizer_client).get(DASHBOARD).get_data(as_text=True)
    assert "What needs doing" in body and "Guests to follow up" in body
    assert "Lapsed regulars" in body and "Unpaid fees" in body


def test_a_contacted_note_takes_the_guest_off_the_list(session, organizer_client, week,
                                                       tenant):
    _add(session, MemberNote(tenant_id=tenant.id, member_id=week["来訪"].id, body="",
                             contacted=True))
    session.commit()
    body = organizer_client.get(DASHBOARD).get_data(as_text=True)
    assert _todo(body)["follow_up"] == "0"


def test_statements_stay_the_same_as_the_community_grows(app, session, tenant, people,
                                                         organizer_client, week, scoped):
    organizer_client.get(DASHBOARD)
    with count_statements(app) as before:
        organizer_client.get(DASHBOARD)
    for n in range(8):
        past = meetup(session, tenant, f"追加{n}", days_ago(20 + n), price=1000)
        for _ in range(3):
            guest = factories.member(session, tenant, status=MemberStatus.GUEST)
            attend(session, past, guest, AttendanceStatus.PRESENT)
    session.commit()
    s = scoped(tenant)
    rebuild(s)
    s.commit()
    with count_statements(app) as after:
        body = organizer_client.get(DASHBOARD).get_data(as_text=True)
    assert len(after) == len(before) <= 10
    assert int(_todo(body)["unpaid"]) == 1 + 24
    assert len(re.findall(r"<li>", _names(body, "unpaid"))) == 3


def test_no_next_meetup_says_so(organizer_client, people):
    body = in_english(organizer_client).get(DASHBOARD).get_data(as_text=True)
    assert "No meetup is scheduled." in body
