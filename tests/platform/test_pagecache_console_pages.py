"""The page cache on an announcement's delivery page, the introductions history, the outcomes
page and the registration taken by hand (issue 14): what each page shows is the same kept or
computed, a write shows at once, the emails' delivery states (moved by the mail worker, which
marks no community) show at once, what follows the clock moves with it, and another
community's organizer never gets a kept page (the same ids guessed)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import update

from joren.platform.db import utcnow
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.tenants.announcements import delivery, services
from joren.tenants.announcements import views as announcement_views
from joren.tenants.console import views as console_views
from joren.tenants.introductions import views as introduction_views
from joren.tenants.introductions.models import IntroductionStatus
from joren.tenants.relationships import outcomes
from joren.tenants.relationships.models import ReferralStatus
from tests import factories
from tests.clock import TOKYO
from tests.platform.pagecache_helpers import (
    counting,
    in_other_community,
    new_code,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.helpers import count_statements, meetup
from tests.tenants.meetups.helpers_checkin import person, register
from tests.tenants.relationships.ledger_helpers import introduction, referral

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
ADMIN = f"/c/{SLUG}/admin"





def _guessed(login, session, other_tenant, url: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    """Another community's organizer, on this community's address and on their own with the
    same ids: never the kept page."""
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(url).status_code in (403, 404)
    theirs = intruder.get(in_other_community(url, other_tenant))
    assert secret not in theirs.get_data(as_text=True)


# -- an announcement's delivery ----------------------------------------------------------------

def _sent(app, scoped, tenant, people, subject: str = "総会のお知らせ") -> int:  # type: ignore[no-untyped-def]
    """An announcement to everyone, its emails queued in the outbox (none sent yet)."""
    s = scoped(tenant)
    now = utcnow()
    with app.app_context():
        announcement = services.save(s, subject=subject, body="来月は総会です。",
                                     segment="everyone", meetup_id=None,
                                     author=people.organizer_member)
        services.schedule(s, announcement, now + timedelta(hours=1), now=now)
        s.commit()
        while services.send_batch(s, tenant, now=now + timedelta(hours=2)):
            s.commit()
    announcement_id = announcement.id
    s.close()
    return announcement_id


@pytest.fixture()
def recipients(session, tenant):  # type: ignore[no-untyped-def]
    made = [factories.member(session, tenant, family_name=f"会員{kana}", family_name_kana=kana)
            for kana in ("アオキ", "イノウエ", "ウエダ")]
    session.commit()
    return made


def _delivery(announcement_id: int, query: str = "") -> str:
    return f"{ADMIN}/announcements/{announcement_id}{query}"


def _recipients(page: str) -> set[str]:
    return set(re.findall(r'<li class="list-group-item[^"]*"><span>([^<]+)', page))


def _send_all(session) -> None:  # type: ignore[no-untyped-def]
    # The mail worker's bulk update: a platform table, no community marked.
    session.execute(update(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
                    .values(status=OutboxStatus.SENT))
    session.commit()


def test_a_delivery_page_is_the_same_kept_and_computed_once(app, monkeypatch, session, scoped,
                                                            tenant, people, organizer_client,
                                                            recipients):
    first = _sent(app, scoped, tenant, people)
    second = _sent(app, scoped, tenant, people, subject="忘年会のお知らせ")
    page = same_cached_and_not(app, organizer_client, _delivery(first))
    assert "総会のお知らせ" in page and "会員アオキ" in page and 'data-state="queued"' in page
    assert "忘年会のお知らせ" in same_cached_and_not(app, organizer_client, _delivery(second))
    monkeypatch.setattr(announcement_views, "PER_PAGE", 2)
    new_code(monkeypatch)
    page_one = same_cached_and_not(app, organizer_client, _delivery(first, "?page=1"))
    page_two = same_cached_and_not(app, organizer_client, _delivery(first, "?page=2"))
    assert 'data-page="1"' in page_one and 'data-page="2"' in page_two
    assert _recipients(page_one).isdisjoint(_recipients(page_two))
    computed = counting(monkeypatch, delivery, "page")
    organizer_client.get(_delivery(first, "?page=1"))
    organizer_client.get(_delivery(first, "?page=2"))
    assert computed == []


def test_a_delivery_page_shows_the_mail_workers_progress_at_once(app, session, scoped, tenant,
                                                                 people, organizer_client,
                                                                 recipients):
    announcement_id = _sent(app, scoped, tenant, people)
    queued = organizer_client.get(_delivery(announcement_id)).get_data(as_text=True)
    assert "会員アオキ" in queued and 'data-state="sent">送信済み: 0<' in queued
    _send_all(session)
    page = same_cached_and_not(app, organizer_client, _delivery(announcement_id))
    assert 'data-state="queued">送信待ち: 0<' in page
    assert 'data-state="sent">送信済み: 0<' not in page


def test_a_settled_delivery_page_reads_no_email(app, session, scoped, tenant, people,
                                                organizer_client, recipients):
    announcement_id = _sent(app, scoped, tenant, people)
    _send_all(session)
    organizer_client.get(_delivery(announcement_id))  # computed and kept
    app.config["PAGE_CACHE_READS"] = True
    with count_statements(app) as counted:
        app.config["PAGE_CACHE_READS"] = True
        assert organizer_client.get(_delivery(announcement_id)).status_code == 200
    assert not any("outbox_messages" in statement for statement in counted.statements)
    # While emails are still queued, each view reads their states again.
    queued = _sent(app, scoped, tenant, people, subject="忘年会のお知らせ")
    organizer_client.get(_delivery(queued))
    with count_statements(app) as counted:
        app.config["PAGE_CACHE_READS"] = True
        assert organizer_client.get(_delivery(queued)).status_code == 200
    assert any("outbox_messages" in statement for statement in counted.statements)


def test_a_delivery_page_shows_a_write_at_once(app, session, scoped, tenant, people,
                                               organizer_client, recipients):
    announcement_id = _sent(app, scoped, tenant, people)
    _send_all(session)
    assert "会員アオキ" in organizer_client.get(_delivery(announcement_id)).get_data(
        as_text=True)
    recipients[0].family_name = "会員アオヤマ"
    session.commit()
    page = same_cached_and_not(app, organizer_client, _delivery(announcement_id))
    assert "会員アオヤマ" in page and "会員アオキ" not in page


def test_a_delivery_page_is_never_another_communitys(app, login, session, scoped, tenant, people,
                                                     other_tenant, organizer_client,
                                                     recipients):
    announcement_id = _sent(app, scoped, tenant, people)
    assert "総会のお知らせ" in organizer_client.get(_delivery(announcement_id)).get_data(
        as_text=True)
    _guessed(login, session, other_tenant, _delivery(announcement_id), "総会のお知らせ")


# -- the introductions history -----------------------------------------------------------------

@pytest.fixture()
def introduced(session, tenant):  # type: ignore[no-untyped-def]
    m = [factories.member(session, tenant, family_name=f"紹介{i}", company=f"紹介{i}商事")
         for i in range(4)]
    now = utcnow()
    first = introduction(session, m[0], m[1], IntroductionStatus.CONNECTED,
                         sent_at=now - timedelta(days=3), connected_at=now - timedelta(days=2))
    first.decided_at = now - timedelta(days=3)
    second = introduction(session, m[2], m[3], IntroductionStatus.SENT,
                          sent_at=now - timedelta(days=1))
    second.decided_at = now - timedelta(days=1)
    session.commit()
    return first, second


HISTORY = f"{ADMIN}/introductions/history"


def test_the_history_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                        introduced):
    page = same_cached_and_not(app, organizer_client, HISTORY)
    assert "紹介0商事" in page and "紹介2商事" in page
    monkeypatch.setattr(introduction_views, "HISTORY_PER_PAGE", 1)
    new_code(monkeypatch)
    newest = same_cached_and_not(app, organizer_client, HISTORY + "?page=1")
    older = same_cached_and_not(app, organizer_client, HISTORY + "?page=2")
    assert "紹介2商事" in newest and "紹介0商事" not in newest
    assert "紹介0商事" in older and "紹介2商事" not in older
    computed = counting(monkeypatch, introduction_views, "_with_members")
    for query in ("", "?page=1", "?page=2", "?page=2&sort=x"):
        organizer_client.get(HISTORY + query)
    assert computed == []  # no page number is the first page; other arguments are ignored


def test_the_history_shows_a_write_at_once(app, session, organizer_client, introduced):
    first, _second = introduced
    assert "お断り</span>" not in organizer_client.get(HISTORY).get_data(as_text=True)
    first.status = IntroductionStatus.DECLINED
    session.commit()
    assert "お断り</span>" in same_cached_and_not(app, organizer_client, HISTORY)


def test_the_history_is_never_another_communitys(login, session, organizer_client,
                                                 other_tenant, introduced):
    assert "紹介0商事" in organizer_client.get(HISTORY).get_data(as_text=True)
    _guessed(login, session, other_tenant, HISTORY, "紹介0商事")


# -- outcomes ------------------------------------------------------------------------------------

OUTCOMES = f"{ADMIN}/outcomes"


@pytest.fixture()
def outcome(session, tenant, clock):  # type: ignore[no-untyped-def]
    """Two members introduced in the first of the twelve months shown, and business closed."""
    a = factories.member(session, tenant, family_name="成果", given_name="一郎")
    b = factories.member(session, tenant, family_name="成果", given_name="二郎")
    first_month = outcomes.month_keys(_local(clock.now()).date())[0]
    sent = datetime.fromisoformat(f"{first_month}-02T03:00:00+00:00")
    introduction(session, a, b, IntroductionStatus.CONNECTED, sent_at=sent, connected_at=sent)
    referral(session, a, b, status=ReferralStatus.CLOSED_WON, value=4_321_000,
             closed_on=_local(clock.now()).date())
    session.commit()
    return a, b


def _local(moment: datetime) -> datetime:
    return moment.astimezone(TOKYO)


def _month(moment: datetime) -> str:
    return outcomes.month_keys(_local(moment).date(), 1)[0]


def test_outcomes_are_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                      outcome):
    page = same_cached_and_not(app, organizer_client, OUTCOMES)
    assert "成果 一郎" in page and "4,321,000" in page
    computed = counting(monkeypatch, outcomes, "outcomes")
    organizer_client.get(OUTCOMES)
    assert computed == []


def test_outcomes_follow_the_month_as_it_turns(app, login, people, clock, outcome):
    first_month = outcomes.month_keys(_local(clock.now()).date())[0]
    before = login(people.organizer).get(OUTCOMES).get_data(as_text=True)
    local = _local(clock.now())
    next_month = (local.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(day=1)
    assert f">{first_month}<" in before and f">{_month(next_month)}<" not in before
    clock.shift(next_month + timedelta(hours=1) - local)  # nothing written meanwhile
    after = same_cached_and_not(app, login(people.organizer), OUTCOMES)  # a fresh sign-in
    assert f">{_month(next_month)}<" in after and f">{first_month}<" not in after
    assert "成果 一郎" in after  # the business closed last month is still shown


def test_outcomes_show_a_write_at_once(app, session, organizer_client, outcome):
    a, b = outcome
    assert "5,432" not in organizer_client.get(OUTCOMES).get_data(as_text=True)
    referral(session, b, a, status=ReferralStatus.CLOSED_WON, value=5_432,
             closed_on=utcnow().date())
    session.commit()
    assert "5,432" in same_cached_and_not(app, organizer_client, OUTCOMES)


def test_outcomes_are_never_another_communitys(login, session, organizer_client, other_tenant,
                                               outcome):
    assert "4,321,000" in organizer_client.get(OUTCOMES).get_data(as_text=True)
    _guessed(login, session, other_tenant, OUTCOMES, "4,321,000")


# -- a registration taken by hand --------------------------------------------------------------

@pytest.fixture()
def evenings(session, tenant, people):  # type: ignore[no-untyped-def]
    first = meetup(session, tenant, "六月の定例会", utcnow() + timedelta(days=5), capacity=5)
    second = meetup(session, tenant, "七月の定例会", utcnow() + timedelta(days=35))
    for given, kana in (("一郎", "イチロウ"), ("二郎", "ジロウ")):
        register(session, first, person(session, tenant, "森山", given, "モリヤマ", kana,
                                        company=f"森山{given}商事"))
    person(session, tenant, "林", "花子", "ハヤシ", "ハナコ", company="林花子商店")
    session.commit()
    return first, second


def _by_hand(m, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"{ADMIN}/meetups/{m.id}/register-by-hand{query}"


def test_the_form_by_hand_is_the_same_kept_and_computed_once(app, monkeypatch, organizer_client,
                                                             evenings):
    first, second = evenings
    found = same_cached_and_not(app, organizer_client, _by_hand(first, "?q=森山"))
    assert "森山一郎商事" in found and "林花子商店" not in found and "六月の定例会" in found
    other_search = same_cached_and_not(app, organizer_client, _by_hand(first, "?q=林"))
    assert "林花子商店" in other_search and "森山一郎商事" not in other_search
    other_meetup = same_cached_and_not(app, organizer_client, _by_hand(second, "?q=森山"))
    assert "七月の定例会" in other_meetup and "六月の定例会" not in other_meetup
    same_cached_and_not(app, organizer_client, _by_hand(first))
    computed = counting(monkeypatch, console_views, "_search")
    for query in ("?q=森山", "?q=林", "?q=森山&page=3"):
        organizer_client.get(_by_hand(first, query))
    assert computed == []  # another argument the page does not read is the same page


def test_the_form_by_hand_shows_a_write_at_once(app, session, tenant, organizer_client,
                                                evenings):
    first, _second = evenings
    page = organizer_client.get(_by_hand(first, "?q=森山")).get_data(as_text=True)
    assert "森山三郎商事" not in page and "参加予定: 2 / 5" in page
    register(session, first, person(session, tenant, "森山", "三郎", "モリヤマ", "サブロウ",
                                    company="森山三郎商事"))
    session.commit()
    page = same_cached_and_not(app, organizer_client, _by_hand(first, "?q=森山"))
    assert "森山三郎商事" in page and "参加予定: 3 / 5" in page


def test_the_form_by_hand_is_never_another_communitys(login, session, organizer_client,
                                                      other_tenant, evenings):
    first, _second = evenings
    assert "森山一郎商事" in organizer_client.get(_by_hand(first, "?q=森山")).get_data(
        as_text=True)
    _guessed(login, session, other_tenant, _by_hand(first, "?q=森山"), "森山一郎商事")


# -- downloads ---------------------------------------------------------------------------------

def test_a_download_leaves_the_kept_pages_as_they_were(app, monkeypatch, session, tenant,
                                                       organizer_client, owner_client,
                                                       evenings):
    first, _second = evenings
    organizer_client.get(_by_hand(first, "?q=森山"))
    computed = counting(monkeypatch, console_views, "_search")
    download = organizer_client.get(f"{ADMIN}/meetups/{first.id}/registrations.csv")
    assert download.status_code == 200
    # the download is in the log at once (its page reads the log's state on every view) ...
    log = owner_client.get(f"{ADMIN}/audit?action=export").get_data(as_text=True)
    assert log.count("data-audit-entry=") == 1
    # ... and the kept page is served as it was
    organizer_client.get(_by_hand(first, "?q=森山"))
    assert computed == []
    # a change in the community is still a new page
    register(session, first, person(session, tenant, "森山", "三郎", "モリヤマ", "サブロウ"))
    session.commit()
    organizer_client.get(_by_hand(first, "?q=森山"))
    assert computed == [1]
