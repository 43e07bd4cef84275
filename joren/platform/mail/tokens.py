"""Signed unsubscribe tokens: no sign-in needed, cannot be forged or pointed at someone else."""

from __future__ import annotations

from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "joren.unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_unsubscribe_token(email: str, category: str, community_id: int | None) -> str:
    return _serializer().dumps({"e": email.lower(), "c": category, "t": community_id})


def read_unsubscribe_token(token: str) -> dict[str, Any] | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not {"e", "c", "t"} <= data.keys():
        return None
    return data


def unsubscribe_url(email: str, category: str, community_id: int | None) -> str:
    token = make_unsubscribe_token(email, category, community_id)
    return f"{current_app.config['BASE_URL']}/unsubscribe/{token}"
