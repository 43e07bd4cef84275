"""Registration pages: portal register/cancel/series/opt-out, my registrations, the console
list with its actions and CSV, the public guest form and its confirmation link, isolation."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import func, select

from joren.models import Member, MemberStatus, OutboxMessage
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Registration, RegistrationStatus
from tests import factories
from tests.tenants.helpers import count_statements, in_english
from tests.tenants.meetups.helpers_registrations import (
    later,
    people_in,
    registrations_of,
    seated_meetup,
    series_with_occurrences,
)

pytestmark = pytest.mark.usefixtures("clock")

GOING, WAITLISTED, PENDING = (RegistrationStatus.GOING, RegistrationStatus.WAITLISTED,
                              RegistrationStatus.PENDING)


def _url(tenant, path: str) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}{path}"


def _status(session, meetup_id, member_id):  # type: ignore[no-untyped-def]
    rows = [r for r in registrations_of(session, meetup_id) if r.member_id == member_id]
    return rows[0].status if rows else None


def test_member_registers_sees_status_and_cancels(session, tenant, people, member_client):
    m = seated_meetup(session, tenant, capacity=5)
    session.commit()
    page = member_client.get(_url(tenant, f"/meetups/{m.id}")).get_data(as_text=True)
    assert "5 spots left" in page and f"/meetups/{m.id}/register" in page
    r = member_client.post(_url(tenant, f"/meetups/{m.id}/register"), follow_redirects=True)
    body = r.get_data(as_text=True)
    assert "You are registered" in body and "4 spots left" in body
    assert f"/meetups/{m.id}/cancel" in body
    assert _status(session, m.id, people.member_member.id) == GOING
    again = member_client.post(_url(tenant, f"/meetups/{m.id}/register"), follow_redirects=True)
    assert "already registered" in again.get_data(as_text=True)
    assert len(registrations_of(session, m.id)) == 1
    mine = member_client.get(_url(tenant, "/meetups/mine")).get_data(as_text=True)
    assert m.title in mine and "Going" in mine
    member_client.post(_url(tenant, f"/meetups/{m.id}/cancel"))
    assert _status(session, m.id, people.member_member.id) == RegistrationStatus.CANCELLED


def test_full_meetup_shows_waitlist_rank(session, tenant, people, member_client):
    m = seated_meetup(session, tenant, capacity=1)
    (other,) = people_in(session, tenant, 1)
    session.add(Registration(tenant_id=tenant.id, meetup_id=m.id, member_id=other.id,
                             status=GOING))
    session.commit()
    body = member_client.post(_url(tenant, f"/meetups/{m.id}/register"),
                              follow_redirects=True).get_data(as_text=True)
    assert "waitlist" in body and "Waitlisted #1" in body


def test_closed_window_and_cancelled_meetup_say_so_and_save_nothing(session, tenant,
                                                                    member_client):
    closed = seated_meetup(session, tenant, registration_closes_at=later(-1))
    not_yet = seated_meetup(session, tenant, registration_opens_at=later(3))
    session.commit()
    for m, message in ((closed, "Registration for this meetup is closed."),
                       (not_yet, "Registration opens on")):
        body = member_client.post(_url(tenant, f"/meetups/{m.id}/register"),
                                  follow_redirects=True).get_data(as_text=True)
        assert message in body
        assert registrations_of(session, m.id) == []


def test_series_register_and_opt_out_from_the_portal(session, tenant, people, member_client):
    series, occurrences = series_with_occurrences(session, tenant, n=2)
    session.commit()
    member_client.post(_url(tenant, f"/series/{series.id}/register"))
    me = people.member_member.id
    assert [_status(session, o.id, me) for o in occurrences] == [GOING, GOING]
    page = member_client.get(_url(tenant, f"/meetups/{occurrences[0].id}")).get_data(
        as_text=True)
    assert f"/meetups/{occurrences[0].id}/opt-out" in page
    member_client.post(_url(tenant, f"/meetups/{occurrences[0].id}/opt-out"))
    assert _status(session, occurrences[0].id, me) == RegistrationStatus.NOT_GOING
    assert _status(session, occurrences[1].id, me) == GOING
    member_client.post(_url(tenant, f"/series/{series.id}/cancel"))
    assert _status(session, occurrences[1].id, me) == RegistrationStatus.CANCELLED


def test_console_lists_counts_and_acts(session, tenant, people, organizer_client, staff_client,
                                       member_client):
    m = seated_meetup(session, tenant, capacity=1)
    a, b = people_in(session, tenant, 2, company="梅田商事")
    ra = Registration(tenant_id=tenant.id, meetup_id=m.id, member_id=a.id, status=GOING)
    rb = Registration(tenant_id=tenant.id, meetup_id=m.id, member_id=b.id, status=WAITLISTED,
                      waitlist_position=1)
    session.add_all([ra, rb])
    session.commit()
    url = _url(tenant, f"/admin/meetups/{m.id}/registrations")
    in_english(organizer_client)
    page = organizer_client.get(url).get_data(as_text=True)
    assert a.display_name in page and b.display_name in page
    assert "Give a seat" in page and f"registrations/{rb.id}" in page
    # Each row's forms post to that registration's action (the address is built once a page)
    for registration in (ra, rb):
        with organizer_client.application.test_request_context():
            action = url_for("community.registrations.console_action", slug=tenant.slug,
                             meetup_id=m.id, registration_id=registration.id)
        assert f'action="{action}"' in page
    assert staff_client.get(url).status_code == 200
    assert member_client.get(url).status_code == 403
    assert staff_client.post(f"{url}/{rb.id}", data={"action": "promote"}).status_code == 403
    organizer_client.post(f"{url}/{ra.id}", data={"action": "cancel"})
    assert _status(session, m.id, b.id) == GOING  # promoted automatically
    assert _status(session, m.id, a.id) == RegistrationStatus.CANCELLED
    bad = organizer_client.post(f"{url}/{ra.id}", data={"action": "explode"},
                                follow_redirects=True)
    assert "Unknown action" in bad.get_data(as_text=True)
    assert staff_client.get(f"{url}.csv").status_code == 403  # staff export nothing
    csv = organizer_client.get(f"{url}.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data().decode("utf-8")
    assert text.startswith("\ufeff") and "梅田商事" in text and "\r\n" in text


def test_console_action_needs_the_registration_of_that_meetup(session, tenant, people,
                                                              organizer_client):
    m1 = seated_meetup(session, tenant)
    m2 = seated_meetup(session, tenant)
    (a,) = people_in(session, tenant, 1)
    r = Registration(tenant_id=tenant.id, meetup_id=m2.id, member_id=a.id, status=PENDING)
    session.add(r)
    session.commit()
    response = organizer_client.post(
        _url(tenant, f"/admin/meetups/{m1.id}/registrations/{r.id}"), data={"action": "approve"})
    assert response.status_code == 404
    assert _status(session, m2.id, a.id) == PENDING


def _confirm_link(session, email: str) -> str:  # type: ignore[no-untyped-def]
    session.expire_all()
    message = session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_email == email,
        OutboxMessage.template == "meetups/registrations/guest_confirm")).all()[-1]
    return re.search(r"http://localhost(/c/\S+/registrations/confirm/\S+)",
                     message.text_body).group(1)


def test_guest_registers_and_confirms_by_email_link(session, tenant, client):
    m = seated_meetup(session, tenant, capacity=3)
    session.commit()
    in_english(client)
    form = client.get(_url(tenant, f"/meetups/{m.id}/guest"))
    assert form.status_code == 200 and "Family name" in form.get_data(as_text=True)
    response = client.post(_url(tenant, f"/meetups/{m.id}/guest"), data={
        "family_name": "木村", "given_name": "花子", "family_name_kana": "キムラ",
        "given_name_kana": "ハナコ", "email": "hanako@example.com", "company": "木村保険",
        "notice_read": "y",
        "title": "代表", "industry": "保険"})
    assert response.status_code == 200
    assert "hanako@example.com" in response.get_data(as_text=True)
    [held] = registrations_of(session, m.id)
    assert held.status == PENDING and held.confirmed_at is None
    link = _confirm_link(session, "hanako@example.com")
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my registration" in page.get_data(as_text=True)
    assert registrations_of(session, m.id)[0].confirmed_at is None  # a GET changes nothing
    done = client.post(link).get_data(as_text=True)
    assert "You are registered" in done
    [confirmed] = registrations_of(session, m.id)
    assert confirmed.status == GOING and confirmed.confirmed_at is not None
    with unscoped(session):
        guest = session.get(Member, confirmed.member_id)
    assert guest.status == MemberStatus.GUEST and guest.company == "木村保険"
    assert client.post(link).status_code == 200  # confirming twice is harmless
    tampered = client.get(link[:-3] + "xyz")
    assert tampered.status_code == 400 and "invalid" in tampered.get_data(as_text=True)


def test_guest_bad_input_gets_a_message_and_saves_nothing(session, tenant, client):
    m = seated_meetup(session, tenant)
    session.commit()
    in_english(client)
    url = _url(tenant, f"/meetups/{m.id}/guest")
    base = {"family_name": "木村", "given_name": "花子", "email": "hanako@example.com",
            "notice_read": "y"}
    cases = [({"email": "not-an-email"}, "Enter a valid email address."),
             ({"family_name": "長" * 61}, "60"),
             ({"given_name": ""}, "Enter your given name.")]
    for change, message in cases:
        response = client.post(url, data={**base, **change})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert registrations_of(session, m.id) == []
    with unscoped(session):
        assert session.scalar(select(func.count(Member.id)).where(
            Member.status == MemberStatus.GUEST)) == 0


def test_guest_form_only_for_public_meetups_of_this_community(session, tenant, other_tenant,
                                                              client):
    private = seated_meetup(session, tenant, is_public=False)
    theirs = seated_meetup(session, other_tenant)
    session.commit()
    assert client.get(_url(tenant, f"/meetups/{private.id}/guest")).status_code == 404
    assert client.get(_url(tenant, f"/meetups/{theirs.id}/guest")).status_code == 404
    assert client.post(_url(tenant, f"/meetups/{theirs.id}/guest"), data={
        "family_name": "木村", "given_name": "花子",
        "email": "x@example.com"}).status_code == 404
    assert registrations_of(session, theirs.id) == []


def test_guest_confirm_link_of_another_community_is_refused(session, tenant, other_tenant,
                                                            client):
    theirs = seated_meetup(session, other_tenant)
    session.commit()
    client.post(_url(other_tenant, f"/meetups/{theirs.id}/guest"), data={
        "family_name": "木村", "given_name": "花子", "email": "kobe@example.com",
        "notice_read": "y"})
    link = _confirm_link(session, "kobe@example.com")
    hijacked = link.replace(f"/c/{other_tenant.slug}/", f"/c/{tenant.slug}/")
    assert client.post(hijacked).status_code == 400
    assert registrations_of(session, theirs.id)[0].confirmed_at is None


def test_other_community_cannot_register_or_touch_registrations(session, tenant, other_tenant,
                                                                people, login, owner_client):
    ours = seated_meetup(session, tenant, is_public=False)
    theirs = seated_meetup(session, other_tenant)
    stranger = factories.member(session, other_tenant)
    r = Registration(tenant_id=other_tenant.id, meetup_id=theirs.id, member_id=stranger.id,
                     status=WAITLISTED, waitlist_position=1)
    session.add(r)
    session.commit()
    b_owner = login(people.other_owner)
    assert b_owner.post(_url(tenant, f"/meetups/{ours.id}/register")).status_code == 403
    assert registrations_of(session, ours.id) == []
    assert owner_client.post(_url(tenant, f"/meetups/{theirs.id}/register")).status_code == 404
    assert owner_client.get(
        _url(tenant, f"/admin/meetups/{theirs.id}/registrations")).status_code == 404
    assert owner_client.post(
        _url(tenant, f"/admin/meetups/{theirs.id}/registrations/{r.id}"),
        data={"action": "promote"}).status_code == 404
    assert registrations_of(session, theirs.id)[0].status == WAITLISTED


def test_visitors_see_the_guest_button_on_public_meetups(session, tenant, client):
    public = seated_meetup(session, tenant, capacity=4)
    session.commit()
    in_english(client)
    page = client.get(_url(tenant, f"/meetups/{public.id}")).get_data(as_text=True)
    assert f"/meetups/{public.id}/guest" in page and "Register as a guest" in page
    assert f"/meetups/{public.id}/register" not in page


def test_organizer_declines_an_unconfirmed_guest(session, tenant, organizer_client):
    m = seated_meetup(session, tenant)
    guest = factories.member(session, tenant, status=MemberStatus.GUEST)
    r = Registration(tenant_id=tenant.id, meetup_id=m.id, member_id=guest.id, status=PENDING,
                     source="guest")
    session.add(r)
    session.flush()
    r.confirmed_at = None  # the column's default fills a None on insert
    session.commit()
    url = _url(tenant, f"/admin/meetups/{m.id}/registrations")
    in_english(organizer_client)
    page = organizer_client.get(url).get_data(as_text=True)
    assert f"registrations/{r.id}" in page
    approve = organizer_client.post(f"{url}/{r.id}", data={"action": "approve"},
                                    follow_redirects=True)
    assert _status(session, m.id, guest.id) == PENDING
    assert "has not confirmed their email address" in approve.get_data(as_text=True)
    organizer_client.post(f"{url}/{r.id}", data={"action": "decline"})
    assert _status(session, m.id, guest.id) == RegistrationStatus.CANCELLED


def test_console_page_does_not_query_per_row(app, session, tenant, people, organizer_client):
    small, big = seated_meetup(session, tenant, capacity=1), seated_meetup(session, tenant,
                                                                           capacity=1)
    crowd = people_in(session, tenant, 12, company="大阪商事")
    for i, person in enumerate(crowd):
        for m, limit in ((small, 2), (big, 12)):
            if i < limit:
                session.add(Registration(
                    tenant_id=tenant.id, meetup_id=m.id, member_id=person.id,
                    status=GOING if i == 0 else WAITLISTED, waitlist_position=i or None))
    session.commit()
    statements = []
    for m in (small, big):
        with count_statements(app) as counter:
            response = organizer_client.get(_url(tenant, f"/admin/meetups/{m.id}/registrations"))
        assert response.status_code == 200
        statements.append(len(counter))
    assert statements[0] == statements[1]


def test_guest_asking_again_gets_the_link_again_and_the_form_is_rate_limited(session, tenant,
                                                                             client):
    from joren.tenants.meetups.registrations.views import GUEST_RATE_LIMIT

    m = seated_meetup(session, tenant)
    session.commit()
    url = _url(tenant, f"/meetups/{m.id}/guest")
    data = {"family_name": "木村", "given_name": "花子", "email": "hanako@example.com",
            "notice_read": "y"}
    assert client.post(url, data=data).status_code == 200
    assert client.post(url, data=data).status_code == 200  # lost the email: asks again
    assert len(registrations_of(session, m.id)) == 1
    limit = int(GUEST_RATE_LIMIT.split()[0])
    statuses = [client.post(url, data={**data, "email": "bad"}).status_code
                for _ in range(limit)]
    assert statuses[-1] == 429 and set(statuses[:limit - 2]) == {400}


def test_console_list_shows_each_group_in_part_and_pages_a_group_on_its_own(
        monkeypatch, session, tenant, other_tenant, people, organizer_client):
    """A big meetup's list stays small: each group shows its first GROUP_SHOWN rows (the
    waitlist by position, the others by reading) with a link to that group alone, paged."""
    from joren.tenants.meetups.registrations import reading, views

    monkeypatch.setattr(reading, "GROUP_SHOWN", 2)
    monkeypatch.setattr(views, "PER_PAGE", 2)
    m = seated_meetup(session, tenant, capacity=3)
    going = [factories.member(session, tenant, given_name=f"行{c}") for c in "甲乙丙"]
    waiting = [factories.member(session, tenant, given_name=f"待{c}") for c in "甲乙丙"]
    for member in going:
        session.add(Registration(tenant_id=tenant.id, meetup_id=m.id, member_id=member.id,
                                 status=GOING))
    for position, member in zip((3, 1, 2), waiting, strict=True):
        session.add(Registration(tenant_id=tenant.id, meetup_id=m.id, member_id=member.id,
                                 status=WAITLISTED, waitlist_position=position))
    theirs = seated_meetup(session, other_tenant)
    (stranger,) = people_in(session, other_tenant, 1, company="よその会社")
    session.add(Registration(tenant_id=other_tenant.id, meetup_id=theirs.id,
                             member_id=stranger.id, status=GOING))
    session.commit()
    url = _url(tenant, f"/admin/meetups/{m.id}/registrations")
    in_english(organizer_client)
    page = organizer_client.get(url).get_data(as_text=True)
    assert 'data-more="going"' in page and 'data-more="waitlisted"' in page
    assert "Showing the first 2 of 3." in page and "よその会社" not in page
    # The waitlist by position: 1 and 2 on the overview, 3 on the group's second page.
    assert page.index(waiting[1].display_name) < page.index(waiting[2].display_name)
    assert waiting[0].display_name not in page
    second = organizer_client.get(url, query_string={"group": "waitlisted", "page": "2"})
    html = second.get_data(as_text=True)
    assert second.status_code == 200 and waiting[0].display_name in html
    assert "<td>3</td>" in html and going[0].display_name not in html
    pages = [organizer_client.get(url, query_string={"group": "going", "page": n})
             .get_data(as_text=True) for n in ("1", "2")]
    for member in going:  # each on exactly one of the two pages
        assert sum(member.display_name in html for html in pages) == 1
    for bad in ({"group": "nobody"}, {"group": "going", "page": "x"}, {"page": "99"}):
        assert organizer_client.get(url, query_string=bad).status_code == 200
