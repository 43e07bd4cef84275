"""The organizer reads the "we miss you" email before it goes, edits its subject and words,
previews it and sends it (issue 16, item 14)."""

from __future__ import annotations

import pytest

from tests.tenants.engagement.test_analytics_views import _history, _outbox, send_url
from tests.tenants.helpers import in_english

pytestmark = pytest.mark.usefixtures("clock")


@pytest.fixture()
def history(session, scoped, tenant, people):  # type: ignore[no-untyped-def]
    return _history(session, scoped, tenant, people)


def test_the_draft_is_in_the_persons_language_and_editable(organizer_client, history):
    lapsed, other_lapsed, *_ = history
    # 田中 reads English (their account), 木村 the community's Japanese.
    page = organizer_client.get(send_url(lapsed.id)).get_data(as_text=True)
    assert 'value="We miss you at 大阪異業種交流会"' in page
    assert "You came to 4 of our meetups" in page
    assert 'data-preview="text"' in page and "田中 三郎" in page
    page = organizer_client.get(send_url(other_lapsed.id)).get_data(as_text=True)
    assert "大阪異業種交流会" in page and "回" in page.split('id="message"')[1]


def test_an_edited_email_is_previewed_then_sent_as_edited(organizer_client, session, history,
                                                         smtp_server, run_jobs):
    lapsed, *_ = history
    edited = {"subject": "Coffee next week?", "message": "Hi Saburo,\nwe <3 your questions.\n\n"
              "Could we meet for coffee?"}
    preview = organizer_client.post(send_url(lapsed.id), data={**edited, "action": "preview"})
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200 and _outbox(session) == []
    assert "Coffee next week?" in body.split('data-preview="subject"')[1]
    assert "we &lt;3 your questions." in body
    sent = organizer_client.post(send_url(lapsed.id), data={**edited, "action": "send"})
    assert sent.status_code == 302
    run_jobs()
    [mail] = smtp_server.to(lapsed.email)
    assert str(mail["Subject"]) == "Coffee next week?"
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "we <3 your questions." in text and "Could we meet for coffee?" in text
    assert "You came to 4 of our meetups" not in text
    assert "次回の定例会" in text  # the next meetup is still added
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "we &lt;3 your questions." in html and "Hi Saburo,<br>" in html
    # Once per absence, edited or not.
    page = organizer_client.get(send_url(lapsed.id)).get_data(as_text=True)
    assert 'data-state="sent"' in page and 'id="we-miss-you-form"' not in page


def test_too_long_says_so_and_sends_nothing(organizer_client, session, history):
    lapsed, *_ = history
    response = in_english(organizer_client).post(
        send_url(lapsed.id), data={"subject": "x" * 201, "message": "hi", "action": "send"})
    assert response.status_code == 422
    assert "The subject can be at most 200 characters." in response.get_data(as_text=True)
    assert _outbox(session) == []


def test_staff_and_other_communities_cannot_compose(staff_client, organizer_client, session,
                                                    history, people):
    lapsed, *_ = history
    assert staff_client.get(send_url(lapsed.id)).status_code == 403
    assert organizer_client.get(send_url(people.other_owner_member.id)).status_code == 404
    response = organizer_client.post(send_url(people.other_owner_member.id),
                                     data={"subject": "x", "message": "y", "action": "preview"})
    assert response.status_code == 404
