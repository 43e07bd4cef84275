"""Configuration from the environment: embedded defaults, URL normalisation, required secrets."""

from __future__ import annotations

import logging

import pytest

from joren.platform.config import ConfigError, load_config, normalise_database_url

EVERYTHING = {
    "JOREN_ENV": "production",
    "SECRET_KEY": "s" * 48,
    "DATABASE_URL": "postgresql://joren:pw@db:5432/joren",
    "REDIS_URL": "redis://redis:6379/0",
    "SMTP_URL": "smtp+starttls://user:pw@smtp.example.jp:587",
    "STRIPE_SECRET_KEY": "sk_test_x",
    "BASE_URL": "https://joren.example.jp/",
}


def test_nothing_set_runs_on_embedded_defaults(tmp_path):
    config = load_config(str(tmp_path), {})

    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'joren.sqlite3'}"
    assert tmp_path.is_dir()
    assert config["MAIL_CAPTURE"] is True and config["SMTP_URL"] is None
    assert config["REDIS_URL"] is None and config["RQ_ASYNC"] is False
    assert config["BILLING_ENABLED"] is False
    assert config["JOREN_ENV"] == "development"
    assert config["SECRET_KEY"]
    assert config["SESSION_COOKIE_SECURE"] is False
    used = " ".join(config["EMBEDDED_DEFAULTS"])
    for what in ("SQLite", "captured email", "no Redis", "billing off", "SECRET_KEY"):
        assert what in used


def test_everything_set_uses_no_embedded_default(tmp_path):
    config = load_config(str(tmp_path), EVERYTHING)

    assert config["EMBEDDED_DEFAULTS"] == []
    assert config["DATABASE_URL"] == "postgresql+psycopg://joren:pw@db:5432/joren"
    assert config["REDIS_URL"] == "redis://redis:6379/0" and config["RQ_ASYNC"] is True
    assert config["MAIL_CAPTURE"] is False
    assert config["BILLING_ENABLED"] is True
    assert config["BASE_URL"] == "https://joren.example.jp"
    assert config["PREFERRED_URL_SCHEME"] == "https"
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u:p@h:5433/db?sslmode=require",
     "postgresql+psycopg://u:p@h:5433/db?sslmode=require"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////var/lib/joren.sqlite3", "sqlite:////var/lib/joren.sqlite3"),
])
def test_database_url_is_normalised_to_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_database_url_from_the_environment_is_normalised(tmp_path):
    config = load_config(str(tmp_path), {"DATABASE_URL": " postgres://u@h/db "})
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    assert config["SQLALCHEMY_ENGINES"]["default"]["url"] == "postgresql+psycopg://u@h/db"


def test_database_pool_settings_come_from_the_environment(tmp_path):
    config = load_config(str(tmp_path), {
        "DATABASE_URL": "postgresql://u@h/db", "DATABASE_POOL_SIZE": "3",
        "DATABASE_MAX_OVERFLOW": "0", "DATABASE_POOL_RECYCLE": "600"})
    engine = config["SQLALCHEMY_ENGINES"]["default"]
    # PostgreSQL pings only a connection in doubt (platform/db.py, test_database_pool.py).
    assert engine["pool_pre_ping"] is False
    assert (engine["pool_size"], engine["max_overflow"], engine["pool_recycle"]) == (3, 0, 600)


def test_database_pool_defaults_bound_each_process(tmp_path):
    engine = load_config(str(tmp_path), {"DATABASE_URL": "postgresql://u@h/db"})[
        "SQLALCHEMY_ENGINES"]["default"]
    assert engine["pool_pre_ping"] is False
    assert engine["pool_size"] + engine["max_overflow"] == 7
    sqlite = load_config(str(tmp_path), {})["SQLALCHEMY_ENGINES"]["default"]
    assert sqlite["pool_pre_ping"] is True and "pool_size" not in sqlite


def test_prepared_statements_can_be_turned_off_for_pgbouncer(tmp_path):
    url = {"DATABASE_URL": "postgresql://u@h/db"}
    engine = load_config(str(tmp_path), url)["SQLALCHEMY_ENGINES"]["default"]
    assert "connect_args" not in engine
    engine = load_config(str(tmp_path), {**url, "DATABASE_PREPARED_STATEMENTS": "0"})[
        "SQLALCHEMY_ENGINES"]["default"]
    assert engine["connect_args"] == {"prepare_threshold": None}


@pytest.mark.parametrize("value", ["-1", "many", "2.5"])
def test_a_bad_pool_size_is_refused(tmp_path, value):
    with pytest.raises(ConfigError, match="DATABASE_POOL_SIZE"):
        load_config(str(tmp_path), {"DATABASE_POOL_SIZE": value,
                                    "DATABASE_URL": "postgresql://u@h/db"})


@pytest.mark.parametrize("environment", ["production", "staging"])
def test_secret_key_is_required_outside_development_and_test(tmp_path, environment):
    with pytest.raises(ConfigError) as error:
        load_config(str(tmp_path), {"JOREN_ENV": environment, "SECRET_KEY": "  "})
    message = str(error.value)
    assert "SECRET_KEY" in message and environment in message
    assert "secrets.token_urlsafe" in message


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_and_test_get_a_secret_key_of_their_own(tmp_path, environment):
    config = load_config(str(tmp_path), {"JOREN_ENV": environment})
    assert config["SECRET_KEY"]
    assert config["TESTING"] is (environment == "test")


def _same_limiter_storage(app_config) -> dict[str, object]:
    """Flask-Limiter keeps one storage for all apps: keep the suite's."""
    return {"RATELIMIT_STORAGE_URI": app_config["RATELIMIT_STORAGE_URI"]}


def test_start_up_says_which_embedded_defaults_are_in_use(monkeypatch, caplog, tmp_path,
                                                          app_config):
    from joren.app import create_app

    for name in ("DATABASE_URL", "REDIS_URL", "SMTP_URL", "STRIPE_SECRET_KEY", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JOREN_ENV", "development")

    with caplog.at_level(logging.INFO, logger="joren"):
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                          **_same_limiter_storage(app_config)})

    lines = [r.getMessage() for r in caplog.records if "embedded defaults" in r.getMessage()]
    assert len(lines) == 1
    for what in ("SQLite", "captured email (viewable at /dev/mail)", "no Redis",
                 "one machine only", "billing off"):
        assert what in lines[0]
    assert app.config["SECRET_KEY"] not in lines[0]


def test_start_up_is_quiet_when_everything_is_configured(monkeypatch, caplog, app_config):
    from joren.app import create_app

    for name, value in EVERYTHING.items():
        monkeypatch.setenv(name, value)
    with caplog.at_level(logging.INFO, logger="joren"):
        create_app(_same_limiter_storage(app_config))
    assert not [r for r in caplog.records if "embedded defaults" in r.getMessage()]
    assert not [r for r in caplog.records if EVERYTHING["SECRET_KEY"] in r.getMessage()]


def test_a_malformed_smtp_url_stops_start_up_without_repeating_the_password(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_config(str(tmp_path), {"SMTP_URL": "mailto://user:s3cret@mail.example.jp"})
    assert "smtp://" in str(error.value)
    assert "s3cret" not in str(error.value)
