"""A meetup's heavy console pages kept whole by the page cache (issue 14): the door, the
attendance register, the printable list and the registrations list are looked up before the
meetup is read, so a kept view reads no meetup; what they show is the same kept or computed,
follows the reader's role, moves with the clock where it must (the door's window, no-shows
once the meetup has ended), shows a write at once, and is never another community's."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import event

from joren.platform.db import db, utcnow
from joren.tenants.meetups.checkin import lists
from tests.platform.pagecache_helpers import (
    counting,
    in_other_community,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.helpers import count_statements, meetup
from tests.tenants.meetups.helpers_checkin import person, register

pytestmark = pytest.mark.usefixtures("clock", "crowd")

PAGES = {"door": "/checkin", "register": "/attendance", "print": "/checkin/print",
         "registrations": "/registrations"}
# What the door's script asks as the organizer types (no page of its own around it).
SEARCHES = {"search": "/checkin/search?q=苗字", "search json": "/checkin/search?q=苗字&format=json"}
NOT_THE_DAY = "This is not the meetup's day: every check-in asks for a confirmation."


@pytest.fixture()
def evening(session, tenant, people):  # type: ignore[no-untyped-def]
    return meetup(session, tenant, "定例会", starts_at=utcnow() + timedelta(minutes=10))


@pytest.fixture()
def crowd(session, tenant, evening):  # type: ignore[no-untyped-def]
    """Three people going to the evening: (member id, registration id) each."""
    made = []
    for k in ("ア", "イ", "ウ"):
        member = person(session, tenant, f"苗字{k}", "太郎", f"{k}ノ", "タロウ",
                        company=f"{k}商事")
        made.append((member.id, register(session, evening, member).id))
    session.commit()
    return made


def _ja(app, text: str) -> str:  # type: ignore[no-untyped-def]
    """``text`` as the pages show it (in Japanese, the test clients' language)."""
    with app.test_request_context(), force_locale("ja"):
        return str(gettext(text))


def _url(tenant, meetup_id: int, page: str) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/admin/meetups/{meetup_id}{({**PAGES, **SEARCHES})[page]}"


def _shown(response) -> str:  # type: ignore[no-untyped-def]
    """The response's text (a JSON answer's with its characters unescaped)."""
    if response.is_json:
        return json.dumps(response.get_json(), ensure_ascii=False)
    return response.get_data(as_text=True)


@pytest.fixture()
def statements(app):  # type: ignore[no-untyped-def]
    """Every SQL statement the app runs, read from the store or not (count_statements turns
    the store's reads off)."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    yield seen
    event.remove(engine, "before_cursor_execute", before)


@pytest.mark.parametrize("page", [*PAGES, *SEARCHES])
def test_a_kept_page_reads_no_meetup(app, organizer_client, tenant, evening, statements,
                                     page):
    url = _url(tenant, evening.id, page)
    first = organizer_client.get(url)
    assert first.status_code == 200 and "苗字ア" in _shown(first)
    assert any("FROM meetups" in s for s in statements)
    statements.clear()
    kept = organizer_client.get(url)
    assert kept.status_code == 200 and "苗字ア" in _shown(kept)
    assert not any("meetups" in s for s in statements), statements


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_is_the_same_kept_and_computed(app, organizer_client, staff_client, tenant,
                                                 evening, page):
    url = _url(tenant, evening.id, page)
    shown = same_cached_and_not(app, organizer_client, url)
    assert "苗字ア" in shown and "定例会" in shown
    assert "苗字ア" in same_cached_and_not(app, staff_client, url)


def test_every_page_is_computed_within_ten_statements(app, organizer_client, tenant, evening):
    for page in PAGES:
        with count_statements(app) as counter:
            assert organizer_client.get(_url(tenant, evening.id, page)).status_code == 200
        assert len(counter) <= 10, (page, counter.statements)


def test_the_readers_role_is_part_of_the_kept_page(organizer_client, staff_client, tenant,
                                                   evening):
    # The organizer's pages are kept first: staff must not be served them.
    door = organizer_client.get(_url(tenant, evening.id, "door")).get_data(as_text=True)
    register_page = organizer_client.get(
        _url(tenant, evening.id, "register")).get_data(as_text=True)
    registrations = organizer_client.get(
        _url(tenant, evening.id, "registrations")).get_data(as_text=True)
    assert "/checkin/self-window" in door  # organizers open self check-in
    assert 'name="m' in register_page  # and edit the register
    assert 'value="cancel"' in registrations  # and act on registrations
    staff_door = staff_client.get(_url(tenant, evening.id, "door")).get_data(as_text=True)
    staff_register = staff_client.get(
        _url(tenant, evening.id, "register")).get_data(as_text=True)
    staff_registrations = staff_client.get(
        _url(tenant, evening.id, "registrations")).get_data(as_text=True)
    assert "/checkin/self-window" not in staff_door
    assert 'name="m' not in staff_register
    assert 'value="cancel"' not in staff_registrations


def test_the_query_string_is_part_of_the_kept_door(organizer_client, tenant, evening):
    found = organizer_client.get(_url(tenant, evening.id, "door") + "?q=苗字イ")
    body = found.get_data(as_text=True)
    assert "苗字イ" in body and "苗字ア" not in body.split('id="checkin-results-wrap"')[1]
    everyone = organizer_client.get(_url(tenant, evening.id, "door")).get_data(as_text=True)
    assert "苗字ア" in everyone


def test_the_door_follows_the_clock_into_its_window(app, session, clock, organizer_client,
                                                    tenant, people):
    later = meetup(session, tenant, "夜の会", starts_at=utcnow() + timedelta(hours=7))
    session.commit()
    url = _url(tenant, later.id, "door")
    warning = _ja(app, NOT_THE_DAY)
    assert warning in organizer_client.get(url).get_data(as_text=True)
    assert warning in organizer_client.get(url).get_data(as_text=True)  # kept
    clock.shift(hours=2)  # the door opens six hours before the start: nothing was written
    assert warning not in organizer_client.get(url).get_data(as_text=True)


def test_the_door_follows_the_clock_through_self_check_in(app, session, clock,
                                                          organizer_client, tenant, evening):
    evening.checkin_code = "4321"
    evening.checkin_opens_at = utcnow() + timedelta(minutes=30)
    evening.checkin_closes_at = utcnow() + timedelta(hours=1)
    session.commit()
    url = _url(tenant, evening.id, "door")
    states = {name: "· " + _ja(app, name) for name in ("not open yet", "open now", "closed")}

    def shown() -> list[str]:
        page = organizer_client.get(url).get_data(as_text=True)
        return [name for name, words in states.items() if words in page]

    assert shown() == ["not open yet"]
    assert shown() == ["not open yet"]  # kept
    clock.shift(minutes=45)
    assert shown() == ["open now"]
    clock.shift(minutes=30)
    assert shown() == ["closed"]


def test_the_register_marks_no_shows_once_the_meetup_has_ended(clock, organizer_client,
                                                               tenant, evening):
    url = _url(tenant, evening.id, "register")
    assert "data-no-show" not in organizer_client.get(url).get_data(as_text=True)
    assert "data-no-show" not in organizer_client.get(url).get_data(as_text=True)  # kept
    clock.shift(hours=3)  # the meetup ended; nobody came, nothing was written
    assert re.search(r"data-no-show-count>3<", organizer_client.get(url).get_data(as_text=True))


def test_a_check_in_shows_at_once_on_every_page(app, organizer_client, tenant, evening, crowd):
    pages = {page: organizer_client.get(_url(tenant, evening.id, page)).get_data(as_text=True)
             for page in ("door", "register", "print")}
    assert re.search(r"data-checked-in-count>0<", pages["door"])
    assert " data-in" not in pages["print"]
    tanaka = crowd[0][0]
    response = organizer_client.post(_url(tenant, evening.id, "door") + "/check-in",
                                     data={"member_id": tanaka})
    assert response.status_code in (200, 302)
    door = organizer_client.get(_url(tenant, evening.id, "door")).get_data(as_text=True)
    assert re.search(r"data-checked-in-count>1<", door)
    printed = organizer_client.get(_url(tenant, evening.id, "print")).get_data(as_text=True)
    assert f'data-member-id="{tanaka}" data-in' in printed
    register_page = organizer_client.get(
        _url(tenant, evening.id, "register")).get_data(as_text=True)
    assert _ja(app, "Checked in") + " <strong>1</strong>" in register_page


def test_a_cancel_shows_at_once_in_the_registrations(organizer_client, tenant, evening,
                                                     crowd):
    url = _url(tenant, evening.id, "registrations")
    cancelled = re.compile(r'data-count="cancelled">[^<]*: (\d+)<')
    going = re.compile(r'data-count="going">[^<]*: (\d+)')
    page = organizer_client.get(url).get_data(as_text=True)
    assert cancelled.search(page)[1] == "0" and going.search(page)[1] == "3"
    response = organizer_client.post(f"{url}/{crowd[0][1]}", data={"action": "cancel"})
    assert response.status_code == 302
    page = organizer_client.get(url).get_data(as_text=True)
    assert cancelled.search(page)[1] == "1" and going.search(page)[1] == "2"


@pytest.mark.parametrize("page", [*PAGES, *SEARCHES])
def test_an_unknown_meetup_is_a_404_every_time(monkeypatch, organizer_client, tenant, evening,
                                               page):
    url = _url(tenant, evening.id + 1000, page)
    assert organizer_client.get(url).status_code == 404
    assert organizer_client.get(url).status_code == 404


@pytest.mark.parametrize("page", [*PAGES, *SEARCHES])
def test_a_kept_page_is_never_another_communitys(login, session, organizer_client, tenant,
                                                 other_tenant, evening, page):
    url = _url(tenant, evening.id, page)
    assert "苗字ア" in _shown(organizer_client.get(url))
    assert "苗字ア" in _shown(organizer_client.get(url))  # kept now
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(url).status_code in (403, 404)
    guessed = intruder.get(in_other_community(url, other_tenant, tenant.slug))
    assert guessed.status_code == 404
    assert "苗字ア" not in _shown(guessed)


def test_the_printable_list_is_computed_once_while_nothing_changes(monkeypatch,
                                                                   organizer_client, tenant,
                                                                   evening):
    computed = counting(monkeypatch, lists, "sheet")
    for _ in range(3):
        assert organizer_client.get(_url(tenant, evening.id, "print")).status_code == 200
    assert len(computed) == 1


@pytest.mark.parametrize("page", list(PAGES))
def test_each_meetup_has_its_own_kept_page(session, organizer_client, tenant, evening, people,
                                           page):
    other = meetup(session, tenant, "朝の会", starts_at=utcnow() + timedelta(days=7))
    register(session, other, person(session, tenant, "別人", "花子", "ベツ", "ハナコ"))
    session.commit()
    assert "苗字ア" in organizer_client.get(_url(tenant, evening.id, page)).get_data(as_text=True)
    theirs = organizer_client.get(_url(tenant, other.id, page)).get_data(as_text=True)
    assert "別人" in theirs and "苗字ア" not in theirs and "朝の会" in theirs


def test_the_registers_page_is_part_of_the_kept_page(monkeypatch, organizer_client, tenant,
                                                     evening):
    monkeypatch.setattr(lists, "REGISTER_PER_PAGE", 2)
    url = _url(tenant, evening.id, "register")
    first = organizer_client.get(url + "?page=1").get_data(as_text=True)
    assert "苗字ア" in first and "苗字ウ" not in first
    second = organizer_client.get(url + "?page=2").get_data(as_text=True)
    assert "苗字ウ" in second and "苗字ア" not in second


def test_the_search_is_the_same_kept_and_computed(app, organizer_client, tenant, evening):
    shown = same_cached_and_not(app, organizer_client, _url(tenant, evening.id, "search"))
    assert "苗字ア" in shown and "苗字ウ" in shown
    one = organizer_client.get(_url(tenant, evening.id, "door") + "/search?q=苗字イ")
    assert "苗字イ" in _shown(one) and "苗字ア" not in _shown(one)
