"""Signed links for accounts: email verification, password reset and magic sign-in.

Each link is a signed link (``joren.platform.signing``) whose payload also carries
something that changes once the link has done its job, so a used link stops working:
the email address (verify), a fingerprint of the password hash (reset) and the account's
``login_nonce`` (magic link).
"""

from __future__ import annotations

import hashlib
from typing import Any

from joren.platform.identity.account import Account
from joren.platform.security import is_safe_next
from joren.platform.signing import LinkKind

VERIFY = LinkKind("joren.verify", "verify")
RESET = LinkKind("joren.reset", "reset")
MAGIC = LinkKind("joren.magic", "magic")
# An organizer's invitation to join a community (communities/invitations.py).
INVITE_LINK = LinkKind("joren.invite", "invite")


def password_fingerprint(password_hash: str | None) -> str:
    """A short digest of the password hash: it changes whenever the password does."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[-16:]


def verify_token(account: Account, browser: str | None = None) -> str:
    """``browser``: the digest of the sign-up browser's key (services.browser_tag), if any."""
    payload: dict[str, Any] = {"a": account.id, "e": account.email}
    if browser:
        payload["b"] = browser
    return VERIFY.sign(payload)


def reset_token(account: Account) -> str:
    return RESET.sign({"a": account.id, "f": password_fingerprint(account.password_hash)})


def magic_token(account: Account, next_url: str | None = None) -> str:
    payload: dict[str, Any] = {"a": account.id, "n": account.login_nonce, "e": account.email}
    if is_safe_next(next_url):
        payload["next"] = next_url
    return MAGIC.sign(payload)


def token_lifetime(kind: LinkKind) -> int:
    """How long a link of ``kind`` works, in seconds (config TOKEN_MAX_AGE)."""
    age = kind.max_age()
    assert age is not None, "account links always expire"
    return int(age.total_seconds())
