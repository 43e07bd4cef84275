"""Signed links: the one way Joren puts a proof in a URL (sign-up, sign-in, invitations,
unsubscribe, introduction answers, seat offers, "we talked", calendar feeds, tickets).

A ``LinkKind`` names what a link is for (its salt, so a token made for one purpose never opens
another) and how long it works. The salt of a kind that has shipped never changes: links in
inboxes and subscribed calendars carry it. Links that must work for as long as an email is
kept (unsubscribe, calendar feeds) have no lifetime and use itsdangerous' undated format;
every other kind is dated and refused once older than its lifetime.

Reading a link raises ``LinkInvalid`` (forged, altered, for another purpose, not our shape)
or ``LinkExpired`` (good signature, too old), so views can say which to the person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadData, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer


class LinkInvalid(ValueError):
    """Not one of our links for this purpose, or altered."""

    expired = False


class LinkExpired(LinkInvalid):
    """The signature is good but the link is older than its lifetime."""

    expired = True


@dataclass(frozen=True)
class LinkKind:
    """What a signed link is for: ``salt`` (never change a shipped one) and its lifetime.

    ``lifetime`` is a fixed timedelta, the name of a ``TOKEN_MAX_AGE`` setting (seconds, so
    an operator can shorten sign-in links), or None: the link never expires.
    """

    salt: str
    lifetime: timedelta | str | None

    def max_age(self) -> timedelta | None:
        if self.lifetime is None or isinstance(self.lifetime, timedelta):
            return self.lifetime
        return timedelta(seconds=int(current_app.config["TOKEN_MAX_AGE"][self.lifetime]))

    def _serializer(self) -> URLSafeSerializer:
        secret = current_app.config["SECRET_KEY"]
        if self.lifetime is None:
            return URLSafeSerializer(secret, salt=self.salt)
        return URLSafeTimedSerializer(secret, salt=self.salt)

    def sign(self, payload: Any) -> str:
        return str(self._serializer().dumps(payload))

    def read(self, token: str, *, max_age: timedelta | None = None,
             valid: Callable[[Any], bool] | None = None) -> Any:
        """The payload of ``token``; ``max_age`` overrides the lifetime (a shorter one set by a
        community), ``valid`` checks the payload's shape (False: LinkInvalid)."""
        return self._load(token, max_age, valid)[0]

    def read_dated(self, token: str, *, max_age: timedelta | None = None,
                   valid: Callable[[Any], bool] | None = None) -> tuple[Any, datetime]:
        """Like ``read``, with the time the link was signed (UTC), for a link whose meaning
        depends on when it was sent. Only for kinds with a lifetime (undated links carry no
        time)."""
        payload, issued = self._load(token, max_age, valid)
        if issued is None:
            raise TypeError(f"{self.salt} links are not dated")
        return payload, issued if issued.tzinfo else issued.replace(tzinfo=UTC)

    def _load(self, token: str, max_age: timedelta | None,
              valid: Callable[[Any], bool] | None) -> tuple[Any, datetime | None]:
        serializer = self._serializer()
        issued = None
        try:
            if isinstance(serializer, URLSafeTimedSerializer):
                age = max_age if max_age is not None else self.max_age()
                payload, issued = serializer.loads(
                    token, max_age=int(age.total_seconds()) if age else None,
                    return_timestamp=True)
            else:
                payload = serializer.loads(token)
        except SignatureExpired as exc:
            raise LinkExpired() from exc
        except (BadData, UnicodeError, ValueError) as exc:
            raise LinkInvalid() from exc
        if valid is not None and not valid(payload):
            raise LinkInvalid()
        return payload, issued


def ints(payload: Any, count: int) -> bool:
    """Shape check: a list that starts with ``count`` integers (ids, tenant first)."""
    return (isinstance(payload, list) and len(payload) >= count
            and all(type(v) is int for v in payload[:count]))
