"""create_app(): the only place that wires Joren together."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g
from flask.cli import FlaskGroup
from flask_babel import lazy_gettext as _l

from joren.cli import register_commands
from joren.platform import db as database
from joren.platform import dispatch, extensions, headers, i18n, inputs, storage
from joren.platform.config import DEV_ENVIRONMENTS, engine_options, load_config
from joren.platform.extensions import babel, csrf, db, limiter, login_manager, rq
from joren.platform.observability import jobs as observed_jobs
from joren.platform.observability import metrics

log = logging.getLogger("joren")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app from the environment, with ``config`` overriding it (tests)."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
        if "DATABASE_URL" in config:
            app.config["SQLALCHEMY_ENGINES"] = {"default": engine_options(config["DATABASE_URL"])}
    configure_logging(app)
    configure_proxy(app)
    configure_extensions(app)
    configure_login(app)
    configure_blueprints(app)
    configure_stripe_events()
    configure_subscribers()
    configure_templates(app)
    configure_cli(app)
    announce_defaults(app)
    configure_embedded_scheduler(app)
    return app


def configure_logging(app: Flask) -> None:
    """Structured logs with request, community, account and job ids; metrics; Sentry."""
    from joren.platform.observability import errors, logs

    logs.configure(app)
    errors.init_app(app)


def configure_proxy(app: Flask) -> None:
    """Trust X-Forwarded-For/-Proto/-Host from exactly TRUSTED_PROXY_COUNT proxies in front
    (0: none), so request.remote_addr (and every rate limit keyed on it) is the client's address
    and the host is the public one even where the proxy sends its upstream's name as Host
    (nginx's default), which a secure request's CSRF Referer check compares with."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    hops = app.config["TRUSTED_PROXY_COUNT"]
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def configure_extensions(app: Flask) -> None:
    import joren.models  # noqa: F401 - every model is mapped before the first query
    import joren.platform.jobs  # noqa: F401 - registers the enqueue-after-commit hooks
    import joren.platform.tenancy  # noqa: F401 - registers the tenant guard

    database.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    inputs.init_app(app)  # bounded <int:...> ids and the malformed-input guard
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    limiter.init_app(app)
    extensions.skip_limiter_where_no_limit_applies(app, limiter)  # its GET check, for nothing
    rq.init_app(app)
    storage.init_app(app)  # uploaded images: a local directory or S3 (STORAGE_URL)
    headers.init_app(app)  # CSP, framing, HSTS in production, no-store on secret-bearing pages
    observed_jobs.init_app(app)  # job ids in logs, job duration and failures in metrics
    metrics.init_app(app)  # request latency, /metrics
    dispatch.init_app(app)  # Flask's per-request answers that never change, kept


def configure_stripe_events() -> None:
    """Wire the handlers of Stripe events from organizers' connected accounts (Connect)."""
    from joren.tenants.payments import refunds, stripe_events
    from joren.tenants.payments.connect import services as connect
    from joren.tenants.payments.dues import events as dues

    for module in (connect, stripe_events, refunds, dues):
        module.register_events()


def configure_login(app: Flask) -> None:
    from joren.platform.identity.account import Account

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_account(user_id: str) -> Account | None:
        """The account of a live server-side session (accounts.sessions), or None.

        The same statement brings what every signed-in page shows about the person: under
        ``/c/<slug>/`` that community and their membership there (for the edge), and their
        communities (for the navbar's switcher)."""
        from joren.platform.accounts import sessions, switcher
        from joren.platform.accounts.signed_in import load_signed_in
        from joren.platform.accounts.signin import lifetimes
        from joren.platform.db import utcnow
        from joren.platform.membership import edge

        now = utcnow()
        slug = g.get("community_slug")
        if slug is not None and not inputs.storable(slug):
            slug = None  # no community has it; reject_malformed_input answers 400
        found = load_signed_in(db.session, user_id, slug=slug, now=now, **lifetimes())
        if found is None:
            return None
        if slug is not None:
            edge.resolved_with_sign_in(slug, found.community, found.membership)
        switcher.remember(found.active_memberships, found.memberships)
        if sessions.seen_is_due(found.record, now):
            _mark_seen_after_response(found.record.id, now)
        return found.account


def _mark_seen_after_response(session_id: int, now: Any) -> None:
    """Write the session's last_seen_at in its own transaction once the response is done,
    when the request's session (and on SQLite its read lock) is already closed."""
    from flask import after_this_request, current_app

    from joren.platform.accounts import sessions

    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def write() -> None:
        with app.app_context(), db.sessionmaker() as own:
            sessions.mark_seen(own, session_id, now)
            own.commit()

    @after_this_request
    def _later(response: Any) -> Any:
        response.call_on_close(write)
        return response


def configure_blueprints(app: Flask) -> None:
    from joren.platform import web
    from joren.platform.accounts.views import bp as accounts_bp
    from joren.platform.admin.views import bp as admin_bp
    from joren.platform.billing.views import bp as billing_bp
    from joren.platform.billing.webhooks import bp as billing_webhooks_bp
    from joren.platform.communities.views import bp as communities_bp
    from joren.platform.mail.views import bp as mail_bp
    from joren.platform.membership.edge import community_blueprint
    from joren.tenants.announcements.views import bp as announcements_bp
    from joren.tenants.console.views import bp as console_bp
    from joren.tenants.engagement.dashboard_views import bp as analytics_bp
    from joren.tenants.engagement.views import bp as engagement_bp
    from joren.tenants.imports.views import bp as imports_bp
    from joren.tenants.introductions.views import bp as introductions_bp
    from joren.tenants.meetups.calendar.views import bp as feeds_bp
    from joren.tenants.meetups.checkin.views import bp as checkin_bp
    from joren.tenants.meetups.public.views import bp as public_bp
    from joren.tenants.meetups.questions.views import bp as questions_bp
    from joren.tenants.meetups.registrations.views import bp as registrations_bp
    from joren.tenants.meetups.survey.views import bp as survey_bp
    from joren.tenants.meetups.views import bp as meetups_bp
    from joren.tenants.members.consent.views import bp as consent_bp
    from joren.tenants.members.profiles.views import bp as profiles_bp
    from joren.tenants.members.views import bp as members_bp
    from joren.tenants.payments.connect.views import bp as connect_bp
    from joren.tenants.payments.dues.views import bp as dues_bp
    from joren.tenants.payments.online.views import bp as checkout_bp
    from joren.tenants.payments.views import bp as payments_bp
    from joren.tenants.portal.views import bp as portal_bp
    from joren.tenants.privacy.operator_views import bp as privacy_operators_bp
    from joren.tenants.privacy.views import bp as privacy_bp
    from joren.tenants.privacy.views import community as privacy_community_bp
    from joren.tenants.relationships.habits.views import bp as habits_bp
    from joren.tenants.relationships.views import bp as relationships_bp

    community_bp = community_blueprint(
        (portal_bp, console_bp, members_bp, meetups_bp, registrations_bp, checkin_bp, feeds_bp,
         profiles_bp, engagement_bp, imports_bp, analytics_bp, introductions_bp,
         relationships_bp, habits_bp, billing_bp, payments_bp, connect_bp, checkout_bp, dues_bp,
         privacy_community_bp, public_bp, questions_bp, survey_bp, announcements_bp,
         consent_bp))
    for bp in (web.bp, accounts_bp, communities_bp, mail_bp, admin_bp, billing_webhooks_bp,
               privacy_bp, privacy_operators_bp, community_bp):
        app.register_blueprint(bp)
    from joren.tenants.privacy import audit

    audit.install(app)  # the audit log: console and operators (tenants/privacy/audit.py)
    web.register_error_handlers(app)


def configure_subscribers() -> None:
    """Features react to what the features below them announce (blinker signals) through
    receivers in their ``subscribers.py``; importing each module connects them, once."""
    # One import per subscribing feature (the import itself connects the receivers).
    import joren.tenants.engagement.subscribers  # noqa: F401
    import joren.tenants.introductions.subscribers  # noqa: F401
    import joren.tenants.meetups.public.subscribers  # noqa: F401
    import joren.tenants.payments.subscribers  # noqa: F401
    import joren.tenants.relationships.subscribers  # noqa: F401
    from joren.tenants.payments import tallies

    tallies.install()  # the console's per-meetup fee tallies follow every write


def configure_templates(app: Flask) -> None:
    """Shared layouts come from ``joren/templates``; every other template lives in the package
    that renders it, under ``<package>/templates/`` and named ``<package>/…`` (templating.py)."""
    from joren.platform import layoutframe, templating

    templating.init_app(app)
    layoutframe.init_app(app)
    app.jinja_loader = templating.loader(app.jinja_loader)  # type: ignore[method-assign]

    @app.context_processor
    def inject_context() -> dict[str, Any]:
        return {
            "community": g.get("community"),
            "membership": g.get("membership"),
            "config_mail_capture": app.config["MAIL_CAPTURE"]
            and app.config["JOREN_ENV"] in DEV_ENVIRONMENTS,
            "billing_enabled": app.config["BILLING_ENABLED"],
        }


def configure_cli(app: Flask) -> None:
    register_commands(app)


def announce_defaults(app: Flask) -> None:
    used = app.config["EMBEDDED_DEFAULTS"]
    if used and not app.testing:
        log.info("Joren is running on embedded defaults: %s", "; ".join(used))


def configure_embedded_scheduler(app: Flask) -> None:
    """Without Redis there is no ``joren cron``: the web process runs its schedule itself,
    one scheduler per installation (``joren.workers.embedded``)."""
    from joren.workers import embedded

    embedded.init_app(app)


# The ``joren`` console script (pyproject [project.scripts]): Flask's CLI on create_app.
main = FlaskGroup(
    create_app=create_app,
    help="Joren (常連): run the web app, migrate the database, run workers, load the demo.",
)
