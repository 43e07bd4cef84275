"""Onboarding: a verified person creates a community and becomes its owner."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from joren.models import Community, CommunityKind, Member, Role
from joren.platform.communities.services import (
    CommunityError,
    create_community,
    is_valid_timezone,
    slug_problem,
    suggest_slug,
)
from joren.platform.tenancy import unscoped
from tests import factories
from tests.tenants.helpers import in_english, login_url


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "梅田ビジネス交流会", "slug": "umeda-biz", "kind": "cross_industry",
        "city": "大阪市北区", "timezone": "Asia/Tokyo", "default_language": "ja",
    }
    data.update(overrides)
    return data


def _community(session, slug: str) -> Community | None:  # type: ignore[no-untyped-def]
    return session.scalar(select(Community).where(Community.slug == slug))


@pytest.fixture()
def founder(session):  # type: ignore[no-untyped-def]
    account = factories.account(session, "founder@example.jp", display_name="中村 美咲")
    session.commit()
    return account


def test_create_community_service_makes_the_owner(session, founder):
    community, owner = create_community(
        session, founder, name="  梅田  交流会 ", slug="Umeda-Biz", kind=CommunityKind.STUDY_GROUP,
        city="大阪", timezone="Asia/Tokyo", default_language="en",
    )
    assert community.slug == "umeda-biz"
    assert community.name == "梅田 交流会"
    assert community.default_language == "en"
    assert owner.role == Role.OWNER and owner.account_id == founder.id
    assert (owner.family_name, owner.given_name) == ("中村", "美咲")
    assert owner.tenant_id == community.id
    assert owner.email == "founder@example.jp"


@pytest.mark.parametrize("slug, problem", [
    ("ab", "length"), ("a" * 61, "length"), ("Osaka_Mixer", "format"), ("-osaka", "format"),
    ("osaka-", "format"), ("osaka--mixer", "format"), ("大阪交流会", "format"),
    ("admin", "reserved"), ("api", "reserved"), ("static", "reserved"), ("new", "reserved"),
    ("login", "reserved"),
])
def test_bad_slugs_are_refused(session, slug, problem):
    assert slug_problem(session, slug) == problem


def test_taken_slug_is_refused(session, tenant):
    assert slug_problem(session, tenant.slug) == "taken"
    assert slug_problem(session, "free-slug-2025") is None


def test_service_refuses_bad_input_and_creates_nothing(session, founder, tenant):
    for kwargs in ({"slug": tenant.slug}, {"timezone": "Mars/Olympus"},
                   {"default_language": "fr"}, {"name": "   "}):
        values = {"name": "x交流会", "slug": "fresh-one", "kind": CommunityKind.STUDY_GROUP,
                  **kwargs}
        with pytest.raises(CommunityError):
            create_community(session, founder, **values)
    assert _community(session, "fresh-one") is None


def test_slug_suggestion_from_ascii_names_only():
    assert suggest_slug("Osaka Business Mixer!") == "osaka-business-mixer"
    assert suggest_slug("ＯＳＡＫＡ　Ｍｉｘｅｒ") == "osaka-mixer"
    assert suggest_slug("大阪交流会") == ""
    assert suggest_slug("Admin") == ""


def test_timezones_are_checked_with_zoneinfo():
    assert is_valid_timezone("Asia/Tokyo")
    assert is_valid_timezone("Europe/Paris")
    assert not is_valid_timezone("Asia/Osaka")
    assert not is_valid_timezone("../etc/passwd")
    assert not is_valid_timezone("")


def test_anonymous_is_sent_to_sign_in(client, app):
    response = client.get("/communities/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(login_url(app).split("?")[0])


def test_unverified_account_is_asked_to_verify(session, login):
    account = factories.account(session, "fresh@example.jp", verified=False)
    session.commit()
    c = login(account)
    page = in_english(c).get("/communities/new")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Please confirm your email address first" in body
    assert 'action="/account/verify/resend"' in body or "verify" in body
    response = c.post("/communities/new", data=_form())
    assert _community(session, "umeda-biz") is None
    assert response.status_code == 200


def test_onboarding_form_in_japanese(login, founder):
    body = login(founder).get("/communities/new").get_data(as_text=True)
    assert "コミュニティ名" in body
    assert "異業種交流会" in body
    assert "勉強会" in body
    assert '<option selected value="Asia/Tokyo">' in body


def test_onboarding_creates_and_lands_on_the_dashboard(session, login, founder):
    c = login(founder)
    response = c.post("/communities/new", data=_form())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/c/umeda-biz/admin/?welcome=1")
    community = _community(session, "umeda-biz")
    assert community.kind == CommunityKind.CROSS_INDUSTRY
    assert community.city == "大阪市北区"
    with unscoped(session):
        owner = session.scalar(select(Member).where(Member.tenant_id == community.id))
    assert owner.role == Role.OWNER and owner.account_id == founder.id
    dashboard = c.get(response.headers["Location"])
    body = dashboard.get_data(as_text=True)
    assert dashboard.status_code == 200
    assert "梅田ビジネス交流会" in body
    assert "ようこそ！まずは次の3つから始めましょう" in body
    assert "/c/umeda-biz/admin/invitations" in body
    assert "/c/umeda-biz/admin/meetups" in body


def test_blank_slug_takes_the_suggestion_for_ascii_names(session, login, founder):
    response = login(founder).post("/communities/new", data=_form(name="Kobe Founders Club",
                                                                   slug=""))
    assert response.status_code == 302
    assert _community(session, "kobe-founders-club") is not None


def test_blank_slug_with_a_japanese_name_asks_for_one(session, login, founder):
    response = in_english(login(founder)).post("/communities/new", data=_form(slug=""))
    assert response.status_code == 200
    assert "Choose an address for your community" in response.get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"slug": "admin"}, "This address is reserved"),
    ({"slug": "Bad Slug!"}, "Use lowercase letters a-z"),
    ({"slug": "ab"}, "Use between 3 and 60 characters"),
    ({"timezone": "Mars/Olympus"}, "Choose a timezone from the list"),
    ({"kind": "pyramid_scheme"}, "Not a valid choice"),
    ({"name": ""}, "Enter the community"),
    ({"name": "長" * 121}, "120"),
])
def test_bad_input_gets_a_clear_message_and_creates_nothing(session, login, founder, overrides,
                                                            message):
    founder.language = "en"
    session.commit()
    response = login(founder).post("/communities/new", data=_form(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with unscoped(session):
        assert session.scalar(select(Member).where(Member.account_id == founder.id)) is None


def test_taken_slug_gets_a_clear_message(session, login, founder, tenant):
    founder.language = "ja"
    session.commit()
    response = login(founder).post("/communities/new", data=_form(slug=tenant.slug))
    assert response.status_code == 200
    assert "このアドレスは他のコミュニティが使っています" in response.get_data(as_text=True)
