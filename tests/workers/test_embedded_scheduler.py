"""Embedded mode's in-process scheduler: ``joren cron``'s schedule, ticking under a controlled
clock, one scheduler per installation (an OS lock), started only where it should be."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from joren.platform.db import utcnow
from joren.platform.mail.models import OutboxMessage
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.reminders import TEMPLATE as REMINDER_TEMPLATE
from joren.tenants.relationships.habits.services import PREP_TEMPLATE
from joren.workers import embedded
from joren.workers.cron import SCHEDULE
from tests import factories
from tests.tenants.helpers import meetup
from tests.tenants.meetups.helpers_feeds import registration

ROOT = Path(__file__).resolve().parents[2]


def _due_evening(session, tenant, other_tenant):  # type: ignore[no-untyped-def]
    """Three members registered for a meetup in 36 hours (its two-day reminder and its
    "people to meet" are due), and one of another community for another meetup."""
    event = meetup(session, tenant, "十二月定例会", starts_at=utcnow() + timedelta(hours=36))
    members = [factories.member(session, tenant, family_name=name, given_name="一",
                                accepts_introductions=True, offer_1="採用支援")
               for name in ("佐藤", "鈴木", "木村")]
    for m in members:
        registration(session, event, m)
    elsewhere = meetup(session, other_tenant, "神戸の会", starts_at=utcnow() + timedelta(hours=36))
    stranger = factories.member(session, other_tenant, family_name="神戸", given_name="花子")
    registration(session, elsewhere, stranger)
    return event, members, stranger


def _outbox(session):  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.execute(select(OutboxMessage.template, OutboxMessage.to_email,
                                      OutboxMessage.community_id)).all()


def test_the_in_process_schedule_sends_reminders_and_people_to_meet_when_due(
        app, session, tenant, other_tenant, clock, run_jobs, tmp_path):
    event, members, stranger = _due_evening(session, tenant, other_tenant)
    session.commit()
    scheduler = embedded.EmbeddedScheduler(app, lock_file=tmp_path / embedded.LOCK_NAME)
    try:
        first = scheduler.tick()
        # Interval entries run at once; cron entries wait for their time, as under joren cron.
        assert "joren.workers.jobs.sweep_outbox" in first
        assert "joren.workers.reminder_jobs.fan_out_meetup_reminders" not in first
        run_jobs()
        assert not [row for row in _outbox(session) if row.template == REMINDER_TEMPLATE]

        clock.shift(minutes=15)
        due = scheduler.tick()
        assert "joren.workers.reminder_jobs.fan_out_meetup_reminders" in due
        assert "joren.workers.habit_jobs.fan_out_meetup_habit_emails" in due
        assert scheduler.tick() == []  # nothing is due twice in the same minute
        run_jobs()
    finally:
        scheduler.release()

    sent = _outbox(session)
    reminders = {row.to_email for row in sent if row.template == REMINDER_TEMPLATE}
    prep = {row.to_email for row in sent if row.template == PREP_TEMPLATE}
    assert reminders == {m.email for m in members} | {stranger.email}
    assert prep == {m.email for m in members} | {stranger.email}
    # Each community's emails belong to it.
    assert {row.community_id for row in sent if row.to_email == stranger.email} == {
        other_tenant.id}


def test_the_embedded_schedule_is_joren_crons_schedule(app, tmp_path):
    scheduler = embedded.EmbeddedScheduler(app, lock_file=tmp_path / embedded.LOCK_NAME)
    assert [entry for entry, _timing in scheduler.entries] == list(SCHEDULE)
    assert {embedded.job_name(entry) for entry in SCHEDULE} >= {
        "joren.workers.reminder_jobs.fan_out_meetup_reminders",
        "joren.workers.habit_jobs.fan_out_meetup_habit_emails",
        "joren.workers.introduction_jobs.fan_out_introduction_cycles",
    }


HOLDER = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("held", flush=True)
sys.stdin.readline()
"""


def test_only_one_process_of_an_installation_runs_the_schedule(app, tmp_path):
    lock = tmp_path / embedded.LOCK_NAME
    other = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        standby = embedded.EmbeddedScheduler(app, lock_file=lock)
        assert standby.tick() == [] and not standby.holds_lock
    finally:
        assert other.stdin is not None
        other.stdin.write("\n")
        other.stdin.flush()
        other.wait(timeout=30)
    # The holder is gone (the OS released its lock): the next tick takes over.
    assert standby.tick() and standby.holds_lock
    second = embedded.EmbeddedScheduler(app, lock_file=lock)
    try:
        assert second.tick() == [] and not second.holds_lock
    finally:
        standby.release()
        second.release()


def test_the_lock_sits_next_to_the_sqlite_file(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "DATABASE_URL", f"sqlite:///{tmp_path / 'x' / 'j.sqlite3'}")
    assert embedded.lock_path(app) == (tmp_path / "x" / embedded.LOCK_NAME).resolve()
    monkeypatch.setitem(app.config, "DATABASE_URL", "postgresql+psycopg://db/joren")
    assert embedded.lock_path(app) == Path(app.instance_path) / embedded.LOCK_NAME


def test_no_in_process_scheduler_with_redis_or_under_tests(app, monkeypatch):
    assert not embedded.wanted(app)  # the test suite ticks it itself
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/0")
    assert not embedded.wanted(app)  # joren cron runs the schedule
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    assert embedded.wanted(app)


def test_the_start_up_message_says_the_schedule_runs_in_the_web_process(tmp_path):
    from joren.platform.config import load_config

    config = load_config(str(tmp_path), {"JOREN_ENV": "development"})
    assert any("schedule" in used and "inside the web process" in used
               for used in config["EMBEDDED_DEFAULTS"])
    assert config["EMBEDDED_CRON_TICK"] == 30
    with_redis = load_config(str(tmp_path), {"JOREN_ENV": "development",
                                             "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert not any("schedule" in used for used in with_redis["EMBEDDED_DEFAULTS"])


@pytest.mark.parametrize("target", ["worker", "cron"])
def test_make_worker_and_cron_pass_base_url(target, tmp_path):
    # The install stamp is a file of its own, newer than pyproject.toml, so even its recipe is
    # not printed. (Naming the Makefile itself made make *remake* it, which -n does not stop:
    # a checkout whose pyproject.toml was newer ran a real pip install.)
    stamp = tmp_path / "installed"
    stamp.touch()
    os.utime(stamp, (time.time() + 60, time.time() + 60))
    dry = subprocess.run(["make", "-n", "-C", str(ROOT), target,
                          "BASE_URL=https://joren.example.jp", f"INSTALLED={stamp}"],
                         capture_output=True, text=True, timeout=30)
    assert dry.returncode == 0, dry.stderr
    assert f"BASE_URL=https://joren.example.jp .venv/bin/joren {target}" in dry.stdout
    assert "pip install" not in dry.stdout


SEED = """
from datetime import timedelta
from joren.app import create_app
from joren.platform.db import Base, db, utcnow
from tests import factories
from tests.tenants.helpers import meetup
from tests.tenants.meetups.helpers_feeds import registration

app = create_app()
with app.app_context():
    Base.metadata.create_all(db.engine)
    session = db.sessionmaker()
    community = factories.community(session, slug="embedded", name="埋め込み交流会")
    event = meetup(session, community, "十二月定例会", starts_at=utcnow() + timedelta(hours=36))
    for name in ("佐藤", "鈴木"):
        member = factories.member(session, community, family_name=name, given_name="一",
                                  accepts_introductions=True, offer_1="採用支援")
        registration(session, event, member)
    session.commit()
"""


def _served(url: str, deadline: float) -> bool:
    import time
    import urllib.request

    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost
                return response.status == 200
        except OSError:
            time.sleep(0.2)
    return False


def _templates(database: Path) -> dict[str, str]:
    import sqlite3

    with sqlite3.connect(database) as conn:
        return dict(conn.execute("SELECT template, status FROM outbox_messages"))


@pytest.mark.real_clock
def test_joren_run_alone_sends_a_reminder_and_people_to_meet(tmp_path):
    """``joren run`` on embedded defaults, nothing else started: the due emails appear in
    /dev/mail on the scheduler's first tick."""
    import os
    import time
    import urllib.request

    from tests.live import free_port

    database = tmp_path / "joren.sqlite3"
    env = {k: v for k, v in os.environ.items()
           if k not in {"REDIS_URL", "SMTP_URL", "FLASK_APP", "JOREN_ENV", "DATABASE_URL"}}
    env.update(DATABASE_URL=f"sqlite:///{database}", EMBEDDED_CRON_TICK="1",
               JOREN_ENV="development", PYTHONPATH=str(ROOT))
    seed = subprocess.run([sys.executable, "-c", SEED], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert seed.returncode == 0, seed.stderr
    assert _templates(database) == {}

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", "from joren.app import main; main()", "run",
         "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        assert _served(f"http://127.0.0.1:{port}/dev/mail", deadline)
        while time.monotonic() < deadline:
            sent = _templates(database)
            if sent.get(REMINDER_TEMPLATE) == "sent" and sent.get(PREP_TEMPLATE) == "sent":
                break
            time.sleep(0.5)
        assert _templates(database) == {REMINDER_TEMPLATE: "sent", PREP_TEMPLATE: "sent"}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/dev/mail",  # noqa: S310
                                    timeout=10) as response:
            page = response.read().decode()
        assert "十二月定例会" in page and page.count("member") >= 4
        assert (database.parent / embedded.LOCK_NAME).exists()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "runs joren cron's schedule" in output
    assert "inside the web process" in output
