"""Plans and their limits, and the checks the rest of Joren calls before it adds something.

Free: one Free community per owner account, up to 50 members, no automatic introductions.
Pro (¥4,980 a month): up to 1,000 members, automatic introductions, and an owner may create
more communities. When members pay the organizer online (Stripe Connect), Joren keeps an
application fee: 5% of the amount on Free, 2.5% on Pro (rounded down to whole yen).

Limits are enforced only where something new would be added; a community that falls back to
Free (after the grace period, or when cancelled) keeps every member, meetup and introduction it
has, it just cannot add more beyond the Free limits.

With billing off (no ``STRIPE_SECRET_KEY``: a self-hosted Joren) there are no limits at all.

Members counted are those with the status "member" (owners, organizers and staff included);
guests who register for a meetup and former (inactive) members are not counted, and guest
registration is never blocked by a plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from joren.platform.billing.models import GRACE_STATUSES, PAID_STATUSES, PlanCode, Subscription
from joren.platform.db import utcnow
from joren.platform.identity.community import Community
from joren.platform.membership.models import Member, MemberStatus, Role
from joren.platform.tenancy import unscoped

AUTO_INTRODUCTIONS = "auto_introductions"
FEATURES = (AUTO_INTRODUCTIONS,)
FREE_COMMUNITIES_PER_OWNER = 1


@dataclass(frozen=True)
class Plan:
    code: str
    name: object  # a lazy translatable string
    price_jpy: int  # per month; JPY has no minor unit: ¥4,980 is 4980
    max_members: int | None
    features: frozenset[str]
    # Joren's application fee on what members pay the organizer online (Stripe Connect), in
    # basis points of the amount: 500 is 5%. Rounded down to whole yen.
    application_fee_bps: int = 0


FREE = Plan("free", _l("Free plan"), 0, 50, frozenset(), application_fee_bps=500)
PRO = Plan("pro", _l("Pro plan"), 4980, 1000, frozenset(FEATURES), application_fee_bps=250)
# Billing off: a self-hosted Joren has every feature and no limits.
UNLIMITED = Plan("unlimited", _l("No limits (billing is off)"), 0, None, frozenset(FEATURES))
PLANS = {FREE.code: FREE, PRO.code: PRO}


class PlanLimitReached(Exception):
    """What the community wants to add is beyond its plan; ``message`` says how to upgrade."""

    def __init__(self, limit: str, message: object) -> None:
        super().__init__(limit)
        self.limit = limit
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Limits:
    plan: Plan
    subscription: Subscription | None
    members: int
    max_members: int | None

    @property
    def members_left(self) -> int | None:
        return None if self.max_members is None else max(0, self.max_members - self.members)

    @property
    def over_members(self) -> bool:
        return self.max_members is not None and self.members > self.max_members

    def allows(self, feature: str) -> bool:
        return feature in self.plan.features


def billing_enabled() -> bool:
    return bool(has_app_context() and current_app.config.get("BILLING_ENABLED")
                and current_app.config.get("STRIPE_SECRET_KEY"))


def _community_id(community: Community | int) -> int:
    return community if isinstance(community, int) else community.id


def subscription_of(session: Session, community: Community | int) -> Subscription | None:
    """The community's subscription row (explicitly filtered, whatever the session's scope)."""
    with unscoped(session):
        return session.scalar(
            select(Subscription).where(Subscription.tenant_id == _community_id(community))
        )


def in_grace(subscription: Subscription | None, now: datetime | None = None) -> bool:
    """A failed payment left the subscription past due, and the grace period still runs."""
    return bool(
        subscription is not None
        and subscription.plan == PlanCode.PRO
        and subscription.status in GRACE_STATUSES
        and subscription.grace_until is not None
        and (now or utcnow()) < subscription.grace_until
    )


def effective_plan(subscription: Subscription | None, now: datetime | None = None) -> Plan:
    """Pro while Stripe says active (or trialing) and during the grace period; Free otherwise."""
    if subscription is None or subscription.plan != PlanCode.PRO:
        return FREE
    if subscription.status in PAID_STATUSES or in_grace(subscription, now):
        return PRO
    return FREE


def plan_for(session: Session, community: Community | int, now: datetime | None = None) -> Plan:
    if not billing_enabled():
        return UNLIMITED
    return effective_plan(subscription_of(session, community), now)


def member_count(session: Session, community: Community | int) -> int:
    with unscoped(session):
        return int(session.scalar(
            select(func.count(Member.id)).where(
                Member.tenant_id == _community_id(community),
                Member.status == MemberStatus.MEMBER,
            )
        ) or 0)


def plan_limits(session: Session, community: Community | int,
                now: datetime | None = None) -> Limits:
    """The community's plan, its subscription row and what it uses of its limits."""
    subscription = subscription_of(session, community)
    plan = effective_plan(subscription, now) if billing_enabled() else UNLIMITED
    return Limits(plan=plan, subscription=subscription, members=member_count(session, community),
                  max_members=plan.max_members)


def members_message(plan: Plan) -> object:
    if plan.code == FREE.code:
        return _l("The Free plan allows up to %(max)d members. Upgrade to Pro on the billing "
                  "page to add more; nobody is removed and nothing is lost.",
                  max=plan.max_members)
    return _l("Your plan allows up to %(max)d members. Please contact us to go beyond that.",
              max=plan.max_members)


FEATURE_MESSAGES = {
    AUTO_INTRODUCTIONS: _l("Automatic introductions are part of the Pro plan. Upgrade to Pro on "
                           "the billing page to send suggestions without reviewing each one."),
}
COMMUNITIES_MESSAGE = _l("The Free plan includes one community per owner. Upgrade your "
                         "community to Pro on its billing page to create another one.")


def check_limit(session: Session, community: Community | int, what: str = "members", *,
                adding: int = 1, now: datetime | None = None) -> None:
    """Raise PlanLimitReached if adding ``adding`` members (or turning on the feature ``what``)
    goes beyond the community's plan; do nothing when billing is off."""
    if not billing_enabled():
        return
    if what == "members":
        limits = plan_limits(session, community, now)
        if limits.max_members is not None and limits.members + adding > limits.max_members:
            raise PlanLimitReached("members", members_message(limits.plan))
        return
    if what not in FEATURES:
        raise ValueError(f"unknown limit {what!r}")
    if what not in plan_for(session, community, now).features:
        raise PlanLimitReached(what, FEATURE_MESSAGES[what])


def allows(community: Community, feature: str, session: Session | None = None) -> bool:
    """Whether the community's plan includes ``feature`` (e.g. "auto_introductions")."""
    if feature not in FEATURES:
        raise ValueError(f"unknown feature {feature!r}")
    if not billing_enabled():
        return True
    session = session or object_session(community)
    if session is None:
        raise ValueError("allows() needs a session for a detached community")
    return feature in plan_for(session, community).features


def check_new_community(session: Session, account_id: int, now: datetime | None = None) -> None:
    """Raise PlanLimitReached if the account already owns as many Free communities as allowed.

    Every new community starts on Free, so an owner whose communities are all on Pro may
    create one more; an owner who already has a Free one must upgrade it first.
    """
    if not billing_enabled():
        return
    with unscoped(session):
        owned = list(session.scalars(
            select(Member.tenant_id).where(
                Member.account_id == account_id, Member.role == Role.OWNER,
                Member.status != MemberStatus.INACTIVE,
            )
        ))
        subscriptions = {s.tenant_id: s for s in session.scalars(
            select(Subscription).where(Subscription.tenant_id.in_(owned))
        )} if owned else {}
    free = sum(1 for cid in owned if effective_plan(subscriptions.get(cid), now) == FREE)
    if free >= FREE_COMMUNITIES_PER_OWNER:
        raise PlanLimitReached("communities", COMMUNITIES_MESSAGE)
