"""The meetup page of a full meetup with a waitlist shows its registrations and waitlist, not
「この例会の申込者はまだいません」 (issue 16, item 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.models import Registration, RegistrationStatus
from joren.platform.db import utcnow
from joren.platform.tenancy import unscoped
from tests import factories
from tests.tenants.helpers import in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")


def test_a_full_meetup_shows_who_is_going_and_who_waits(session, tenant, organizer_client,
                                                         people):
    m = meetup(session, tenant, "満席の会", utcnow() + timedelta(days=4), capacity=2)
    with unscoped(session):
        for n, name in enumerate(("一番", "二番", "待ち一", "待ち二")):
            person = factories.member(session, tenant, given_name=name)
            waiting = n >= 2
            session.add(Registration(
                tenant_id=tenant.id, meetup_id=m.id, member_id=person.id,
                status=RegistrationStatus.WAITLISTED if waiting else RegistrationStatus.GOING,
                waitlist_position=n - 1 if waiting else None))
        session.flush()
    session.commit()
    url = f"/c/osaka-mixer/admin/meetups/{m.id}"
    body = organizer_client.get(url).get_data(as_text=True)
    assert "この例会の申込者はまだいません" not in body
    going, waiting = body.split('data-group="going"')[1], body.split('data-group="waitlisted"')[1]
    assert "一番" in going and "二番" in going
    assert waiting.index("待ち一") < waiting.index("待ち二")
    assert f'/c/osaka-mixer/admin/meetups/{m.id}/register-by-hand' in body
    english = in_english(organizer_client).get(url).get_data(as_text=True)
    assert "Waitlisted: 2" in english and "Nobody is registered" not in english


def test_a_meetup_nobody_registered_for_still_says_so(session, tenant, organizer_client,
                                                     people):
    m = meetup(session, tenant, "まだの会", utcnow() + timedelta(days=4))
    session.commit()
    body = organizer_client.get(f"/c/osaka-mixer/admin/meetups/{m.id}").get_data(as_text=True)
    assert "この例会の申込者はまだいません" in body
