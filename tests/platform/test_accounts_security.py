"""Rate limits, CSRF, production cookie flags and the language of account pages."""

from __future__ import annotations

import re

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from joren.app import create_app
from joren.models import OutboxMessage
from joren.platform.config import ConfigError, load_config
from joren.platform.db import db
from joren.platform.i18n import select_locale
from tests import factories
from tests.platform.test_accounts import fresh, is_signed_in, sign_in_form

EN = {"Accept-Language": "en"}


# Rate limits -----------------------------------------------------------------------------------

def test_login_attempts_per_email_are_limited(client, session, people):
    session.commit()
    for _ in range(5):
        assert sign_in_form(client, "owner@example.jp", "wrong password!").status_code == 200
    blocked = sign_in_form(client, "owner@example.jp", headers=EN)  # even the right password
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.get_data(as_text=True)
    assert 'lang="en"' in blocked.get_data(as_text=True)
    assert not is_signed_in(client)
    assert fresh(session, people.owner).last_login_at is None
    # Another address from the same place is not blocked by that one's limit.
    assert sign_in_form(client, "staff@example.jp").status_code == 302


def test_login_attempts_per_ip_follow_the_configured_limit(app, client, session, people,
                                                           monkeypatch):
    session.commit()
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    for n in range(3):
        assert sign_in_form(client, f"someone{n}@example.jp").status_code == 200
    response = sign_in_form(client, "owner@example.jp", headers={"Accept-Language": "ja"})
    assert response.status_code == 429
    assert 'lang="ja"' in response.get_data(as_text=True)
    # Another client address is not affected.
    elsewhere = client.post("/login", data={"email": "owner@example.jp",
                                            "password": factories.PASSWORD},
                            environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert elsewhere.status_code == 302


def test_showing_the_login_page_is_not_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    for _ in range(5):
        assert client.get("/login").status_code == 200


@pytest.mark.parametrize("path", ["/login/email", "/password/forgot"])
def test_emailed_link_requests_are_limited_per_address(client, session, people, path,
                                                       run_jobs):
    session.commit()
    for _ in range(5):
        assert client.post(path, data={"email": "member@example.jp"}).status_code == 200
    response = client.post(path, data={"email": "member@example.jp"}, headers=EN)
    assert response.status_code == 429
    run_jobs()  # the emails are made by a job (issue 11, finding 8)
    session.expire_all()
    sent = session.scalar(select(func.count()).select_from(OutboxMessage)
                          .where(OutboxMessage.to_email == "member@example.jp"))
    assert sent == 5


def test_resending_the_verification_is_limited(login, session):
    account = factories.account(session, "waiting@example.jp", verified=False)
    session.commit()
    client = login(account)
    for _ in range(5):
        assert client.post("/account/verify/resend").status_code == 302
    assert client.post("/account/verify/resend").status_code == 429


def test_guessing_the_current_password_is_limited(login, session, people):
    session.commit()
    client = login(people.owner)
    data = {"current_password": "a wrong guess", "password": "new password 123",
            "confirm": "new password 123"}
    for _ in range(5):
        assert client.post("/account/password", data=data).status_code == 200
    assert client.post("/account/password", data=data).status_code == 429
    assert fresh(session, people.owner).password_hash == people.owner.password_hash


# CSRF ------------------------------------------------------------------------------------------

@pytest.fixture()
def csrf_client(app_config, connection):
    """A second app exactly like the suite's, but with CSRF protection on, sharing the
    test's transaction."""
    csrf_app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    with csrf_app.app_context():
        db.sessionmaker.configure(bind=connection, join_transaction_mode="create_savepoint")
    return csrf_app.test_client()


def test_login_post_without_or_with_a_forged_csrf_token_is_refused(csrf_client, session,
                                                                   people):
    session.commit()
    data = {"email": "owner@example.jp", "password": factories.PASSWORD}
    for extra in ({}, {"csrf_token": "forged"}, {"csrf_token": "IjAx.forged.token"}):
        response = csrf_client.post("/login", data={**data, **extra}, headers=EN)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "This form has expired or was not sent from Joren" in page
        assert not is_signed_in(csrf_client)
    assert fresh(session, people.owner).last_login_at is None

    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = csrf_client.post("/login", data={**data, "csrf_token": token})
    assert response.status_code == 302
    assert is_signed_in(csrf_client)


def test_every_account_form_carries_a_csrf_token(csrf_client, session, people):
    session.commit()
    for path in ("/signup", "/login", "/login/email", "/password/forgot"):
        page = csrf_client.get(path).get_data(as_text=True)
        assert 'name="csrf_token"' in page, path
    csrf_client.get("/login")
    with csrf_client.session_transaction() as s:
        s["_user_id"] = factories.login_id(session, people.owner)
    page = csrf_client.get("/account").get_data(as_text=True)
    forms = page.count("<form")
    assert forms >= 4
    assert page.count('name="csrf_token"') == forms


def test_sign_out_everywhere_with_a_forged_token_changes_nothing(csrf_client, session, people):
    session.commit()
    with csrf_client.session_transaction() as s:
        s["_user_id"] = factories.login_id(session, people.owner)
    response = csrf_client.post("/account/sign-out-everywhere", data={"csrf_token": "x"})
    assert response.status_code == 400
    assert fresh(session, people.owner).session_token == people.owner.session_token


# Production configuration ----------------------------------------------------------------------

def test_production_sets_secure_cookie_flags(tmp_path):
    config = load_config(str(tmp_path), {"JOREN_ENV": "production", "SECRET_KEY": "s" * 40,
                                         "DATABASE_URL": "postgresql://db/joren",
                                         "SMTP_URL": "smtp://mail.example.jp:25"})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def test_development_does_not_require_https_cookies(tmp_path):
    config = load_config(str(tmp_path), {"JOREN_ENV": "development"})
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["REMEMBER_COOKIE_SECURE"] is False


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_secret_key_is_required_outside_development(tmp_path, environment):
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config(str(tmp_path), {"JOREN_ENV": environment})


# Language --------------------------------------------------------------------------------------

def test_login_page_language_follows_the_browser(client):
    english = client.get("/login", headers=EN).get_data(as_text=True)
    assert 'lang="en"' in english
    assert "Sign in" in english
    assert 'autocomplete="current-password"' in english
    japanese = client.get("/login", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'lang="ja"' in japanese
    assert "サインイン" in japanese


def test_the_language_chosen_on_the_account_page_is_kept(login, session, people):
    session.commit()
    client = login(people.owner)
    response = client.post("/account", data={"display_name": "大家 一郎", "language": "en"},
                           headers={"Accept-Language": "ja"})
    assert response.status_code == 302
    account = fresh(session, people.owner)
    assert (account.language, account.display_name) == ("en", "大家 一郎")
    page = client.get("/account", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'lang="en"' in page


def test_profile_form_rejects_bad_input(login, session, people):
    session.commit()
    client = login(people.owner)
    response = client.post("/account", data={"display_name": "x" * 121, "language": "de"},
                           headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Use at most 120 characters." in page
    assert "Not a valid choice" in page
    assert fresh(session, people.owner).display_name == "大家"


def test_signing_in_applies_the_account_language(client, session, people):
    session.commit()
    sign_in_form(client, "member@example.jp")  # this account's language is English
    page = client.get("/account", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert 'lang="en"' in page


def test_language_order_account_then_session_then_community_then_browser(
        app, connection, session, tenant):
    tenant.default_language = "en"
    japanese = factories.account(session, "ja-person@example.jp", language="ja")
    undecided = factories.account(session, "undecided@example.jp", language=None)
    session.commit()

    def locale(account=None, chosen=None, community=None, browser="en"):
        from flask import g
        from flask import session as flask_session

        with app.test_request_context("/", headers={"Accept-Language": browser}):
            if chosen:
                flask_session["language"] = chosen
            if community is not None:
                g.community = community
            if account is not None:
                login_user(account)
            return select_locale()

    assert locale(browser="en") == "en"
    assert locale(browser="ja") == "ja"
    assert locale(browser="fr") == "ja"  # nothing we speak: Japanese first
    assert locale(community=tenant, browser="ja") == "en"
    assert locale(chosen="ja", community=tenant, browser="en") == "ja"
    assert locale(account=japanese, chosen="en", community=tenant, browser="en") == "ja"
    assert locale(account=undecided, chosen="en", browser="ja") == "en"
    assert locale(account=undecided, browser="ja", community=tenant) == "en"
