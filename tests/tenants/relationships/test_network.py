"""The "My network" page: depth against the milestone, what each side may see, following up,
logging a contact in two taps (also from a profile page), and other communities' ids."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from joren.models import MemberStatus
from joren.platform.db import utcnow
from joren.platform.membership.models import ProfileVisibility
from joren.platform.tenancy import unscoped
from joren.tenants.introductions.models import IntroductionStatus
from joren.tenants.relationships import services
from joren.tenants.relationships.models import Contact, ContactKind, Referral, ReferralStatus
from tests import factories
from tests.tenants.helpers import count_statements, in_english
from tests.tenants.relationships.ledger_helpers import (
    attended,
    contact,
    introduction,
    past_meetup,
    referral,
)

pytestmark = pytest.mark.usefixtures("clock")

NETWORK = "/c/osaka-mixer/network"


def _rebuild(scoped, tenant):  # type: ignore[no-untyped-def]
    s = scoped(tenant)
    services.rebuild(s)
    s.commit()


def _contacts(session, by=None) -> int:  # type: ignore[no-untyped-def]
    with unscoped(session):
        stmt = select(func.count(Contact.id))
        if by is not None:
            stmt = stmt.where(Contact.member_id == by.id)
        return session.scalar(stmt)


@pytest.fixture()
def me(people):  # type: ignore[no-untyped-def]
    return people.member_member


def test_network_shows_depth_meetups_introduction_referrals_and_last_contact(
        session, scoped, tenant, people, me, member_client):
    partner = factories.member(session, tenant, family_name="佐々木", given_name="健",
                               company="ささき税理士事務所",
                               work_visibility=ProfileVisibility.MEMBERS)
    meetup = past_meetup(session, tenant, 20)
    attended(session, meetup, me, partner)
    day = meetup.starts_at.date()
    for offset, kind in enumerate((ContactKind.TALKED, ContactKind.ONE_ON_ONE, ContactKind.CALL)):
        contact(session, me if offset % 2 else partner, me if offset % 2 == 0 else partner,
                day + timedelta(days=offset), kind)
    referral(session, partner, me, status=ReferralStatus.CLOSED_WON, value=1_200_000)
    referral(session, me, partner)
    introduction(session, me, partner, IntroductionStatus.CONNECTED, sent_at=utcnow())
    session.commit()
    _rebuild(scoped, tenant)
    page = in_english(member_client).get(NETWORK)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "佐々木 健" in text and "ささき税理士事務所" in text
    assert "3 of 5–7 contacts" in text
    assert 'aria-valuenow="3"' in text and 'aria-valuemax="7"' in text
    assert "Connected" in text
    assert "1 given, 1 received" in text
    assert "¥1,200,000" in text
    assert (day + timedelta(days=2)).strftime("%Y/%m/%d") in text


def test_a_hidden_company_is_never_shown(session, scoped, tenant, me, member_client):
    secret = factories.member(session, tenant, family_name="秘密", given_name="花子",
                              company="極秘商事", work_visibility=ProfileVisibility.ORGANIZERS)
    meetup = past_meetup(session, tenant, 3)
    attended(session, meetup, me, secret)
    contact(session, secret, me, meetup.starts_at.date())
    referral(session, me, secret)
    introduction(session, me, secret, IntroductionStatus.CONNECTED, sent_at=utcnow(),
                 connected_at=utcnow())
    session.commit()
    _rebuild(scoped, tenant)
    text = in_english(member_client).get(NETWORK).get_data(as_text=True)
    assert "秘密 花子" in text
    assert "極秘商事" not in text
    with unscoped(session):
        ref_id = session.scalar(select(Referral.id))
    for url in (f"{NETWORK}/{secret.id}/contact", f"{NETWORK}/{secret.id}/referral",
                f"{NETWORK}/referrals/{ref_id}", f"/c/osaka-mixer/members/{secret.id}"):
        assert "極秘商事" not in member_client.get(url).get_data(as_text=True), url


def test_a_decline_is_never_revealed(session, scoped, tenant, me, member_client):
    decliner = factories.member(session, tenant, family_name="断", given_name="一")
    silent = factories.member(session, tenant, family_name="期限", given_name="切")
    introduction(session, me, decliner, IntroductionStatus.DECLINED, sent_at=utcnow())
    introduction(session, me, silent, IntroductionStatus.EXPIRED, sent_at=utcnow())
    session.commit()
    _rebuild(scoped, tenant)
    text = in_english(member_client).get(NETWORK).get_data(as_text=True)
    assert "断 一" not in text and "期限 切" not in text
    # With a contact logged too, declined and expired look exactly alike.
    contact(session, decliner, me, utcnow().date() - timedelta(days=1))
    contact(session, silent, me, utcnow().date() - timedelta(days=1))
    session.commit()
    _rebuild(scoped, tenant)
    text = member_client.get(NETWORK).get_data(as_text=True)
    assert text.count("Did not connect") == 2
    assert "eclined" not in text and "xpired" not in text


def test_not_followed_up_lists_connections_and_people_met_until_a_contact_is_logged(
        session, scoped, tenant, me, member_client):
    connected = factories.member(session, tenant, family_name="紹介", given_name="済")
    met = factories.member(session, tenant, family_name="会場", given_name="会")
    guest = factories.member(session, tenant, family_name="ゲスト", given_name="客",
                             status=MemberStatus.GUEST)
    old_friend = factories.member(session, tenant, family_name="旧知", given_name="友")
    last = past_meetup(session, tenant, 5)
    attended(session, last, me, met, guest, old_friend)
    contact(session, old_friend, me, last.starts_at.date() + timedelta(days=1))
    introduction(session, me, connected, IntroductionStatus.CONNECTED,
                 sent_at=utcnow() - timedelta(days=9), connected_at=utcnow() - timedelta(days=8))
    session.commit()
    _rebuild(scoped, tenant)
    client = in_english(member_client)
    text = client.get(NETWORK).get_data(as_text=True)
    section = text.split('id="follow-ups"')[1].split("</ul>")[0]
    assert "紹介 済" in section and "Introduced and connected on" in section
    assert "会場 会" in section and last.title in section
    assert "ゲスト" not in section and "旧知" not in section
    # Two taps: the button opens the kinds, a kind posts.
    assert f'action="/c/osaka-mixer/network/{met.id}/contact"' in section
    done = client.post(f"{NETWORK}/{met.id}/contact",
                       data={"kind": "talked", "meetup_id": last.id,
                             "happened_on": last.starts_at.date().isoformat(),
                             "next": NETWORK})
    assert done.status_code == 303 and done.headers["Location"].endswith(NETWORK)
    again = client.post(f"{NETWORK}/{met.id}/contact",
                        data={"kind": "talked", "meetup_id": last.id,
                              "happened_on": last.starts_at.date().isoformat()})
    assert again.status_code == 303
    assert _contacts(session, me) == 1
    client.post(f"{NETWORK}/{connected.id}/contact", data={"kind": "one_on_one"})
    text = client.get(NETWORK).get_data(as_text=True)
    assert "You are up to date" in text
    s = scoped(tenant)
    row = services.relationship_of(s, me.id, met.id)
    assert (row.contacts, row.meetups_together) == (1, 1)


def test_log_a_contact_from_a_profile_page(session, tenant, me, member_client):
    other = factories.member(session, tenant, family_name="名刺", given_name="交換")
    session.commit()
    client = in_english(member_client)
    profile = f"/c/osaka-mixer/members/{other.id}"
    text = client.get(profile).get_data(as_text=True)
    assert f'action="/c/osaka-mixer/network/{other.id}/contact"' in text
    assert "Exchanged business cards" in text
    done = client.post(f"{NETWORK}/{other.id}/contact", data={"kind": "card", "next": profile})
    assert done.status_code == 303 and done.headers["Location"].endswith(profile)
    # An outside "next" is ignored.
    elsewhere = client.post(f"{NETWORK}/{other.id}/contact",
                            data={"kind": "call", "next": "https://evil.example/"})
    assert elsewhere.headers["Location"].endswith(NETWORK)
    with unscoped(session):
        kinds = set(session.scalars(select(Contact.kind).where(Contact.member_id == me.id)))
    assert kinds == {ContactKind.CARD_EXCHANGE, ContactKind.CALL}
    # My own profile has no such form.
    mine = client.get(f"/c/osaka-mixer/members/{me.id}").get_data(as_text=True)
    assert 'id="profile-contact"' not in mine


def test_bad_contact_input_is_explained_and_nothing_is_stored(session, tenant, me,
                                                              member_client):
    other = factories.member(session, tenant)
    session.commit()
    client = in_english(member_client)
    url = f"{NETWORK}/{other.id}/contact"
    for data, message in (
            ({"kind": "wave"}, "Please choose how you were in touch."),
            ({"kind": "call", "happened_on": "2999-01-01"}, "That day has not come yet."),
            ({"kind": "call", "happened_on": "yesterday"}, "Please check the date"),
            ({"kind": "call", "note": "x" * 501}, "Please keep the note to 500 characters.")):
        page = client.post(url, data=data)
        assert page.status_code == 422, data
        assert message in page.get_data(as_text=True)
    assert client.post(f"{NETWORK}/{me.id}/contact", data={"kind": "call"}).status_code == 404
    assert _contacts(session) == 0


def test_another_communitys_member_is_404_and_nothing_is_stored(session, tenant, other_tenant,
                                                                people, me, member_client):
    stranger = factories.member(session, other_tenant, company="神戸の会社")
    theirs = referral(session, stranger, people.other_owner_member)
    inactive = factories.member(session, tenant, status=MemberStatus.INACTIVE)
    session.commit()
    for url, data in ((f"{NETWORK}/{stranger.id}/contact", {"kind": "call"}),
                      (f"{NETWORK}/{stranger.id}/referral", {"description": "紹介"}),
                      (f"{NETWORK}/referrals/{theirs.id}", {"outcome": "won", "value": "5"}),
                      (f"{NETWORK}/{inactive.id}/contact", {"kind": "call"})):
        assert member_client.get(url).status_code == 404, url
        assert member_client.post(url, data=data).status_code == 404, url
    with unscoped(session):
        assert session.scalar(select(func.count(Contact.id))) == 0
        assert session.scalar(select(func.count(Referral.id))) == 1
        assert session.get(Referral, theirs.id).status == ReferralStatus.OPEN


def test_the_network_page_is_for_members(session, tenant, outsider_client, client):
    session.commit()
    assert outsider_client.get(NETWORK).status_code == 403
    assert client.get(NETWORK).status_code == 302


def test_statements_stay_constant_as_the_network_grows(app, session, scoped, tenant, me,
                                                       member_client):
    last = past_meetup(session, tenant, 4)
    attended(session, last, me)

    def grow(count: int) -> None:
        for _ in range(count):
            other = factories.member(session, tenant, company="会社")
            attended(session, last, other)
            contact(session, other, me, last.starts_at.date())
            referral(session, me, other, status=ReferralStatus.CLOSED_WON, value=1000)
            introduction(session, me, other, IntroductionStatus.CONNECTED, sent_at=utcnow(),
                         connected_at=utcnow())
            attended(session, last, factories.member(session, tenant))  # met, no contact
        session.commit()
        _rebuild(scoped, tenant)

    def statements() -> int:
        with count_statements(app) as counted:
            assert member_client.get(NETWORK).status_code == 200
        return len(counted)

    grow(2)
    small = statements()
    grow(10)
    assert statements() == small
