"""The page cache on a meetup's console pages, the meetup forms, the announcements and the
introduction settings (issue 14): a meetup's page, its payments, the list of series, a
meetup's edit form, the one-off form, the announcements list, a new announcement's form and
the introduction settings. Each is the same kept or computed, is computed once, reads the
meetup only while it computes (a kept page proves it was this community's), shows a write at
once, follows the reader's role and the clock where it must, and is never another
community's page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.platform.db import utcnow
from joren.tenants.announcements import views as announcement_views
from joren.tenants.introductions import views as intro_views
from joren.tenants.meetups import views as meetup_views
from joren.tenants.meetups.models import MeetupStatus
from joren.tenants.payments import services as payment_services
from joren.tenants.payments import views as payment_views
from tests.platform.pagecache_helpers import (
    computing,
    counting,
    in_other_community,
    never_another_communitys,
    new_code,
    reads_when_kept,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.helpers import attend, in_english, meetup
from tests.tenants.meetups.helpers_checkin import person, register
from tests.tenants.meetups.helpers_registrations import series_with_occurrences

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
ADMIN = f"/c/{SLUG}/admin"
SERIES = f"{ADMIN}/meetups/series"
ONE_OFF = f"{ADMIN}/meetups/new"


@pytest.fixture()
def evenings(session, tenant, people):  # type: ignore[no-untyped-def]
    """Two paid meetups (the first starts in an hour), one person going to each."""
    made = []
    for title, name, hours in (("春の定例会", "苗字ア", 1), ("秋の定例会", "苗字イ", 48)):
        one = meetup(session, tenant, title, starts_at=utcnow() + timedelta(hours=hours),
                     price=2000)
        register(session, one, person(session, tenant, name, "太郎", "ミョウジ", "タロウ"))
        made.append(one)
    session.commit()
    return made


def _detail(one) -> str:  # type: ignore[no-untyped-def]
    return f"{ADMIN}/meetups/{one.id}"


def _payments(one) -> str:  # type: ignore[no-untyped-def]
    return f"{ADMIN}/meetups/{one.id}/payments"


def _edit(one) -> str:  # type: ignore[no-untyped-def]
    return f"{ADMIN}/meetups/{one.id}/edit"


PAGES = {"detail": _detail, "payments": _payments, "edit": _edit}


@pytest.mark.parametrize("page", list(PAGES))
def test_each_meetup_page_is_the_same_kept_and_names_its_meetup(app, organizer_client, evenings,
                                                                page):
    spring, autumn = evenings
    first = same_cached_and_not(app, organizer_client, PAGES[page](spring))
    second = same_cached_and_not(app, organizer_client, PAGES[page](autumn))
    assert "春の定例会" in first and "秋の定例会" not in first
    assert "秋の定例会" in second and "春の定例会" not in second


def test_staff_see_the_same_kept_and_computed(app, staff_client, evenings):
    for url in (_detail(evenings[0]), _payments(evenings[0]), SERIES):
        same_cached_and_not(app, staff_client, url)


def test_the_series_list_and_the_one_off_form_are_the_same_kept(app, session, tenant,
                                                                organizer_client):
    series_with_occurrences(session, tenant, n=2)
    session.commit()
    assert "朝活セミナー" in same_cached_and_not(app, organizer_client, SERIES)
    assert "Asia/Tokyo" in same_cached_and_not(app, organizer_client, ONE_OFF)


def test_each_page_is_computed_once(app, monkeypatch, organizer_client, evenings):
    urls = [_detail(evenings[0]), _payments(evenings[0]), _edit(evenings[0]), SERIES, ONE_OFF]
    for url in urls:
        organizer_client.get(url)
    computed = [counting(monkeypatch, meetup_views, "_detail_body"),
                counting(monkeypatch, payment_views, "_meetup_body"),
                counting(monkeypatch, meetup_views, "_occurrence_edit_body"),
                counting(monkeypatch, meetup_views, "_series_list_body"),
                counting(monkeypatch, meetup_views, "_one_off_body")]
    for url in urls:
        assert organizer_client.get(url).status_code == 200
    assert computed == [[], [], [], [], []]


@pytest.mark.parametrize("page", list(PAGES))
def test_a_kept_meetup_page_reads_no_meetup(app, organizer_client, evenings, page):
    url = PAGES[page](evenings[0])
    kept = reads_when_kept(app, organizer_client, url)
    assert not any("meetups" in statement for statement in kept), kept
    computed = computing(app, organizer_client, url)
    assert any("FROM meetups" in statement for statement in computed)


def test_every_page_is_computed_within_ten_statements(app, organizer_client, evenings):
    for url in (_detail(evenings[0]), _payments(evenings[0]), _edit(evenings[0]), SERIES,
                ONE_OFF):
        assert len(computing(app, organizer_client, url)) <= 10, url


@pytest.mark.parametrize("page", list(PAGES))
def test_a_write_shows_at_once(app, session, organizer_client, evenings, page):
    url = PAGES[page](evenings[0])
    organizer_client.get(url)
    evenings[0].title = "夏の定例会"
    session.commit()
    shown = same_cached_and_not(app, organizer_client, url)
    assert "夏の定例会" in shown and "春の定例会" not in shown


def test_a_person_registering_shows_at_once_on_the_meetup_and_its_payments(
        app, session, tenant, organizer_client, evenings):
    pages = [_detail(evenings[0]), _payments(evenings[0])]
    assert all("苗字ウ" not in organizer_client.get(url).get_data(as_text=True) for url in pages)
    register(session, evenings[0], person(session, tenant, "苗字ウ", "花子", "ミョウジ", "ハナコ"))
    session.commit()
    assert all("苗字ウ" in organizer_client.get(url).get_data(as_text=True) for url in pages)


def test_the_readers_role_is_part_of_the_kept_pages(organizer_client, staff_client, evenings):
    # The organizer's pages are kept first: staff must not be served them.
    spring = evenings[0]
    edit_link = f'href="{_edit(spring)}"'
    assert edit_link in organizer_client.get(_detail(spring)).get_data(as_text=True)
    assert edit_link not in staff_client.get(_detail(spring)).get_data(as_text=True)
    export = f"{_payments(spring)}.csv"
    assert export in organizer_client.get(_payments(spring)).get_data(as_text=True)
    assert export not in staff_client.get(_payments(spring)).get_data(as_text=True)
    new_series = f"{SERIES}/new"
    assert new_series in organizer_client.get(SERIES).get_data(as_text=True)
    assert new_series not in staff_client.get(SERIES).get_data(as_text=True)


def test_the_pager_is_part_of_the_kept_meetup_pages(monkeypatch, session, tenant,
                                                    organizer_client, evenings):
    spring = evenings[0]
    for member in (person(session, tenant, "苗字ア", "次郎", "ミョウジ", "ジロウ"),
                   person(session, tenant, "苗字カ", "三郎", "ミョウジ", "サブロウ")):
        attend(session, spring, member)
    session.commit()
    new_code(monkeypatch)
    monkeypatch.setattr(meetup_views, "PER_PAGE", 1)
    monkeypatch.setattr(payment_services, "PER_PAGE", 1)
    for url in (_detail(spring), _payments(spring)):
        first = organizer_client.get(url).get_data(as_text=True)
        second = organizer_client.get(url + "?page=2").get_data(as_text=True)
        assert ("三郎" in first) != ("三郎" in second), url


def test_the_meetup_page_drops_its_cancel_form_once_the_meetup_starts(clock, organizer_client,
                                                                      evenings):
    url = _detail(evenings[0])
    assert "/cancel" in organizer_client.get(url).get_data(as_text=True)
    assert "/cancel" in organizer_client.get(url).get_data(as_text=True)  # kept
    clock.shift(hours=2)  # it started; nothing was written
    assert "/cancel" not in organizer_client.get(url).get_data(as_text=True)


def test_the_series_list_follows_the_clock(clock, session, tenant, organizer_client):
    _series, occurrences = series_with_occurrences(session, tenant, n=2)
    occurrences[0].starts_at = utcnow() + timedelta(minutes=30)
    occurrences[0].ends_at = utcnow() + timedelta(hours=2)
    session.commit()
    assert "2 upcoming" in in_english(organizer_client).get(SERIES).get_data(as_text=True)
    assert "2 upcoming" in organizer_client.get(SERIES).get_data(as_text=True)  # kept
    clock.shift(hours=1)  # the first occurrence has started; nothing was written
    assert "1 upcoming" in organizer_client.get(SERIES).get_data(as_text=True)


def test_a_cancelled_meetups_form_sends_back_kept_or_not(session, organizer_client, evenings):
    spring = evenings[0]
    assert organizer_client.get(_edit(spring)).status_code == 200
    spring.status = MeetupStatus.CANCELLED
    session.commit()
    for _ in range(2):  # computed, then kept
        response = organizer_client.get(_edit(spring))
        assert response.status_code == 302
        assert response.headers["Location"].endswith(_detail(spring))


def test_a_refused_edit_is_computed_with_what_was_typed(organizer_client, evenings):
    organizer_client.get(_edit(evenings[0]))  # kept
    refused = organizer_client.post(_edit(evenings[0]), data={"title": "", "scope": "this"})
    assert refused.status_code == 422
    assert 'value="春の定例会"' not in refused.get_data(as_text=True)


@pytest.mark.parametrize("page", list(PAGES))
def test_a_meetup_page_is_never_another_communitys(login, session, organizer_client,
                                                   other_tenant, evenings, page):
    url = PAGES[page](evenings[0])
    organizer_client.get(url)  # kept in this community
    never_another_communitys(login, session, other_tenant, url, ("春の定例会", "苗字ア"))
    assert organizer_client.get(PAGES[page](evenings[1]).replace(
        str(evenings[1].id), str(evenings[1].id + 1000))).status_code == 404


def test_the_series_list_is_never_another_communitys(login, session, tenant, organizer_client,
                                                     other_tenant):
    series_with_occurrences(session, tenant, n=1)
    session.commit()
    assert "朝活セミナー" in organizer_client.get(SERIES).get_data(as_text=True)  # kept
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(SERIES).status_code in (302, 403, 404)
    theirs = intruder.get(in_other_community(SERIES, other_tenant))
    assert theirs.status_code == 200 and "朝活セミナー" not in theirs.get_data(as_text=True)


# -- the announcements list -------------------------------------------------------------------

ANNOUNCEMENTS = f"{ADMIN}/announcements"


def _announce(client, subject: str) -> None:  # type: ignore[no-untyped-def]
    saved = client.post(f"{ANNOUNCEMENTS}/new", data={
        "csrf_token": "", "subject": subject, "body": "本文です。", "segment": "everyone",
        "meetup_id": ""})
    assert saved.status_code == 303, saved.status_code
    client.get(saved.headers["Location"])  # the announcement, with the "saved" message


def test_the_announcements_list_is_the_same_kept_computed_once_and_shows_a_write(
        app, monkeypatch, organizer_client, people):
    _announce(organizer_client, "総会のお知らせ")
    assert "総会のお知らせ" in same_cached_and_not(app, organizer_client, ANNOUNCEMENTS)
    computed = counting(monkeypatch, announcement_views, "_list_body")
    organizer_client.get(ANNOUNCEMENTS)
    assert computed == []
    _announce(organizer_client, "忘年会のお知らせ")
    assert "忘年会のお知らせ" in organizer_client.get(ANNOUNCEMENTS).get_data(as_text=True)
    assert computed == [1]
    assert len(computing(app, organizer_client, ANNOUNCEMENTS)) <= 10


def test_the_pager_is_part_of_the_kept_announcements_list(monkeypatch, organizer_client, people):
    for subject in ("一通目のお知らせ", "二通目のお知らせ"):
        _announce(organizer_client, subject)
    new_code(monkeypatch)
    monkeypatch.setattr(announcement_views, "PER_PAGE", 1)
    first = organizer_client.get(ANNOUNCEMENTS).get_data(as_text=True)
    second = organizer_client.get(ANNOUNCEMENTS + "?page=2").get_data(as_text=True)
    assert "二通目" in first and "一通目" not in first
    assert "一通目" in second and "二通目" not in second


def test_the_announcements_list_is_never_another_communitys(login, session, organizer_client,
                                                            other_tenant, people):
    _announce(organizer_client, "総会のお知らせ")
    organizer_client.get(ANNOUNCEMENTS)  # kept in this community
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(ANNOUNCEMENTS).status_code in (302, 403, 404)
    theirs = intruder.get(in_other_community(ANNOUNCEMENTS, other_tenant))
    assert theirs.status_code == 200 and "総会のお知らせ" not in theirs.get_data(as_text=True)


# -- a new announcement's form ----------------------------------------------------------------

NEW_ANNOUNCEMENT = f"{ANNOUNCEMENTS}/new"


def test_the_new_announcement_form_is_the_same_kept_and_computed_once(
        app, monkeypatch, organizer_client, evenings):
    assert "春の定例会" in same_cached_and_not(app, organizer_client, NEW_ANNOUNCEMENT)
    computed = counting(monkeypatch, announcement_views, "_new_body")
    organizer_client.get(NEW_ANNOUNCEMENT)
    assert computed == []
    assert len(computing(app, organizer_client, NEW_ANNOUNCEMENT)) <= 10


def test_the_meetup_asked_is_part_of_the_kept_form(organizer_client, evenings):
    for one in evenings:
        page = organizer_client.get(f"{NEW_ANNOUNCEMENT}?meetup_id={one.id}")
        assert f'<option selected value="{one.id}">' in page.get_data(as_text=True)


def test_the_new_announcement_form_follows_the_clock_and_writes(clock, session, tenant,
                                                                organizer_client, evenings):
    meetup(session, tenant, "夏の定例会", starts_at=utcnow() - timedelta(days=30, minutes=-30))
    session.commit()
    assert "夏の定例会" in organizer_client.get(NEW_ANNOUNCEMENT).get_data(as_text=True)
    assert "夏の定例会" in organizer_client.get(NEW_ANNOUNCEMENT).get_data(as_text=True)  # kept
    clock.shift(hours=1)  # the summer meetup is now over a month past; nothing was written
    assert "夏の定例会" not in organizer_client.get(NEW_ANNOUNCEMENT).get_data(as_text=True)
    meetup(session, tenant, "冬の定例会", starts_at=utcnow() + timedelta(days=1))
    session.commit()
    assert "冬の定例会" in organizer_client.get(NEW_ANNOUNCEMENT).get_data(as_text=True)


def test_the_new_announcement_form_is_never_another_communitys(login, session,
                                                               organizer_client, other_tenant,
                                                               evenings):
    organizer_client.get(NEW_ANNOUNCEMENT)  # kept in this community
    intruder = signed_in_intruder(login, session, other_tenant)
    theirs = intruder.get(in_other_community(NEW_ANNOUNCEMENT, other_tenant))
    assert theirs.status_code == 200 and "春の定例会" not in theirs.get_data(as_text=True)
    assert intruder.get(NEW_ANNOUNCEMENT).status_code in (302, 403, 404)


# -- the introduction settings ----------------------------------------------------------------

INTRO_SETTINGS = f"{ADMIN}/introductions/settings"


def _save_settings(client, expiry_days: int) -> None:  # type: ignore[no-untyped-def]
    saved = client.post(INTRO_SETTINGS, data={"csrf_token": "", "cadence": "monthly",
                                              "per_member_cap": "2",
                                              "expiry_days": str(expiry_days)})
    assert saved.status_code == 302, saved.status_code
    client.get(saved.headers["Location"])  # the page, with the "saved" message


def test_the_introduction_settings_are_the_same_kept_computed_once_and_show_a_write(
        app, monkeypatch, organizer_client, people):
    assert 'value="14"' in same_cached_and_not(app, organizer_client, INTRO_SETTINGS)
    computed = counting(monkeypatch, intro_views, "_settings_body")
    organizer_client.get(INTRO_SETTINGS)
    assert computed == []
    _save_settings(organizer_client, 30)
    shown = same_cached_and_not(app, organizer_client, INTRO_SETTINGS)
    assert 'value="30"' in shown and 'value="14"' not in shown
    assert len(computing(app, organizer_client, INTRO_SETTINGS)) <= 10


def test_a_refused_setting_is_computed_with_what_was_typed(organizer_client, people):
    organizer_client.get(INTRO_SETTINGS)  # kept
    refused = organizer_client.post(INTRO_SETTINGS, data={
        "csrf_token": "", "cadence": "monthly", "per_member_cap": "2", "expiry_days": "999"})
    assert refused.status_code == 422 and 'value="999"' in refused.get_data(as_text=True)


def test_the_introduction_settings_are_never_another_communitys(login, session,
                                                                organizer_client,
                                                                other_tenant, people):
    _save_settings(organizer_client, 30)
    organizer_client.get(INTRO_SETTINGS)  # kept in this community
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(INTRO_SETTINGS).status_code in (302, 403, 404)
    theirs = intruder.get(in_other_community(INTRO_SETTINGS, other_tenant))
    assert theirs.status_code == 200 and 'value="30"' not in theirs.get_data(as_text=True)
