"""The demo looks like a real community's books (issue 16, item 15): its meetups are one
series (the series list shows it, its rule in words), most past fees are paid and a few are
not, receipts are numbered, and every member introduces themself in their own words."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from joren.demo import loader
from joren.models import Attendance, Meetup, Member
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.models import ATTENDED, MeetupSeries
from joren.tenants.meetups.series.services import materialize_community
from joren.tenants.payments.models import Payment, PaymentMethod, PaymentSettings, PaymentStatus
from tests.platform.test_cli_demo import FIXED_NOW, demo  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("clock")


def test_the_demo_meetups_are_one_monthly_series(demo):  # noqa: F811
    s, summary, _ = demo
    [series] = s.scalars(select(MeetupSeries)).all()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=2TU" and series.is_active
    meetups = s.scalars(select(Meetup).order_by(Meetup.starts_at)).all()
    assert len(meetups) == summary.meetups == 14
    assert {m.series_id for m in meetups} == {series.id}
    assert all(m.recurrence_id == m.starts_at for m in meetups)
    upcoming = [m for m in meetups if m.starts_at > FIXED_NOW]
    assert len(upcoming) == 2 and all(m.is_detached for m in upcoming)
    # The daily materialising finds everything in place: nothing new, titles kept.
    titles = [m.title for m in meetups]
    assert materialize_community(s, now=FIXED_NOW) == 0
    s.flush()
    assert [m.title for m in s.scalars(select(Meetup).order_by(Meetup.starts_at))] == titles


def test_most_past_fees_are_paid_and_a_few_are_not(demo):  # noqa: F811
    s, _, _ = demo
    past = {m.id for m in s.scalars(select(Meetup).where(Meetup.starts_at < FIXED_NOW))}
    came = {(a.member_id, a.meetup_id) for a in s.scalars(select(Attendance))
            if a.status in ATTENDED and a.meetup_id in past}
    payments = s.scalars(select(Payment)).all()
    paid = {(p.member_id, p.meetup_id) for p in payments if p.status == PaymentStatus.PAID}
    assert paid <= came
    unpaid = came - paid
    assert 0.85 * len(came) < len(paid) < len(came)
    assert 3 <= len(unpaid) <= 0.1 * len(came)
    methods = Counter(p.method for p in payments)
    assert methods[PaymentMethod.DOOR] > methods[PaymentMethod.BANK_TRANSFER] > 0
    assert all(p.amount_jpy == 3000 and p.receipt_number for p in payments)
    assert len({p.receipt_number for p in payments}) == len(payments)
    settings = s.scalar(select(PaymentSettings))
    latest = max(payments, key=lambda p: p.paid_at)
    assert latest.receipt_number == (
        f"R-{settings.receipt_year}-{settings.receipt_sequence:06d}")


def test_members_introduce_themselves_in_their_own_words(demo):  # noqa: F811
    s, _, _ = demo
    texts = [m.business_description for m in s.scalars(select(Member))
             if m.business_description]
    assert len(texts) > 100
    assert len(set(texts)) == len(texts)


def test_the_demo_series_shows_in_the_console_in_words(app, demo, login, session):  # noqa: F811
    s, summary, _ = demo
    s.commit()
    with unscoped(session):
        owner = session.scalar(select(Member).where(Member.email == "organizer@demo.joren.jp"))
        account = owner.account
    client = login(account)
    page = client.get(f"/c/{loader.SLUG}/admin/meetups/series").get_data(as_text=True)
    assert "定例交流会" in page and "FREQ=" not in page
