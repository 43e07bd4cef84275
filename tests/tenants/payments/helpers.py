"""Test data for the payments tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.tenancy import unscoped
from joren.tenants.payments.models import Payment


def payments_of(session: Session, **where) -> list[Payment]:  # type: ignore[no-untyped-def]
    """Fresh rows from the database, whatever community they belong to."""
    with unscoped(session):
        session.expire_all()
        query = select(Payment).order_by(Payment.id)
        for name, value in where.items():
            query = query.where(getattr(Payment, name) == value)
        return list(session.scalars(query))
