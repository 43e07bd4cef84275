"""Every console route × every role of the community: allowed or 403, exactly as decided.

``EXPECTED`` below is the decision written out route by route (SECURITY.md, "Roles and
capabilities"); it is kept apart from the capability table the code reads, so a route that
declares the wrong capability fails here. A new console route fails the coverage test until it
is added. Another community's ids are covered by ``tests/test_route_matrix.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from joren.models import Member, Role
from joren.platform.db import utcnow
from joren.platform.membership.capabilities import MINIMUM_ROLE, Capability, capabilities_of
from joren.platform.tenancy import unscoped
from tests.tenants.helpers import attend
from tests.test_route_matrix import (
    ID_FACTORIES,
    _form_for,
    _question,
    _registration,
    id_arguments,
)

pytestmark = pytest.mark.usefixtures("clock")

CONSOLE = "/c/<slug>/admin"
OWN, ORG, STF = Role.OWNER, Role.ORGANIZER, Role.STAFF

# (endpoint, method) → the least role allowed.
EXPECTED: dict[tuple[str, str], Role] = {
    # the door: staff
    ("community.console.dashboard", "GET"): STF,
    ("community.meetups.console_list", "GET"): STF,
    ("community.meetups.series_list", "GET"): STF,
    ("community.meetups.console_detail", "GET"): STF,
    ("community.checkin.door", "GET"): STF,
    ("community.checkin.search", "GET"): STF,
    ("community.checkin.check_in", "POST"): STF,
    ("community.checkin.walk_in", "POST"): STF,
    ("community.checkin.scan", "POST"): STF,
    ("community.checkin.print_list", "GET"): STF,
    ("community.checkin.register_view", "GET"): STF,
    ("community.registrations.console_list", "GET"): STF,
    ("community.payments.meetup_payments", "GET"): STF,
    ("community.payments.mark", "POST"): STF,
    # reading members and analytics on screen: staff
    ("community.members.console_list", "GET"): STF,
    ("community.members.console_detail", "GET"): STF,
    ("community.members.invitations", "GET"): STF,
    ("community.analytics.dashboard", "GET"): STF,
    ("community.engagement.member", "GET"): STF,
    ("community.relationships.outcomes_page", "GET"): STF,
    ("community.survey.results_page", "GET"): STF,
    # personal data leaves the screen: organizers
    ("community.checkin.export", "GET"): ORG,
    ("community.registrations.console_export", "GET"): ORG,
    ("community.survey.export", "GET"): ORG,
    ("community.payments.export", "GET"): ORG,
    ("community.imports.export_members", "GET"): ORG,
    # money back: organizers
    ("community.payments.undo", "POST"): ORG,
    ("community.payments.refund", "POST"): ORG,
    ("community.dues.undo", "POST"): ORG,
    # running the community: organizers
    ("community.console.member_story", "GET"): STF,
    ("community.console.member_story", "POST"): ORG,
    ("community.console.manual_registration", "GET"): ORG,
    ("community.console.manual_registration", "POST"): ORG,
    ("community.console.settings", "GET"): ORG,
    ("community.console.settings", "POST"): ORG,
    # the public page: staff read the contact and the embed code; organizers change them
    ("community.public.settings", "GET"): STF,
    ("community.public.settings", "POST"): ORG,
    ("community.public.series_image", "GET"): ORG,
    ("community.public.series_image", "POST"): ORG,
    ("community.public.meetup_image", "GET"): ORG,
    ("community.public.meetup_image", "POST"): ORG,
    ("community.engagement.settings", "GET"): ORG,
    ("community.engagement.settings", "POST"): ORG,
    ("community.analytics.we_miss_you", "POST"): ORG,
    ("community.analytics.we_miss_you_compose", "GET"): ORG,
    ("community.analytics.we_miss_you_selection", "POST"): ORG,
    ("community.announcements.console_list", "GET"): ORG,
    ("community.announcements.new", "GET"): ORG,
    ("community.announcements.new", "POST"): ORG,
    ("community.announcements.detail", "GET"): ORG,
    ("community.announcements.edit", "GET"): ORG,
    ("community.announcements.edit", "POST"): ORG,
    ("community.announcements.schedule", "POST"): ORG,
    ("community.announcements.cancel", "POST"): ORG,
    ("community.questions.console", "GET"): ORG,
    ("community.questions.add", "POST"): ORG,
    ("community.questions.move", "POST"): ORG,
    ("community.questions.delete", "POST"): ORG,
    ("community.meetups.series_new", "GET"): ORG,
    ("community.meetups.series_new", "POST"): ORG,
    ("community.meetups.series_edit", "GET"): ORG,
    ("community.meetups.series_edit", "POST"): ORG,
    ("community.meetups.one_off_new", "GET"): ORG,
    ("community.meetups.one_off_new", "POST"): ORG,
    ("community.meetups.occurrence_edit", "GET"): ORG,
    ("community.meetups.occurrence_edit", "POST"): ORG,
    ("community.meetups.occurrence_cancel", "POST"): ORG,
    ("community.checkin.self_checkin_window", "POST"): ORG,
    ("community.checkin.register_update", "POST"): ORG,
    ("community.registrations.console_action", "POST"): ORG,
    ("community.members.console_detail", "POST"): ORG,
    ("community.privacy_community.remove_member", "GET"): ORG,
    ("community.privacy_community.remove_member", "POST"): ORG,
    ("community.privacy_community.retention_settings", "GET"): ORG,
    ("community.privacy_community.audit_page", "GET"): OWN,
    ("community.privacy_community.audit_csv", "GET"): OWN,
    ("community.privacy_community.export_community", "POST"): OWN,
    ("community.privacy_community.delete_community", "GET"): OWN,
    ("community.privacy_community.delete_community", "POST"): OWN,
    ("community.privacy_community.cancel_community_deletion", "POST"): OWN,
    ("community.privacy_community.retention_settings", "POST"): ORG,
    ("community.privacy_community.notice_editor", "GET"): ORG,
    ("community.privacy_community.notice_editor", "POST"): ORG,
    ("community.profiles.console_edit", "GET"): ORG,
    ("community.profiles.console_edit", "POST"): ORG,
    ("community.members.invite", "POST"): ORG,
    ("community.members.invitation_resend", "POST"): ORG,
    ("community.members.invitation_revoke", "POST"): ORG,
    ("community.imports.new", "GET"): ORG,
    ("community.imports.new", "POST"): ORG,
    ("community.imports.mapping", "GET"): ORG,
    ("community.imports.mapping", "POST"): ORG,
    ("community.imports.preview", "GET"): ORG,
    ("community.imports.preview", "POST"): ORG,
    ("community.imports.status", "GET"): ORG,
    ("community.introductions.queue", "GET"): ORG,
    ("community.introductions.member_search", "GET"): ORG,
    ("community.introductions.history", "GET"): ORG,
    ("community.introductions.run_now", "POST"): ORG,
    ("community.introductions.create", "POST"): ORG,
    ("community.introductions.approve", "POST"): ORG,
    ("community.introductions.skip", "POST"): ORG,
    ("community.introductions.message", "POST"): ORG,
    ("community.introductions.bulk", "POST"): ORG,
    ("community.introductions.settings", "GET"): ORG,
    ("community.introductions.settings", "POST"): ORG,
    ("community.payments.settings", "GET"): ORG,
    ("community.payments.settings", "POST"): ORG,
    ("community.dues.settings", "GET"): ORG,
    ("community.dues.settings", "POST"): ORG,
    ("community.dues.members", "GET"): ORG,
    ("community.dues.member", "GET"): ORG,
    ("community.dues.mark", "POST"): ORG,
    ("community.connect.page", "GET"): ORG,
    ("community.connect.start", "POST"): ORG,
    ("community.connect.back", "GET"): ORG,
    ("community.connect.refresh", "GET"): ORG,
    # the plan: owners
    ("community.billing.page", "GET"): OWN,
    ("community.billing.upgrade", "POST"): OWN,
    ("community.billing.manage", "POST"): OWN,
}

ROLES = (Role.MEMBER, Role.STAFF, Role.ORGANIZER, Role.OWNER)


def console_routes(app: Flask) -> dict[tuple[str, str], Rule]:
    return {(rule.endpoint, method): rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith(CONSOLE)
            for method in ("GET", "POST") if method in (rule.methods or ())}


def test_every_console_route_is_in_the_matrix(app):
    routes = set(console_routes(app))
    assert routes - set(EXPECTED) == set(), "console routes missing from EXPECTED"
    assert set(EXPECTED) - routes == set(), "EXPECTED names routes that no longer exist"


def test_every_console_route_declares_the_capability_it_needs(app):
    wrong = {}
    for (endpoint, method), least in EXPECTED.items():
        needs = getattr(app.view_functions[endpoint], "required_capabilities", None)
        if needs is None:
            wrong[(endpoint, method)] = "no edge.require(...)"
        elif MINIMUM_ROLE[needs[method]] != least:
            wrong[(endpoint, method)] = f"{needs[method]} needs {MINIMUM_ROLE[needs[method]]}"
    assert not wrong


def test_the_roles_are_nested_and_staff_export_nothing():
    assert capabilities_of(Role.MEMBER) == frozenset()
    assert capabilities_of(Role.STAFF) < capabilities_of(Role.ORGANIZER)
    assert capabilities_of(Role.ORGANIZER) < capabilities_of(Role.OWNER)
    assert Capability.EXPORT_PERSONAL_DATA not in capabilities_of(Role.STAFF)
    assert Capability.REVERSE_PAYMENTS not in capabilities_of(Role.STAFF)


def _own_rows(session, tenant, people) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Community A's own objects, linked together the way the console routes expect."""
    rows = {name: make(session, tenant) for name, make in ID_FACTORIES.items()}
    rows["registration_id"] = _registration(session, rows["meetup_id"], rows["member_id"])
    rows["question_id"] = _question(session, tenant, rows["meetup_id"])
    attend(session, rows["meetup_id"], rows["member_id"])
    session.commit()
    return rows


def _hand_payment(session, tenant, member: Member, meetup=None) -> Any:  # type: ignore[no-untyped-def]
    """A dues payment by bank transfer, or (with ``meetup``) a fee paid at the door."""
    from joren.tenants.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus

    kind, method = ((PaymentKind.MEETUP_FEE, PaymentMethod.DOOR) if meetup is not None
                    else (PaymentKind.DUES, PaymentMethod.BANK_TRANSFER))
    with unscoped(session):
        row = Payment(tenant_id=tenant.id, member_id=member.id, kind=kind,
                      meetup_id=meetup.id if meetup is not None else None,
                      amount_jpy=3000, method=method, status=PaymentStatus.PAID,
                      paid_at=utcnow(), receipt_number=f"H-2026-{tenant.id:06d}")
        session.add(row)
        session.flush()
    session.commit()
    return row


CASES = sorted(EXPECTED)


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
@pytest.mark.parametrize(("endpoint", "method"), CASES, ids=[f"{m} {e}" for e, m in CASES])
def test_console_route_answers_by_role(app, session, tenant, people, login, endpoint, method,
                                       role):
    rows = _own_rows(session, tenant, people)
    if endpoint == "community.dues.undo":
        rows["payment_id"] = _hand_payment(session, tenant, rows["member_id"])
    rule = console_routes(app)[(endpoint, method)]
    values = {"slug": tenant.slug, **{arg: rows[arg].id for arg in id_arguments(rule)}}
    with app.test_request_context():
        url = rule.build(values)[1]
    account = {Role.OWNER: people.owner, Role.ORGANIZER: people.organizer,
               Role.STAFF: people.staff, Role.MEMBER: people.member}[role]
    form = {**_form_for(rule), "member_id": str(rows["member_id"].id), "method": "door"}
    response = login(account).open(url, method=method, data=form)
    if role.at_least(EXPECTED[(endpoint, method)]):
        assert response.status_code not in (403, 404), f"{role} refused at {method} {url}"
        assert response.status_code < 500
    else:
        assert response.status_code == 403, f"{role} got {response.status_code} at {url}"


def test_staff_see_the_door_without_download_or_undo_buttons(session, tenant, people, login):
    rows = _own_rows(session, tenant, people)
    meetup_id = rows["meetup_id"].id
    paid = _hand_payment(session, tenant, rows["member_id"], rows["meetup_id"])
    base = f"/c/{tenant.slug}/admin/meetups/{meetup_id}"
    pages = {"checkin": f"{base}/checkin", "register": f"{base}/attendance",
             "registrations": f"{base}/registrations", "payments": f"{base}/payments"}
    staff, organizer = login(people.staff), login(people.organizer)
    for name, url in pages.items():
        staff_page = staff.get(url).get_data(as_text=True)
        organizer_page = organizer.get(url).get_data(as_text=True)
        assert ".csv" not in staff_page, name
        assert f"/admin/payments/{paid.id}/undo" not in staff_page, name
        if name != "checkin":
            assert ".csv" in organizer_page, name
    assert f"/admin/payments/{paid.id}/undo" in organizer.get(pages["payments"]).get_data(
        as_text=True)


def test_staff_cannot_undo_a_door_payment_through_the_service(session, tenant, people):
    from joren.tenants.payments import services as svc

    rows = _own_rows(session, tenant, people)
    with pytest.raises(svc.PaymentError, match="forbidden"):
        svc.undo(session, rows["payment_id"], people.staff_member)


def test_the_old_registrations_export_address_leads_to_the_guarded_one(session, tenant, people,
                                                                        login):
    rows = _own_rows(session, tenant, people)
    url = f"/c/{tenant.slug}/admin/meetups/{rows['meetup_id'].id}/registrations?export=csv"
    assert login(people.staff).get(url, follow_redirects=True).status_code == 403
    csv = login(people.organizer).get(url, follow_redirects=True)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"



def test_receipts_of_others_follow_the_same_table(session, tenant, people, login):
    rows = _own_rows(session, tenant, people)
    fee = _hand_payment(session, tenant, rows["member_id"], rows["meetup_id"])
    with unscoped(session):
        fee.receipt_number = "F-2026-000001"
    session.commit()
    dues = _hand_payment(session, tenant, rows["member_id"])
    staff, organizer = login(people.staff), login(people.organizer)
    url = f"/c/{tenant.slug}/payments/{{}}/receipt"
    assert staff.get(url.format(fee.id)).status_code == 200  # handed over at the door
    assert staff.get(url.format(dues.id)).status_code == 404  # dues are the organizers'
    assert organizer.get(url.format(dues.id)).status_code == 200
    assert login(people.member).get(url.format(fee.id)).status_code == 404


# The platform admin's routes (/admin/…, joren.platform.admin and the operators' audit log in
# joren.tenants.privacy.operator_views): no community role opens them; they answer 404.
PLATFORM_ADMIN = {
    ("admin.index", "GET"), ("admin.failed_outbox", "GET"),
    ("admin.resend_message", "POST"), ("admin.resend_all_failed", "GET"),
    ("admin.resend_all_failed", "POST"),
    ("privacy_operators.audit_page", "GET"), ("privacy_operators.audit_csv", "GET"),
}


def platform_admin_routes(app: Flask) -> dict[tuple[str, str], Rule]:
    return {(rule.endpoint, method): rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/admin/")
            for method in ("GET", "POST") if method in (rule.methods or ())}


def test_every_platform_admin_route_is_listed(app):
    assert set(platform_admin_routes(app)) == PLATFORM_ADMIN


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_platform_admin_routes_are_a_404_to_every_community_role(app, session, tenant, people,
                                                                 login, role):
    session.commit()
    account = {Role.OWNER: people.owner, Role.ORGANIZER: people.organizer,
               Role.STAFF: people.staff, Role.MEMBER: people.member}[role]
    client = login(account)
    for (endpoint, method), rule in sorted(platform_admin_routes(app).items()):
        with app.test_request_context():
            url = rule.build({name: 1 for name in rule.arguments})[1]
        assert client.open(url, method=method).status_code == 404, (endpoint, method)
