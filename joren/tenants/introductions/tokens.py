"""Signed Accept / Decline links in introduction emails: no sign-in, no column.

A token carries ``[tenant_id, introduction_id, member_id, choice]``, signed with the app's
secret and its own salt, and dated: a link older than ``MAX_AGE`` is refused even if the
signature is good. Another community's token never resolves here (the tenant id must match).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

SALT = "joren.introduction-answer"
ACCEPT = "accept"
DECLINE = "decline"
CHOICES = (ACCEPT, DECLINE)
# Longer than any community's expiry setting: the introduction's own expiry decides first.
MAX_AGE = timedelta(days=90)


@dataclass(frozen=True)
class Answer:
    introduction_id: int
    member_id: int
    choice: str


class TokenExpired(ValueError):
    """The signature is good but the link is too old."""


class TokenInvalid(ValueError):
    """Not a token of ours, altered, or for another community."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def answer_token(tenant_id: int, introduction_id: int, member_id: int, choice: str) -> str:
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}")
    return str(_serializer().dumps([tenant_id, introduction_id, member_id, choice]))


def read_answer_token(token: str, tenant_id: int,
                      max_age: timedelta | None = None) -> Answer:
    """The answer a link stands for; TokenExpired or TokenInvalid otherwise."""
    age = MAX_AGE if max_age is None else max_age
    try:
        payload = _serializer().loads(token, max_age=int(age.total_seconds()))
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except (BadData, UnicodeError, ValueError) as exc:
        raise TokenInvalid() from exc
    if (not isinstance(payload, list) or len(payload) != 4
            or not all(type(v) is int for v in payload[:3]) or payload[3] not in CHOICES
            or payload[0] != tenant_id):
        raise TokenInvalid()
    return Answer(introduction_id=payload[1], member_id=payload[2], choice=payload[3])
