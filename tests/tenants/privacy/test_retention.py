"""Retention (issue 17): uploaded files, sent emails and Stripe's payloads are emptied when
their period has passed (the community's own, else the installation's); waiting emails and
recent rows are never touched; another community's rows follow their own settings and an
organizer cannot change another community's periods."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from joren.models import ImportBatch, OutboxMessage, OutboxStatus, RetentionSettings, StripeEvent
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.tenants.imports.models import ImportKind
from joren.workers import privacy_jobs

DAY = timedelta(days=1)


def _email(session, community, key: str, status: OutboxStatus, age: timedelta):  # type: ignore[no-untyped-def]
    row = OutboxMessage(idempotency_key=key, template="t", to_email=f"{key}@example.jp",
                        language="ja", subject="件名", text_body="本文", html_body="<p>本文</p>",
                        status=status, community_id=community.id if community else None)
    session.add(row)
    session.flush()
    row.created_at = utcnow() - age
    return row


def _batch(session, community, age: timedelta):  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = ImportBatch(tenant_id=community.id, kind=ImportKind.MEMBERS,
                          text="氏名,メール\n山田太郎,yamada@example.jp\n")
        session.add(row)
        session.flush()
        row.created_at = utcnow() - age
    return row


def test_the_nightly_purge_empties_what_is_past_its_period(app, session, tenant,
                                                           other_tenant, clock):
    old_file, new_file = _batch(session, tenant, 31 * DAY), _batch(session, tenant, 29 * DAY)
    other_file = _batch(session, other_tenant, 31 * DAY)
    sent_old = _email(session, tenant, "sent-old", OutboxStatus.SENT, 91 * DAY)
    sent_new = _email(session, tenant, "sent-new", OutboxStatus.SENT, 89 * DAY)
    waiting = _email(session, tenant, "waiting", OutboxStatus.PENDING, 200 * DAY)
    account_mail = _email(session, None, "account", OutboxStatus.SENT, 91 * DAY)
    event = StripeEvent(stripe_event_id="evt_old", type="invoice.paid",
                        event_created_at=utcnow() - 100 * DAY, payload='{"email": "x@y.jp"}',
                        processed_at=utcnow() - 100 * DAY)
    session.add(event)
    session.flush()
    event.received_at = utcnow() - 100 * DAY
    # The other community keeps its uploads for a year.
    with unscoped(session):
        session.add(RetentionSettings(tenant_id=other_tenant.id, import_days=365))
    session.commit()

    with app.app_context():
        for community in (tenant, other_tenant):
            privacy_jobs.purge_retained(community.id, "2026-12-06")
        privacy_jobs.purge_retained_installation()
    session.expire_all()
    with unscoped(session):
        assert session.get(ImportBatch, old_file.id).text == ""
        assert "山田太郎" in session.get(ImportBatch, new_file.id).text
        assert "山田太郎" in session.get(ImportBatch, other_file.id).text
        emptied = session.get(OutboxMessage, sent_old.id)
        assert (emptied.to_email, emptied.text_body, emptied.subject) == ("", "", "")
        assert emptied.idempotency_key == "sent-old"  # never sent again
        assert session.get(OutboxMessage, sent_new.id).text_body == "本文"
        assert session.get(OutboxMessage, waiting.id).text_body == "本文"
        assert session.get(OutboxMessage, account_mail.id).to_email == ""
        assert session.get(StripeEvent, event.id).payload == ""


def test_organizers_set_their_own_periods(app, session, login, people, tenant, other_tenant):
    session.commit()
    client = login(people.organizer)
    page = client.get(f"/c/{tenant.slug}/admin/privacy")
    assert page.status_code == 200 and "30" in page.get_data(as_text=True)
    bad = client.post(f"/c/{tenant.slug}/admin/privacy", data={"import_days": "0"})
    assert bad.status_code == 422
    assert "1" in bad.get_data(as_text=True) and "3650" in bad.get_data(as_text=True)
    ok = client.post(f"/c/{tenant.slug}/admin/privacy",
                     data={"import_days": "7", "outbox_days": ""})
    assert ok.status_code == 302
    with unscoped(session):
        rows = session.scalars(select(RetentionSettings)).all()
        assert [(r.tenant_id, r.import_days, r.outbox_days) for r in rows] == [
            (tenant.id, 7, None)]
    # Another community's settings are not theirs to see or change.
    assert client.get(f"/c/{other_tenant.slug}/admin/privacy").status_code in (403, 404)
    assert client.post(f"/c/{other_tenant.slug}/admin/privacy",
                       data={"import_days": "1"}).status_code in (403, 404)
    assert login(people.staff).get(f"/c/{tenant.slug}/admin/privacy").status_code == 403
