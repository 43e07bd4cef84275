"""Self check-in (出席コード) in the portal: before, during and after the window, a wrong code,
the rate limit, and other communities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from joren.models import Attendance, AttendanceStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from tests.tenants.helpers import in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")


def _window(session, m, opens, closes, code="4321"):  # type: ignore[no-untyped-def]
    with unscoped(session):
        m.checkin_code = code
        m.checkin_opens_at = opens
        m.checkin_closes_at = closes
    session.commit()


@pytest.fixture()
def tonight(session, tenant, people):  # type: ignore[no-untyped-def]
    m = meetup(session, tenant, "定例会", starts_at=utcnow() + timedelta(minutes=5))
    session.commit()
    return m


def _url(tenant, m) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}/meetups/{m.id}/checkin"


def _attendances(session) -> list[Attendance]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(Attendance)))


def test_during_the_window_the_right_code_checks_in(member_client, session, tenant, tonight,
                                                   people):
    in_english(member_client)
    _window(session, tonight, utcnow() - timedelta(minutes=1), utcnow() + timedelta(hours=2))
    assert member_client.get(_url(tenant, tonight)).status_code == 200
    response = member_client.post(_url(tenant, tonight), data={"code": "4321"},
                                  follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "You are checked in" in html and "data-self-checked-in" in html
    rows = _attendances(session)
    assert [(a.member_id, a.status) for a in rows] == [
        (people.member_member.id, AttendanceStatus.PRESENT)]


@pytest.mark.parametrize(("opens", "closes", "message"), [
    (timedelta(minutes=10), timedelta(hours=2), "Self check-in has not opened yet."),
    (timedelta(hours=-3), timedelta(minutes=-1), "Self check-in has closed."),
    (None, None, "Self check-in is not open for this meetup."),
])
def test_outside_the_window_is_refused(member_client, session, tenant, tonight, opens, closes,
                                       message):
    in_english(member_client)
    if opens is not None:
        _window(session, tonight, utcnow() + opens, utcnow() + closes)
    response = member_client.post(_url(tenant, tonight), data={"code": "4321"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _attendances(session) == []


def test_wrong_code_then_rate_limit(member_client, session, tenant, tonight, app):
    in_english(member_client)
    _window(session, tonight, utcnow() - timedelta(minutes=1), utcnow() + timedelta(hours=2))
    response = member_client.post(_url(tenant, tonight), data={"code": "0000"})
    assert response.status_code == 400
    assert "That code is not right." in response.get_data(as_text=True)
    statuses = [member_client.post(_url(tenant, tonight), data={"code": f"{n:04d}"}).status_code
                for n in range(1, 10)]
    assert 429 in statuses
    # limited even with the right code now
    assert member_client.post(_url(tenant, tonight), data={"code": "4321"}).status_code == 429
    assert _attendances(session) == []


def test_empty_code_is_a_clear_error(member_client, session, tenant, tonight):
    in_english(member_client)
    _window(session, tonight, utcnow() - timedelta(minutes=1), utcnow() + timedelta(hours=2))
    response = member_client.post(_url(tenant, tonight), data={"code": ""})
    assert response.status_code == 400
    assert "is-invalid" in response.get_data(as_text=True)


def test_only_members_and_only_this_community(client, login, session, tenant, other_tenant,
                                              people):
    foreign = meetup(session, other_tenant, "他会", starts_at=utcnow())
    _window(session, foreign, utcnow() - timedelta(minutes=1), utcnow() + timedelta(hours=2))
    own = meetup(session, tenant, "定例会", starts_at=utcnow())
    _window(session, own, utcnow() - timedelta(minutes=1), utcnow() + timedelta(hours=2))
    # a member of this community cannot check in to another community's meetup through it
    response = login(people.member).post(_url(tenant, foreign), data={"code": "4321"})
    assert response.status_code == 404
    # the other community's owner is not a member here
    response = login(people.other_owner).post(_url(tenant, own), data={"code": "4321"})
    assert response.status_code == 403
    assert client.post(_url(tenant, own), data={"code": "4321"}).status_code == 302
    with unscoped(session):
        assert session.scalar(select(func.count(Attendance.id))) == 0


def test_portal_partial_links_to_self_check_in_only_while_open(app, session, tenant, tonight):
    from flask import g, render_template

    def rendered() -> str:
        with app.test_request_context(f"/c/{tenant.slug}/"):
            g.community = tenant
            return render_template("meetups/checkin/_portal_self_checkin.html", meetup=tonight)

    assert "data-self-checkin-link" not in rendered()
    _window(session, tonight, utcnow() - timedelta(minutes=1), utcnow() + timedelta(hours=2))
    html = rendered()
    assert "data-self-checkin-link" in html and f"/meetups/{tonight.id}/checkin" in html
    _window(session, tonight, utcnow() - timedelta(hours=3), utcnow() - timedelta(hours=1))
    assert "data-self-checkin-link" not in rendered()
