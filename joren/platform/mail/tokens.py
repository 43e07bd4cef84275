"""Signed unsubscribe tokens: no sign-in needed, cannot be forged or pointed at someone else.

They do not expire: RFC 8058 one-click links must keep working for as long as the email is read.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from joren.platform.urls import external_url

SALT = "joren.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeRequest:
    """What a valid token asks for: this address, this category, from this community (or all)."""

    email: str
    category: str
    community_id: int | None
    language: str | None = None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_unsubscribe_token(
    email: str, category: str, community_id: int | None, language: str | None = None
) -> str:
    payload: dict[str, object] = {"e": email.lower(), "c": category, "t": community_id}
    if language:
        payload["l"] = language
    return _serializer().dumps(payload)


def read_unsubscribe_token(token: str) -> UnsubscribeRequest | None:
    """The request a token stands for, or None when it is not one of ours."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not {"e", "c", "t"} <= data.keys():
        return None
    email, category, community_id = data["e"], data["c"], data["t"]
    language = data.get("l")
    if not (isinstance(email, str) and isinstance(category, str)):
        return None
    if community_id is not None and not isinstance(community_id, int):
        return None
    return UnsubscribeRequest(
        email=email, category=category, community_id=community_id,
        language=language if isinstance(language, str) else None,
    )


def unsubscribe_url(
    email: str, category: str, community_id: int | None, language: str | None = None
) -> str:
    token = make_unsubscribe_token(email, category, community_id, language)
    return external_url("mail.unsubscribe", token=token)
