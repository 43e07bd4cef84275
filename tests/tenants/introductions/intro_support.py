"""Shared test data for the introduction (cycles, review, opt-in, views) tests."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from joren.models import Community, Member
from joren.platform.tenancy import unscoped
from joren.tenants.engagement.levels import Level
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.introductions import services
from joren.tenants.introductions.models import Introduction, IntroductionSource
from tests import factories


def person(session: Session, community: Community, account: Any = None,
           **fields: Any) -> Member:
    """A consenting member whose work and give/ask are visible to other members."""
    values: dict[str, Any] = {"accepts_introductions": True}
    values.update(fields)
    return factories.member(session, community, account, **values)


def pair(session: Session, community: Community) -> tuple[Member, Member]:
    """佐藤 (English account) offers hiring help; 田中 (no account, Japanese) needs it."""
    en = factories.account(session, "sato@example.jp", language="en")
    sato = person(session, community, en, family_name="佐藤", given_name="健",
                  company="採用ラボ株式会社", title="代表取締役", industry_code="R",
                  website="https://saiyo-lab.example.jp", offer_1="採用支援と求人票の添削",
                  business_description="中小企業の採用を支援しています。")
    tanaka = person(session, community, family_name="田中", given_name="美咲",
                    email="tanaka@example.jp", company="田中製作所", title="専務",
                    industry_code="E", website="https://tanaka-ss.example.jp",
                    challenges="若手の採用に苦戦しています")
    return sato, tanaka


def introduction(session: Session, a: Member, b: Member, *,
                 source: IntroductionSource = IntroductionSource.ORGANIZER,
                 message: str = "", reasons: Any = ()) -> Introduction:
    """A SUGGESTED introduction, made through the service (session scoped to the tenant)."""
    return services.introduce(session, a.id, b.id, source=source, message=message,
                              reasons=reasons)


def level(session: Session, member: Member, value: Level) -> None:
    with unscoped(session):
        session.add(MemberEngagement(tenant_id=member.tenant_id, member_id=member.id,
                                     level=value))
        session.flush()


LINK = re.compile(r"https?://\S+/introductions/answer/\S+")


def answer_links(message: Any) -> list[str]:
    """The Accept and Decline links of a proposal email, as paths (accept first)."""
    text = message.get_body(("plain",)).get_content()
    return [url.removeprefix("http://localhost") for url in LINK.findall(text)]


def by_recipient(messages: list[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for message in messages:
        out.setdefault(message["To"].addresses[0].addr_spec, []).append(message)
    return out


def text_of(message: Any) -> str:
    return str(message.get_body(("plain",)).get_content())


def html_of(message: Any) -> str:
    return str(message.get_body(("html",)).get_content())
