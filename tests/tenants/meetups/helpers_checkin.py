"""Test data for the check-in and attendance tests (registrations are made directly until the
registration services are used here)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from joren.models import Community, Member, MemberStatus
from joren.platform.names import romaji_search_key
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import Meetup, Registration, RegistrationStatus
from tests import factories


def person(session: Session, community: Community, family: str, given: str, family_kana: str,
           given_kana: str, **fields) -> Member:  # type: ignore[no-untyped-def]
    """A member with a reading and the romaji search key the member services keep."""
    return factories.member(session, community, family_name=family, given_name=given,
                            family_name_kana=family_kana, given_name_kana=given_kana,
                            name_romaji=romaji_search_key(family_kana, given_kana), **fields)


def guest(session: Session, community: Community, family: str, given: str, family_kana: str,
          given_kana: str, **fields) -> Member:  # type: ignore[no-untyped-def]
    return person(session, community, family, given, family_kana, given_kana,
                  status=MemberStatus.GUEST, **fields)


def register(session: Session, meetup: Meetup, member: Member,
             status: RegistrationStatus = RegistrationStatus.GOING,
             **fields) -> Registration:  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = Registration(tenant_id=meetup.tenant_id, meetup_id=meetup.id,
                           member_id=member.id, status=status, **fields)
        session.add(row)
        session.flush()
    return row
