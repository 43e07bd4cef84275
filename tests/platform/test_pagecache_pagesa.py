"""The page cache on the email preferences, a meetup's portal page and a series' public page
(issue 14): a kept page reads nothing of what it shows but what no write of the community
marks (the address's unsubscribes), the HTML is the same kept or computed, a write shows at
once, a visitor is refused what is not public even once a member's view kept it, and another
community never gets it."""

from __future__ import annotations

import pytest

from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.tenants.relationships.habits import views as habit_views
from tests.platform.pagecache_helpers import (
    computing,
    counting,
    reads_when_kept,
    same_cached_and_not,
)
from tests.tenants.helpers import in_english

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"


# -- email preferences ---------------------------------------------------------------------

PREFERENCES = f"/c/{SLUG}/email-preferences"


def test_kept_preferences_read_the_unsubscribes_alone(app, member_client):
    kept = reads_when_kept(app, member_client, PREFERENCES)
    assert len(kept) == 2, kept  # the sign-in, then the address's unsubscribes
    assert "email_unsubscribes" in kept[1]
    assert not any("FROM members" in statement for statement in kept[1:])
    assert len(computing(app, member_client, PREFERENCES)) <= 10


def test_preferences_show_a_resubscribe_at_once(app, monkeypatch, session, tenant,
                                                member_client):
    member_client = in_english(member_client)
    record_unsubscribe(session, "member@example.jp", "all", tenant.id)
    session.commit()
    assert "You have stopped all emails from this community." in same_cached_and_not(
        app, member_client, PREFERENCES)
    resumed = member_client.post(PREFERENCES, data={"action": "resume_all"})
    assert resumed.status_code == 302
    assert "Your email preferences are saved." in member_client.get(PREFERENCES).get_data(
        as_text=True)  # the flash, beside the kept body
    page = same_cached_and_not(app, member_client, PREFERENCES)
    assert "You have stopped all emails" not in page
    computed = counting(monkeypatch, habit_views, "_preferences_body")
    member_client.get(PREFERENCES)
    assert computed == []


