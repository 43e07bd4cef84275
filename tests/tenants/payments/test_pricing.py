"""Member pricing: who is dues-current on a meetup's date (by a hand-marked payment or a Stripe
subscription), the boundaries of a period in Asia/Tokyo, and what mark_paid and the totals
charge dues-paying members."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.tenants.payments import pricing
from joren.tenants.payments import services as svc
from joren.tenants.payments.models import PaymentMethod, PaymentStatus
from tests import factories
from tests.tenants.helpers import count_statements, meetup
from tests.tenants.meetups.helpers_checkin import register
from tests.tenants.payments.helpers import payments_of
from tests.tenants.payments.stripe.dues_helpers import paid_dues, subscribed, tokyo

pytestmark = pytest.mark.usefixtures("clock")

APRIL_1 = date(2027, 4, 1)
MARCH_31 = date(2027, 3, 31)


@pytest.fixture()
def payer(session, tenant, people):  # type: ignore[no-untyped-def]
    return people.member_member


def _current(scoped, tenant, member, on):  # type: ignore[no-untyped-def]
    return member.id in pricing.dues_current_ids(scoped(tenant), [member.id], on)


def test_a_hand_marked_period_covers_its_first_and_last_day_only(session, scoped, tenant,
                                                                 payer):
    paid_dues(session, payer, date(2026, 4, 1), MARCH_31)
    session.commit()
    assert _current(scoped, tenant, payer, date(2026, 4, 1))
    assert _current(scoped, tenant, payer, MARCH_31)
    assert not _current(scoped, tenant, payer, date(2026, 3, 31))
    assert not _current(scoped, tenant, payer, APRIL_1)  # lapsed the day after


def test_undone_dues_do_not_count(session, scoped, tenant, payer):
    paid_dues(session, payer, date(2026, 4, 1), MARCH_31, status=PaymentStatus.REFUNDED)
    session.commit()
    assert not _current(scoped, tenant, payer, date(2026, 10, 1))


def test_an_active_subscription_covers_the_days_before_its_period_ends(session, scoped, tenant,
                                                                       payer):
    # The period ends at midnight Tokyo time starting April 1: March 31 is covered, April 1 not.
    subscribed(session, payer, "active", tokyo(2027, 4, 1))
    session.commit()
    assert _current(scoped, tenant, payer, MARCH_31)
    assert not _current(scoped, tenant, payer, APRIL_1)


def test_a_period_ending_during_the_day_does_not_cover_that_day(session, scoped, tenant, payer):
    subscribed(session, payer, "trialing", tokyo(2027, 3, 31, 23, 59))
    session.commit()
    assert _current(scoped, tenant, payer, date(2027, 3, 30))
    assert not _current(scoped, tenant, payer, MARCH_31)


@pytest.mark.parametrize("status", ["past_due", "canceled", "unpaid", "incomplete", ""])
def test_a_subscription_that_is_not_active_does_not_count(session, scoped, tenant, payer,
                                                          status):
    subscribed(session, payer, status, tokyo(2027, 4, 1))
    session.commit()
    assert not _current(scoped, tenant, payer, date(2027, 1, 1))


def test_past_due_still_counts_through_the_last_paid_invoice(session, scoped, tenant, payer):
    paid_dues(session, payer, date(2026, 4, 1), MARCH_31, method=PaymentMethod.STRIPE)
    subscribed(session, payer, "past_due", tokyo(2028, 4, 1))
    session.commit()
    assert _current(scoped, tenant, payer, MARCH_31)
    assert not _current(scoped, tenant, payer, APRIL_1)


def test_one_query_for_many_members_and_only_this_community(app, session, scoped, tenant,
                                                            other_tenant, people, payer):
    others = [factories.member(session, tenant, family_name=f"会員{n}") for n in range(5)]
    for person in others[:3]:
        paid_dues(session, person, date(2026, 4, 1), MARCH_31)
    subscribed(session, others[4], "active", tokyo(2027, 6, 1))
    stranger = factories.member(session, other_tenant, family_name="他所")
    paid_dues(session, stranger, date(2026, 4, 1), MARCH_31)
    session.commit()
    s = scoped(tenant)
    held = s.get(Community, tenant.id)  # a request holds its community (g.community)
    ids = [p.id for p in others] + [payer.id, stranger.id]
    with count_statements(app) as statements:
        current = pricing.dues_current_ids(s, ids, date(2027, 1, 10))
    assert len(statements) == 1, statements.statements
    assert held is not None
    assert current == {others[0].id, others[1].id, others[2].id, others[4].id}
    assert pricing.dues_current_ids(s, [], date(2027, 1, 10)) == set()


# -- fee_for ----------------------------------------------------------------------------

@pytest.fixture()
def evening(session, tenant):  # type: ignore[no-untyped-def]
    # 19:00 in Tokyo on March 31, 2027: 10:00 UTC the same day.
    return meetup(session, tenant, "三月定例会", starts_at=tokyo(2027, 3, 31, 19),
                  price=3000, member_price=2000)


def test_fee_for_uses_the_member_price_when_dues_cover_the_meetup_date(session, scoped,
                                                                        tenant, payer, evening):
    session.commit()
    assert pricing.fee_for(scoped(tenant), evening, payer) == 3000
    lapsed = paid_dues(session, payer, date(2025, 4, 1), date(2026, 3, 31))
    session.commit()
    assert lapsed.period_end < evening.starts_at.date()
    assert pricing.fee_for(scoped(tenant), evening, payer) == 3000
    paid_dues(session, payer, date(2026, 4, 1), MARCH_31)
    session.commit()
    assert pricing.fee_for(scoped(tenant), evening, payer) == 2000
    assert pricing.fee_for(scoped(tenant), evening, None) == 3000  # a guest


def test_the_meetup_date_is_the_local_date_in_tokyo(session, scoped, tenant, payer):
    # 00:30 on April 1 in Tokyo is still March 31 in UTC: the dues ended on March 31.
    late = meetup(session, tenant, "深夜の会", starts_at=tokyo(2027, 4, 1, 0, 30), price=3000,
                  member_price=2000)
    assert late.starts_at.date() == MARCH_31
    paid_dues(session, payer, date(2026, 4, 1), MARCH_31)
    session.commit()
    assert pricing.fee_for(scoped(tenant), late, payer) == 3000
    early = meetup(session, tenant, "朝の会", starts_at=tokyo(2027, 3, 31, 8), price=3000,
                   member_price=2000)
    assert early.starts_at.date() == date(2027, 3, 30)  # UTC says the 30th, Tokyo the 31st
    session.commit()
    assert pricing.fee_for(scoped(tenant), early, payer) == 2000


def test_no_member_price_means_the_same_fee_for_everyone(session, scoped, tenant, payer):
    plain = meetup(session, tenant, "通常の会", starts_at=tokyo(2027, 3, 31, 19), price=3000)
    paid_dues(session, payer, date(2026, 4, 1), MARCH_31)
    session.commit()
    assert plain.member_price is None
    assert pricing.fee_for(scoped(tenant), plain, payer) == 3000


def test_a_lapsed_member_pays_the_full_fee(session, scoped, tenant, payer):
    april = meetup(session, tenant, "四月定例会", starts_at=tokyo(2027, 4, 10, 19), price=3000,
                   member_price=2000)
    paid_dues(session, payer, date(2026, 4, 1), MARCH_31)
    session.commit()
    assert pricing.fee_for(scoped(tenant), april, payer) == 3000


def test_a_free_member_price_is_honoured(session, scoped, tenant, payer):
    free_for_members = meetup(session, tenant, "会員無料", starts_at=tokyo(2027, 3, 1, 19),
                              price=1500, member_price=0)
    paid_dues(session, payer, date(2026, 4, 1), MARCH_31)
    session.commit()
    assert pricing.fee_for(scoped(tenant), free_for_members, payer) == 0


# -- mark_paid and the totals -------------------------------------------------------------

@pytest.fixture()
def upcoming(session, tenant, people):  # type: ignore[no-untyped-def]
    today = utcnow().date()
    crowd = [people.member_member] + [
        factories.member(session, tenant, family_name=f"参加{n}") for n in range(3)]
    evening = meetup(session, tenant, "来週の会", starts_at=utcnow() + timedelta(days=7),
                     price=3000, member_price=2000)
    for person in crowd:
        register(session, evening, person)
    # Two of the four have paid-up dues: one by hand, one by subscription.
    paid_dues(session, crowd[0], today - timedelta(days=30), today + timedelta(days=300))
    subscribed(session, crowd[1], "active", utcnow() + timedelta(days=40))
    session.commit()
    return evening, crowd


def test_mark_paid_charges_the_member_price_to_dues_payers(session, scoped, tenant, people,
                                                          upcoming):
    evening, crowd = upcoming
    s = scoped(tenant)
    actor = s.get(type(people.organizer_member), people.organizer_member.id)
    for person in crowd[:3]:
        svc.mark_paid(s, evening, s.get(type(person), person.id), PaymentMethod.DOOR, actor)
    s.commit()
    amounts = {p.member_id: p.amount_jpy for p in payments_of(session, meetup_id=evening.id)}
    assert amounts == {crowd[0].id: 2000, crowd[1].id: 2000, crowd[2].id: 3000}


def test_totals_reflect_member_prices_in_few_queries(app, session, scoped, tenant, people,
                                                     upcoming):
    evening, crowd = upcoming
    s = scoped(tenant)
    actor = s.get(type(people.organizer_member), people.organizer_member.id)
    svc.mark_paid(s, evening, s.get(type(crowd[0]), crowd[0].id), PaymentMethod.DOOR, actor)
    s.commit()
    s = scoped(tenant)
    held = s.get(Community, tenant.id)
    with count_statements(app) as statements:
        totals = svc.totals(s, evening)
    assert len(statements) == 2 and held is not None
    assert totals.expected == 2000 + 2000 + 3000 + 3000
    assert totals.collected == 2000
    assert totals.outstanding == 2000 + 3000 + 3000
    assert totals.member_price == 2000 and totals.member_count == 2
    rows = {r.member.id: r.fee for r in svc.meetup_rows(scoped(tenant), evening)}
    assert rows == {crowd[0].id: 2000, crowd[1].id: 2000, crowd[2].id: 3000, crowd[3].id: 3000}


def test_totals_without_a_member_price_are_unchanged(session, scoped, tenant, upcoming):
    evening, _crowd = upcoming
    evening.member_price = None
    session.commit()
    totals = svc.totals(scoped(tenant), evening)
    assert totals.expected == 4 * 3000 and totals.outstanding == 4 * 3000
    assert totals.member_price is None and totals.member_count == 0


def test_the_console_list_shows_member_prices(session, organizer_client, tenant, upcoming):
    evening, crowd = upcoming
    html = organizer_client.get(
        f"/c/{tenant.slug}/admin/meetups/{evening.id}/payments").get_data(as_text=True)
    assert 'data-expected="10000"' in html
    assert html.count('data-fee="2000"') == 2 and html.count('data-fee="3000"') == 2


def test_a_member_who_owes_nothing_cannot_be_marked_paid(session, scoped, organizer_client,
                                                        tenant, people, payer):
    from tests.tenants.helpers import in_english

    evening = meetup(session, tenant, "会員無料の会", starts_at=utcnow() + timedelta(days=3),
                     price=2000, member_price=0)
    register(session, evening, payer)
    today = utcnow().date()
    paid_dues(session, payer, today - timedelta(days=3), today + timedelta(days=100))
    session.commit()
    url = f"/c/{tenant.slug}/admin/meetups/{evening.id}/payments"
    in_english(organizer_client).post(f"{url}/mark", data={"member_id": payer.id,
                                                           "method": "door"})
    assert payments_of(session, meetup_id=evening.id) == []
    html = organizer_client.get(url).get_data(as_text=True)
    assert "With paid-up dues, this member pays nothing for this meetup." in html


def _recount(s, evening, on):  # type: ignore[no-untyped-def]
    """(due, unpaid, members, unpaid members), one person at a time: the definition."""
    from sqlalchemy import select

    from joren.tenants.meetups.models import ATTENDED, Attendance, Registration
    from joren.tenants.payments.models import Payment, PaymentKind

    due = set(s.scalars(select(Registration.member_id).where(
        Registration.meetup_id == evening.id, Registration.status == "going")))
    due |= set(s.scalars(select(Attendance.member_id).where(
        Attendance.meetup_id == evening.id, Attendance.status.in_(ATTENDED))))
    paid = set(s.scalars(select(Payment.member_id).where(
        Payment.meetup_id == evening.id, Payment.kind == PaymentKind.MEETUP_FEE,
        Payment.status == PaymentStatus.PAID)))
    current = {m for m in due if pricing.is_dues_current(s, m, on)}
    return len(due), len(due - paid), len(current), len(current - paid)


def test_register_counts_agree_with_a_recount_in_every_case(app, session, scoped, tenant,
                                                            other_tenant, people, upcoming):
    """Member price: registered, walked in, paid, undone, paid but no longer going, and
    another community's dues payer and payments, counted in one statement as one by one."""
    from joren.models import AttendanceStatus, Member
    from joren.tenants.meetups.attendance import set_status

    evening, crowd = upcoming
    s = scoped(tenant)
    owner = s.get(Member, people.organizer_member.id)
    walk_in = factories.member(session, tenant, family_name="飛入")
    paid_dues(session, walk_in, utcnow().date() - timedelta(days=1),
              utcnow().date() + timedelta(days=30))
    leaving = factories.member(session, tenant, family_name="取消")
    register(session, evening, leaving)
    stranger = factories.member(session, other_tenant, family_name="他所")
    paid_dues(session, stranger, utcnow().date() - timedelta(days=1),
              utcnow().date() + timedelta(days=30))
    session.commit()
    s = scoped(tenant)
    owner = s.get(Member, people.organizer_member.id)
    evening = s.get(type(evening), evening.id)
    set_status(s, evening, s.get(Member, walk_in.id), AttendanceStatus.WALK_IN, owner)
    for person in (crowd[0], crowd[2], leaving):
        svc.mark_paid(s, evening, s.get(Member, person.id), PaymentMethod.DOOR, owner)
    undone = svc.mark_paid(s, evening, s.get(Member, crowd[1].id),
                           PaymentMethod.BANK_TRANSFER, owner)
    svc.undo(s, undone, owner)
    s.commit()
    with unscoped_registration(session, evening, leaving) as registration:
        registration.status = "cancelled"
    s = scoped(tenant)
    on = pricing.meetup_date(s, evening)
    held = s.get(Community, tenant.id)  # a request holds its community (g.community)
    with count_statements(app) as statements:
        counts = svc.register_counts(s, evening, 2000)
    assert len(statements) == 1 and held is not None, statements.statements
    assert counts == _recount(s, evening, on) == (5, 3, 3, 2)
    assert svc.register_counts(s, evening)[:2] == (5, 3)
    totals = svc.totals(s, evening)
    assert totals.member_count == 3
    assert totals.outstanding == 2000 * 2 + 3000 * 1
    # Another community sees none of it, and its own figures are its own.
    assert svc.register_counts(scoped(other_tenant), evening, 2000) == (0, 0, 0, 0)


def unscoped_registration(session, evening, member):  # type: ignore[no-untyped-def]
    """The member's registration for ``evening``, changed outside the tenant scope, committed."""
    from contextlib import contextmanager

    from sqlalchemy import select

    from joren.platform.tenancy import unscoped
    from joren.tenants.meetups.models import Registration

    @contextmanager
    def changing():  # type: ignore[no-untyped-def]
        with unscoped(session):
            row = session.scalar(select(Registration).where(
                Registration.meetup_id == evening.id, Registration.member_id == member.id))
            yield row
            session.commit()
    return changing()
