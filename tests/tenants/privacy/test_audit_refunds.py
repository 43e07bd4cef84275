"""A refund asked for in the console is in the audit log with the payment's fields before and
after; the refund Stripe then makes (a job, no one's console action) adds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.models import AuditEntry
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from tests.platform.billing.conftest import billing_on, fake_stripe  # noqa: F401
from tests.tenants.helpers import meetup
from tests.tenants.payments.stripe.refund_helpers import FEE, connect, paid_online

pytestmark = pytest.mark.usefixtures("clock", "billing_on")


def test_a_refund_is_recorded_with_before_and_after(session, app, billing_on, tenant,  # noqa: F811
                                                    people, organizer_client, run_jobs):
    account = connect(session, billing_on, tenant)
    evening = meetup(session, tenant, "返金の会", starts_at=utcnow() + timedelta(days=3),
                     price=FEE, refund_cutoff_hours=48)
    paid = paid_online(session, app, billing_on, account, evening, people.member_member)
    session.commit()
    with unscoped(session):
        before = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    response = organizer_client.post(f"/c/{tenant.slug}/admin/payments/{paid.id}/refund",
                                     data={"confirm": "yes"})
    assert response.status_code == 303
    run_jobs()
    session.expire_all()
    with unscoped(session):
        entries = list(session.scalars(select(AuditEntry).where(
            AuditEntry.id > (before or 0)).order_by(AuditEntry.id)))
    [entry] = entries
    assert (entry.action, entry.entity, entry.entity_id) == ("update", "payments", paid.id)
    assert entry.changes["refund_reason"] == ["", "organizer"]
    assert entry.changes["refund_requested_by_id"] == [None, people.organizer_member.id]
    assert entry.changes["refund_requested_at"][0] is None
    assert entry.actor_member_id == people.organizer_member.id
