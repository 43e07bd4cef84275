"""The page cache on a member's own portal pages kept by the member (issue 14): my
introductions. What each page shows is the same kept or computed, a write shows at once, what
follows the clock moves with it, and another member (of this community or another) never gets
a member's own page."""

from __future__ import annotations

import pytest

from joren.platform import pagecache
from joren.platform.tenancy import unscoped
from joren.tenants.introductions import services as intro_services
from joren.tenants.introductions import views as intro_views
from joren.tenants.introductions.models import Introduction, IntroductionStatus
from tests.platform.pagecache_helpers import counting, same_cached_and_not
from tests.tenants.helpers import in_english
from tests.tenants.introductions.intro_support import introduction, pair

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"


@pytest.fixture(autouse=True)
def _fresh_store(app):  # type: ignore[no-untyped-def]
    pagecache.clear_local()
    yield
    pagecache.clear_local()


# -- my introductions (portal) -----------------------------------------------------------------

MY_INTRODUCTIONS = f"/c/{SLUG}/introductions"


@pytest.fixture()
def sent(app, session, tenant, people, scoped):  # type: ignore[no-untyped-def]
    """An introduction of the member to 佐藤, sent (waiting for both answers)."""
    sato, _tanaka = pair(session, tenant)
    session.commit()
    s = scoped(tenant)
    with app.test_request_context("/"):
        intro = introduction(s, people.member_member, sato)
        intro_services.approve(s, intro, None)
        s.commit()
        intro_id, expires_at = intro.id, intro.expires_at
    s.close()
    return intro_id, expires_at


def test_my_introductions_are_the_same_kept_and_each_members_own(
        app, monkeypatch, login, people, other_tenant, member_client, owner_client, sent):
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        mine = same_cached_and_not(app, member_client, MY_INTRODUCTIONS)
        assert "佐藤 健" in mine and "Waiting for your answer" in mine
        owners = same_cached_and_not(app, owner_client, MY_INTRODUCTIONS)
        assert "佐藤 健" not in owners and "No introductions yet" in owners
    computed = counting(monkeypatch, intro_views, "_mine_body")
    member_client.get(MY_INTRODUCTIONS)
    owner_client.get(MY_INTRODUCTIONS)
    assert computed == []
    # The other community's owner, on their own community's page: their own (none).
    theirs = in_english(login(people.other_owner))
    page = theirs.get(MY_INTRODUCTIONS.replace(SLUG, other_tenant.slug))
    assert page.status_code == 200 and "佐藤 健" not in page.get_data(as_text=True)
    assert theirs.get(MY_INTRODUCTIONS).status_code in (302, 403, 404)


def test_my_introductions_show_an_answer_at_once(app, member_client, sent):
    intro_id, _expires_at = sent
    member_client = in_english(member_client)
    assert "Waiting for your answer" in same_cached_and_not(app, member_client,
                                                           MY_INTRODUCTIONS)
    answered = member_client.post(f"{MY_INTRODUCTIONS}/{intro_id}/answer",
                                  data={"choice": "accept"})
    assert answered.status_code == 302
    assert "You accepted" in member_client.get(MY_INTRODUCTIONS).get_data(as_text=True)  # flash
    page = same_cached_and_not(app, member_client, MY_INTRODUCTIONS)
    assert "You accepted" in page and "Waiting for your answer" not in page


def test_my_introductions_close_at_the_deadline(app, session, clock, login, people,
                                                member_client, sent):
    intro_id, expires_at = sent
    member_client = in_english(member_client)
    assert "Waiting for your answer" in same_cached_and_not(app, member_client,
                                                           MY_INTRODUCTIONS)
    clock.move_to(expires_at)  # the hourly sweep has not run: nothing was written
    member_client = in_english(login(people.member))
    page = same_cached_and_not(app, member_client, MY_INTRODUCTIONS)
    assert f'id="introduction-{intro_id}" data-state="closed"' in page
    with unscoped(session):
        assert session.get(Introduction, intro_id).status == IntroductionStatus.SENT
