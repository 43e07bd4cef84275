"""The survey email's link: it names the community, the meetup and the attendee, so it answers
without signing in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from joren.platform.signing import LinkInvalid, LinkKind

# Shipped salt and lifetime: links in inboxes carry them.
SURVEY = LinkKind("joren.survey", timedelta(days=30))


def survey_token(tenant_id: int, meetup_id: int, member_id: int) -> str:
    return SURVEY.sign({"c": tenant_id, "m": meetup_id, "p": member_id})


def read_survey_token(token: str, tenant_id: int | None) -> tuple[int, int] | None:
    """(meetup id, member id) the token names in this community, or None."""
    try:
        data: Any = SURVEY.read(token, valid=lambda payload: isinstance(payload, dict))
    except LinkInvalid:
        return None
    if tenant_id is None or data.get("c") != tenant_id:
        return None
    meetup_id, member_id = data.get("m"), data.get("p")
    if not isinstance(meetup_id, int) or not isinstance(member_id, int):
        return None
    return meetup_id, member_id
