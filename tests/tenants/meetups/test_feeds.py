"""Calendar feeds, tickets and the "can't make it" page: what each shows, and that another
community's tokens and meetups never appear under this community's address."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from icalendar import Calendar

from joren.models import MemberStatus
from joren.tenants.meetups.calendar import links as calendar_links
from joren.tenants.meetups.models import MeetupStatus, Registration, RegistrationStatus
from tests import factories
from tests.tenants.helpers import reload
from tests.tenants.meetups.helpers_feeds import in_, meetup_at, registration

pytestmark = pytest.mark.usefixtures("clock")

# A NUL character ("%00") never reaches a view: it answers 400 (tests/platform/test_inputs.py).
BAD_TOKENS = ["x", "0" * 300, "..", "%2500", "ａｂｃ", "eyJhbGciOi.J9", "WzEsMV0.bad-signature",
              "<script>", "a b"]


def _uids(body: bytes) -> set[str]:
    return {str(e["UID"]) for e in Calendar.from_ical(body).walk("VEVENT")}


def _token(app, make, *args) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return make(*args)


@pytest.fixture()
def calendar(session, tenant, other_tenant, people):  # type: ignore[no-untyped-def]
    rows = {
        "public": meetup_at(session, tenant, in_(days=5), title="公開定例会"),
        "members": meetup_at(session, tenant, in_(days=6), title="幹事だけの打ち合わせ",
                             is_public=False),
        "cancelled": meetup_at(session, tenant, in_(days=7), title="中止の回",
                               status=MeetupStatus.CANCELLED),
        "old": meetup_at(session, tenant, in_(days=-400), title="昔の会"),
        "theirs": meetup_at(session, other_tenant, in_(days=5), title="神戸の会"),
    }
    session.commit()
    return rows


# --- the community's public feed ---------------------------------------------------------------

def test_the_public_feed_lists_public_meetups_only(client, tenant, calendar):
    response = client.get(f"/c/{tenant.slug}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "max-age=" in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["ETag"]
    host = "localhost"
    assert _uids(response.data) == {f"meetup-{calendar['public'].id}@{host}",
                                    f"meetup-{calendar['cancelled'].id}@{host}"}
    assert "幹事だけの打ち合わせ".encode() not in response.data
    assert "神戸の会".encode() not in response.data
    events = {str(e["SUMMARY"]): e for e in Calendar.from_ical(response.data).walk("VEVENT")}
    assert str(events["中止の回"]["STATUS"]) == "CANCELLED"
    assert b"\r\n" in response.data and b"\n" not in response.data.replace(b"\r\n", b"")

    again = client.get(f"/c/{tenant.slug}/calendar.ics",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_the_feed_is_the_same_bytes_a_minute_later(client, tenant, calendar, clock):
    """DTSTAMP comes from the data, not the clock, so a reader's ETag keeps matching."""
    first = client.get(f"/c/{tenant.slug}/calendar.ics")
    clock.shift(minutes=1)
    later = client.get(f"/c/{tenant.slug}/calendar.ics",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert later.status_code == 304


def test_the_other_communitys_feed_shows_only_its_own(client, other_tenant, calendar):
    response = client.get(f"/c/{other_tenant.slug}/calendar.ics")
    assert _uids(response.data) == {f"meetup-{calendar['theirs'].id}@localhost"}


def test_a_private_communitys_feed_is_not_found(client, session, tenant, calendar):
    tenant.is_public = False
    session.commit()
    assert client.get(f"/c/{tenant.slug}/calendar.ics").status_code == 404


# --- a member's own feed -----------------------------------------------------------------------

def test_a_members_feed_holds_their_registrations(app, client, session, tenant, people, calendar):
    me = people.member_member
    registration(session, calendar["public"], me)
    registration(session, calendar["members"], me, status=RegistrationStatus.WAITLISTED)
    registration(session, calendar["cancelled"], me, status=RegistrationStatus.CANCELLED)
    other = factories.member(session, tenant)
    extra = meetup_at(session, tenant, in_(days=9), title="他の人だけの会")
    registration(session, extra, other)
    session.commit()
    token = _token(app, calendar_links.member_feed_token, me)

    response = client.get(f"/c/{tenant.slug}/calendar/{token}.ics")
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    cal = Calendar.from_ical(response.data)
    events = {str(e["SUMMARY"]): str(e["STATUS"]) for e in cal.walk("VEVENT")}
    assert events == {"公開定例会": "CONFIRMED", "幹事だけの打ち合わせ": "TENTATIVE"}


def test_a_members_feed_token_is_refused_when_forged_foreign_or_revoked(
    app, client, session, tenant, other_tenant, people, calendar
):
    mine = _token(app, calendar_links.member_feed_token, people.member_member)
    theirs = _token(app, calendar_links.member_feed_token, people.other_owner_member)
    assert client.get(f"/c/{other_tenant.slug}/calendar/{theirs}.ics").status_code == 200
    assert client.get(f"/c/{tenant.slug}/calendar/{theirs}.ics").status_code == 404
    assert client.get(f"/c/{other_tenant.slug}/calendar/{mine}.ics").status_code == 404
    assert client.get(f"/c/{tenant.slug}/calendar/{mine[:-2]}xx.ics").status_code == 404
    for bad in BAD_TOKENS:
        assert client.get(f"/c/{tenant.slug}/calendar/{bad}.ics").status_code == 404, bad

    people.member_member.status = MemberStatus.INACTIVE  # left the community: feed revoked
    session.commit()
    assert client.get(f"/c/{tenant.slug}/calendar/{mine}.ics").status_code == 404


def test_the_subscribe_page_shows_the_members_links(app, member_client, tenant, people,
                                                      calendar):
    page = member_client.get(f"/c/{tenant.slug}/calendar/subscribe")
    assert page.status_code == 200
    token = _token(app, calendar_links.member_feed_token, people.member_member)
    html = page.get_data(as_text=True)
    assert f"webcal://localhost/c/{tenant.slug}/calendar/{token}.ics" in html
    assert f"http://localhost/c/{tenant.slug}/calendar/{token}.ics" in html
    assert f"webcal://localhost/c/{tenant.slug}/calendar.ics" in html
    assert "Google Calendar" in html and "iPhone" in html

    home = member_client.get(f"/c/{tenant.slug}/")
    assert f"/c/{tenant.slug}/calendar/subscribe" in home.get_data(as_text=True)


def test_the_subscribe_page_is_for_members_only(client, outsider_client, login, people, tenant,
                                                other_tenant):
    assert client.get(f"/c/{tenant.slug}/calendar/subscribe").status_code == 302
    assert outsider_client.get(f"/c/{tenant.slug}/calendar/subscribe").status_code == 403
    assert login(people.other_owner).get(
        f"/c/{tenant.slug}/calendar/subscribe").status_code == 403


# --- tickets -----------------------------------------------------------------------------------

def test_a_ticket_shows_the_qr_code_and_the_meetup(client, session, tenant, people, calendar):
    reg = registration(session, calendar["public"], people.member_member)
    session.commit()
    page = client.get(f"/c/{tenant.slug}/tickets/{reg.checkin_token}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "公開定例会" in html and "<svg" in html and "梅田スカイビル" in html
    assert people.member_member.display_name in html

    svg = client.get(f"/c/{tenant.slug}/tickets/{reg.checkin_token}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    root = ET.fromstring(svg.data)
    assert root.tag.endswith("svg")


def test_a_ticket_that_is_not_going_says_so(client, session, tenant, people, calendar):
    reg = registration(session, calendar["public"], people.member_member,
                       status=RegistrationStatus.WAITLISTED)
    session.commit()
    client.post("/language", data={"language": "en"})
    html = client.get(f"/c/{tenant.slug}/tickets/{reg.checkin_token}").get_data(as_text=True)
    assert "not valid for entry" in html


def test_tickets_of_another_community_and_bad_tokens_are_not_found(
    client, session, tenant, other_tenant, people, calendar
):
    theirs = registration(session, calendar["theirs"], people.other_owner_member)
    session.commit()
    assert client.get(f"/c/{other_tenant.slug}/tickets/{theirs.checkin_token}").status_code == 200
    assert client.get(f"/c/{tenant.slug}/tickets/{theirs.checkin_token}").status_code == 404
    assert client.get(f"/c/{tenant.slug}/tickets/{theirs.checkin_token}.svg").status_code == 404
    for bad in BAD_TOKENS:
        assert client.get(f"/c/{tenant.slug}/tickets/{bad}").status_code == 404, bad
        assert client.get(f"/c/{tenant.slug}/tickets/{bad}.svg").status_code == 404, bad


# --- can't make it -----------------------------------------------------------------------------

def test_cant_make_it_asks_then_frees_the_seat(app, client, session, tenant, people, calendar):
    reg = registration(session, calendar["public"], people.member_member)
    session.commit()
    token = _token(app, calendar_links.cant_make_it_token, reg)
    path = f"/c/{tenant.slug}/meetups/cant-make-it/{token}"

    page = client.get(path)
    assert page.status_code == 200 and b'id="cant-make-it-form"' in page.data
    assert reload(session, Registration, reg.id).status == RegistrationStatus.GOING

    assert client.post(path).status_code == 200
    assert reload(session, Registration, reg.id).status == RegistrationStatus.CANCELLED
    again = client.post(path)
    assert again.status_code == 200 and b'id="cant-make-it-form"' not in again.data


def test_cant_make_it_does_nothing_once_the_meetup_started(app, client, session, tenant, people):
    started = meetup_at(session, tenant, in_(minutes=-5))
    reg = registration(session, started, people.member_member)
    session.commit()
    token = _token(app, calendar_links.cant_make_it_token, reg)
    assert client.post(f"/c/{tenant.slug}/meetups/cant-make-it/{token}").status_code == 410
    assert reload(session, Registration, reg.id).status == RegistrationStatus.GOING


def test_cant_make_it_links_of_another_community_or_forged_are_not_found(
    app, client, session, tenant, other_tenant, people, calendar
):
    theirs = registration(session, calendar["theirs"], people.other_owner_member)
    session.commit()
    token = _token(app, calendar_links.cant_make_it_token, theirs)
    for method in (client.get, client.post):
        assert method(f"/c/{tenant.slug}/meetups/cant-make-it/{token}").status_code == 404
        for bad in BAD_TOKENS + [token[:-3] + "abc"]:
            assert method(f"/c/{tenant.slug}/meetups/cant-make-it/{bad}").status_code == 404, bad
    assert reload(session, Registration, theirs.id).status == RegistrationStatus.GOING
    # A feed token is not a "can't make it" token (different salt).
    feed = _token(app, calendar_links.member_feed_token, people.member_member)
    assert client.post(f"/c/{tenant.slug}/meetups/cant-make-it/{feed}").status_code == 404
