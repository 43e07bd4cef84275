"""The analytics page (staff and organizers, ja and en, empty state) and the "we miss you"
email (organizers only, once per absence, through the outbox, respecting unsubscribes);
another community's people are never shown nor written to."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage, OutboxStatus
from joren.tenants.engagement import services
from tests import factories
from tests.tenants.engagement.helpers import past_meetups, record
from tests.tenants.helpers import count_statements, days_ago, in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")

PAGE = "/c/osaka-mixer/admin/analytics"
TEMPLATE = "engagement/we_miss_you"


def send_url(member_id: int) -> str:
    return f"/c/osaka-mixer/admin/analytics/lapsed/{member_id}/we-miss-you"


SELECTION = "/c/osaka-mixer/admin/analytics/lapsed/we-miss-you"


def _history(session, scoped, community, people=None):  # type: ignore[no-untyped-def]
    """Seven weekly meetups up to yesterday and one next week; two lapsed regulars (one of
    them ``people.member_member`` when given), one without an address, one regular."""
    meetups = past_meetups(session, community, 7, now=days_ago(0))
    meetup(session, community, "次回の定例会", starts_at=days_ago(-7))
    lapsed = people.member_member if people else factories.member(session, community)
    other_lapsed = factories.member(session, community, family_name="木村",
                                    given_name="拓也", company="木村工務店")
    no_email = factories.member(session, community, email=None, family_name="無記名")
    regular = factories.member(session, community, family_name="常田")
    record(session, meetups, lapsed, "xxxx...")
    record(session, meetups, other_lapsed, "xxx....")
    record(session, meetups, no_email, "xxx....")
    record(session, meetups, regular, "....xxx")
    s = scoped(community)
    services.recompute_community(s)
    s.commit()
    session.commit()
    return lapsed, other_lapsed, no_email, regular, meetups


@pytest.fixture()
def history(session, scoped, tenant, people):  # type: ignore[no-untyped-def]
    return _history(session, scoped, tenant, people)


def _outbox(session, **where):  # type: ignore[no-untyped-def]
    session.expire_all()
    stmt = select(OutboxMessage).where(OutboxMessage.template == TEMPLATE)
    for key, value in where.items():
        stmt = stmt.where(getattr(OutboxMessage, key) == value)
    return session.scalars(stmt.order_by(OutboxMessage.id)).all()


def test_the_page_in_japanese(organizer_client, history):
    lapsed, other_lapsed, no_email, *_ = history
    page = organizer_client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'lang="ja"' in html
    assert "常連" in html and "しばらくお休み中の常連" in html
    assert 'data-level-count="regular">1<' in html
    assert 'data-level-count="lapsed_regular">3<' in html
    for person in (lapsed, other_lapsed, no_email):
        assert person.display_name in html
    assert "木村工務店" in html
    assert 'id="mix-table"' in html and 'id="cohort-table"' in html


def test_the_page_in_english_explains_each_figure(organizer_client, history):
    in_english(organizer_client)
    html = organizer_client.get(PAGE).get_data(as_text=True)
    for text in ("Who came to each meetup", "Did first-timers come back?",
                 "Guests who became members", "Retention by month of first visit",
                 "No-shows", "Industries of the regulars", "Lapsed regulars",
                 "Joren does not record the day a guest becomes a member",
                 "Send “we miss you”"):
        assert text in html, text
    # The numbers are beside the bars and in a table: three came first to the first meetup.
    assert "0 / 0 / 3" in html
    assert "<td>0</td><td>0</td><td>3</td><td>3</td>" in html


def test_a_new_community_sees_an_empty_state(organizer_client, session):
    session.commit()
    in_english(organizer_client)
    html = organizer_client.get(PAGE).get_data(as_text=True)
    assert 'id="analytics-empty"' in html and "Nothing to show yet" in html
    assert 'id="no-lapsed"' in html


def test_the_console_links_to_analytics(staff_client, session):
    session.commit()
    html = staff_client.get("/c/osaka-mixer/admin/").get_data(as_text=True)
    assert 'href="/c/osaka-mixer/admin/analytics"' in html


def test_members_and_outsiders_cannot_see_the_analytics(member_client, outsider_client,
                                                        client, history):
    assert member_client.get(PAGE).status_code == 403
    assert outsider_client.get(PAGE).status_code in (403, 404)
    assert client.get(PAGE).status_code == 302


def test_staff_see_the_figures_but_cannot_send_the_email(staff_client, session, history):
    lapsed = history[0]
    page = staff_client.get(PAGE)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert lapsed.display_name in html and "we-miss-you" not in html
    assert staff_client.post(send_url(lapsed.id)).status_code == 403
    assert staff_client.post(SELECTION, data={"member_id": [str(lapsed.id)]}).status_code \
        == 403
    assert _outbox(session) == []


def test_we_miss_you_is_sent_once_through_the_outbox(organizer_client, session, history,
                                                     smtp_server, run_jobs, tenant):
    lapsed, other_lapsed, *_ = history
    first = organizer_client.post(send_url(lapsed.id))
    again = organizer_client.post(send_url(lapsed.id))
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"].endswith("/admin/analytics#lapsed")
    [stored] = _outbox(session)
    assert stored.to_email == lapsed.email and stored.community_id == tenant.id
    assert stored.category == "we_miss_you" and stored.language == "en"
    assert "List-Unsubscribe" in stored.headers
    run_jobs()
    [mail] = smtp_server.to(lapsed.email)
    assert "We miss you at 大阪異業種交流会" in str(mail["Subject"])
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "田中 三郎" in body and "次回の定例会" in body and "/c/osaka-mixer/meetups/" in body
    assert "You came to 4 of our meetups" in body
    # A selection with someone already written to sends only to the others, in their language.
    organizer_client.post(SELECTION, data={"member_id": [str(lapsed.id), str(other_lapsed.id)]})
    run_jobs()
    assert len(smtp_server.to(lapsed.email)) == 1
    assert len(smtp_server.to(other_lapsed.email)) == 1
    assert [m.language for m in _outbox(session)] == ["en", "ja"]
    html = organizer_client.get(PAGE).get_data(as_text=True)
    assert html.count('data-sent="sent"') == 2


def test_unsubscribed_members_are_not_written_to(organizer_client, session, history,
                                                  smtp_server, run_jobs, tenant):
    lapsed = history[1]
    session.add(EmailUnsubscribe(email=lapsed.email, category="we_miss_you",
                                 community_id=tenant.id))
    session.commit()
    organizer_client.post(send_url(lapsed.id))
    run_jobs()
    [stored] = _outbox(session)
    assert stored.status == OutboxStatus.SUPPRESSED
    assert smtp_server.to(lapsed.email) == []


def test_only_lapsed_regulars_with_an_address_are_written_to(organizer_client, session,
                                                             history, run_jobs):
    _lapsed, _other, no_email, regular, _meetups = history
    for person in (no_email, regular):
        assert organizer_client.post(send_url(person.id)).status_code == 302
    assert organizer_client.post(SELECTION, data={}).status_code == 302
    run_jobs()
    assert _outbox(session) == []


def test_another_communitys_people_are_never_shown_nor_written_to(
        organizer_client, session, scoped, history, other_tenant, run_jobs):
    theirs, *_ = _history(session, scoped, other_tenant)
    html = organizer_client.get(PAGE).get_data(as_text=True)
    assert theirs.display_name not in html
    assert 'data-level-count="lapsed_regular">3<' in html
    assert organizer_client.post(send_url(theirs.id)).status_code == 404
    mine = history[0]
    mixed = organizer_client.post(SELECTION, data={"member_id": [str(mine.id),
                                                                 str(theirs.id)]})
    assert mixed.status_code == 404
    assert organizer_client.post(SELECTION, data={"member_id": ["x"]}).status_code == 404
    run_jobs()
    assert _outbox(session) == []


def test_the_page_costs_the_same_statements_as_the_community_grows(
        app, organizer_client, session, scoped, tenant, history):
    organizer_client.get(PAGE)
    with count_statements(app) as small:
        assert organizer_client.get(PAGE).status_code == 200
    meetups = history[-1]
    for n in range(25):
        person = factories.member(session, tenant, industry_code="EGR"[n % 3])
        record(session, meetups, person, ["xxx....", "....xxx", "x......", "X.x.A.x"][n % 4])
    s = scoped(tenant)
    services.recompute_community(s)
    s.commit()
    session.commit()
    with count_statements(app) as large:
        html = organizer_client.get(PAGE).get_data(as_text=True)
    assert html.count('data-member="') > 3
    assert len(large) == len(small)
    assert session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_lapsed_regulars_are_shown_a_page_at_a_time(organizer_client, session, scoped,
                                                     history, other_tenant, monkeypatch):
    """Most recently seen first, a page at a time with where the page is in the list; a page
    past the end shows the first; another community's lapsed regulars are on no page."""
    monkeypatch.setattr("joren.tenants.engagement.analytics.LAPSED_SHOWN", 2)
    theirs, *_ = _history(session, scoped, other_tenant)
    lapsed, other_lapsed, no_email, *_ = history
    first = organizer_client.get(PAGE).get_data(as_text=True)
    second = organizer_client.get(PAGE + "?page=2").get_data(as_text=True)
    shown = [[p for p in (lapsed, other_lapsed, no_email) if f'data-member="{p.id}"' in html]
             for html in (first, second)]
    assert len(shown[0]) == 2 and len(shown[1]) == 1
    assert lapsed in shown[0]  # seen most recently (four meetups, not three)
    # Japanese (the community's language): "3人のうち、1〜2人目".
    assert "1〜2人目" in first and "3〜3人目" in second and 'id="lapsed-more"' in second
    assert f"{PAGE}?page=2#lapsed" in first and f"{PAGE}?page=1#lapsed" in second
    for html in (first, second):
        assert theirs.display_name not in html and f'data-member="{theirs.id}"' not in html
    past_end = organizer_client.get(PAGE + "?page=9").get_data(as_text=True)
    assert [p for p in (lapsed, other_lapsed, no_email)
            if f'data-member="{p.id}"' in past_end] == shown[0]


def test_each_lapsed_regulars_send_button_posts_for_that_person_alone(
        organizer_client, session, history, run_jobs):
    """The row's button sends through the page's one form to that person's address (no form
    per row): only that person is written to, whatever boxes are ticked."""
    lapsed, other_lapsed, *_ = history
    html = organizer_client.get(PAGE).get_data(as_text=True)
    assert f'formaction="{send_url(lapsed.id)}"' in html
    assert f'<form method="post" action="{send_url(lapsed.id)}"' not in html
    organizer_client.post(send_url(lapsed.id), data={"member_id": [str(other_lapsed.id)]})
    run_jobs()
    assert [m.to_email for m in _outbox(session)] == [lapsed.email]
