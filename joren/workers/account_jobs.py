"""Account emails asked for by anonymous requests (sign-up, reset, magic link).

The request only enqueues; this job looks the address up and queues the right message (or
none), so the request's answer and timing do not depend on whether the address has an
account (issue 11, finding 8).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.platform.accounts import services
from joren.workers.context import platform_job


@platform_job
def send_account_email(session: Session, kind: str, email: str, language: str,
                       next_url: str | None, browser: str | None, key: str) -> str:
    """Queue the account email of ``kind`` for ``email`` if there is one to send."""
    message = services.send_account_email(session, kind, email, language, next_url, browser,
                                          key)
    return "queued" if message is not None else "nothing to send"
