"""The double opt-in: proposal emails, one-click answers, connection, declines and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.platform.db import utcnow
from joren.platform.mail.models import OutboxMessage, OutboxStatus
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.tenants.introductions import services, tokens
from joren.tenants.introductions.models import Introduction, IntroductionStatus, Response
from tests.tenants.helpers import reload
from tests.tenants.introductions.intro_support import (
    answer_links,
    by_recipient,
    html_of,
    introduction,
    pair,
    text_of,
)

pytestmark = pytest.mark.usefixtures("clock")

REASONS = [{"code": "offers_for_ask", "params": {"a": None, "b": None, "offer": "採用支援",
                                                  "ask": "若手の採用"}}]


@pytest.fixture()
def sent(app, session, tenant, people, scoped, smtp_server, run_jobs):  # type: ignore[no-untyped-def]
    """An approved introduction of 佐藤 (English) and 田中 (Japanese); the proposals delivered."""
    sato, tanaka = pair(session, tenant)
    session.commit()
    s = scoped(tenant)
    reasons = [{**REASONS[0], "params": {**REASONS[0]["params"], "a": sato.id, "b": tanaka.id}}]
    with app.test_request_context("/"):
        intro = introduction(s, sato, tanaka, message="お二人ならきっと話が合います。",
                             reasons=reasons)
        services.approve(s, intro, people.organizer_member.id)
        s.commit()
    run_jobs()
    mail = by_recipient(smtp_server.messages)
    return {"intro": intro, "sato": sato, "tanaka": tanaka, "mail": mail, "session": s}


def _status(session, intro_id: int) -> Introduction:  # type: ignore[no-untyped-def]
    return reload(session, Introduction, intro_id)


def _click(client, path: str):  # type: ignore[no-untyped-def]
    """Open an emailed link (GET changes nothing) and press the button on the page."""
    page = client.get(path)
    assert page.status_code == 200
    choice = "accept" if 'value="accept"' in page.get_data(as_text=True) else None
    return page, choice


def test_proposals_go_to_both_sides_in_their_language_without_contact_details(
    sent, smtp_server
):  # type: ignore[no-untyped-def]
    mail = sent["mail"]
    assert sorted(mail) == ["sato@example.jp", "tanaka@example.jp"]
    to_sato, to_tanaka = mail["sato@example.jp"][0], mail["tanaka@example.jp"][0]
    assert str(to_sato["Subject"]) == "An introduction for you: 田中 美咲"
    assert (to_sato["Content-Language"], to_tanaka["Content-Language"]) == ("en", "ja")
    # Labels follow the reader's language (the catalogs translate the sentences).
    assert "Manufacturing" in text_of(to_sato)
    assert "サービス業（他に分類されないもの）" in text_of(to_tanaka)
    sato_text, tanaka_text = text_of(to_sato), text_of(to_tanaka)
    # Who and why: name, company, title, what they offer; the organizer's note; the reason.
    assert "田中製作所" in sato_text and "専務" in sato_text
    assert "採用ラボ株式会社" in tanaka_text and "採用支援と求人票の添削" in tanaka_text
    assert "お二人ならきっと話が合います。" in sato_text
    assert "お二人ならきっと" in html_of(to_tanaka)
    assert "採用支援" in sato_text and "若手の採用" in sato_text
    assert "Why we think you should meet" in sato_text
    # No contact details yet.
    for message in (to_sato, to_tanaka):
        body = text_of(message) + html_of(message)
        assert "tanaka@example.jp" not in text_of(to_sato)
        assert "https://tanaka-ss.example.jp" not in body
        assert "https://saiyo-lab.example.jp" not in body
        assert "sato@example.jp" not in text_of(to_tanaka)
        assert len(answer_links(message)) == 2
        assert message["List-Unsubscribe"]


def test_both_accept_connects_them_and_both_get_the_contact_details(
    sent, client, smtp_server, run_jobs, session
):  # type: ignore[no-untyped-def]
    intro, mail = sent["intro"], sent["mail"]
    sato_accept = answer_links(mail["sato@example.jp"][0])[0]
    page = client.get(sato_accept)
    assert page.status_code == 200 and 'value="accept"' in page.get_data(as_text=True)
    assert _status(session, intro.id).low_response == Response.PENDING  # a GET changes nothing
    assert client.post(sato_accept, data={"choice": "accept"}).status_code == 200
    row = _status(session, intro.id)
    assert row.status == IntroductionStatus.SENT
    run_jobs()
    assert len(smtp_server.messages) == 2  # nothing yet

    tanaka_accept = answer_links(mail["tanaka@example.jp"][0])[0]
    done = client.post(tanaka_accept, data={"choice": "accept"})
    assert done.status_code == 200 and 'data-state="connected"' in done.get_data(as_text=True)
    row = _status(session, intro.id)
    assert row.status == IntroductionStatus.CONNECTED and row.connected_at is not None
    assert row.low_response == row.high_response == Response.ACCEPTED
    run_jobs()
    connected = by_recipient(smtp_server.messages[2:])
    assert sorted(connected) == ["sato@example.jp", "tanaka@example.jp"]
    to_sato, to_tanaka = connected["sato@example.jp"][0], connected["tanaka@example.jp"][0]
    assert str(to_sato["Subject"]) == "You are connected with 田中 美咲"
    assert "tanaka@example.jp" in text_of(to_sato)
    assert "https://tanaka-ss.example.jp" in html_of(to_sato)
    assert "sato@example.jp" in text_of(to_tanaka)
    assert "採用ラボ株式会社" in text_of(to_tanaka)
    assert "30" in text_of(to_tanaka) and "30-minute coffee" in text_of(to_sato)
    assert "To" in to_sato and to_tanaka["Content-Language"] == "ja"


def test_a_link_clicked_twice_changes_nothing_more(sent, client, smtp_server, run_jobs,
                                                   session):  # type: ignore[no-untyped-def]
    intro, mail = sent["intro"], sent["mail"]
    link = answer_links(mail["sato@example.jp"][0])[0]
    client.post(link, data={"choice": "accept"})
    first = _status(session, intro.id).low_responded_at
    again = client.post(link, data={"choice": "accept"})
    assert again.status_code == 200 and 'data-state="accepted"' in again.get_data(as_text=True)
    assert _status(session, intro.id).low_responded_at == first
    # The decline link after an accept: the first answer stands.
    decline = answer_links(mail["sato@example.jp"][0])[1]
    client.post(decline, data={"choice": "decline"})
    row = _status(session, intro.id)
    assert (row.status, row.low_response) == (IntroductionStatus.SENT, Response.ACCEPTED)
    run_jobs()
    assert len(smtp_server.messages) == 2


@pytest.mark.parametrize("first", ["sato@example.jp", "tanaka@example.jp"])
def test_a_decline_is_never_revealed_to_the_other_side(sent, client, smtp_server, run_jobs,
                                                       session, first):  # type: ignore[no-untyped-def]
    intro, mail = sent["intro"], sent["mail"]
    second = "tanaka@example.jp" if first == "sato@example.jp" else "sato@example.jp"
    # accept/decline when the first accepts and the second declines; decline/accept otherwise
    if first == "sato@example.jp":
        client.post(answer_links(mail[first][0])[0], data={"choice": "accept"})
        page = client.post(answer_links(mail[second][0])[1], data={"choice": "decline"})
        assert 'data-state="declined_by_me"' in page.get_data(as_text=True)
        accepted = first
    else:
        client.post(answer_links(mail[first][0])[1], data={"choice": "decline"})
        page = client.post(answer_links(mail[second][0])[0], data={"choice": "accept"})
        accepted = second
        assert 'data-state="closed"' in page.get_data(as_text=True)
    row = _status(session, intro.id)
    assert row.status == IntroductionStatus.DECLINED and row.closed_at is not None
    run_jobs()
    assert len(smtp_server.messages) == 2  # no "declined" email, no connection email
    # The side that accepted sees the introduction closed, never that it was declined.
    later = client.get(answer_links(mail[accepted][0])[0])
    body = later.get_data(as_text=True)
    assert 'data-state="closed"' in body
    assert "declin" not in body.lower() and "断" not in body


def test_expired_introductions_close_quietly_and_links_change_nothing(
    sent, client, smtp_server, run_jobs, session, app
):  # type: ignore[no-untyped-def]
    intro, mail, s = sent["intro"], sent["mail"], sent["session"]
    row = s.get(Introduction, intro.id)
    row.expires_at = utcnow() - timedelta(minutes=1)
    s.commit()
    # A click after the deadline: the page says it is closed and nothing is recorded.
    page = client.get(answer_links(mail["sato@example.jp"][0])[0])
    assert 'data-state="closed"' in page.get_data(as_text=True)
    client.post(answer_links(mail["sato@example.jp"][0])[0], data={"choice": "accept"})
    row = _status(session, intro.id)
    assert row.status == IntroductionStatus.EXPIRED and row.low_response == Response.PENDING
    with app.app_context():
        assert services.expire_due(s) == 0  # already closed by the click
    run_jobs()
    assert len(smtp_server.messages) == 2  # no email about the expiry


def test_expire_due_closes_only_overdue_sent_introductions(app, session, tenant, people, scoped):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)
    session.commit()
    s = scoped(tenant)
    with app.test_request_context("/"):
        intro = introduction(s, sato, tanaka)
        services.approve(s, intro, None)
        other = introduction(s, people.member_member, sato)
        s.commit()
        now = utcnow()
        assert services.expire_due(s, now=now) == 0
        assert services.expire_due(s, now=now + timedelta(days=15)) == 1
        s.commit()
    assert _status(session, intro.id).status == IntroductionStatus.EXPIRED
    assert _status(session, other.id).status == IntroductionStatus.SUGGESTED


def test_forged_expired_and_foreign_tokens_get_a_friendly_page(
    sent, client, app, tenant, other_tenant, people, clock, session
):  # type: ignore[no-untyped-def]
    intro, mail = sent["intro"], sent["mail"]
    link = answer_links(mail["sato@example.jp"][0])[0]
    forged = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    for method in ("get", "post"):
        page = getattr(client, method)(forged, data={"choice": "accept"})
        assert page.status_code == 404
        body = page.get_data(as_text=True)
        assert "This link" in body or "リンク" in body
    with app.test_request_context("/"):
        stranger = tokens.answer_token(tenant.id, intro.id, people.member_member.id, "accept")
        foreign = tokens.answer_token(other_tenant.id, intro.id, sent["sato"].id, "accept")
    base = f"/c/{tenant.slug}/introductions/answer/"
    assert client.post(base + stranger, data={"choice": "accept"}).status_code == 404
    assert client.post(base + foreign, data={"choice": "accept"}).status_code == 404
    # The real link used on another community's address resolves to nothing there either.
    token = link.rsplit("/", 1)[1]
    assert client.post(f"/c/{other_tenant.slug}/introductions/answer/{token}",
                       data={"choice": "accept"}).status_code == 404
    clock.shift(tokens.ANSWER.lifetime + timedelta(seconds=1))
    old = client.post(link, data={"choice": "accept"})
    assert old.status_code == 400
    row = _status(session, intro.id)
    assert (row.status, row.low_response) == (IntroductionStatus.SENT, Response.PENDING)


def test_members_who_turned_off_introduction_emails_are_not_sent_a_proposal(
    app, session, tenant, scoped
):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)
    record_unsubscribe(session, "tanaka@example.jp", "introductions", tenant.id)
    session.commit()
    s = scoped(tenant)
    with app.test_request_context("/"):
        intro = introduction(s, sato, tanaka)
        with pytest.raises(services.IntroductionError) as excinfo:
            services.approve(s, intro, None)
    assert excinfo.value.code == "unsubscribed"
    s.rollback()
    assert session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING)).all() == []


def test_only_what_the_other_shows_to_members_is_in_the_proposal(
    app, session, tenant, scoped, smtp_server, run_jobs
):  # type: ignore[no-untyped-def]
    from joren.platform.membership.models import ProfileVisibility

    sato, tanaka = pair(session, tenant)
    tanaka.work_visibility = ProfileVisibility.ORGANIZERS
    sato.give_ask_visibility = ProfileVisibility.ORGANIZERS
    session.commit()
    s = scoped(tenant)
    with app.test_request_context("/"):
        services.approve(s, introduction(s, sato, tanaka), None)
        s.commit()
    run_jobs()
    mail = by_recipient(smtp_server.messages)
    to_sato = text_of(mail["sato@example.jp"][0]) + html_of(mail["sato@example.jp"][0])
    to_tanaka = text_of(mail["tanaka@example.jp"][0]) + html_of(mail["tanaka@example.jp"][0])
    assert "田中 美咲" in to_sato and "田中製作所" not in to_sato and "専務" not in to_sato
    assert "採用ラボ株式会社" in to_tanaka and "採用支援と求人票の添削" not in to_tanaka


def test_with_csrf_on_the_page_button_works_and_a_bare_post_does_not(
    sent, app, session
):  # type: ignore[no-untyped-def]
    import re

    intro, mail = sent["intro"], sent["mail"]
    link = answer_links(mail["tanaka@example.jp"][0])[0]
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        c = app.test_client()
        assert c.post(link, data={"choice": "accept"}).status_code == 400
        assert _status(session, intro.id).high_response == Response.PENDING
        page = c.get(link).get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        done = c.post(link, data={"choice": "accept", "csrf_token": token})
        assert done.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _status(session, intro.id).high_response == Response.ACCEPTED
