"""Sending an announcement to 5,000 members beside queueing the same emails straight into the
outbox, in the same run.

- baseline: ``queue_email`` once per member of an id list read beforehand, committed every
  ``BATCH`` messages (what any feature pays for its emails);
- announcement: ``send_batch`` steps as the sweep runs them (the segment fixed in one statement
  and one executemany per thousand recipients, then batches of ``BATCH`` emails, each recipient
  row pointed at its outbox row).

Prints seconds, messages per second and the ratio; asserts only that every member got exactly
one message each way.

    PYTHONPATH=. python -m pytest -m perf -s tests/perf/test_announcements_perf.py
"""

from __future__ import annotations

import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from joren.models import Member, OutboxMessage
from joren.platform.mail.outbox import queue_email
from joren.platform.tenancy import unscoped
from joren.tenants.announcements import services
from joren.tenants.announcements.models import AnnouncementStatus

pytestmark = [pytest.mark.perf, pytest.mark.usefixtures("clock")]

MEMBERS = int(os.environ.get("ANNOUNCE_BENCH_MEMBERS", "5000"))


def test_announcement_to_5000(app_ctx, session, scoped, tenant, other_tenant, people, clock):
    with unscoped(session):
        session.execute(insert(Member), [
            {"tenant_id": tenant.id, "family_name": "山田", "given_name": f"太郎{n}",
             "family_name_kana": "ヤマダ", "given_name_kana": "タロウ",
             "email": f"bench{n}@example.jp"} for n in range(MEMBERS)])
    session.commit()
    s = scoped(tenant)
    members = list(s.scalars(select(Member).where(Member.email.like("bench%"))))

    began = time.perf_counter()
    for start in range(0, len(members), services.BATCH):
        for member in members[start:start + services.BATCH]:
            queue_email(s, to=member.email or "", template=services.TEMPLATE, language="ja",
                        context={"community_name": tenant.name,
                                 "member_name": member.display_name, "subject": "比較",
                                 "paragraphs": ["本文"], "organizer_name": "",
                                 "portal_url": "https://joren.example/"},
                        idempotency_key=f"bench:{member.id}", community_id=tenant.id,
                        category=services.CATEGORY)
        s.commit()
    baseline = time.perf_counter() - began

    now = clock.now()
    announcement = services.save(s, subject="年末のお知らせ", body="本文です。",
                                 segment="everyone", meetup_id=None,
                                 author=people.organizer_member)
    services.schedule(s, announcement, now + timedelta(minutes=1), now=now)
    s.commit()
    began = time.perf_counter()
    steps = 0
    while services.send_batch(s, tenant, now=now + timedelta(minutes=2)):
        s.commit()
        steps += 1
    sending = time.perf_counter() - began

    total = len(members) + 4  # and the four of ``people``
    assert announcement.status == AnnouncementStatus.SENT
    assert announcement.recipient_count == total
    sent = s.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.idempotency_key.like(f"announcement:{tenant.id}:{announcement.id}:%")))
    assert sent == total
    print(f"\nannouncement to {total} members: {steps} steps (batches of {services.BATCH})")
    print(f"  baseline queue_email x {len(members)}: {baseline:.2f}s "
          f"({len(members) / baseline:.0f} msg/s)")
    print(f"  announcement send_batch:          {sending:.2f}s "
          f"({total / sending:.0f} msg/s), ratio {sending / baseline:.2f}x the baseline")
