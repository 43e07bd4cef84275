"""Signed unsubscribe tokens: no sign-in needed, cannot be forged or pointed at someone else.

They do not expire: RFC 8058 one-click links must keep working for as long as the email is read,
so the kind has no lifetime (itsdangerous' undated format) and keeps the salt it shipped with.
"""

from __future__ import annotations

from dataclasses import dataclass

from joren.platform.signing import LinkInvalid, LinkKind
from joren.platform.urls import external_url

UNSUBSCRIBE = LinkKind("joren.unsubscribe", None)


@dataclass(frozen=True)
class UnsubscribeRequest:
    """What a valid token asks for: this address, this category, from this community (or all)."""

    email: str
    category: str
    community_id: int | None
    language: str | None = None


def make_unsubscribe_token(
    email: str, category: str, community_id: int | None, language: str | None = None
) -> str:
    payload: dict[str, object] = {"e": email.lower(), "c": category, "t": community_id}
    if language:
        payload["l"] = language
    return UNSUBSCRIBE.sign(payload)


def read_unsubscribe_token(token: str) -> UnsubscribeRequest | None:
    """The request a token stands for, or None when it is not one of ours."""
    try:
        data = UNSUBSCRIBE.read(token)
    except LinkInvalid:
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
