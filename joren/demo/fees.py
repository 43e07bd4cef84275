"""The demo's fees: who paid for the past meetups, as a real community's books look.

Almost everyone who came paid ¥3,000 at the door that evening (marked by the staff member);
some paid by bank transfer a few days later (marked by the organizer); a few from the last
two meetups have not paid yet, and one or two older ones were never chased. Receipts are
numbered per year in the order they were paid, and the community's receipt counter goes on
from there. The payments come from a generator of their own, so no other draw changes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from joren.demo.meetups import PRICE_YEN
from joren.tenants.payments.models import PaymentKind, PaymentMethod, PaymentStatus

RECENT_MEETUPS = 2
UNPAID_RECENT = 0.08
UNPAID_OLDER = 0.01
BANK_TRANSFER = 0.12


def past_fees(rng: random.Random, tenant_id: int, attended: list[tuple[int, int]],
              meetup_ids: list[int], past: list[datetime], *, door_marker: int,
              transfer_marker: int, zone: ZoneInfo) -> tuple[list[dict[str, Any]], tuple[int, int]]:
    """Payment rows for ``attended`` ((member id, index of the past meetup) pairs), and the
    receipt counter to leave behind: (year, last number of that year)."""
    rows = []
    for member_id, index in attended:
        recent = index >= len(past) - RECENT_MEETUPS
        if rng.random() < (UNPAID_RECENT if recent else UNPAID_OLDER):
            continue
        if rng.random() < BANK_TRANSFER:
            method, marker = PaymentMethod.BANK_TRANSFER, transfer_marker
            paid_at = past[index] + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 8))
        else:
            method, marker = PaymentMethod.DOOR, door_marker
            paid_at = past[index] + timedelta(minutes=rng.randint(-20, 40))
        rows.append({
            "tenant_id": tenant_id, "member_id": member_id, "meetup_id": meetup_ids[index],
            "kind": PaymentKind.MEETUP_FEE, "amount_jpy": PRICE_YEN, "method": method,
            "status": PaymentStatus.PAID, "paid_at": paid_at, "marked_by_id": marker,
            "marked_at": paid_at, "note": "", "created_at": paid_at,
        })
    rows.sort(key=lambda row: row["paid_at"])
    counter: dict[int, int] = {}
    for row in rows:
        year = row["paid_at"].astimezone(zone).year
        counter[year] = counter.get(year, 0) + 1
        row["receipt_number"] = f"R-{year}-{counter[year]:06d}"
    last_year = max(counter, default=0)
    return rows, (last_year, counter.get(last_year, 0))
