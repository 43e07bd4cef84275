"""The demo community's 120 people: the three with sign-ins (organizer, staff, a regular
member), and the others drawn from the seeded generator, each of a kind of attender (regulars,
returning members, one-timers, lapsed regulars, people who never came), with guests and
inactive members among them.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.demo import data
from joren.platform.db import utcnow
from joren.platform.identity.account import Account
from joren.platform.membership.models import MemberStatus, Role
from joren.platform.names import romaji_forms, romaji_search_key
from joren.platform.security import hash_password
from joren.tenants.members.industries import INDUSTRIES

PASSWORD = "joren-demo-2026"
ACCOUNT_DOMAIN = "demo.joren.jp"
OWNER_EMAIL = f"organizer@{ACCOUNT_DOMAIN}"
STAFF_EMAIL = f"staff@{ACCOUNT_DOMAIN}"
MEMBER_EMAIL = f"member@{ACCOUNT_DOMAIN}"

# How many people of each kind, 120 in all.
GROUPS = {"regular": 20, "returning": 15, "one_timer": 40, "lapsed": 10, "never": 35}
GUEST_ONE_TIMERS = 6
GUEST_RETURNING = 2
GUEST_NEVER = 3
INACTIVE_NEVER = 5
INDUSTRY_CODES = {label.ja: code for code, label in INDUSTRIES.items()}
GIVE_AND_ASK_FIELDS = ("offer_1", "offer_2", "offer_3", "business_description",
                       "ask_description", "challenges", "ask_industries")

# (family, family reading, given, given reading, company, title, industry, email)
KEY_PEOPLE = {
    "owner": ("北村", "キタムラ", "雅之", "マサユキ", "北浜コンサルティング合同会社", "代表社員",
              "学術研究，専門・技術サービス業", OWNER_EMAIL),
    "staff": ("西田", "ニシダ", "彩", "アヤ", "株式会社なにわ企画", "営業部長",
              "サービス業（他に分類されないもの）", STAFF_EMAIL),
    "member": ("山本", "ヤマモト", "翔太", "ショウタ", "株式会社みらいシステムズ", "代表取締役",
               "情報通信業", MEMBER_EMAIL),
}
KEY_ROLES = {"owner": Role.OWNER, "staff": Role.STAFF, "member": Role.MEMBER}


@dataclass
class Person:
    """One member row to insert, and which kind of attender the person is."""

    group: str
    values: dict[str, Any]
    key: str | None = None


def demo_accounts(session: Session) -> dict[str, Account]:
    """The owner, staff and member accounts: verified, with the demo password."""
    accounts = {}
    for key, spec in KEY_PEOPLE.items():
        email = spec[7]
        account = session.scalar(select(Account).where(Account.email == email))
        if account is None:
            account = Account(email=email, password_hash=hash_password(PASSWORD),
                              display_name=f"{spec[0]} {spec[2]}", language="ja",
                              email_verified_at=utcnow())
            session.add(account)
        accounts[key] = account
    session.flush()
    return accounts


def draw_people(rng: random.Random, accounts: dict[str, Account]) -> list[Person]:
    names = _unique_names(rng, sum(GROUPS.values()) - len(KEY_PEOPLE))
    emails: set[str] = set()
    people = [
        Person("regular", _key_member(key, accounts[key]), key=key) for key in KEY_PEOPLE
    ]
    emails.update(spec[7] for spec in KEY_PEOPLE.values())
    for group, size in GROUPS.items():
        count = size - (len(KEY_PEOPLE) if group == "regular" else 0)
        for _ in range(count):
            people.append(Person(group, _random_member(rng, next(names), emails)))
    _set_statuses(people)
    return people


def _unique_names(rng: random.Random, count: int) -> Iterator[tuple[str, str, str, str]]:
    taken = {(spec[0], spec[2]) for spec in KEY_PEOPLE.values()}
    pairs = [(f, g) for f in data.FAMILY_NAMES for g in data.GIVEN_NAMES
             if (f[0], g[0]) not in taken]
    for family, given in rng.sample(pairs, count):
        yield family[0], family[1], given[0], given[1]


def _member(*, account_id: int | None, role: Role, email: str, family: str, family_kana: str,
            given: str, given_kana: str, company: str, title: str,
            industry: str) -> dict[str, Any]:
    return {
        "account_id": account_id, "role": role, "status": MemberStatus.MEMBER, "email": email,
        "family_name": family, "given_name": given, "family_name_kana": family_kana,
        "given_name_kana": given_kana, "name_romaji": romaji_search_key(family_kana, given_kana),
        "company": company, "title": title, "industry": industry,
        "industry_code": INDUSTRY_CODES.get(industry, ""),
        **_give_and_ask(email, company, industry, f"{family}{given}"),
    }


def _give_and_ask(email: str, company: str, industry: str, name: str) -> dict[str, Any]:
    """What the member offers and asks for (data.PROFILES), and consent to introductions for
    four in five. Chosen from the email address, not the random generator, so that its
    sequence (and with it the attendance patterns) stays as it was. Members of one industry
    share a profile's offers, but each signs their introduction (no two read the same)."""
    pick = zlib.crc32(email.encode())
    blank = dict.fromkeys(GIVE_AND_ASK_FIELDS, "")  # one set of keys for the bulk insert
    profile = data.profile_for(company, industry, pick)
    if profile.get("business_description"):
        # Signed at the end, and no more: the matching engine reads this text as one of the
        # member's offers, and longer personal lines outweighed the offers in it.
        profile["business_description"] = "\n".join((
            profile["business_description"], f"{name}（{company}）"))
    return {**blank, **profile, "accepts_introductions": pick % 5 != 0}


def _key_member(key: str, account: Account) -> dict[str, Any]:
    family, family_kana, given, given_kana, company, title, industry, email = KEY_PEOPLE[key]
    values = _member(account_id=account.id, role=KEY_ROLES[key], email=email, family=family,
                     family_kana=family_kana, given=given, given_kana=given_kana,
                     company=company, title=title, industry=industry)
    values["accepts_introductions"] = True  # the demo sign-ins see introductions at work
    return values


def _random_member(rng: random.Random, name: tuple[str, str, str, str],
                   emails: set[str]) -> dict[str, Any]:
    family, family_kana, given, given_kana = name
    industry = rng.choice(list(data.INDUSTRIES))
    patterns, titles = data.INDUSTRIES[industry]
    company = rng.choice(patterns).format(w=rng.choice(data.NAME_WORDS), f=family)
    title = next((t for office, t in data.OFFICE_TITLES.items() if company.endswith(office)),
                 None) or rng.choice(titles)
    return _member(account_id=None, role=Role.MEMBER,
                   email=_email(rng, family_kana, given_kana, emails), family=family,
                   family_kana=family_kana, given=given, given_kana=given_kana,
                   company=company, title=title, industry=industry)


def _email(rng: random.Random, family_kana: str, given_kana: str, taken: set[str]) -> str:
    local = f"{romaji_forms(given_kana)[-1]}.{romaji_forms(family_kana)[-1]}".replace(" ", "")
    domain = rng.choice(data.EMAIL_DOMAINS)
    email = f"{local}@{domain}"
    n = 2
    while email in taken:
        email = f"{local}{n}@{domain}"
        n += 1
    taken.add(email)
    return email


def _set_statuses(people: list[Person]) -> None:
    by_group: dict[str, list[Person]] = {}
    for person in people:
        by_group.setdefault(person.group, []).append(person)
    for person in by_group["one_timer"][:GUEST_ONE_TIMERS]:
        person.values["status"] = MemberStatus.GUEST
    for person in by_group["returning"][:GUEST_RETURNING]:
        person.values["status"] = MemberStatus.GUEST
    never = by_group["never"]
    for person in never[:GUEST_NEVER]:
        person.values["status"] = MemberStatus.GUEST
    for person in never[GUEST_NEVER:GUEST_NEVER + INACTIVE_NEVER]:
        person.values["status"] = MemberStatus.INACTIVE
