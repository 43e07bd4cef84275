"""Kept pages handed out whole, and pages rendered once per distinct inputs (issue 14, helper
"pagesd").

- A page whose body the page cache keeps is kept with its layout frame (layoutframe.py) and
  served again without Jinja: the same HTML as computed and as with the cache off, one
  statement, the reader's own form token, flash messages shown once, a write shown at once,
  never another community's or another person's page, an unknown id's 404 never kept; only
  pages whose own template provably reads nothing else are kept whole.
- The account page and the community-deletion page render their body once per distinct
  inputs (pagecache.html_by_inputs): the same HTML, a change shown at once, each account and
  community its own.
"""

from __future__ import annotations

import re

import pytest

from joren.platform import layoutframe, pagecache
from joren.platform.accounts import account_views
from joren.platform.membership.models import Role
from joren.platform.templating import KeptHTML
from joren.tenants.privacy import views as privacy_views
from tests import factories
from tests.platform.pagecache_helpers import (
    counting,
    reads_when_kept,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.helpers import in_english
from tests.tenants.meetups.helpers_registrations import series_with_occurrences

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"
ADMIN = f"/c/{SLUG}/admin"
SERIES = f"{ADMIN}/meetups/series"
DELETE = f"{ADMIN}/delete"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh() -> None:
    layoutframe.clear()
    pagecache.clear_local()


def _jinja_renders(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    """Count the layout's renders through Jinja (a page kept whole runs none)."""
    return counting(monkeypatch, layoutframe, "_render")


def _kept_pages_for(path: str) -> list[tuple[object, ...]]:
    return [key for key in layoutframe._pages if key[2].rstrip("?") == path]


# -- kept pages, whole ----------------------------------------------------------------------

def test_a_kept_page_is_served_whole_the_same_as_computed(app, monkeypatch, session, tenant,
                                                          organizer_client):
    series_with_occurrences(session, tenant, n=2)
    session.commit()
    page = same_cached_and_not(app, organizer_client, SERIES)
    assert "朝活セミナー" in page
    renders = _jinja_renders(monkeypatch)
    again = organizer_client.get(SERIES)
    assert masked(again) == page
    assert renders == []  # kept whole: no Jinja at all
    assert len(_kept_pages_for(SERIES)) == 1
    assert len(reads_when_kept(app, organizer_client, SERIES)) == 1


def test_each_reader_gets_their_own_form_token(app, login, session, tenant, people):
    series_with_occurrences(session, tenant, n=1)
    session.commit()
    first, second = login(people.organizer), login(people.organizer)
    pages = []
    for client in (first, second, first, second):
        text = client.get(SERIES).get_data(as_text=True)
        tokens = set(TOKEN.findall(text))
        assert len(tokens) == 1 and "csrf-stand-in" not in text
        pages.append((tokens.pop(), TOKEN.sub("", text)))
    assert pages[0][0] != pages[1][0]  # two sessions, two tokens
    assert pages[0][0] == pages[2][0] and pages[1][0] == pages[3][0]
    assert len({text for _, text in pages}) == 1
    # The token a kept page carries is accepted: signing out with it works.
    token = pages[2][0]
    assert first.post("/logout", data={"csrf_token": token}).status_code == 302


def test_a_flash_message_is_shown_once_and_the_page_kept_without_it(app, organizer_client,
                                                                     session, tenant):
    series_with_occurrences(session, tenant, n=1)
    session.commit()
    kept = masked(organizer_client.get(SERIES))
    assert masked(organizer_client.get(SERIES)) == kept
    with organizer_client.session_transaction() as cookie:
        cookie["_flashes"] = [("success", "保存しました（テスト）")]
    shown = organizer_client.get(SERIES).get_data(as_text=True)
    assert "保存しました（テスト）" in shown
    after = masked(organizer_client.get(SERIES))
    assert "保存しました（テスト）" not in after and after == kept


def test_a_write_shows_at_once_on_a_page_kept_whole(app, session, tenant, organizer_client):
    series, _ = series_with_occurrences(session, tenant, n=1)
    session.commit()
    organizer_client.get(SERIES)
    assert "朝活セミナー" in organizer_client.get(SERIES).get_data(as_text=True)  # whole
    series.title = "夕活セミナー"
    session.commit()
    page = same_cached_and_not(app, organizer_client, SERIES)
    assert "夕活セミナー" in page and "朝活セミナー" not in page
    tenant.name = "大阪交流会・改"
    session.commit()
    assert "大阪交流会・改" in same_cached_and_not(app, organizer_client, SERIES)


def test_the_language_and_the_address_are_the_pages_own(app, session, tenant,
                                                        organizer_client):
    series_with_occurrences(session, tenant, n=1)
    session.commit()
    japanese = organizer_client.get(SERIES).get_data(as_text=True)
    organizer_client.get(SERIES)
    in_english(organizer_client)
    english = same_cached_and_not(app, organizer_client, SERIES)
    assert english != masked_text(japanese) and 'lang="en"' in english
    query = same_cached_and_not(app, organizer_client, SERIES + "?x=1")
    assert 'value="/c/osaka-mixer/admin/meetups/series?x=1"' in query  # the return address


def masked(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return masked_text(response.get_data(as_text=True))


def masked_text(text: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*(")', r"\1TOKEN\2", text)


def test_a_kept_page_is_never_another_persons_or_communitys(app, login, session, tenant,
                                                             other_tenant, people):
    series_with_occurrences(session, tenant, n=1)
    # A second organizer who also belongs to the other community: a switcher of their own.
    both = factories.account(session, email="both@example.jp")
    factories.member(session, tenant, account=both, role=Role.ORGANIZER)
    factories.member(session, other_tenant, account=both, role=Role.MEMBER)
    session.commit()
    mine = login(people.organizer)
    for _ in range(2):
        assert "神戸経営者勉強会" not in mine.get(SERIES).get_data(as_text=True)
    theirs = login(both)
    for _ in range(2):
        assert "神戸経営者勉強会" in theirs.get(SERIES).get_data(as_text=True)
    assert "神戸経営者勉強会" not in mine.get(SERIES).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant)
    assert intruder.get(SERIES).status_code in (302, 403, 404)
    other = intruder.get(SERIES.replace(SLUG, other_tenant.slug)).get_data(as_text=True)
    assert "朝活セミナー" not in other and "神戸経営者勉強会" in other


def test_an_unknown_id_answers_404_and_is_never_kept(app, organizer_client, people):
    url = f"{ADMIN}/engagement/members/999999"
    for _ in range(3):
        assert organizer_client.get(url).status_code == 404
    assert _kept_pages_for(url) == []


def test_only_pages_whose_template_reads_nothing_else_are_kept_whole(app):
    env = app.jinja_env
    for name in ("meetups/console/series_list.html", "accounts/account.html",
                 "privacy/delete_community.html", "engagement/member.html"):
        assert layoutframe._reads_of(env.get_template(name)) is not None, name
    assert layoutframe._reads_of(env.get_template("meetups/console/series_list.html")) \
        == frozenset({"body_html"})
    # A template that imports macros, or that is no page of a layout, is never kept whole.
    assert layoutframe._reads_of(env.get_template("accounts/_account_body.html")) is None


def test_a_page_reading_more_than_its_variables_is_rendered(app, monkeypatch, session,
                                                            tenant, organizer_client):
    """A body that is not kept (its id is None) or a variable of another kind: rendered."""
    series_with_occurrences(session, tenant, n=1)
    session.commit()
    organizer_client.get(SERIES)
    app.config["PAGE_CACHE"] = False
    try:
        renders = _jinja_renders(monkeypatch)
        organizer_client.get(SERIES)
        organizer_client.get(SERIES)
        assert len(renders) == 2
    finally:
        app.config["PAGE_CACHE"] = True
    assert KeptHTML("<p>x</p>", kept_id="a").kept_id == "a"
    assert (KeptHTML("<p>x</p>", kept_id="a") + "y").kept_id is None


# -- the account page -----------------------------------------------------------------------

def test_the_account_page_is_the_same_and_rendered_once(app, monkeypatch, login, session,
                                                        people, other_tenant):
    factories.member(session, other_tenant, people.member, Role.MEMBER)
    session.commit()
    client = login(people.member)
    page = same_cached_and_not(app, client, "/account")
    assert "神戸経営者勉強会" in page and people.member.email in page
    renders = counting(monkeypatch, account_views, "render_template")
    jinja = _jinja_renders(monkeypatch)
    again = masked(client.get("/account"))
    assert again == page
    assert len(renders) == 1 and jinja == []  # the page's own call; kept whole


def test_the_account_page_shows_a_change_at_once(app, login, session, people, tenant):
    client = login(people.member)
    in_english(client)
    before = same_cached_and_not(app, client, "/account")
    assert "Sign out the other device" not in before
    # Another device signs in; the name changes; an invitation arrives.
    factories.login_id(session, people.member, user_agent="Pixel 9 / Chrome")
    people.member.display_name = "新しい名前"
    session.commit()
    after = same_cached_and_not(app, client, "/account")
    assert "Pixel 9" in after and 'value="新しい名前"' in after
    assert "Sign out the other device" in after


def test_each_account_sees_its_own_account_page(app, login, session, people):
    session.commit()
    mine, theirs = login(people.member), login(people.organizer)
    for _ in range(2):
        a = mine.get("/account").get_data(as_text=True)
        b = theirs.get("/account").get_data(as_text=True)
        assert people.member.email in a and people.member.email not in b
        assert people.organizer.email in b and people.organizer.email not in a


def test_a_refused_profile_form_is_rendered_with_what_was_typed(login, session, people):
    session.commit()
    client = login(people.member)
    client.get("/account")
    refused = client.post("/account", data={"display_name": "x" * 500, "language": "ja"})
    assert refused.status_code in (200, 422)
    assert "is-invalid" in refused.get_data(as_text=True)
    assert "is-invalid" not in client.get("/account").get_data(as_text=True)


# -- the community-deletion page -------------------------------------------------------------

def test_the_deletion_page_is_the_same_rendered_once_and_each_communitys(
        app, monkeypatch, login, session, people, tenant, other_tenant, owner_client):
    session.commit()
    page = same_cached_and_not(app, owner_client, DELETE)
    assert SLUG in page
    renders = counting(monkeypatch, privacy_views, "render_template")
    assert masked(owner_client.get(DELETE)) == page
    assert len(renders) == 1  # the page's own call; its body is kept
    other = login(people.other_owner).get(f"/c/{other_tenant.slug}/admin/delete")
    text = other.get_data(as_text=True)
    assert other_tenant.slug in text and f"type this community's address: {SLUG}" not in text


def test_the_deletion_page_shows_the_closing_at_once(app, owner_client, session, tenant):
    in_english(owner_client)
    before = same_cached_and_not(app, owner_client, DELETE)
    assert "Keep this community" not in before
    assert owner_client.post(DELETE, data={"slug": SLUG}).status_code == 302
    after = owner_client.get(DELETE).get_data(as_text=True)
    assert "Keep this community" in after and "will be deleted on" in after
    assert owner_client.post(DELETE + "/cancel").status_code == 302
    assert "will not be deleted" in owner_client.get(DELETE).get_data(as_text=True)  # flash
    assert "Keep this community" not in same_cached_and_not(app, owner_client, DELETE)
