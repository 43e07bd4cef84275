"""Walk every community route: another community's ids answer 404 and change nothing, and a
person who is not a member never sees a community's private data.

New routes are covered automatically; a route whose id argument the matrix does not know
fails the test until it is added to ``ID_FACTORIES`` below.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from werkzeug.routing import IntegerConverter, Rule

from joren.models import EventImage, Invitation, Meetup, Member, MemberStatus, Role
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from joren.platform.tenant_guard import without_orm_guard
from joren.tenants.meetups.models import (
    MeetupSeries,
    Registration,
    RegistrationStatus,
    Visibility,
)
from tests import factories
from tests.tenants.helpers import attend, meetup

pytestmark = pytest.mark.usefixtures("clock")

PREFIX = "/c/<slug>/"
METHODS = ("GET", "POST")

# Markers that only the private pages of community A contain.
SECRET_EMAIL = "secret-member@example.jp"
SECRET_COMPANY = "極秘商事"
SECRET_MEETUP = "幹事だけの打ち合わせ"
SECRET_MESSAGE = "内緒のメッセージ"


def _member(session, community) -> Member:  # type: ignore[no-untyped-def]
    return factories.member(session, community, email=f"matrix-{community.slug}@example.jp",
                            company=f"{community.slug}-company", status=MemberStatus.GUEST)


def _meetup(session, community) -> Meetup:  # type: ignore[no-untyped-def]
    return meetup(session, community, f"{community.slug} meetup", is_public=False)


def _invitation(session, community) -> Invitation:  # type: ignore[no-untyped-def]
    target = factories.member(session, community, email=f"invitee-{community.slug}@example.jp")
    with unscoped(session):
        row = Invitation(tenant_id=community.id, member_id=target.id,
                         email=target.email, role=Role.MEMBER, message=SECRET_MESSAGE,
                         nonce="matrix", expires_at=utcnow() + timedelta(days=365),
                         sent_count=1)
        session.add(row)
        session.flush()
    return row


def _series(session, community) -> MeetupSeries:  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = MeetupSeries(tenant_id=community.id, title=f"{community.slug} series",
                           rrule="FREQ=MONTHLY;BYDAY=2TU", dtstart_local="2030-01-08T19:00:00",
                           visibility=Visibility.MEMBERS)
        session.add(row)
        session.flush()
    return row


def _event_image(session, community) -> EventImage:  # type: ignore[no-untyped-def]
    series = _series(session, community)
    with unscoped(session):
        row = EventImage(tenant_id=community.id, series_id=series.id,
                         storage_key=f"t{community.id}/series-{series.id}-matrix.jpg",
                         content_type="image/jpeg", width=1200, height=630, byte_size=1)
        session.add(row)
        session.flush()
    return row


def _registration(session, meetup_row, member) -> Registration:  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = Registration(tenant_id=meetup_row.tenant_id, meetup_id=meetup_row.id,
                           member_id=member.id, status=RegistrationStatus.WAITLISTED,
                           waitlist_position=1)
        session.add(row)
        session.flush()
    return row


def _import_batch(session, community):  # type: ignore[no-untyped-def]
    from joren.tenants.imports.models import ImportBatch, ImportKind, ImportStatus

    with unscoped(session):
        row = ImportBatch(tenant_id=community.id, kind=ImportKind.MEMBERS, filename="m.csv",
                          text=f"氏名,会社名\n秘密 太郎,{SECRET_COMPANY}\n", total=1,
                          mapping=["full_name", "company"], status=ImportStatus.PREVIEWED)
        session.add(row)
        session.flush()
    return row


def _journal_entry(session, community):  # type: ignore[no-untyped-def]
    from joren.tenants.relationships.models import JournalEntry

    owner = factories.member(session, community, email=f"journal-{community.slug}@example.jp")
    with unscoped(session):
        row = JournalEntry(tenant_id=community.id, member_id=owner.id, body=SECRET_MESSAGE,
                           written_at=utcnow())
        session.add(row)
        session.flush()
    return row


def _referral(session, community):  # type: ignore[no-untyped-def]
    from joren.tenants.relationships.models import Referral

    giver = factories.member(session, community, email=f"giver-{community.slug}@example.jp")
    receiver = factories.member(session, community, email=f"receiver-{community.slug}@example.jp")
    with unscoped(session):
        row = Referral(tenant_id=community.id, giver_id=giver.id, receiver_id=receiver.id,
                       description=SECRET_MESSAGE, given_on=utcnow().date())
        session.add(row)
        session.flush()
    return row


def _introduction(session, community):  # type: ignore[no-untyped-def]
    from joren.tenants.introductions.models import Introduction, IntroductionSource

    a = factories.member(session, community, email=f"intro-a-{community.slug}@example.jp")
    b = factories.member(session, community, email=f"intro-b-{community.slug}@example.jp")
    with unscoped(session):
        row = Introduction(tenant_id=community.id, member_low_id=min(a.id, b.id),
                           member_high_id=max(a.id, b.id), source=IntroductionSource.ORGANIZER,
                           message=SECRET_MESSAGE, request_note=SECRET_MESSAGE, reasons=[])
        session.add(row)
        session.flush()
    return row


def _payment(session, community, meetup_row=None, member=None):  # type: ignore[no-untyped-def]
    from joren.tenants.payments.models import (
        Payment,
        PaymentKind,
        PaymentMethod,
        PaymentStatus,
    )

    meetup_row = meetup_row or _meetup(session, community)
    member = member or factories.member(session, community,
                                        email=f"payer-{community.slug}@example.jp")
    with unscoped(session):
        row = Payment(tenant_id=community.id, member_id=member.id, meetup_id=meetup_row.id,
                      kind=PaymentKind.MEETUP_FEE, amount_jpy=3000, method=PaymentMethod.DOOR,
                      status=PaymentStatus.PAID, paid_at=utcnow(), note=SECRET_MESSAGE,
                      receipt_number=f"R-2026-{community.id:06d}")
        session.add(row)
        session.flush()
    return row


def _question(session, community, meetup_row=None):  # type: ignore[no-untyped-def]
    from joren.tenants.meetups.questions.models import Question

    meetup_row = meetup_row or _meetup(session, community)
    with unscoped(session):
        row = Question(tenant_id=community.id, meetup_id=meetup_row.id, prompt=SECRET_MESSAGE)
        session.add(row)
        session.flush()
    return row


def _announcement(session, community):  # type: ignore[no-untyped-def]
    from joren.tenants.announcements.models import Announcement, Segment

    with unscoped(session):
        row = Announcement(tenant_id=community.id, subject=SECRET_MESSAGE, body=SECRET_MESSAGE,
                           segment=Segment.EVERYONE)
        session.add(row)
        session.flush()
    return row


ID_FACTORIES: dict[str, Callable[..., Any]] = {
    "member_id": _member,
    "invitation_id": _invitation,
    "meetup_id": _meetup,
    "series_id": _series,
    "registration_id": lambda session, community: _registration(
        session, _meetup(session, community),
        factories.member(session, community, email=f"registrant-{community.slug}@example.jp")),
    "batch_id": _import_batch,
    "introduction_id": _introduction,
    "referral_id": _referral,
    "entry_id": _journal_entry,
    "payment_id": _payment,
    "image_id": _event_image,
    "question_id": _question,
    "announcement_id": _announcement,
}


def community_rules(app: Flask) -> list[Rule]:
    return sorted((r for r in app.url_map.iter_rules() if r.rule.startswith(PREFIX)),
                  key=lambda r: r.rule)


def id_arguments(rule: Rule) -> list[str]:
    converters = rule._converters  # noqa: SLF001 - werkzeug keeps them only here
    return [name for name, conv in converters.items() if isinstance(conv, IntegerConverter)]


def _token_arguments(rule: Rule) -> dict[str, str]:
    """Routes keyed by a secret token (feeds, tickets) get one nobody holds."""
    converters = rule._converters  # noqa: SLF001
    return {name: "matrix-not-a-token" for name, conv in converters.items()
            if not isinstance(conv, IntegerConverter) and name != "slug"}


def _snapshot(session, obj) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    model = type(obj)
    with unscoped(session):
        session.expire_all()
        fresh = session.get(model, obj.id)
        return {c.key: getattr(fresh, c.key) for c in sa_inspect(model).column_attrs}


def _form_for(rule: Rule) -> dict[str, str]:
    """A plausible, valid form for each POST route, so refusal is not just a bad-form error."""
    return {
        "action": "role", "role-role": "organizer", "role-status": "inactive",
        "profile-family_name": "改竄", "emails": "attacker@example.jp", "role": "member",
        "name": "乗っ取り", "kind": "study_group", "timezone": "Asia/Tokyo",
        "default_language": "en",
    }


def test_matrix_knows_every_id_argument(app):
    unknown = {(rule.rule, arg) for rule in community_rules(app) for arg in id_arguments(rule)
               if arg not in ID_FACTORIES}
    assert not unknown, (
        f"community routes with id arguments the route matrix does not know: {sorted(unknown)}; "
        "add a factory for each to ID_FACTORIES in tests/test_route_matrix.py")


def test_the_matrix_covers_the_known_id_routes(app):
    covered = {arg for rule in community_rules(app) for arg in id_arguments(rule)}
    assert covered == set(ID_FACTORIES)


@pytest.fixture()
def other_rows(session, other_tenant, people):  # type: ignore[no-untyped-def]
    rows = {name: make(session, other_tenant) for name, make in ID_FACTORIES.items()}
    attend(session, rows["meetup_id"], rows["member_id"])
    session.commit()
    return rows


def test_another_communitys_ids_are_404_and_unchanged(app, session, tenant, other_rows,
                                                      owner_client):
    checked = 0
    for rule in community_rules(app):
        args = id_arguments(rule)
        if not args:
            continue
        values = {"slug": tenant.slug, **_token_arguments(rule),
                  **{arg: other_rows[arg].id for arg in args}}
        with app.test_request_context():
            url = rule.build(values)[1]
        before = {arg: _snapshot(session, other_rows[arg]) for arg in args}
        for method in METHODS:
            if method not in rule.methods:
                continue
            response = owner_client.open(url, method=method, data=_form_for(rule))
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
            checked += 1
        for arg in args:
            assert _snapshot(session, other_rows[arg]) == before[arg], f"{rule.rule} changed {arg}"
    assert checked >= 6


@pytest.fixture()
def own_rows(session, tenant, people):  # type: ignore[no-untyped-def]
    """Community A's private data, marked so that a leak is easy to spot."""
    secret = factories.member(session, tenant, email=SECRET_EMAIL, company=SECRET_COMPANY,
                              status=MemberStatus.GUEST)
    private = meetup(session, tenant, SECRET_MEETUP, is_public=False)
    attend(session, private, secret)
    rows = {"member_id": secret, "meetup_id": private,
            "invitation_id": _invitation(session, tenant), "series_id": _series(session, tenant),
            "registration_id": _registration(session, private, secret),
            "batch_id": _import_batch(session, tenant),
            "introduction_id": _introduction(session, tenant),
            "referral_id": _referral(session, tenant),
            "entry_id": _journal_entry(session, tenant),
            "payment_id": _payment(session, tenant, private, secret),
            "image_id": _event_image(session, tenant),
            "question_id": _question(session, tenant, private),
            "announcement_id": _announcement(session, tenant)}
    session.commit()
    return rows


@pytest.mark.parametrize("is_public", [True, False])
def test_outsiders_never_see_a_communitys_private_data(app, session, tenant, people, own_rows,
                                                       login, client, is_public):
    tenant.is_public = is_public
    session.commit()
    visitors = {"other community's owner": login(people.other_owner), "anonymous": client}
    for rule in community_rules(app):
        values = {"slug": tenant.slug, **_token_arguments(rule),
                  **{arg: own_rows[arg].id for arg in id_arguments(rule)}}
        with app.test_request_context():
            url = rule.build(values)[1]
        before = {arg: _snapshot(session, own_rows[arg]) for arg in id_arguments(rule)}
        for who, c in visitors.items():
            for method in METHODS:
                if method not in rule.methods:
                    continue
                response = c.open(url, method=method, data=_form_for(rule))
                body = response.get_data(as_text=True)
                assert response.status_code in (200, 302, 400, 403, 404), (who, method, url)
                for secret in (SECRET_EMAIL, SECRET_COMPANY, SECRET_MEETUP, SECRET_MESSAGE):
                    assert secret not in body, f"{who} saw {secret!r} at {method} {url}"
                if response.status_code == 200:
                    assert method == "GET", f"{who} could {method} {url}"
        for arg in id_arguments(rule):
            assert _snapshot(session, own_rows[arg]) == before[arg]
    assert _snapshot(session, tenant)["name"] == "大阪異業種交流会"
    with unscoped(session):
        assert session.scalar(select(func.count(Member.id)).where(
            Member.email == "attacker@example.jp")) == 0


if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql")):
    # The database alone: with the ORM guard switched off, PostgreSQL's row-level security
    # must still keep every route from reaching another community's rows.

    def test_with_the_orm_guard_off_another_communitys_ids_are_still_404(
            app, session, tenant, other_rows, owner_client):
        with without_orm_guard():
            test_another_communitys_ids_are_404_and_unchanged(app, session, tenant, other_rows,
                                                              owner_client)

    @pytest.mark.parametrize("is_public", [True, False])
    def test_with_the_orm_guard_off_outsiders_still_see_nothing(
            app, session, tenant, people, own_rows, login, client, is_public):
        with without_orm_guard():
            test_outsiders_never_see_a_communitys_private_data(
                app, session, tenant, people, own_rows, login, client, is_public)
