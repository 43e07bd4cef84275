"""The portal: past meetups say whether I came and show no ticket; the home page shows the
upcoming meetups I registered for, waitlisted included (issue 16, item 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.models import AttendanceStatus, Registration, RegistrationStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from tests.tenants.helpers import attend, days_ago, in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")


def _register(session, m, member, status=RegistrationStatus.GOING, position=None):  # type: ignore[no-untyped-def]
    with unscoped(session):
        row = Registration(tenant_id=m.tenant_id, meetup_id=m.id, member_id=member.id,
                           status=status, waitlist_position=position)
        session.add(row)
        session.flush()
    return row


@pytest.fixture()
def meetups(session, tenant, other_tenant, people):  # type: ignore[no-untyped-def]
    me = people.member_member
    came = meetup(session, tenant, "来た会", days_ago(30))
    missed = meetup(session, tenant, "来なかった会", days_ago(14))
    going = meetup(session, tenant, "行く会", utcnow() + timedelta(days=3))
    waiting = meetup(session, tenant, "待つ会", utcnow() + timedelta(days=10))
    meetup(session, tenant, "申し込んでいない会", utcnow() + timedelta(days=5))
    for m in (came, missed, going):
        _register(session, m, me)
    _register(session, waiting, me, RegistrationStatus.WAITLISTED, 1)
    attend(session, came, me)
    attend(session, missed, me, AttendanceStatus.ABSENT)
    theirs = meetup(session, other_tenant, "よその会", utcnow() + timedelta(days=2))
    _register(session, theirs, people.other_owner_member)
    session.commit()
    return {"came": came, "missed": missed, "going": going, "waiting": waiting}


def test_my_registrations_page_says_what_happened_and_keeps_tickets_for_what_is_to_come(
        member_client, meetups):
    body = in_english(member_client).get("/c/osaka-mixer/meetups/mine").get_data(as_text=True)
    upcoming, past = body.split(">Past<")
    assert "Show my ticket (QR)" in upcoming and "行く会" in upcoming
    assert "Show my ticket" not in past and "Going" not in past
    came = past.split("来た会")[1].split("</a>")[0]
    missed = past.split("来なかった会")[1].split("</a>")[0]
    assert 'data-past="attended"' in came and 'data-past="absent"' in missed


def test_a_past_meetup_page_has_no_ticket(member_client, meetups):
    client = in_english(member_client)
    body = client.get(f"/c/osaka-mixer/meetups/{meetups['came'].id}").get_data(as_text=True)
    assert "You attended" in body and "Show my ticket" not in body
    body = client.get(f"/c/osaka-mixer/meetups/{meetups['missed'].id}").get_data(as_text=True)
    assert "You did not attend" in body and "Show my ticket" not in body
    assert "Cancel my registration" not in body
    body = client.get(f"/c/osaka-mixer/meetups/{meetups['going'].id}").get_data(as_text=True)
    assert "Show my ticket (QR)" in body


def test_home_lists_my_upcoming_registrations_in_both_languages(member_client, meetups):
    member_client.post("/language", data={"language": "ja"})
    body = member_client.get("/c/osaka-mixer/").get_data(as_text=True)
    mine = body.split('data-section="mine"')[1].split("</div>")[0]
    assert "申込中の例会" in body
    assert "行く会" in mine and "待つ会" in mine
    assert "来た会" not in mine and "申し込んでいない会" not in mine and "よその会" not in body
    assert 'data-mine="going"' in mine and 'data-mine="waitlisted"' in mine
    english = in_english(member_client).get("/c/osaka-mixer/").get_data(as_text=True)
    assert "My upcoming registrations" in english and "Waitlisted" in english


def test_home_without_registrations_says_so(owner_client, meetups):
    body = in_english(owner_client).get("/c/osaka-mixer/").get_data(as_text=True)
    assert "You have not registered for any upcoming meetup." in body
