"""Signed Accept / Decline links in introduction emails: no sign-in, no column.

A token carries ``[tenant_id, introduction_id, member_id, choice]``, a dated signed link
(``joren.platform.signing``, kind ``ANSWER``): a link older than its lifetime is refused even
if the signature is good. Another community's token never resolves here (the tenant id must
match). Reading raises ``LinkExpired`` or ``LinkInvalid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from joren.platform.signing import LinkKind, ints

ACCEPT = "accept"
DECLINE = "decline"
CHOICES = (ACCEPT, DECLINE)
# Longer than any community's expiry setting: the introduction's own expiry decides first.
# The salt has shipped: links in inboxes carry it.
ANSWER = LinkKind("joren.introduction-answer", timedelta(days=90))


@dataclass(frozen=True)
class Answer:
    introduction_id: int
    member_id: int
    choice: str


def answer_token(tenant_id: int, introduction_id: int, member_id: int, choice: str) -> str:
    if choice not in CHOICES:
        raise ValueError(f"unknown choice {choice!r}")
    return ANSWER.sign([tenant_id, introduction_id, member_id, choice])


def read_answer_token(token: str, tenant_id: int) -> Answer:
    """The answer a link stands for; LinkExpired or LinkInvalid otherwise."""

    def valid(payload: Any) -> bool:
        return (ints(payload, 3) and len(payload) == 4 and payload[3] in CHOICES
                and payload[0] == tenant_id)

    payload = ANSWER.read(token, valid=valid)
    return Answer(introduction_id=payload[1], member_id=payload[2], choice=payload[3])
