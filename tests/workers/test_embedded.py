"""Embedded mode (no REDIS_URL): jobs run in the web process right after the commit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
from joren.app import create_app
from joren.platform.db import Base, db
from joren.platform.mail.outbox import queue_email
from joren.platform.mail.models import OutboxMessage

app = create_app()
with app.app_context():
    Base.metadata.create_all(db.engine)
with app.test_request_context("/"):
    message = queue_email(db.session, to="local@example.jp", template="mail/notice",
                          context={"heading": "ようこそ", "body_text": "ローカルで動いています。"},
                          language="ja", idempotency_key="embedded-1")
    status_before_commit = message.status.value
    db.session.commit()
    message_id = message.id
with app.app_context():
    row = db.session.get(OutboxMessage, message_id)
    print(json.dumps({"before": status_before_commit, "after": row.status.value,
                      "attempts": row.attempts, "async": app.config["RQ_ASYNC"]}))
"""


def test_without_redis_a_queued_email_is_sent_inline_after_commit(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items()
           if k not in {"REDIS_URL", "SMTP_URL", "FLASK_APP", "JOREN_ENV"}}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'embedded.sqlite3'}"
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"before": "pending", "after": "sent", "attempts": 1, "async": False}
