"""Server-side sessions (issue 11, finding 7): signing out ends the session on the server,
the remember cookie lives 30 days, idle sessions expire, and the account page lists devices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from joren.models import Account
from joren.platform.accounts import sessions
from joren.platform.accounts.signed_in import load_signed_in
from joren.platform.identity.account import AccountSession
from tests import factories
from tests.platform.test_accounts import is_signed_in, sign_in_form

pytestmark = pytest.mark.usefixtures("clock")

EN = {"Accept-Language": "en"}
CHROME_ON_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                     "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
SAFARI_ON_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
                    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")
LIFETIMES = {"remember_for": timedelta(days=30), "idle_for": timedelta(hours=12)}


def _copy_cookies(app, source, names=("session", "remember_token")):  # type: ignore[no-untyped-def]
    """A new browser holding copies of ``source``'s cookies (what a thief would take)."""
    thief = app.test_client()
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


def _records(session, account) -> list[AccountSession]:
    session.expire_all()
    return list(session.scalars(select(AccountSession)
                                .where(AccountSession.account_id == account.id)
                                .order_by(AccountSession.id)))


def test_a_session_cookie_copied_before_sign_out_stops_working(app, client, session, people):
    session.commit()
    sign_in_form(client, "owner@example.jp")
    thief = _copy_cookies(app, client, names=("session",))
    assert is_signed_in(thief)
    client.post("/logout")
    assert not is_signed_in(client)
    assert not is_signed_in(thief)
    [record] = _records(session, people.owner)
    assert record.revoked_at is not None


def test_a_remember_cookie_copied_before_sign_out_stops_working(app, client, session, people):
    session.commit()
    sign_in_form(client, "owner@example.jp", remember="y")
    thief = _copy_cookies(app, client, names=("remember_token",))
    assert is_signed_in(thief)
    client.post("/logout")
    fresh_thief = _copy_cookies(app, thief, names=("remember_token",))
    assert not is_signed_in(fresh_thief)


def test_the_record_stores_a_hash_of_the_secret_only(client, session, people):
    session.commit()
    sign_in_form(client, "owner@example.jp", headers={"User-Agent": CHROME_ON_WINDOWS})
    with client.session_transaction() as s:
        login_id = s["_user_id"]
    record_id, secret = login_id.split(":")
    [record] = _records(session, people.owner)
    assert record.id == int(record_id)
    assert secret not in record.token_hash and len(record.token_hash) == 64
    assert record.user_agent == "Chrome / Windows"
    assert record.ip_address == "127.0.0.1"
    assert record.is_remembered is False


def test_the_remember_cookie_lasts_30_days(app, client, session, people):
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    session.commit()
    response = sign_in_form(client, "owner@example.jp", remember="y")
    header = next(h for h in response.headers.getlist("Set-Cookie")
                  if h.startswith("remember_token="))
    expires = datetime.strptime(header.split("Expires=")[1].split(";")[0],
                                "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)


def test_an_idle_session_expires_and_a_remembered_one_ends_after_30_days(app, client, session,
                                                                        people):
    session.commit()
    sign_in_form(client, "owner@example.jp")
    [record] = _records(session, people.owner)
    record.last_seen_at -= timedelta(hours=13)
    record.created_at -= timedelta(hours=13)
    session.commit()
    assert not is_signed_in(client)

    remembered = app.test_client()
    sign_in_form(remembered, "owner@example.jp", remember="y")
    record = _records(session, people.owner)[-1]
    record.last_seen_at -= timedelta(days=20)  # idle, but remembered: still good
    record.created_at -= timedelta(days=20)
    session.commit()
    assert is_signed_in(_copy_cookies(app, remembered, names=("remember_token",)))
    record = _records(session, people.owner)[-1]
    record.created_at -= timedelta(days=11)
    session.commit()
    assert not is_signed_in(_copy_cookies(app, remembered, names=("remember_token",)))


def test_liveness_follows_the_given_clock(session, people):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    login_id = factories.login_id(session, people.owner, now=now)

    def load(login_id: str, at: datetime):  # type: ignore[no-untyped-def]
        return load_signed_in(session, login_id, slug=None, now=at, **LIFETIMES)

    found = load(login_id, now + timedelta(hours=11))
    assert found is not None and found.account.id == people.owner.id
    assert load(login_id, now + timedelta(hours=12)) is None
    assert load(login_id.split(":")[0] + ":wrong", now) is None
    assert load("9" * 40 + ":x", now) is None


def test_last_seen_is_written_at_most_every_few_minutes(client, session, people):
    session.commit()
    sign_in_form(client, "owner@example.jp")
    [record] = _records(session, people.owner)
    signed_in_at = record.last_seen_at
    client.get("/account", buffered=True)
    assert _records(session, people.owner)[0].last_seen_at == signed_in_at  # no write yet
    record = _records(session, people.owner)[0]
    record.last_seen_at = signed_in_at - timedelta(minutes=6)
    session.commit()
    # Written once the response is closed (as a WSGI server does; buffered makes the
    # test client close it).
    client.get("/account", buffered=True)
    assert _records(session, people.owner)[0].last_seen_at > signed_in_at - timedelta(minutes=1)


def test_the_account_page_lists_devices_and_signs_one_out(app, client, session, people):
    session.commit()
    sign_in_form(client, "owner@example.jp", headers={"User-Agent": CHROME_ON_WINDOWS})
    phone = app.test_client()
    sign_in_form(phone, "owner@example.jp", headers={"User-Agent": SAFARI_ON_IPHONE})
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert "Chrome / Windows" in page and "Safari / iPhone" in page
    assert page.count("This device") == 1
    assert "From 127.0.0.1" in page and "Last seen" in page

    laptop_record, phone_record = _records(session, people.owner)
    response = client.post(f"/account/sessions/{phone_record.id}/revoke", headers=EN)
    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(client)
    assert "Safari / iPhone" not in client.get("/account", headers=EN).get_data(as_text=True)


def test_revoking_needs_post_and_ones_own_session(app, client, login, session, people):
    session.commit()
    sign_in_form(client, "owner@example.jp")
    [record] = _records(session, people.owner)
    intruder = login(people.member)
    session.commit()
    assert intruder.get(f"/account/sessions/{record.id}/revoke").status_code == 405
    assert intruder.post(f"/account/sessions/{record.id}/revoke").status_code == 404
    assert intruder.post("/account/sessions/99999999999/revoke").status_code == 404
    assert is_signed_in(client)


def test_revoking_this_device_signs_it_out(client, session, people):
    session.commit()
    sign_in_form(client, "owner@example.jp")
    [record] = _records(session, people.owner)
    response = client.post(f"/account/sessions/{record.id}/revoke")
    assert "/login" in response.headers["Location"]
    assert not is_signed_in(client)


def test_sign_out_everywhere_revokes_every_record(app, client, session, people):
    session.commit()
    sign_in_form(client, "owner@example.jp")
    other = app.test_client()
    sign_in_form(other, "owner@example.jp", remember="y")
    client.post("/account/sign-out-everywhere")
    assert all(r.revoked_at is not None for r in _records(session, people.owner))
    assert not is_signed_in(other)


def test_a_password_change_keeps_this_session_and_revokes_the_others(app, client, session,
                                                                     people):
    session.commit()
    sign_in_form(client, "owner@example.jp")
    other = app.test_client()
    sign_in_form(other, "owner@example.jp")
    new = "another long passphrase"
    client.post("/account/password", data={"current_password": factories.PASSWORD,
                                           "password": new, "confirm": new})
    here, there = _records(session, people.owner)
    assert here.revoked_at is None and there.revoked_at is not None
    assert is_signed_in(client) and not is_signed_in(other)


def test_an_id_without_a_session_record_signs_nobody_in(app, session, people):
    session.commit()
    forged = app.test_client()
    with forged.session_transaction() as s:
        s["_user_id"] = f"{people.owner.id}:{people.owner.session_token}"  # the old format
    assert not is_signed_in(forged)
    assert session.scalar(select(Account).where(Account.id == people.owner.id)) is not None


def test_user_agent_summaries():
    assert sessions.describe_user_agent(CHROME_ON_WINDOWS) == "Chrome / Windows"
    assert sessions.describe_user_agent(SAFARI_ON_IPHONE) == "Safari / iPhone"
    assert sessions.describe_user_agent("") == ""
    assert sessions.describe_user_agent("curl/8.5 <script>") == "curl/8.5 script"


def test_out_of_range_ids_answer_404(login, session, people):
    client = login(people.owner)
    session.commit()
    huge = "9" * 20
    assert client.post(f"/account/sessions/{huge}/revoke").status_code == 404
    assert client.post(f"/account/invitations/{huge}/accept").status_code == 404
    with client.session_transaction() as s:
        s["_user_id"] = f"{huge}:secret"
    assert client.get("/account").status_code == 302  # not signed in, no error


def test_the_account_page_lists_the_recent_devices_and_counts_the_rest(app, client, session,
                                                                      people, monkeypatch):
    """However many sign-ins an account gathers, the page lists this browser and the most
    recently seen ones, counts the others, and one button signs every other device out."""
    session.commit()
    monkeypatch.setattr(sessions, "DEVICES_SHOWN", 3)
    others = []
    for _ in range(4):
        other = app.test_client()
        sign_in_form(other, "owner@example.jp", headers={"User-Agent": SAFARI_ON_IPHONE})
        others.append(other)
    sign_in_form(client, "owner@example.jp", headers={"User-Agent": CHROME_ON_WINDOWS})
    # Another account's sessions are neither listed nor counted.
    sign_in_form(app.test_client(), "organizer@example.jp")
    records = _records(session, people.owner)
    oldest = records[0]
    oldest.last_seen_at -= timedelta(hours=1)
    session.commit()
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert page.count("This device") == 1
    assert page.count("/revoke") == 3
    assert f"/account/sessions/{oldest.id}/revoke" not in page
    assert "2 more devices, seen less recently, are signed in." in page
    assert "Sign out the 4 other devices" in page
    japanese = client.get("/account").get_data(as_text=True)
    assert "/account/sessions/sign-out-others" in japanese

    response = client.post("/account/sessions/sign-out-others", headers=EN)
    assert response.status_code == 302 and response.headers["Location"].endswith("#devices")
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert "4 other devices are signed out." in page
    assert "more device" not in page and "/account/sessions/sign-out-others" not in page
    assert is_signed_in(client)
    assert not any(is_signed_in(other) for other in others)
    organizer = _records(session, people.organizer)
    assert organizer and all(r.revoked_at is None for r in organizer)


def test_signing_out_other_devices_needs_post_and_keeps_other_accounts(app, client, login,
                                                                       session, people):
    session.commit()
    sign_in_form(client, "owner@example.jp")
    intruder = login(people.member)
    assert intruder.get("/account/sessions/sign-out-others").status_code == 405
    intruder.post("/account/sessions/sign-out-others")
    assert is_signed_in(client)
    assert all(r.revoked_at is None for r in _records(session, people.owner))


def test_recent_sessions_counts_live_sessions_only(session, people):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    owner = people.owner
    current = int(factories.login_id(session, owner, now=now - timedelta(hours=2)).split(":")[0])
    factories.login_id(session, owner, now=now - timedelta(hours=1))  # live
    factories.login_id(session, owner, now=now - timedelta(hours=13))  # idle: ended
    factories.login_id(session, owner, remember=True, now=now - timedelta(days=3))  # remembered
    factories.login_id(session, owner, remember=True, now=now - timedelta(days=31))  # too old
    revoked = int(factories.login_id(session, owner, now=now).split(":")[0])
    sessions.revoke_session(session, owner, revoked, now)
    factories.login_id(session, people.organizer, now=now)  # someone else's
    found = sessions.recent_sessions(session, owner, now=now, current_id=current, limit=2,
                                     **LIFETIMES)
    assert found.total == 3 and found.hidden == 1 and found.others == 2
    assert found.shown[0].id == current and found.shown[0].is_current
    everything = sessions.recent_sessions(session, owner, now=now, **LIFETIMES)
    assert everything.total == 3 and len(everything.shown) == 3 and everything.others == 3
