"""Operators' view: JSON log lines with request, community, account and job ids and no
secrets; the Prometheus page; Sentry reports scrubbed of tokens."""

from __future__ import annotations

import io
import json
import logging
import secrets
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from joren.platform.jobs import enqueue_now
from joren.platform.mail.models import OutboxStatus
from joren.platform.observability.logs import JsonFormatter, make_handler
from tests.workers.helpers import age, notice

METRICS_TOKEN = "scrape-me-0123456789abcdef"


class Lines:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]

    def where(self, **fields: object) -> list[dict]:
        return [r for r in self.records() if all(r.get(k) == v for k, v in fields.items())]


@pytest.fixture()
def json_log() -> Iterator[Lines]:
    """What production writes (LOG_FORMAT=json), captured from every ``joren`` logger."""
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logger = logging.getLogger("joren")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield Lines(stream)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def test_a_request_line_carries_request_community_and_account_ids(json_log, login, people,
                                                                   tenant):
    client = login(people.member)
    response = client.get("/c/osaka-mixer/", headers={"X-Request-ID": "lb-7f3a9c21-0001"})

    assert response.headers["X-Request-ID"] == "lb-7f3a9c21-0001"
    [line] = json_log.where(event="request", request_id="lb-7f3a9c21-0001")
    assert line["community_id"] == tenant.id
    assert line["account_id"] == people.member.id
    assert line["endpoint"].startswith("community.portal.")
    assert line["status"] == response.status_code
    assert line["level"] == "info" and "timestamp" in line


@pytest.mark.parametrize("header", ["short", "bad id with spaces", "x" * 200, "a\u3042" * 10])
def test_a_malformed_request_id_is_replaced(client, header, json_log):
    response = client.get("/healthz", headers={"X-Request-ID": header})

    given = response.headers["X-Request-ID"]
    assert given != header and len(given) == 32
    assert json_log.where(event="request", request_id=given)


def test_without_a_request_id_one_is_made_and_echoed(client, json_log):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert first != second


def test_a_job_line_carries_job_id_queue_and_community(app, json_log, run_jobs, tenant):
    with app.app_context():
        job = enqueue_now("tests.workers.sample_jobs.member_emails", tenant.id, queue="default")
    run_jobs()

    [line] = json_log.where(event="job done", job_id=job.id)
    assert line["queue"] == "default"
    assert line["job"] == "tests.workers.sample_jobs.member_emails"
    assert line["community_id"] == tenant.id
    assert "request_id" not in line


class _BothRenderings(logging.Handler):
    """Renders each request record twice inside the request: the JSON formatter's direct path
    and structlog's ProcessorFormatter (what every other record goes through)."""

    def __init__(self) -> None:
        super().__init__()
        self.formatter_ = make_handler("json").formatter
        self.pairs: list[tuple[dict, dict]] = []

    def emit(self, record: logging.LogRecord) -> None:
        direct = self.formatter_.format(record)
        structlog_line = super(JsonFormatter, self.formatter_).format(record)
        self.pairs.append((json.loads(direct), json.loads(structlog_line)))


def test_the_request_line_is_rendered_as_structlog_renders_it(client, login, people, tenant):
    """The request line's direct rendering (``JsonFormatter``) has the same fields, in the same
    order, with the same values as structlog's chain gives the same record: signed in inside a
    community, signed out, a token in the path, a 404 and a long slug-like segment."""
    handler = _BothRenderings()
    logger = logging.getLogger("joren.request")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        login(people.member).get("/c/osaka-mixer/", headers={"X-Request-ID": "lb-7f3a9c21-0002"})
        client.get("/healthz")
        client.get("/login/email/eyJhbGciOi.J-IUzI1NiJ9_SIGNEDmagiclinktoken0123456789?next=/")
        client.get("/no-such-page/" + "a" * 40)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)

    assert len(handler.pairs) == 4
    for direct, expected in handler.pairs:
        assert direct.pop("timestamp")[:16] == expected.pop("timestamp")[:16]
        assert list(direct.items()) == list(expected.items())
    first = handler.pairs[0][0]
    assert list(first) == ["event", "method", "path", "endpoint", "status", "duration_ms",
                           "request_id", "community_id", "account_id", "level", "logger"]
    assert first["community_id"] == tenant.id and first["account_id"] == people.member.id
    assert handler.pairs[3][0]["path"] == "/no-such-page/[redacted]"


def test_a_request_record_with_secrets_and_context_is_rendered_as_structlog_renders_it():
    """Outside a request too: bound context variables, a field with a secret's name and a
    token-like path are rendered, masked and ordered as structlog does."""
    from structlog.contextvars import bind_contextvars, clear_contextvars

    from joren.platform.observability.logs import RequestRecord

    formatter = make_handler("json").formatter
    record = RequestRecord("joren.request", logging.INFO, __file__, 1, "request", (), None)
    record.path = "/c/x/tickets/Tk4x9QpLm2Zr8vYw3JcN5bHaQpLm2Zr8vYw3J?code=1"
    record.api_key = "k-0123"
    record.status = 200
    bind_contextvars(request_id="rq-0123456789", job="j", status=999)
    try:
        direct = json.loads(formatter.format(record))
        expected = json.loads(super(JsonFormatter, formatter).format(record))
    finally:
        clear_contextvars()
    assert direct.pop("timestamp")[:16] == expected.pop("timestamp")[:16]
    assert list(direct.items()) == list(expected.items())
    assert direct["path"] == "/c/x/tickets/[redacted]?[redacted]"
    assert direct["api_key"] == "[redacted]"
    assert direct["status"] == 200 and direct["job"] == "j"


def test_the_line_written_directly_is_the_line_logging_writes(monkeypatch, login, people,
                                                               tenant):
    """In production Joren's JSON handler on the root logger is the only place the request line
    goes, and ``_finish_request`` writes it to the handler's stream without a log record; the
    line is the one the logging path writes (where another handler is on the way)."""
    from joren.platform.observability import logs

    direct_calls = []
    write = logs._write_directly
    monkeypatch.setattr(logs, "_write_directly",
                        lambda *args: (direct_calls.append(1), write(*args)))
    monkeypatch.setattr(logging.getLogger("joren.request"), "level", logging.INFO)
    root = logging.getLogger()
    client = login(people.member)
    lines = []
    for other_handler in (None, logging.NullHandler()):
        stream = io.StringIO()
        ours = make_handler("json", stream)
        monkeypatch.setattr(root, "handlers", [ours, *([other_handler] if other_handler else [])])
        response = client.get("/c/osaka-mixer/", headers={"X-Request-ID": "lb-7f3a9c21-0003"})
        assert response.status_code == 200
        [line] = [json.loads(t) for t in stream.getvalue().splitlines()]
        lines.append(line)
    assert direct_calls == [1]  # the first request only: then a second handler was on the way
    for line in lines:
        line.pop("timestamp")
        line.pop("duration_ms")
    direct, through_logging = lines
    assert list(direct.items()) == list(through_logging.items())
    assert direct["request_id"] == "lb-7f3a9c21-0003" and direct["community_id"] == tenant.id
    assert direct["account_id"] == people.member.id


def test_other_records_of_the_request_logger_take_structlog_s_path(json_log):
    """Only the request line's own record takes the direct path: a plain record of the same
    logger and message, with an exception, is rendered by structlog (its traceback kept)."""
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("joren.request").exception("request", extra={"status": 500})

    [line] = json_log.where(event="request", status=500)
    assert "ValueError: boom" in line["exception"]
    assert line["level"] == "error" and line["logger"] == "joren.request"


def test_tokens_in_urls_never_reach_the_log(json_log, client, login, people, tenant):
    ticket = "Tk4x9QpLm2Zr8vYw3JcN5bHa"  # 24 characters: shorter than gunicorn's old mask
    magic = "eyJhbGciOi.J-IUzI1NiJ9_SIGNEDmagiclinktoken0123456789"
    login(people.member).get(f"/c/osaka-mixer/tickets/{ticket}?code=q-secret-7")
    client.get(f"/login/email/{magic}?next=/c/osaka-mixer/")
    client.get(f"/no-such-page/{magic}?token=q-secret-8")

    text = json_log.text
    for secret in (ticket, magic, "q-secret-7", "q-secret-8"):
        assert secret not in text
    paths = [r["path"] for r in json_log.where(event="request")]
    assert "/c/osaka-mixer/tickets/<token>" in paths
    assert "/login/email/<token>" in paths


def _gunicorn_conf(monkeypatch, tmp_path):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", Path(__file__).parents[2] / "deploy" / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # the config sets it otherwise
    spec.loader.exec_module(conf)
    return conf


def _gunicorn_logger(conf, accesslog=None):
    """The logger gunicorn builds from deploy/gunicorn.conf.py (its settings, as in the run)."""
    from types import SimpleNamespace

    return conf.RedactingLogger(SimpleNamespace(
        errorlog=conf.errorlog, loglevel="info", accesslog=accesslog, syslog=False,
        logconfig=None, logconfig_dict={}, logconfig_json=None, capture_output=False,
        disable_redirect_access_to_syslog=False,
        access_log_format=conf.access_log_format, user=0, group=0, umask=0, env={},
        syslog_addr=None, syslog_prefix=None, syslog_facility="user", dogstatsd_tags="",
        statsd_host=None, statsd_prefix=""))


@pytest.mark.parametrize("env", [{"JOREN_ENV": "production"}, {"LOG_FORMAT": "json"}])
def test_gunicorn_error_log_is_json_and_scrubbed(monkeypatch, tmp_path, capsys, env):
    """With LOG_FORMAT=json (the production default) gunicorn's own lines are JSON too, and a
    token in them (a worker timeout names the request) is masked."""
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    monkeypatch.delenv("JOREN_ENV", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    conf = _gunicorn_conf(monkeypatch, tmp_path)
    logger = _gunicorn_logger(conf)
    logger.info("Booting worker with pid: %s", 4242)
    logger.critical("WORKER TIMEOUT handling /login/email/Tk4x9QpLm2Zr8vYw3JcN5bHaQpLm2Zr8vYw3J")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    assert [(r["event"], r["level"], r["logger"]) for r in lines] == [
        ("Booting worker with pid: 4242", "info", "gunicorn.error"),
        ("WORKER TIMEOUT handling /login/email/[redacted]", "critical", "gunicorn.error"),
    ]


def test_gunicorn_error_log_stays_text_when_asked(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("JOREN_ENV", "production")
    monkeypatch.setenv("LOG_FORMAT", "text")
    logger = _gunicorn_logger(_gunicorn_conf(monkeypatch, tmp_path))
    logger.info("Booting worker with pid: %s", 4242)
    assert "[INFO] Booting worker with pid: 4242" in capsys.readouterr().err


def test_gunicorn_access_log_uses_the_apps_path(monkeypatch, tmp_path):
    """The access log (when switched on) prints the app's token-free path, not the raw one."""
    from types import SimpleNamespace

    conf = _gunicorn_conf(monkeypatch, tmp_path)
    logger = _gunicorn_logger(conf)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/c/x/tickets/Tk4x9QpLm2Zr8vYw3JcN5bHa",
               "QUERY_STRING": "code=1", "RAW_URI": "/c/x/tickets/Tk4x9QpLm2Zr8vYw3JcN5bHa?code=1",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1",
               "joren.log_path": "/c/x/tickets/<token>"}
    resp = SimpleNamespace(status="200 OK", response_length=10, sent=10, headers=[
        ("X-Request-ID", "abc12345")], status_code=200)
    req = SimpleNamespace(headers=[], method="GET", path=environ["PATH_INFO"], query="code=1",
                          uri="/c/x/tickets/Tk4x9QpLm2Zr8vYw3JcN5bHa?code=1")
    import datetime

    atoms = logger.atoms(resp, req, environ, datetime.timedelta(seconds=0.01))
    assert atoms["U"] == "/c/x/tickets/<token>"
    assert "Tk4x9" not in atoms["r"]
    assert "Tk4x9" not in conf.access_log_format % atoms


# ---- metrics ---------------------------------------------------------------------------------

@pytest.fixture()
def metrics_on(app, connection) -> Iterator[None]:
    app.config["METRICS_TOKEN"] = METRICS_TOKEN
    try:
        yield
    finally:
        app.config["METRICS_TOKEN"] = None


def _scrape(client) -> dict:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200, response.status_code
    families = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        families[family.name] = family
    return families


def _samples(family, suffix: str = "", **labels: str) -> list:
    return [s for s in family.samples if s.name == family.name + suffix
            and all(s.labels.get(k) == v for k, v in labels.items())]


def test_metrics_refuse_without_the_token(client, metrics_on):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert b"joren_" not in wrong.data


def test_metrics_are_off_without_a_token_configured(client, connection):
    assert client.get("/metrics").status_code == 404


def test_metrics_expose_requests_jobs_queues_outbox_and_email_failures(
        app, client, session, metrics_on, run_jobs, smtp_server, tenant):
    client.get("/healthz")
    client.get("/no-such-page")
    with app.test_request_context("/"):
        pending = notice(session, to="pending@example.jp", key="m-pending")
        failed = notice(session, to="failed@example.jp", key="m-failed")
        session.commit()
    age(session, failed, status=OutboxStatus.FAILED)
    smtp_server.handler.fail_next = 1  # the first delivery is refused for now (451)
    run_jobs(allow_failures=True)  # the mail job defers its message and raises for a retry
    age(session, pending, created=120)
    with app.app_context():
        enqueue_now("tests.workers.sample_jobs.always_fails", queue="default", retry=None)
        enqueue_now("tests.workers.sample_jobs.member_emails", tenant.id, queue="default")
    run_jobs(allow_failures=True)
    with app.app_context():
        enqueue_now("tests.workers.sample_jobs.member_emails", tenant.id, queue="mail")

    families = _scrape(client)

    latency = families["joren_http_request_duration_seconds"]
    assert _samples(latency, "_count", endpoint="web.healthz", status="2xx")[0].value >= 1
    assert _samples(latency, "_count", endpoint="none", status="4xx")[0].value >= 1
    duration = families["joren_job_duration_seconds"]
    ok = _samples(duration, "_count", queue="default",
                  job="tests.workers.sample_jobs.member_emails")
    assert ok[0].value == 1
    assert _samples(duration, "_bucket", queue="default",
                    job="tests.workers.sample_jobs.member_emails", le="+Inf")[0].value == 1
    failures = families["joren_job_failures"]
    assert _samples(failures, "_total", queue="default",
                    job="tests.workers.sample_jobs.always_fails")[0].value == 1
    assert _samples(failures, "_total", queue="default",
                    job="tests.workers.sample_jobs.member_emails")[0].value == 0
    depth = families["joren_queue_depth"]
    assert _samples(depth, queue="mail")[0].value == 1
    assert _samples(depth, queue="default")[0].value == 0
    outbox = families["joren_outbox_messages"]
    assert _samples(outbox, status="pending")[0].value == 1
    assert _samples(outbox, status="failed")[0].value == 1
    oldest = families["joren_outbox_oldest_pending_age_seconds"].samples[0].value
    assert 100 <= oldest < 3600
    email = families["joren_email_send_failures"]
    assert _samples(email, "_total", outcome="retry")[0].value == 1
    assert _samples(email, "_total", outcome="failed")[0].value == 0


def test_the_metrics_page_itself_is_not_timed(client, metrics_on):
    families = _scrape(client)
    families = _scrape(client)
    latency = families.get("joren_http_request_duration_seconds")
    assert latency is None or not _samples(latency, "_count", endpoint="metrics.scrape")


# ---- Sentry ----------------------------------------------------------------------------------

def test_sentry_events_carry_no_tokens(app_config, connection):
    """A real sentry-sdk client with the Flask integration; events caught at its transport."""
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from joren.app import create_app

    sent: list[dict] = []

    class Capture(Transport):
        def capture_envelope(self, envelope):  # type: ignore[no-untyped-def]
            for item in envelope.items:
                if item.type == "event":
                    sent.append(item.payload.json)

    app = create_app({**app_config, "SENTRY_DSN": "https://public@sentry.example.jp/1",
                      "SENTRY_OPTIONS": {"transport": Capture}})

    @app.get("/boom/<token>")
    def boom(token: str):  # type: ignore[no-untyped-def]
        raise RuntimeError(f"failed for /confirm/{token}")

    secret = secrets.token_urlsafe(32)  # made here, so the reported source lines cannot hold it
    query, header, cookie = (secrets.token_hex(8) for _ in range(3))
    try:
        app.test_client().get(f"/boom/{secret}?key={query}", headers={
            "Authorization": f"Bearer {header}", "Cookie": f"s={cookie}"})
        sentry_sdk.flush()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: off again for the rest of the run
    assert sent, "the error was not reported"
    blob = json.dumps(sent)
    for leaked in (secret, query, header, cookie):
        assert leaked not in blob
    assert "RuntimeError" in blob


def test_without_a_dsn_sentry_is_not_imported(tmp_path):
    import subprocess
    import sys

    code = ("import sys; from joren.app import create_app; "
            "create_app({'TESTING': True, 'DATABASE_URL': 'sqlite://'}); "
            "print('sentry_sdk' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, check=True, env={**__import__("os").environ,
                                                        "JOREN_ENV": "test"})
    assert out.stdout.strip().splitlines()[-1] == "False"


