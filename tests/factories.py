"""Plain factory functions for test data; each commits nothing (the test transaction holds it)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from joren.models import Account, Community, CommunityKind, Member, MemberStatus, Role
from joren.platform.accounts.sessions import start_session
from joren.platform.security import hash_password
from joren.platform.tenancy import unscoped

_seq = itertools.count(1)
PASSWORD = "correct horse battery staple"
_PASSWORD_HASH: str | None = None


def _password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


def community(session: Session, slug: str | None = None, name: str = "テスト交流会",
              **fields) -> Community:  # type: ignore[no-untyped-def]
    c = Community(slug=slug or f"community-{next(_seq)}", name=name,
                  kind=fields.pop("kind", CommunityKind.CROSS_INDUSTRY), **fields)
    session.add(c)
    session.flush()
    return c


def account(session: Session, email: str | None = None, verified: bool = True,
            **fields) -> Account:  # type: ignore[no-untyped-def]
    a = Account(
        email=(email or f"person{next(_seq)}@example.jp").lower(),
        password_hash=fields.pop("password_hash", _password_hash()),
        email_verified_at=datetime.now(UTC) if verified else None,
        **fields,
    )
    session.add(a)
    session.flush()
    return a


def member(session: Session, community: Community, account: Account | None = None,
           role: Role = Role.MEMBER, status: MemberStatus = MemberStatus.MEMBER,
           **fields) -> Member:  # type: ignore[no-untyped-def]
    n = next(_seq)
    values = {
        "family_name": "山田", "given_name": f"太郎{n}",
        "family_name_kana": "ヤマダ", "given_name_kana": "タロウ",
        "email": account.email if account else f"member{n}@example.jp",
    }
    values.update(fields)
    with unscoped(session):
        m = Member(tenant_id=community.id, account_id=account.id if account else None,
                   role=role, status=status, **values)
        session.add(m)
        session.flush()
    return m


@dataclass
class People:
    owner: Account
    organizer: Account
    staff: Account
    member: Account
    outsider: Account
    other_owner: Account
    owner_member: Member
    organizer_member: Member
    staff_member: Member
    member_member: Member
    other_owner_member: Member


def people(session: Session, tenant: Community, other: Community) -> People:
    owner = account(session, "owner@example.jp", display_name="大家")
    organizer = account(session, "organizer@example.jp")
    staff = account(session, "staff@example.jp")
    plain = account(session, "member@example.jp", language="en")
    outsider = account(session, "outsider@example.jp")
    other_owner = account(session, "other-owner@example.jp")
    return People(
        owner=owner, organizer=organizer, staff=staff, member=plain, outsider=outsider,
        other_owner=other_owner,
        owner_member=member(session, tenant, owner, Role.OWNER, family_name="大家",
                            given_name="一郎", family_name_kana="オオヤ",
                            given_name_kana="イチロウ"),
        organizer_member=member(session, tenant, organizer, Role.ORGANIZER, family_name="佐藤",
                                given_name="花子", family_name_kana="サトウ",
                                given_name_kana="ハナコ"),
        staff_member=member(session, tenant, staff, Role.STAFF, family_name="鈴木",
                            given_name="次郎", family_name_kana="スズキ", given_name_kana="ジロウ"),
        member_member=member(session, tenant, plain, Role.MEMBER, family_name="田中",
                             given_name="三郎", family_name_kana="タナカ",
                             given_name_kana="サブロウ"),
        other_owner_member=member(session, other, other_owner, Role.OWNER, family_name="高橋",
                                  given_name="四郎", family_name_kana="タカハシ",
                                  given_name_kana="シロウ"),
    )


def login_id(session: Session, account: Account, *, remember: bool = False,
             now: datetime | None = None, user_agent: str = "") -> str:
    """A live session record for ``account``: the "id:secret" a signed-in cookie carries."""
    return start_session(session, account, now=now or datetime.now(UTC), remember=remember,
                         user_agent=user_agent, ip_address="127.0.0.1")
