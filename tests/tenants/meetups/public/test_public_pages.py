"""The public meetup and series pages: card tags, share links, the map link, the organizer's
contact and schema.org Event data; the embeddable calendar and the console's settings page."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from sqlalchemy import select

from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import MeetupStatus, Visibility
from joren.tenants.meetups.public.models import PublicContact
from tests.tenants.helpers import in_english, meetup, reload
from tests.tenants.meetups.public.helpers import json_ld, meta, next_meetup, share_links, upload
from tests.tenants.meetups.public.pictures import picture

pytestmark = pytest.mark.usefixtures("clock")

BASE = "/c/osaka-mixer"


def _contact(session, tenant, **fields) -> None:  # type: ignore[no-untyped-def]
    session.add(PublicContact(tenant_id=tenant.id, **fields))
    session.commit()


def test_the_meetup_page_carries_open_graph_and_x_card_tags(client, series, tenant_session):
    found = next_meetup(tenant_session, series)
    page = client.get(f"{BASE}/meetups/{found.id}").get_data(as_text=True)
    tags = meta(page)
    url = f"http://localhost{BASE}/meetups/{found.id}"
    assert tags["og:url"] == url
    assert tags["og:title"] == "定例会"
    assert tags["og:type"] == "article"
    assert tags["og:site_name"] == "大阪異業種交流会"
    assert tags["og:description"]
    assert tags["twitter:title"] == "定例会"
    # No picture yet: a small card (a large one needs an image).
    assert "og:image" not in tags
    assert tags["twitter:card"] == "summary"
    assert f'<link rel="canonical" href="{url}">' in page


def test_card_urls_come_from_base_url_behind_a_proxy(client, series, tenant_session,
                                                     production_base_url, organizer_client):
    upload(organizer_client, f"{BASE}/admin/meetups/series/{series.id}/image", picture())
    found = next_meetup(tenant_session, series)
    page = client.get(f"{BASE}/meetups/{found.id}",
                      headers={"Host": "internal:8000", "X-Forwarded-Host": "evil.example"})
    tags = meta(page.get_data(as_text=True))
    assert tags["og:url"] == f"{production_base_url}{BASE}/meetups/{found.id}"
    assert tags["og:image"].startswith(f"{production_base_url}{BASE}/images/")
    assert tags["twitter:image"] == tags["og:image"]
    assert tags["twitter:card"] == "summary_large_image"


def test_share_links_need_no_third_party_script(client, series, tenant_session):
    found = next_meetup(tenant_session, series)
    page = client.get(f"{BASE}/meetups/{found.id}").get_data(as_text=True)
    url = f"http://localhost{BASE}/meetups/{found.id}"
    links = share_links(page)
    assert set(links) == {"line", "x", "facebook"}
    line = urlsplit(links["line"])
    assert (line.netloc, parse_qs(line.query)["url"]) == ("social-plugins.line.me", [url])
    x = urlsplit(links["x"])
    assert x.netloc == "x.com" and parse_qs(x.query)["url"] == [url]
    assert "定例会" in parse_qs(x.query)["text"][0]
    assert parse_qs(urlsplit(links["facebook"]).query)["u"] == [url]
    # The copy button's field holds the link even without JavaScript; the script is local.
    assert f'id="share-url" type="url" readonly value="{url}"' in page
    assert '<script src="/static/js/share.js">' in page
    assert "<script src=\"http" not in page


def test_the_event_json_ld_describes_the_meetup(client, series, tenant_session, tenant,
                                                session, organizer_client):
    _contact(session, tenant, contact_name="事務局 山田", contact_email="info@osaka.example.jp")
    upload(organizer_client, f"{BASE}/admin/meetups/series/{series.id}/image", picture())
    found = next_meetup(tenant_session, series)
    found.venue_address = "大阪府大阪市北区大淀中1-1-88"
    tenant_session.commit()
    data = json_ld(client.get(f"{BASE}/meetups/{found.id}").get_data(as_text=True))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "定例会"
    assert data["startDate"].endswith("T19:00:00+09:00")
    assert data["endDate"].endswith("T21:00:00+09:00")
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place", "name": "梅田スカイビル 会議室A",
        "address": {"@type": "PostalAddress", "streetAddress": "大阪府大阪市北区大淀中1-1-88"}}
    assert data["organizer"] == {"@type": "Organization", "name": "大阪異業種交流会",
                                 "url": f"http://localhost{BASE}/",
                                 "email": "info@osaka.example.jp"}
    assert data["offers"]["@type"] == "Offer"
    assert (data["offers"]["price"], data["offers"]["priceCurrency"]) == (3000, "JPY")
    assert data["image"][0].startswith(f"http://localhost{BASE}/images/")
    assert data["url"] == f"http://localhost{BASE}/meetups/{found.id}"


def test_a_free_cancelled_online_meetup(client, session, tenant, people):
    m = meetup(session, tenant, title="オンライン勉強会", online_url="https://meet.example/x",
               status=MeetupStatus.CANCELLED)
    session.commit()
    page = client.get(f"{BASE}/meetups/{m.id}").get_data(as_text=True)
    data = json_ld(page)
    assert "offers" not in data
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    # The online room stays for members: the public page stands in for its address.
    assert data["location"]["@type"] == "VirtualLocation"
    assert "meet.example" not in page


def test_the_map_link_searches_the_address_unless_the_organizer_gave_one(
        client, session, tenant, people):
    m = meetup(session, tenant, venue_name="梅田スカイビル", venue_address="大阪市北区大淀中1-1-88")
    own = meetup(session, tenant, venue_name="会議室", map_url="https://maps.example.jp/room")
    session.commit()
    page = client.get(f"{BASE}/meetups/{m.id}").get_data(as_text=True)
    expected = ("https://www.google.com/maps/search/?api=1&amp;query="
                + quote("大阪市北区大淀中1-1-88 梅田スカイビル", safe=""))
    assert f'href="{expected}"' in page
    page = client.get(f"{BASE}/meetups/{own.id}").get_data(as_text=True)
    assert 'href="https://maps.example.jp/room"' in page


def test_the_organizer_sets_the_contact_shown_on_public_pages(organizer_client, client,
                                                              series, tenant_session):
    response = organizer_client.post(f"{BASE}/admin/public-page", data={
        "contact_name": "事務局 山田", "contact_email": "info@osaka.example.jp",
        "contact_url": "https://osaka.example.jp/contact"})
    assert response.status_code == 302
    found = next_meetup(tenant_session, series)
    page = client.get(f"{BASE}/meetups/{found.id}").get_data(as_text=True)
    assert "主催者へのお問い合わせ" in page
    assert 'href="mailto:info@osaka.example.jp"' in page
    assert 'href="https://osaka.example.jp/contact"' in page
    page = in_english(client).get(f"{BASE}/series/{series.id}").get_data(as_text=True)
    assert "Contact the organizer" in page and "事務局 山田" in page


@pytest.mark.parametrize(("field", "value", "ja", "en"), [
    ("contact_email", "not-an-address", "正しいメールアドレス", "Enter a valid email address."),
    ("contact_url", "javascript:alert(1)", "https:// で始まる", "starting with https://"),
])
def test_a_bad_contact_is_refused_in_both_languages(organizer_client, session, field, value,
                                                    ja, en):
    response = organizer_client.post(f"{BASE}/admin/public-page", data={field: value})
    assert response.status_code == 422
    assert ja in response.get_data(as_text=True)
    response = in_english(organizer_client).post(f"{BASE}/admin/public-page",
                                                 data={field: value})
    assert en in response.get_data(as_text=True)


def test_staff_see_the_settings_but_only_organizers_change_them(staff_client):
    assert staff_client.get(f"{BASE}/admin/public-page").status_code == 200
    assert staff_client.post(f"{BASE}/admin/public-page",
                             data={"contact_name": "x"}).status_code == 403


def test_the_settings_show_the_embed_code(organizer_client):
    page = organizer_client.get(f"{BASE}/admin/public-page").get_data(as_text=True)
    assert f"&lt;iframe src=&#34;http://localhost{BASE}/embed&#34;" in page or \
        f'&lt;iframe src="http://localhost{BASE}/embed"' in page
    assert f'&lt;script src="http://localhost{BASE}/embed.js" async&gt;' in page


def test_another_community_never_sees_our_contact(login, people, session, tenant,
                                                 other_tenant):
    _contact(session, tenant, contact_email="info@osaka.example.jp")
    theirs = login(people.other_owner)
    page = theirs.get("/c/kobe-study/admin/public-page").get_data(as_text=True)
    assert "info@osaka.example.jp" not in page
    theirs.post("/c/kobe-study/admin/public-page", data={"contact_email": "kobe@example.jp"})
    with unscoped(session):
        session.expire_all()
        rows = {c.tenant_id: c.contact_email for c in session.scalars(select(PublicContact))}
    assert rows == {tenant.id: "info@osaka.example.jp", other_tenant.id: "kobe@example.jp"}


def test_the_series_page(client, member_client, series, session, tenant):
    page = client.get(f"{BASE}/series/{series.id}").get_data(as_text=True)
    tags = meta(page)
    assert tags["og:url"] == f"http://localhost{BASE}/series/{series.id}"
    assert tags["og:type"] == "website"
    events = json_ld(page)
    assert events and all(e["@type"] == "Event" for e in events)
    assert "次回以降の例会" in page
    row = reload(session, type(series), series.id)
    row.visibility = Visibility.MEMBERS
    session.commit()
    assert client.get(f"{BASE}/series/{series.id}").status_code == 404
    assert member_client.get(f"{BASE}/series/{series.id}").status_code == 200
    assert client.get(f"/c/kobe-study/series/{series.id}").status_code == 404


def test_the_embed_page_may_be_framed_and_nothing_else(client, series, session, tenant):
    hidden = meetup(session, tenant, title="会員限定の会", is_public=False)
    session.commit()
    embed = client.get(f"{BASE}/embed")
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    body = embed.get_data(as_text=True)
    assert "定例会" in body and hidden.title not in body
    assert 'target="_blank"' in body
    other = client.get(f"{BASE}/meetups")
    assert other.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"]
    script = client.get(f"{BASE}/embed.js")
    assert script.mimetype == "text/javascript"
    assert f'"http://localhost{BASE}/embed"' in script.get_data(as_text=True)


def test_a_members_only_community_has_no_embed(client, series, session, tenant):
    community = reload(session, type(tenant), tenant.id)
    community.is_public = False
    session.commit()
    assert client.get(f"{BASE}/embed").status_code == 404
    assert client.get(f"{BASE}/embed.js").status_code == 404


def test_the_embed_lists_only_upcoming_scheduled_public_meetups(client, session, tenant,
                                                                people):
    soon = meetup(session, tenant, title="来週の会")
    meetup(session, tenant, title="先月の会", starts_at=soon.starts_at - timedelta(days=40))
    meetup(session, tenant, title="中止の会", status=MeetupStatus.CANCELLED)
    session.commit()
    body = client.get(f"{BASE}/embed").get_data(as_text=True)
    assert "来週の会" in body
    assert "先月の会" not in body and "中止の会" not in body
