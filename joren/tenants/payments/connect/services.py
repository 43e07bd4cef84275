"""Stripe Connect: the organizer's own Stripe account, so members can pay the organizer online.

The community gets one Express account, created once: the request's idempotency key is made
from the community id alone, so a retried click or a request that crashed after Stripe
answered gets the same account back, never a second one. Onboarding happens on Stripe's pages
through an account link (short-lived and single-use, so a new one is made each time).

What Joren knows of the account (``ConnectAccount``) is always what Stripe said last: the
``account.updated`` webhook and the organizer's return from onboarding both *retrieve* the
account from Stripe and apply it, so events that arrive late or out of order still leave
Stripe's current state. Members can pay online only when billing is configured and the
account has ``charges_enabled``.

Joren keeps an application fee on each online payment, set by the community's plan
(``Plan.application_fee_bps``), in whole yen rounded down.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.billing import stripe_client
from joren.platform.billing.events import register_connect_handler
from joren.platform.billing.models import StripeEvent
from joren.platform.billing.plans import Plan, billing_enabled, plan_for
from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.tenancy import current_tenant_id, set_tenant, unscoped
from joren.tenants.payments.models import ConnectAccount

log = logging.getLogger("joren.payments")

ACCOUNT_COUNTRY = "JP"
MAX_DUE_LENGTH = 4000


class ConnectError(Exception):
    """Connecting cannot be done now; ``code`` says why ("billing_off", "no_account")."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# -- reading -----------------------------------------------------------------------------

def account_for(session: Session) -> ConnectAccount | None:
    """The connected account of the community the session is scoped to, if there is one."""
    return session.scalar(select(ConnectAccount))


def online_payments_ready(session: Session) -> bool:
    """Members can pay online: billing is configured and Stripe lets the account take charges."""
    if not billing_enabled():
        return False
    account = account_for(session)
    return bool(account is not None and account.charges_enabled)


def fee_bps(session: Session, community: Community | int) -> int:
    return plan_for(session, community).application_fee_bps


def fee_percent(plan_or_bps: Plan | int) -> str:
    """``500`` → ``"5%"``, ``250`` → ``"2.5%"``."""
    bps = plan_or_bps if isinstance(plan_or_bps, int) else plan_or_bps.application_fee_bps
    return f"{bps / 100:g}%"


def application_fee(session: Session, community: Community | int, amount_jpy: int) -> int:
    """Joren's fee on an online payment of ``amount_jpy`` (JPY, whole yen, rounded down)."""
    if amount_jpy < 0:
        raise ValueError("amount_jpy must not be negative")
    return amount_jpy * fee_bps(session, community) // 10000


def requirements(account: ConnectAccount | None) -> list[str]:
    """What Stripe still needs (its ``requirements.currently_due`` codes)."""
    if account is None or not account.requirements_due:
        return []
    return [code for code in account.requirements_due.split(",") if code]


# -- talking to Stripe -------------------------------------------------------------------

def _lock_community(session: Session, community_id: int) -> Community | None:
    return session.scalar(
        select(Community).where(Community.id == community_id).with_for_update())


def fetch_account(account_id: str) -> dict[str, Any]:
    return stripe_client.plain(stripe_client.client().v1.accounts.retrieve(account_id))


def sync_account(session: Session, row: ConnectAccount, data: dict[str, Any]) -> str:
    """Make the row say what Stripe's account object ``data`` says."""
    if data.get("id") != row.stripe_account_id:
        return f"ignored: {data.get('id')} is not {row.stripe_account_id}"
    needs = data.get("requirements") or {}
    due = [str(code) for code in (needs.get("currently_due") or [])]
    row.charges_enabled = bool(data.get("charges_enabled"))
    row.payouts_enabled = bool(data.get("payouts_enabled"))
    row.details_submitted = bool(data.get("details_submitted"))
    row.requirements_due = ",".join(due)[:MAX_DUE_LENGTH]
    row.disabled_reason = str(needs.get("disabled_reason") or "")[:100]
    row.synced_at = utcnow()
    session.flush()
    return (f"community {row.tenant_id}: {row.stripe_account_id} charges "
            f"{'on' if row.charges_enabled else 'off'}, payouts "
            f"{'on' if row.payouts_enabled else 'off'}")


def _create_account(session: Session, community: Community, email: str) -> ConnectAccount:
    params: dict[str, Any] = {
        "type": "express",
        "country": ACCOUNT_COUNTRY,
        "capabilities": {"card_payments": {"requested": True},
                         "transfers": {"requested": True}},
        "metadata": {"community_id": str(community.id), "community_slug": community.slug},
    }
    if email:
        params["email"] = email
    # Keyed by the community alone: whoever retries, and however often, one account.
    key = stripe_client.idempotency_key("community", community.id, "connect-account")
    data = stripe_client.plain(
        stripe_client.client().v1.accounts.create(params, {"idempotency_key": key}))
    row = ConnectAccount(tenant_id=community.id, stripe_account_id=data["id"])
    session.add(row)
    session.flush()
    sync_account(session, row, data)
    return row


def account_link(community: Community, row: ConnectAccount, *, refresh_url: str,
                 return_url: str, fresh: bool = False) -> str:
    """A new onboarding link. Links are short-lived and single-use: a retry within the same
    minute gets the same one back; ``fresh`` (Stripe sent the organizer back because the link
    was used or expired) keys it by the second instead, so it is always a new one."""
    params = {"account": row.stripe_account_id, "refresh_url": refresh_url,
              "return_url": return_url, "type": "account_onboarding"}
    when = utcnow().strftime("%Y%m%dT%H%M%S" if fresh else "%Y%m%dT%H%M")
    key = stripe_client.idempotency_key("community", community.id, "connect-link", when,
                                        params=params)
    link = stripe_client.plain(
        stripe_client.client().v1.account_links.create(params, {"idempotency_key": key}))
    return str(link["url"])


def ensure_account(session: Session, community: Community, *, email: str) -> ConnectAccount:
    """The community's connected account, created at Stripe once and remembered. The caller
    commits it before doing anything else that may fail, so it is never forgotten."""
    if not billing_enabled():
        raise ConnectError("billing_off")
    _lock_community(session, community.id)  # two organizers clicking at once: one account
    row = account_for(session)
    if row is None:
        row = _create_account(session, community, email)
    return row


def start_onboarding(session: Session, community: Community, *, email: str, refresh_url: str,
                     return_url: str, fresh: bool = False) -> str:
    """Create the community's connected account (once) and return an onboarding link."""
    row = ensure_account(session, community, email=email)
    return account_link(community, row, refresh_url=refresh_url, return_url=return_url,
                        fresh=fresh)


def continue_onboarding(session: Session, community: Community, *, refresh_url: str,
                        return_url: str) -> str:
    """A new link for an account that exists (Stripe's ``refresh_url``)."""
    if not billing_enabled():
        raise ConnectError("billing_off")
    row = account_for(session)
    if row is None:
        raise ConnectError("no_account")
    return account_link(community, row, refresh_url=refresh_url, return_url=return_url,
                        fresh=True)


def refresh(session: Session) -> ConnectAccount | None:
    """Retrieve the community's account from Stripe and apply it (the organizer is back from
    onboarding). None when there is no account or billing is off."""
    tenant_id = current_tenant_id(session)
    if tenant_id is None or not billing_enabled():
        return None
    _lock_community(session, tenant_id)
    row = account_for(session)
    if row is None:
        return None
    sync_account(session, row, fetch_account(row.stripe_account_id))
    return row


# -- webhooks ----------------------------------------------------------------------------

def bind_event(session: Session, row: StripeEvent) -> ConnectAccount | None:
    """For a connected-account event: find the community whose account it is, lock the
    community, scope the session to it and note it on the event. None if no community here
    has that account (the event is then left alone)."""
    if not row.account:
        return None
    with unscoped(session):
        community_id = session.scalar(
            select(ConnectAccount.tenant_id)
            .where(ConnectAccount.stripe_account_id == row.account))
    if community_id is None or _lock_community(session, community_id) is None:
        return None
    set_tenant(session, community_id)
    row.community_id = community_id
    return account_for(session)


def on_account_updated(session: Session, row: StripeEvent, obj: dict[str, Any]) -> str:
    account = bind_event(session, row)
    if account is None:
        return f"ignored: {row.account} belongs to no community here"
    # Retrieved once the community is locked: the job that commits last fetched last, so
    # Stripe's current state is what stays, whatever order the events came in.
    return sync_account(session, account, fetch_account(account.stripe_account_id))


def register_events() -> None:
    register_connect_handler("account.updated", on_account_updated)


def disconnect(session: Session) -> str | None:
    """Forget the community's connected account (its community is deleted); returns the id.

    Joren's accounts are Express accounts it created (not OAuth connections), so Stripe has no
    "deauthorize" for them: its only call is deleting the account, which would also take the
    organizer's own Stripe Express dashboard away, with the payouts and tax documents they
    must keep for seven years. So Joren deletes nothing at Stripe: it drops its row, and no
    payment, link or refund can be made for the community any more.
    """
    row = account_for(session)
    if row is None:
        return None
    account_id = row.stripe_account_id
    session.delete(row)
    session.flush()
    log.info("community %s: connected account %s forgotten", row.tenant_id, account_id)
    return account_id
