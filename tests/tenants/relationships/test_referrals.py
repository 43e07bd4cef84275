"""Referrals: recording one, closing it as won (a value in yen, validated) or lost, both sides
seeing it, and nobody else touching it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from joren.platform.tenancy import unscoped
from joren.tenants.relationships import referrals, services
from joren.tenants.relationships.models import Referral, ReferralStatus
from joren.tenants.relationships.services import LedgerError
from tests import factories
from tests.tenants.helpers import in_english, reload
from tests.tenants.relationships.ledger_helpers import referral

pytestmark = pytest.mark.usefixtures("clock")

NETWORK = "/c/osaka-mixer/network"


@pytest.mark.parametrize(("typed", "value"), [
    ("1200000", 1_200_000), ("1,200,000", 1_200_000), ("¥1,200,000", 1_200_000),
    ("￥１，２００，０００", 1_200_000), ("1200000円", 1_200_000), (" 0 ", 0), (5000, 5000),
    ("1,000,000,000", 1_000_000_000)])
def test_parse_jpy_accepts_what_people_type(typed, value):
    assert referrals.parse_jpy(typed) == value


@pytest.mark.parametrize(("typed", "code"), [
    ("", "value_required"), (None, "value_required"), ("abc", "value_not_a_number"),
    ("120万", "value_not_a_number"), ("1.5", "value_not_a_number"), ("1e6", "value_not_a_number"),
    ("-5", "value_negative"), ("−5000", "value_negative"), ("1,000,000,001", "value_too_large"),
    ("99999999999999999999999", "value_too_large"), ("١٢٣", "value_not_a_number"),
    (True, "value_not_a_number")])
def test_parse_jpy_refuses_with_a_reason(typed, code):
    with pytest.raises(LedgerError) as refused:
        referrals.parse_jpy(typed)
    assert refused.value.code == code


def test_record_and_close_update_the_ledger_both_ways(session, scoped, tenant):
    giver, receiver = factories.member(session, tenant), factories.member(session, tenant)
    s = scoped(tenant)
    ref = referrals.record_referral(s, giver.id, receiver.id, "  オフィス移転を検討中の顧客  ")
    assert ref.description == "オフィス移転を検討中の顧客"
    assert ref.given_on == services.community_today(s)
    row = services.relationship_of(s, giver.id, receiver.id)
    mine = "referrals_low_to_high" if giver.id < receiver.id else "referrals_high_to_low"
    assert getattr(row, mine) == 1 and row.referral_value == 0
    referrals.close_referral(s, ref, receiver.id, won=True, value="2,500,000")
    assert (ref.status, ref.value_jpy, ref.closed_on) == (
        ReferralStatus.CLOSED_WON, 2_500_000, services.community_today(s))
    assert services.relationship_of(s, giver.id, receiver.id).referral_value == 2_500_000
    # Either side may correct it; lost clears the value.
    referrals.close_referral(s, ref, giver.id, won=False, value="999")
    assert (ref.status, ref.value_jpy) == (ReferralStatus.CLOSED_LOST, None)
    assert services.relationship_of(s, giver.id, receiver.id).referral_value == 0


def test_referral_rules(session, scoped, tenant, other_tenant):
    giver, receiver = factories.member(session, tenant), factories.member(session, tenant)
    third = factories.member(session, tenant)
    stranger = factories.member(session, other_tenant)
    s = scoped(tenant)
    today = services.community_today(s)
    for args, options, code in (
            ((giver.id, giver.id, "x"), {}, "same_person"),
            ((giver.id, receiver.id, "   "), {}, "description_required"),
            ((giver.id, receiver.id, "x" * 501), {}, "description_too_long"),
            ((giver.id, receiver.id, "x"), {"given_on": today + timedelta(days=1)}, "future"),
            ((giver.id, receiver.id, "x"), {"given_on": today - timedelta(days=4000)},
             "too_old"),
            ((giver.id, stranger.id, "x"), {}, "unknown_member")):
        with pytest.raises(LedgerError) as refused:
            referrals.record_referral(s, *args, **options)
        assert refused.value.code == code
    ref = referrals.record_referral(s, giver.id, receiver.id, "紹介",
                                    given_on=today - timedelta(days=3))
    for actor, options, code in (
            (third.id, {"won": True, "value": "5"}, "not_yours"),
            (receiver.id, {"won": True, "value": "-1"}, "value_negative"),
            (receiver.id, {"won": False, "closed_on": today - timedelta(days=5)},
             "closed_before_given")):
        with pytest.raises(LedgerError) as refused:
            referrals.close_referral(s, ref, actor, **options)
        assert refused.value.code == code
    assert ref.status == ReferralStatus.OPEN
    assert s.scalar(select(func.count(Referral.id))) == 1


def test_both_sides_see_the_referral_and_its_value(session, tenant, people, login,
                                                   member_client):
    me = people.member_member
    receiver_account = factories.account(session, "receiver@example.jp", language="en")
    receiver = factories.member(session, tenant, receiver_account, family_name="受取",
                                given_name="人")
    session.commit()
    client = in_english(member_client)
    form = client.get(f"{NETWORK}/{receiver.id}/referral")
    assert form.status_code == 200 and "受取 人" in form.get_data(as_text=True)
    done = client.post(f"{NETWORK}/{receiver.id}/referral",
                       data={"description": "採用に困っている製造業の社長"})
    assert done.status_code == 303
    with unscoped(session):
        ref = session.scalar(select(Referral))
    assert (ref.giver_id, ref.receiver_id) == (me.id, receiver.id)
    other = in_english(login(receiver_account))
    page = other.get(f"{NETWORK}/referrals/{ref.id}")
    assert page.status_code == 200 and "採用に困っている製造業の社長" in page.get_data(as_text=True)
    closed = other.post(f"{NETWORK}/referrals/{ref.id}",
                        data={"outcome": "won", "value": "1,200,000"})
    assert closed.status_code == 303
    assert reload(session, Referral, ref.id).value_jpy == 1_200_000
    for c in (client, other):
        text = c.get(NETWORK).get_data(as_text=True)
        assert "¥1,200,000" in text and "Closed: business won" in text
        assert "採用に困っている製造業の社長" in text


@pytest.mark.parametrize(("value", "message"), [
    ("-1000", "The value cannot be negative."),
    ("たくさん", "Please enter the value in whole yen using digits only"),
    ("99999999999999", "That value is too large."),
    ("", "Please enter the value of the business in yen.")])
def test_bad_values_are_explained_and_nothing_changes(session, tenant, people, member_client,
                                                      value, message):
    ref = referral(session, factories.member(session, tenant), people.member_member)
    session.commit()
    page = in_english(member_client).post(f"{NETWORK}/referrals/{ref.id}",
                                          data={"outcome": "won", "value": value})
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    fresh = reload(session, Referral, ref.id)
    assert (fresh.status, fresh.value_jpy) == (ReferralStatus.OPEN, None)


def test_only_the_two_people_open_a_referral(session, tenant, people, member_client):
    ref = referral(session, factories.member(session, tenant), factories.member(session, tenant))
    session.commit()
    assert member_client.get(f"{NETWORK}/referrals/{ref.id}").status_code == 404
    assert member_client.post(f"{NETWORK}/referrals/{ref.id}",
                              data={"outcome": "lost"}).status_code == 404
    assert reload(session, Referral, ref.id).status == ReferralStatus.OPEN


def test_an_unknown_outcome_is_refused(session, tenant, people, member_client):
    ref = referral(session, people.member_member, factories.member(session, tenant))
    session.commit()
    page = in_english(member_client).post(f"{NETWORK}/referrals/{ref.id}",
                                          data={"outcome": "maybe", "value": "5"})
    assert page.status_code == 422
    assert "Please choose whether the business closed or not." in page.get_data(as_text=True)
    assert reload(session, Referral, ref.id).status == ReferralStatus.OPEN
