"""Configuration from environment variables, with embedded defaults for a one-command local run."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from joren.platform.smtp import SMTPURLError, parse_smtp_url

log = logging.getLogger("joren.config")

DEV_ENVIRONMENTS = {"development", "test"}


class ConfigError(RuntimeError):
    """The environment does not describe a runnable Joren."""


@dataclass
class EmbeddedDefaults:
    """Which embedded defaults are in use, so start-up can say so."""

    used: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.used.append(what)


def _env(name: str, environ: dict[str, str]) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _int_env(name: str, environ: dict[str, str], default: int) -> int:
    value = _env(name, environ)
    if value is None:
        return default
    if not value.isdigit() or int(value) <= 0:
        raise ConfigError(f"{name} must be a positive whole number of bytes, not {value!r}.")
    return int(value)


def _flag(name: str, environ: dict[str, str]) -> bool:
    value = (_env(name, environ) or "0").lower()
    if value not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise ConfigError(f"{name} must be 1 or 0, not {value!r}.")
    return value in {"1", "true", "yes", "on"}


def _allow_captured_mail(environment: str, environ: dict[str, str]) -> None:
    """Outside development, no SMTP_URL means no email ever leaves: refuse unless asked for."""
    if not _flag("MAIL_CAPTURE", environ):
        raise ConfigError(
            f"SMTP_URL is not set. Joren refuses to start in '{environment}' without it, "
            "because no email (sign-in links, invitations, reminders) would ever be sent: "
            "set SMTP_URL (for example smtp+starttls://user:pass@smtp.example.jp:587), or set "
            "MAIL_CAPTURE=1 to keep every message in the outbox unsent on purpose."
        )
    log.warning(
        "MAIL_CAPTURE=1 and no SMTP_URL: Joren is running in '%s' and sends NO email. Every "
        "message is kept unsent in the outbox table (the /dev/mail viewer is off outside "
        "development).", environment)


def _proxy_count(environ: dict[str, str]) -> int:
    value = _env("TRUSTED_PROXY_COUNT", environ) or "0"
    if not value.isdigit():
        raise ConfigError(
            "TRUSTED_PROXY_COUNT must be the number of proxies (load balancer, ingress) in front "
            f"of Joren that set X-Forwarded-For, 0 when clients connect directly; not {value!r}."
        )
    return int(value)


def _observability(environ: dict[str, str], production: bool) -> dict[str, Any]:
    """Logs (LOG_FORMAT, LOG_LEVEL), metrics (METRICS_TOKEN) and Sentry (SENTRY_DSN)."""
    log_format = (_env("LOG_FORMAT", environ) or ("json" if production else "text")).lower()
    if log_format not in {"json", "text"}:
        raise ConfigError(f"LOG_FORMAT must be json or text, not {log_format!r}.")
    level = (_env("LOG_LEVEL", environ) or "info").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(f"LOG_LEVEL must be debug, info, warning or error, not {level!r}.")
    rate = _env("SENTRY_TRACES_SAMPLE_RATE", environ) or "0"
    try:
        traces = float(rate)
    except ValueError:
        traces = -1.0
    if not 0 <= traces <= 1:
        raise ConfigError(f"SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1, not {rate!r}.")
    return {
        "LOG_FORMAT": log_format,
        "LOG_LEVEL": level,
        # /metrics answers only a scraper that sends "Authorization: Bearer <METRICS_TOKEN>".
        "METRICS_TOKEN": _env("METRICS_TOKEN", environ),
        "SENTRY_DSN": _env("SENTRY_DSN", environ),
        "SENTRY_TRACES_SAMPLE_RATE": traces,
    }


def _count_env(name: str, environ: dict[str, str], default: int) -> int:
    value = _env(name, environ)
    if value is None:
        return default
    if not value.isdigit():
        raise ConfigError(f"{name} must be a whole number (0 or more), not {value!r}.")
    return int(value)


def engine_options(database_url: str, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The database engine's settings (Flask-SQLAlchemy-Lite passes them to create_engine).

    A pooled connection that the server, a failover or PgBouncer dropped is replaced instead
    of failing one request, and is retired after DATABASE_POOL_RECYCLE seconds. On SQLite the
    pool pings before every use (a local call); on PostgreSQL a ping is a round trip, so it is
    sent only when the connection is in doubt (joren/platform/db.py, ``_ping_when_in_doubt``).
    On PostgreSQL each process keeps at most DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW
    connections (deploy/OPERATIONS.md, "Sizing").
    """
    env = dict(os.environ if environ is None else environ)
    url = normalise_database_url(database_url)
    options: dict[str, Any] = {
        "url": url,
        "pool_pre_ping": True,
        "pool_recycle": _count_env("DATABASE_POOL_RECYCLE", env, 1800) or -1,
    }
    if url.startswith("postgresql"):
        options.update(
            pool_pre_ping=False,
            pool_size=_count_env("DATABASE_POOL_SIZE", env, 5),
            max_overflow=_count_env("DATABASE_MAX_OVERFLOW", env, 2),
            pool_timeout=_count_env("DATABASE_POOL_TIMEOUT", env, 10),
        )
        if not _flag("DATABASE_PREPARED_STATEMENTS", {"DATABASE_PREPARED_STATEMENTS": "1", **env}):
            # Behind PgBouncer in transaction mode before 1.21, a statement psycopg prepared
            # on one server connection is unknown on the next: never prepare.
            options["connect_args"] = {"prepare_threshold": None}
    return options


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme the operator wrote."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(instance_path: str, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Read the environment into Flask config keys; embedded defaults fill what is missing.

    Settings that can stop start-up are checked in a fixed order (secret key, database, mail,
    then the rest), so one environment always reports the same first problem;
    ``EMBEDDED_DEFAULTS`` lists what was filled in, for the start-up message.
    """
    env = dict(os.environ if environ is None else environ)
    defaults = EmbeddedDefaults()
    environment = _env("JOREN_ENV", env) or "development"
    production = environment not in DEV_ENVIRONMENTS
    secret_key = _secret_key(env, environment, defaults)
    database_url = _database_url(env, instance_path, defaults)
    redis_url = _env("REDIS_URL", env)
    if redis_url is None:
        defaults.note("no Redis: background jobs run in the web process right after each commit "
                      "and joren cron's schedule (reminders, introduction cycles, follow-ups) runs "
                      "inside the web process, one scheduler per installation (one machine only); "
                      "rate limits are kept in memory")
    smtp_url = _smtp_url(env, environment, defaults)
    stripe_key = _env("STRIPE_SECRET_KEY", env)
    if stripe_key is None:
        defaults.note("billing off (no STRIPE_SECRET_KEY)")
    base_url = (_env("BASE_URL", env) or "http://127.0.0.1:5000").rstrip("/")
    migration_url = _env("MIGRATION_DATABASE_URL", env)
    return {
        "JOREN_ENV": environment,
        "SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        # The schema owner's address for `joren db upgrade`, when the app's role owns nothing.
        "MIGRATION_DATABASE_URL": normalise_database_url(migration_url) if migration_url else None,
        "SQLALCHEMY_ENGINES": {"default": engine_options(database_url, env)},
        "REDIS_URL": redis_url,
        **_mail_and_billing(env, smtp_url, stripe_key),
        "BASE_URL": base_url,
        "TESTING": environment == "test",
        **_web_sessions(base_url, production),
        **_jobs_and_rate_limits(env, redis_url),
        **_request_limits(env),
        **_storage(env, instance_path),
        "EMBEDDED_DEFAULTS": defaults.used,
        **_observability(env, production),
    }


def _storage(env: dict[str, str], instance_path: str) -> dict[str, Any]:
    """Uploaded images: a directory (default ``<instance>/uploads``) or ``s3://bucket/prefix``
    with an endpoint and credentials (unset ones fall back to boto3's own AWS_* variables)."""
    return {
        "STORAGE_URL": _env("STORAGE_URL", env) or "file://" + os.path.join(instance_path,
                                                                          "uploads"),
        "STORAGE_ENDPOINT_URL": _env("STORAGE_ENDPOINT_URL", env),
        "STORAGE_REGION": _env("STORAGE_REGION", env),
        "STORAGE_ACCESS_KEY_ID": _env("STORAGE_ACCESS_KEY_ID", env),
        "STORAGE_SECRET_ACCESS_KEY": _env("STORAGE_SECRET_ACCESS_KEY", env),
        "UPLOAD_MAX_BYTES": _int_env("UPLOAD_MAX_BYTES", env, 8 * 1024 * 1024),
    }


def _secret_key(env: dict[str, str], environment: str, defaults: EmbeddedDefaults) -> str:
    """SECRET_KEY; required outside development and test (it signs sessions and links)."""
    secret_key = _env("SECRET_KEY", env)
    if secret_key is not None:
        return secret_key
    if environment not in DEV_ENVIRONMENTS:
        raise ConfigError(
            "SECRET_KEY is not set. Joren refuses to start in "
            f"'{environment}' without it: set SECRET_KEY to a long random string "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )
    defaults.note("a development SECRET_KEY")
    return "joren-development-only-secret-key-do-not-use-in-production"


def _database_url(env: dict[str, str], instance_path: str, defaults: EmbeddedDefaults) -> str:
    """DATABASE_URL (psycopg 3 for PostgreSQL), else a SQLite file in the instance folder."""
    database_url = _env("DATABASE_URL", env)
    if database_url is None:
        Path(instance_path).mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{Path(instance_path) / 'joren.sqlite3'}"
        defaults.note(f"SQLite at {Path(instance_path) / 'joren.sqlite3'}")
    return normalise_database_url(database_url)


def _smtp_url(env: dict[str, str], environment: str, defaults: EmbeddedDefaults) -> str | None:
    """SMTP_URL, checked now so a typo stops start-up instead of every email; None captures."""
    smtp_url = _env("SMTP_URL", env)
    if smtp_url is None and environment not in DEV_ENVIRONMENTS:
        _allow_captured_mail(environment, env)
    elif smtp_url is None:
        defaults.note("captured email (viewable at /dev/mail)")
    else:
        try:
            parse_smtp_url(smtp_url)
        except SMTPURLError as exc:
            raise ConfigError(str(exc)) from exc
    return smtp_url


def _mail_and_billing(env: dict[str, str], smtp_url: str | None,
                      stripe_key: str | None) -> dict[str, Any]:
    return {
        "SMTP_URL": smtp_url,
        "MAIL_FROM": _env("MAIL_FROM", env) or "Joren <no-reply@joren.localhost>",
        "MAIL_CAPTURE": smtp_url is None,
        # Messages handed to the SMTP server per commit (joren.platform.mail.sender).
        "MAIL_HANDOVER_WINDOW": _count_env("MAIL_HANDOVER_WINDOW", env, 10) or 1,
        "STRIPE_SECRET_KEY": stripe_key,
        "BILLING_ENABLED": stripe_key is not None,
        "STRIPE_WEBHOOK_SECRET": _env("STRIPE_WEBHOOK_SECRET", env),
        # Stripe signs the Connect endpoint (events of the organizers' accounts) with its own.
        "STRIPE_CONNECT_WEBHOOK_SECRET": _env("STRIPE_CONNECT_WEBHOOK_SECRET", env),
        "STRIPE_API_BASE": _env("STRIPE_API_BASE", env),
        # Retention (tenants/privacy/retention.py): days before the installation purges
        # uploaded CSV files, sent emails' bodies and Stripe's event payloads. A community
        # may keep its own shorter (or longer) periods for the first two.
        "RETENTION_IMPORT_DAYS": _int_env("RETENTION_IMPORT_DAYS", env, 30),
        "RETENTION_OUTBOX_DAYS": _int_env("RETENTION_OUTBOX_DAYS", env, 90),
        "RETENTION_WEBHOOK_DAYS": _int_env("RETENTION_WEBHOOK_DAYS", env, 90),
        # The console's audit log (tenants/privacy/audit.py), two years by default.
        "RETENTION_AUDIT_DAYS": _int_env("RETENTION_AUDIT_DAYS", env, 730),
        # An owner's deletion of a whole community waits this long; they can cancel meanwhile.
        "COMMUNITY_DELETION_GRACE_DAYS": _int_env("COMMUNITY_DELETION_GRACE_DAYS", env, 30),
    }


def _web_sessions(base_url: str, production: bool) -> dict[str, Any]:
    """Cookies, sessions, CSRF and the default locale (secure cookies in production)."""
    return {
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Server-side sessions (accounts.sessions): "remember me" lasts 30 days from sign-in;
        # a session without it ends after 12 idle hours.
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "ACCOUNT_SESSION_IDLE_TIMEOUT": timedelta(hours=12),
        "PREFERRED_URL_SCHEME": "https" if base_url.startswith("https") else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
    }


def _jobs_and_rate_limits(env: dict[str, str], redis_url: str | None) -> dict[str, Any]:
    """RQ (or jobs in process without Redis), rate limits, and the lifetimes of signed links."""
    return {
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Redis unreachable: keep limiting, per process, in memory (the same limits), instead of
        # answering 500 to every sign-in; back on Redis once it answers again. Short timeouts,
        # so a Redis that hangs costs a sign-in a second, not the request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        "RATELIMIT_HEADERS_ENABLED": True,
        "RQ_CONNECTION": redis_url or {},
        "RQ_CONNECTION_CLASS": "redis.Redis" if redis_url else "fakeredis.FakeRedis",
        "RQ_ASYNC": redis_url is not None,
        # In priority order: sign-in mail, periodic work, other jobs, bulk mail (platform.jobs).
        "RQ_QUEUES": ["transactional", "cron", "default", "mail"],
        "JOB_TIMEOUT": int(_env("JOB_TIMEOUT", env) or 300),
        # Embedded mode (no Redis): how often the in-process scheduler looks for due entries.
        "EMBEDDED_CRON_TICK": _count_env("EMBEDDED_CRON_TICK", env, 30) or 30,
        "TOKEN_MAX_AGE": {
            "verify": 3 * 24 * 3600,
            "reset": 3600,
            "magic": 15 * 60,
            "invite": 14 * 24 * 3600,
        },
        "LOGIN_RATE_LIMIT": _env("LOGIN_RATE_LIMIT", env) or "10 per minute;50 per hour",
        # Failed sign-ins on one address from anywhere: bounds a distributed guesser.
        "LOGIN_FAILURES_PER_ADDRESS": "100 per hour;300 per day",
    }


def _request_limits(env: dict[str, str]) -> dict[str, Any]:
    """Forwarded headers to trust and request sizes."""
    return {
        "TRUSTED_PROXY_COUNT": _proxy_count(env),
        # Request bodies: larger ones answer 413 before they are read. The largest legitimate
        # upload is a 20 MB member CSV import (plus its form); other fields stay small.
        "MAX_CONTENT_LENGTH": _int_env("MAX_CONTENT_LENGTH", env, 25 * 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": _int_env("MAX_FORM_MEMORY_SIZE", env, 500_000),
        "MAX_FORM_PARTS": _int_env("MAX_FORM_PARTS", env, 1000),
    }
