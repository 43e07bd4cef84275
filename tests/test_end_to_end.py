"""The platform's promise, end to end: an organizer signs up and creates a community, invites a
member, who later signs in by magic link and sees the portal, in Japanese and in English. Every
email on the way is delivered to a real SMTP server and its link is followed from there."""

from __future__ import annotations

import re

from sqlalchemy import select

from joren.models import Account, Community, Member, Role
from joren.platform.tenancy import unscoped

LINK = re.compile(r"https?://[^\s<>\"]+")


def _link(message, path_part: str) -> str:
    """The link in the text part that contains ``path_part``, as a path for the test client."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert text.strip() and html.strip()
    for url in LINK.findall(text):
        if path_part in url:
            return re.sub(r"^https?://[^/]+", "", url)
    raise AssertionError(f"no {path_part} link in: {text}")


def test_organizer_to_member_portal_with_real_smtp(app, session, smtp_server, run_jobs):
    organizer = app.test_client()
    response = organizer.post("/signup", data={
        "email": "Kanji.Organizer@Example.jp", "display_name": "幹事 花子",
        "password": "a long enough password", "language": "ja",
    })
    assert response.status_code == 302
    run_jobs()
    (verify_mail,) = smtp_server.to("kanji.organizer@example.jp")
    assert "Joren" in verify_mail["From"]
    assert organizer.get(_link(verify_mail, "/verify/")).status_code in (200, 302)

    response = organizer.post("/communities/new", data={
        "name": "梅田モーニング交流会", "slug": "umeda-morning", "kind": "cross_industry",
        "city": "大阪市", "timezone": "Asia/Tokyo", "default_language": "ja",
    })
    assert response.status_code == 302
    assert "/c/umeda-morning/admin/" in response.headers["Location"]

    response = organizer.post("/c/umeda-morning/admin/invitations/new", data={
        "emails": "new.member@example.jp", "role": "member", "message": "ぜひご参加ください",
    })
    assert response.status_code == 302
    run_jobs()
    (invitation_mail,) = smtp_server.to("new.member@example.jp")
    assert "梅田モーニング交流会" in invitation_mail["Subject"]

    member = app.test_client()
    invite_path = _link(invitation_mail, "/invite/")
    assert "ぜひご参加ください" in member.get(invite_path).get_data(as_text=True)
    response = member.post(invite_path)
    assert response.headers["Location"].endswith("/c/umeda-morning/")
    member.post("/logout")
    assert member.get("/c/umeda-morning/").status_code == 200  # the public page now

    member.post("/login/email", data={"email": "new.member@example.jp"})
    run_jobs()
    magic_mail = smtp_server.to("new.member@example.jp")[-1]
    magic_path = _link(magic_mail, "/login/email/")
    assert member.get(magic_path).status_code == 200  # a confirm button, not a sign-in
    assert member.post(magic_path).status_code == 302

    portal = member.get("/c/umeda-morning/", headers={"Accept-Language": "ja"})
    page = portal.get_data(as_text=True)
    assert 'lang="ja"' in page and "ようこそ" in page

    member.post("/language", data={"language": "en", "next": "/c/umeda-morning/"})
    page = member.get("/c/umeda-morning/").get_data(as_text=True)
    assert 'lang="en"' in page and "Welcome" in page

    with unscoped(session):
        community = session.scalar(select(Community).where(Community.slug == "umeda-morning"))
        account = session.scalar(select(Account).where(Account.email == "new.member@example.jp"))
        row = session.scalar(select(Member).where(Member.tenant_id == community.id,
                                                  Member.account_id == account.id))
    assert row is not None and row.role == Role.MEMBER
    assert account.is_verified and account.language == "en"
    assert len(smtp_server.messages) == 3
