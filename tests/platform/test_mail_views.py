"""The unsubscribe pages (with RFC 8058 one-click) and the captured-mail viewer."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from joren.platform.mail.models import EmailUnsubscribe, OutboxMessage, OutboxStatus
from joren.platform.mail.tokens import make_unsubscribe_token, read_unsubscribe_token
from tests.workers.helpers import notice


@pytest.fixture()
def queue(app, session):  # type: ignore[no-untyped-def]
    """Queue a notice inside a short request context (none stays pushed for the client)."""

    def make(**kw):  # type: ignore[no-untyped-def]
        with app.test_request_context("/"):
            message = notice(session, **kw)
            session.commit()
        return message

    return make


def token_for(app, email: str, category: str, community_id, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return make_unsubscribe_token(email, category, community_id, language)


def in_japanese(app, msgid: str) -> str:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"), force_locale("ja"):
        return _(msgid)


def opt_outs(session) -> list[tuple[str, str, int | None]]:  # type: ignore[no-untyped-def]
    return [tuple(r) for r in session.execute(select(
        EmailUnsubscribe.email, EmailUnsubscribe.category, EmailUnsubscribe.community_id))]


def unsubscribe_path(message: OutboxMessage) -> str:
    return message.headers["List-Unsubscribe"].strip("<>").removeprefix("http://localhost")


# --- unsubscribe --------------------------------------------------------------------------


def test_the_link_in_the_email_shows_a_confirm_page_and_changes_nothing(
    app, client, session, tenant, queue  # type: ignore[no-untyped-def]
) -> None:
    message = queue(to="ichiro@example.jp", key="u1", category="announcements",
                    community_id=tenant.id, language="en")
    page = client.get(unsubscribe_path(message))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Stop sending announcements from 大阪異業種交流会 to ichiro@example.jp?" in html
    assert f'<form method="post" action="{unsubscribe_path(message)}"' in html
    assert opt_outs(session) == []


def test_one_click_post_unsubscribes_without_sign_in_or_csrf_token(
    app, client, session, tenant, queue, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    # CSRF is on: an ordinary form without a token is refused...
    assert client.post("/language", data={"language": "en"}).status_code == 400
    message = queue(to="ichiro@example.jp", key="u2", category="announcements",
                    community_id=tenant.id, language="en")
    # ...but a mail client's one-click request (RFC 8058) is accepted.
    response = client.post(unsubscribe_path(message),
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.get_data(as_text=True)
    assert opt_outs(session) == [("ichiro@example.jp", "announcements", tenant.id)]

    assert client.post(unsubscribe_path(message)).status_code == 200  # again: idempotent
    assert opt_outs(session) == [("ichiro@example.jp", "announcements", tenant.id)]
    page = client.get(unsubscribe_path(message)).get_data(as_text=True)
    assert "You are already unsubscribed" in page


def test_later_mail_of_that_kind_is_suppressed_and_waiting_mail_is_stopped(
    app, client, session, tenant, other_tenant, queue  # type: ignore[no-untyped-def]
) -> None:
    waiting = queue(to="jiro@example.jp", key="w1", category="reminders", community_id=tenant.id)
    queue(to="jiro@example.jp", key="w2", category="reminders",
                  community_id=other_tenant.id)
    client.post(unsubscribe_path(waiting))
    queue(to="jiro@example.jp", key="w3", category="reminders", community_id=tenant.id)
    queue(to="jiro@example.jp", key="w4", community_id=tenant.id)
    statuses = {key: status for key, status in session.execute(
        select(OutboxMessage.idempotency_key, OutboxMessage.status))}
    assert statuses == {
        "w1": OutboxStatus.SUPPRESSED,  # was waiting in the outbox
        "w2": OutboxStatus.PENDING,     # another community: not covered by this link
        "w3": OutboxStatus.SUPPRESSED,  # queued afterwards
        "w4": OutboxStatus.PENDING,     # sign-in and account mail always goes
    }


def test_the_page_speaks_the_language_of_the_email(app, client, tenant) -> None:  # type: ignore[no-untyped-def]
    token = token_for(app, "saburo@example.jp", "announcements", tenant.id, language="ja")
    html = client.post(f"/unsubscribe/{token}").get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert in_japanese(app, "You are unsubscribed") in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_or_tampered_token_is_a_friendly_404_and_changes_nothing(
    app, client, session, tenant, method  # type: ignore[no-untyped-def]
) -> None:
    good = token_for(app, "shiro@example.jp", "announcements", tenant.id)
    tampered = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    for token in ("not-a-token", tampered, good[: len(good) // 2]):
        response = getattr(client, method)(f"/unsubscribe/{token}",
                                           headers={"Accept-Language": "en"})
        assert response.status_code == 404
        assert "This unsubscribe link does not work" in response.get_data(as_text=True)
    assert opt_outs(session) == []


def test_a_token_for_a_community_that_is_gone_does_not_fail(app, client, session) -> None:  # type: ignore[no-untyped-def]
    token = token_for(app, "goro@example.jp", "announcements", 987_654)
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    assert opt_outs(session) == []


# --- captured mail ------------------------------------------------------------------------


def test_captured_mail_lists_newest_first(app, client, session, queue, run_jobs) -> None:  # type: ignore[no-untyped-def]
    queue(to="first@example.jp", key="c1", heading="一通目")
    queue(to="second@example.jp", key="c2", heading="二通目")
    run_jobs()
    html = client.get("/dev/mail").get_data(as_text=True)
    assert html.index("second@example.jp") < html.index("first@example.jp")
    assert "一通目" in html and "二通目" in html
    assert html.count('href="/dev/mail/') == 2


def test_captured_message_shows_headers_both_parts_and_clickable_links(
    app, client, session, queue, run_jobs  # type: ignore[no-untyped-def]
) -> None:
    message = queue(to="hanako@example.jp", key="magic", heading="ログイン用リンク",
                    body_text="下のボタンからログインしてください。",
                    action_url="http://localhost/login/magic/abc?x=1&y=2",
                    action_label="ログインする", category="announcements")
    run_jobs()
    html = client.get(f"/dev/mail/{message.id}").get_data(as_text=True)
    assert "ログイン用リンク" in html
    assert "hanako@example.jp" in html and "List-Unsubscribe-Post" in html
    assert "Message-ID" in html
    # The text part: escaped, with its web addresses made into links.
    assert ('<a href="http://localhost/login/magic/abc?x=1&amp;y=2" target="_top"'
            in html)
    # The HTML part: in a sandboxed frame (no scripts, no same-origin), links open on top.
    frame = re.search(r"<iframe[^>]*>", html, flags=re.S).group(0)
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox ' \
           'allow-top-navigation-by-user-activation"' in frame
    assert "allow-scripts" not in frame and "allow-same-origin" not in frame
    document = unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
    assert '<base target="_top">' in document
    assert 'href="http://localhost/login/magic/abc?x=1&amp;y=2"' in document


def test_captured_mail_is_hidden_when_mail_really_goes_out_or_in_production(
    app, client, session, queue, monkeypatch  # type: ignore[no-untyped-def]
) -> None:
    message = queue(key="hidden")
    assert client.get("/dev/mail").status_code == 200
    assert client.get("/dev/mail/999999").status_code == 404
    monkeypatch.setitem(app.config, "JOREN_ENV", "production")
    assert client.get("/dev/mail").status_code == 404
    assert client.get(f"/dev/mail/{message.id}").status_code == 404
    monkeypatch.setitem(app.config, "JOREN_ENV", "development")
    monkeypatch.setitem(app.config, "MAIL_CAPTURE", False)
    assert client.get("/dev/mail").status_code == 404
    assert client.get(f"/dev/mail/{message.id}").status_code == 404


def test_the_viewer_pages_through_many_messages(app, client, session, queue) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        for n in range(55):
            notice(session, to=f"p{n}@example.jp", key=f"page-{n}")
        session.commit()
    first = client.get("/dev/mail").get_data(as_text=True)
    second = client.get("/dev/mail?page=2").get_data(as_text=True)
    assert first.count('href="/dev/mail/') == 50 and second.count('href="/dev/mail/') == 5
    assert client.get("/dev/mail?page=abc").status_code == 200
    assert session.scalar(select(func.count(OutboxMessage.id))) == 55


def test_unsubscribe_links_signed_before_linkkind_still_read(app) -> None:  # type: ignore[no-untyped-def]
    """Links already in inboxes were made by itsdangerous' undated serializer with the salt
    "joren.unsubscribe": they read the same, and new links are made the same way."""
    with app.app_context():
        old = URLSafeSerializer(app.config["SECRET_KEY"], salt="joren.unsubscribe").dumps(
            {"e": "reader@example.jp", "c": "reminders", "t": 7, "l": "en"})
        request = read_unsubscribe_token(old)
        assert request is not None
        assert (request.email, request.category, request.community_id, request.language) == (
            "reader@example.jp", "reminders", 7, "en")
        assert make_unsubscribe_token("Reader@example.jp", "reminders", 7, "en") == old
        assert read_unsubscribe_token(old + "x") is None
