"""The privacy notice (利用目的) and consent (issue 17): the organizers publish the notice in
versions; people read it where they join or register and choose introductions, the
directory and emails; each answer is recorded with its version, time and surface; the
existing flags follow the answers (one source of truth); members change or withdraw later and
are asked again when a new version is published; another community neither sees nor changes
any of it."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from joren.models import (
    ConsentRecord,
    EmailUnsubscribe,
    Invitation,
    Member,
    MemberStatus,
    PrivacyNotice,
    Registration,
)
from joren.platform.db import utcnow
from joren.platform.membership.models import ProfileVisibility
from joren.platform.tenancy import unscoped
from joren.tenants.members.consent import services
from joren.tenants.members.consent.models import NOTICE_MAX
from joren.tenants.members.consent.purposes import EMAIL_CATEGORIES, Purpose, Surface
from tests import factories
from tests.tenants.helpers import count_statements, in_english, reload
from tests.tenants.meetups.helpers_registrations import seated_meetup, series_with_occurrences

pytestmark = pytest.mark.usefixtures("clock")

ALL_YES = {"introductions": "y", "directory": "y", "announcements": "y", "follow_ups": "y"}


def _url(community, path: str) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{community.slug}{path}"


def _records(session, member_id: int) -> list[ConsentRecord]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(ConsentRecord).where(
            ConsentRecord.member_id == member_id).order_by(ConsentRecord.id)))


def _versions(session, community) -> list[PrivacyNotice]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return list(session.scalars(select(PrivacyNotice).where(
            PrivacyNotice.tenant_id == community.id).order_by(PrivacyNotice.version)))


def _stops(session, email: str, community) -> set[str]:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return set(session.scalars(select(EmailUnsubscribe.category).where(
            EmailUnsubscribe.email == email, EmailUnsubscribe.community_id == community.id)))


def _version_of(session, record: ConsentRecord) -> int:  # type: ignore[no-untyped-def]
    with unscoped(session):
        return session.get(PrivacyNotice, record.notice_id).version


# -- the organizers' notice ------------------------------------------------------------------

def test_the_editor_offers_the_default_in_both_languages_and_previews(
        session, tenant, organizer_client):
    page = organizer_client.get(_url(tenant, "/admin/privacy/notice")).get_data(as_text=True)
    assert "大阪異業種交流会における個人情報の利用目的" in page  # the community's language
    english = organizer_client.get(_url(tenant, "/admin/privacy/notice?default=en"))
    body = english.get_data(as_text=True)
    assert "How 大阪異業種交流会 uses your personal information" in body
    for words in ("member directory", "Introductions between members", "Emails",
                  "Who sees what", "contact the organizers"):
        assert words in body
    preview = organizer_client.post(_url(tenant, "/admin/privacy/notice"),
                                    data={"body": "私たちの利用目的\n\n紹介のため",
                                          "action": "preview"})
    assert preview.status_code == 200
    assert 'data-section="preview"' in preview.get_data(as_text=True)
    assert _versions(session, tenant) == []  # a preview publishes nothing


def test_each_changed_text_is_a_new_version_with_who_and_when(session, tenant, people,
                                                              organizer_client):
    url = _url(tenant, "/admin/privacy/notice")
    assert organizer_client.post(url, data={"body": "第1版の本文", "action": "publish"}
                                 ).status_code == 302
    organizer_client.post(url, data={"body": "第1版の本文\r\n", "action": "publish"})  # same
    organizer_client.post(url, data={"body": "第2版の本文", "action": "publish"})
    first, second = _versions(session, tenant)
    assert (first.version, first.body, second.version, second.body) == (
        1, "第1版の本文", 2, "第2版の本文")
    assert first.published_by_id == people.organizer_member.id
    assert first.published_at is not None and second.published_at >= first.published_at
    page = organizer_client.get(url).get_data(as_text=True)
    assert 'data-section="versions"' in page and people.organizer_member.display_name in page
    settings = organizer_client.get(_url(tenant, "/admin/privacy")).get_data(as_text=True)
    assert 'data-section="notice"' in settings


@pytest.mark.parametrize(("body", "message"), [
    ("   \n ", "Write the notice: it cannot be empty."),
    ("あ" * (NOTICE_MAX + 1), "The notice is too long: at most 20000 characters."),
])
def test_bad_notice_text_gets_a_clear_message(session, tenant, organizer_client, body,
                                              message):
    in_english(organizer_client)
    response = organizer_client.post(_url(tenant, "/admin/privacy/notice"),
                                     data={"body": body, "action": "publish"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _versions(session, tenant) == []


def test_bad_notice_text_in_japanese(session, tenant, organizer_client):
    response = organizer_client.post(_url(tenant, "/admin/privacy/notice"),
                                     data={"body": "", "action": "publish"})
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)


def test_another_communitys_organizer_can_neither_see_nor_edit_the_notice(
        session, tenant, other_tenant, people, login, organizer_client):
    organizer_client.post(_url(tenant, "/admin/privacy/notice"),
                          data={"body": "大阪の会だけの本文", "action": "publish"})
    other = login(people.other_owner)
    url = _url(tenant, "/admin/privacy/notice")
    assert other.get(url).status_code in (403, 404)
    assert other.post(url, data={"body": "乗っ取り", "action": "publish"}).status_code in (
        403, 404)
    own = other.get(_url(other_tenant, "/admin/privacy/notice")).get_data(as_text=True)
    assert "大阪の会だけの本文" not in own
    assert [v.body for v in _versions(session, tenant)] == ["大阪の会だけの本文"]
    assert _versions(session, other_tenant) == []


def test_members_cannot_edit_the_notice(tenant, member_client):
    assert member_client.get(_url(tenant, "/admin/privacy/notice")).status_code == 403


# -- answering, and the flags that follow --------------------------------------------------

def test_a_members_answers_set_the_flags_and_are_recorded(session, tenant, people,
                                                           member_client):
    me = people.member_member
    page = member_client.get(_url(tenant, "/privacy")).get_data(as_text=True)
    assert 'data-ask="first"' in page and "利用目的" in page
    response = member_client.post(_url(tenant, "/privacy"), data={
        "introductions": "y", "directory": "", "announcements": "y", "follow_ups": ""})
    assert response.status_code == 302
    member = reload(session, Member, me.id)
    assert member.accepts_introductions is True
    assert all(getattr(member, group) == ProfileVisibility.ORGANIZERS
               for group in services.ALL_GROUPS)
    assert _stops(session, member.email, tenant) == set(EMAIL_CATEGORIES[Purpose.FOLLOW_UPS])
    records = _records(session, me.id)
    assert [(r.purpose, r.granted) for r in records] == [
        ("notice", True), ("introductions", True), ("directory", False),
        ("announcements", True), ("follow_ups", False)]
    assert {r.surface for r in records} == {Surface.PORTAL.value}
    assert {_version_of(session, r) for r in records} == {1}  # the default, published
    assert all(r.recorded_at is not None for r in records)
    [notice] = _versions(session, tenant)
    assert notice.published_by_id is None and "利用目的" in notice.body


def test_withdrawing_is_as_easy_as_giving_and_each_change_is_recorded(
        session, tenant, people, member_client, clock):
    me = people.member_member
    member_client.post(_url(tenant, "/privacy"), data=ALL_YES)
    member = reload(session, Member, me.id)
    assert member.accepts_introductions is True
    assert member.work_visibility == ProfileVisibility.MEMBERS
    assert _stops(session, member.email, tenant) == set()
    clock.shift(hours=2)
    member_client.post(_url(tenant, "/privacy"), data={**ALL_YES, "introductions": "",
                                                       "announcements": ""})
    member = reload(session, Member, me.id)
    assert member.accepts_introductions is False  # out of matching
    assert _stops(session, member.email, tenant) == set(
        EMAIL_CATEGORIES[Purpose.ANNOUNCEMENTS])
    later = _records(session, me.id)[5:]
    assert [(r.purpose, r.granted, r.surface) for r in later] == [
        ("introductions", False, "portal"), ("announcements", False, "portal")]
    assert later[0].recorded_at > _records(session, me.id)[0].recorded_at
    # Given again, the opt-outs go.
    member_client.post(_url(tenant, "/privacy"), data=ALL_YES)
    assert _stops(session, member.email, tenant) == set()
    assert reload(session, Member, me.id).accepts_introductions is True
    state = member_client.get(_url(tenant, "/privacy")).get_data(as_text=True)
    assert 'data-section="history"' in state


def test_an_unsubscribe_link_shows_as_declined_and_consent_lifts_it(session, tenant, people,
                                                                    member_client):
    me = people.member_member
    with unscoped(session):
        session.add(EmailUnsubscribe(email=me.email, category="all", community_id=tenant.id))
        session.commit()
    page = member_client.get(_url(tenant, "/privacy")).get_data(as_text=True)
    assert 'data-purpose="announcements"' in page
    [box] = re.findall(r'<input[^>]*name="announcements"[^>]*>', page)
    assert "checked" not in box  # shown as declined: the opt-out is what is obeyed
    member_client.post(_url(tenant, "/privacy"), data={"announcements": "y"})
    stops = _stops(session, me.email, tenant)
    assert "all" not in stops and not stops & set(EMAIL_CATEGORIES[Purpose.ANNOUNCEMENTS])
    assert set(EMAIL_CATEGORIES[Purpose.FOLLOW_UPS]) <= stops  # nothing else resumed
    assert "reminders" in stops


def test_the_profile_page_changes_are_in_the_history(session, tenant, people, member_client):
    from tests.tenants.members.test_profile import full_profile

    me = people.member_member
    member_client.post(_url(tenant, "/privacy"), data=ALL_YES)
    before = len(_records(session, me.id))
    profile = full_profile()
    del profile["accepts_introductions"]  # unticked
    assert member_client.post(_url(tenant, "/profile"), data=profile).status_code == 302
    assert reload(session, Member, me.id).accepts_introductions is False
    [change] = _records(session, me.id)[before:]
    assert (change.purpose, change.granted, change.surface) == (
        "introductions", False, "profile")


# -- surfaces ------------------------------------------------------------------------------

def test_joining_by_invitation_asks_first_and_records_the_surface(
        session, tenant, people, app, maker, client):
    from joren.platform.communities.invitations import invitation_token, invite_member
    from joren.platform.tenancy import set_tenant

    s = maker(expire_on_commit=False)
    set_tenant(s, tenant.id)
    with app.test_request_context("/"):
        owner = s.get(Member, people.owner_member.id)
        invitation = invite_member(s, tenant, owner, "newcomer@example.jp",
                                   people.member_member.role, "")
        token = invitation_token(invitation)
        s.commit()
    response = client.post(f"/invite/{token}")
    assert response.headers["Location"] == f"/c/{tenant.slug}/privacy?next=/c/{tenant.slug}/"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-ask="first"' in page
    done = client.post(f"/c/{tenant.slug}/privacy", data={
        "introductions": "y", "next": f"/c/{tenant.slug}/"})
    assert done.headers["Location"] == f"/c/{tenant.slug}/"
    records = _records(session, invitation.member_id)
    assert {r.surface for r in records} == {"invitation"}
    assert reload(session, Member, invitation.member_id).accepts_introductions is True


def test_an_imported_member_is_not_yet_asked_then_asked_at_first_sign_in(
        session, tenant, people, organizer_client, login):
    account = factories.account(session, "imported@example.jp")
    member = factories.member(session, tenant, account=account)
    with unscoped(session):
        session.add(Invitation(tenant_id=tenant.id, member_id=member.id, invited_by_id=None,
                               email=account.email, nonce="n", expires_at=utcnow(),
                               accepted_at=utcnow()))
    session.commit()
    in_english(organizer_client)
    story = organizer_client.get(_url(tenant, f"/admin/members/{member.id}/story"))
    assert 'data-consent="not-asked"' in story.get_data(as_text=True)
    assert "Not yet asked" in story.get_data(as_text=True)
    person = login(account)
    home = person.get(_url(tenant, "/")).get_data(as_text=True)
    assert 'data-banner="notice"' in home
    person.post(_url(tenant, "/privacy"), data={"directory": "y"})
    assert {r.surface for r in _records(session, member.id)} == {"import"}
    story = organizer_client.get(_url(tenant, f"/admin/members/{member.id}/story"))
    body = story.get_data(as_text=True)
    assert 'data-consent="asked"' in body and "Read version 1" in body
    assert 'data-purpose="directory" data-granted="yes"' in body
    assert 'data-purpose="introductions" data-granted="no"' in body


def test_series_sign_up_leads_to_the_notice_once(session, tenant, people, member_client):
    series, _ = series_with_occurrences(session, tenant, n=1)
    session.commit()
    response = member_client.post(_url(tenant, f"/series/{series.id}/register"))
    location = response.headers["Location"]
    assert location.startswith(f"/c/{tenant.slug}/privacy?via=series")
    member_client.post(_url(tenant, "/privacy"), data={"via": "series", **ALL_YES})
    assert {r.surface for r in _records(session, people.member_member.id)} == {"series"}
    member_client.post(_url(tenant, f"/series/{series.id}/cancel"))
    again = member_client.post(_url(tenant, f"/series/{series.id}/register"))
    assert "/privacy" not in again.headers["Location"]  # asked once


def test_a_link_cannot_name_the_surface_after_the_first_answer(session, tenant, people,
                                                               member_client):
    member_client.post(_url(tenant, "/privacy"), data=ALL_YES)
    member_client.post(_url(tenant, "/privacy"), data={"via": "series"})
    assert {r.surface for r in _records(session, people.member_member.id)[5:]} == {"portal"}


def test_next_never_leaves_the_community(session, tenant, member_client):
    response = member_client.post(_url(tenant, "/privacy"),
                                  data={**ALL_YES, "next": "https://evil.example/"})
    assert response.headers["Location"] == f"/c/{tenant.slug}/privacy"
    response = member_client.post(_url(tenant, "/privacy"),
                                  data={**ALL_YES, "next": "/c/kobe-study/"})
    assert response.headers["Location"] == f"/c/{tenant.slug}/privacy"


def _guest(client, tenant, meetup, **extra):  # type: ignore[no-untyped-def]
    return client.post(_url(tenant, f"/meetups/{meetup.id}/guest"), data={
        "family_name": "来客", "given_name": "花子", "email": "guest-n@example.jp", **extra})


def test_the_guest_form_requires_the_notice(session, tenant, client):
    m = seated_meetup(session, tenant)
    session.commit()
    in_english(client)
    form = client.get(_url(tenant, f"/meetups/{m.id}/guest")).get_data(as_text=True)
    assert 'data-section="notice"' in form and "data-notice" in form
    assert "個人情報の利用目的" in form  # the notice itself, in the community's language
    refused = _guest(client, tenant, m)
    assert refused.status_code == 400
    assert "Please read the privacy notice and tick the box to register." in \
        refused.get_data(as_text=True)
    with unscoped(session):
        assert session.scalars(select(Registration)).all() == []


def test_a_guests_answers_are_recorded(session, tenant, client):
    m = seated_meetup(session, tenant)
    session.commit()
    assert _guest(client, tenant, m, notice_read="y").status_code == 200
    with unscoped(session):
        guest = session.scalar(select(Member).where(Member.email == "guest-n@example.jp"))
    assert guest.status == MemberStatus.GUEST
    records = _records(session, guest.id)
    assert [(r.purpose, r.granted, r.surface) for r in records] == [
        ("notice", True, "guest_form"), ("announcements", False, "guest_form")]
    assert _stops(session, guest.email, tenant) == set(EMAIL_CATEGORIES[Purpose.ANNOUNCEMENTS])


def test_a_guest_form_cannot_undo_an_opt_out_or_touch_a_member(session, tenant, people,
                                                               client):
    m = seated_meetup(session, tenant)
    with unscoped(session):
        session.add(EmailUnsubscribe(email="guest-n@example.jp", category="announcements",
                                     community_id=tenant.id))
    session.commit()
    _guest(client, tenant, m, notice_read="y", consent_announcements="y")
    assert "announcements" in _stops(session, "guest-n@example.jp", tenant)
    _guest(client, tenant, m, notice_read="y", email=people.member_member.email)
    assert _records(session, people.member_member.id) == []
    assert _stops(session, people.member_member.email, tenant) == set()


# -- a new version ---------------------------------------------------------------------------

def test_a_new_version_shows_a_banner_until_read_and_assumes_nothing(
        session, tenant, people, member_client, organizer_client):
    me = people.member_member
    home = _url(tenant, "/")
    member_client.post(_url(tenant, "/privacy"), data={"introductions": "y"})
    assert 'data-banner="notice"' not in member_client.get(home).get_data(as_text=True)
    organizer_client.post(_url(tenant, "/admin/privacy/notice"),
                          data={"body": "新しい利用目的", "action": "publish"})
    page = member_client.get(home).get_data(as_text=True)
    assert 'data-banner="notice"' in page
    member = reload(session, Member, me.id)
    assert member.accepts_introductions is True and not _stops(session, member.email, tenant) \
        - set(EMAIL_CATEGORIES[Purpose.ANNOUNCEMENTS]) - set(EMAIL_CATEGORIES[Purpose.FOLLOW_UPS])
    notice = member_client.get(_url(tenant, "/privacy")).get_data(as_text=True)
    assert 'data-ask="new-version"' in notice and "新しい利用目的" in notice
    member_client.post(_url(tenant, "/privacy"), data={"introductions": "y"})
    assert 'data-banner="notice"' not in member_client.get(home).get_data(as_text=True)
    acks = [r for r in _records(session, me.id) if r.purpose == "notice"]
    assert [_version_of(session, r) for r in acks] == [1, 2]  # the default, then theirs


def test_the_portal_home_reads_the_banner_in_one_statement(app, session, tenant, people,
                                                           member_client):
    home = _url(tenant, "/")
    member_client.get(home)
    with count_statements(app) as before:
        member_client.get(home)
    for n in range(5):
        session.add(PrivacyNotice(tenant_id=tenant.id, version=n + 1, body=f"版{n}"))
    session.commit()
    with count_statements(app) as after:
        member_client.get(home)
    assert len(after) == len(before) <= 10


# -- what the organizers see, the export and erasure -----------------------------------------

def test_the_members_csv_has_the_consent_columns(session, tenant, people, member_client,
                                                 organizer_client):
    member_client.post(_url(tenant, "/privacy"), data={"introductions": "y"})
    in_english(organizer_client)
    response = organizer_client.get(_url(tenant, "/admin/members/export.csv"))
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert "Privacy notice" in header and "Introductions between members" in header
    by_email = {row[header.index("Email")]: row for row in rows[1:]}
    mine = by_email[people.member_member.email]
    assert mine[header.index("Privacy notice")].startswith("Version 1, ")
    assert mine[header.index("Introductions between members")].startswith("Yes (")
    assert mine[header.index("Announcements from the organizers")].startswith("No (")
    assert by_email[people.staff_member.email][header.index("Privacy notice")] == \
        "Not yet asked"


def test_consents_in_one_community_do_not_touch_another(session, tenant, other_tenant,
                                                        people, login, member_client):
    elsewhere = factories.member(session, other_tenant, account=people.member,
                                 accepts_introductions=True)
    session.commit()
    member_client.post(_url(tenant, "/privacy"), data={"directory": "y"})
    assert reload(session, Member, elsewhere.id).accepts_introductions is True
    assert _records(session, elsewhere.id) == []
    assert _stops(session, people.member_member.email, other_tenant) == set()
    assert _versions(session, other_tenant) == []
    other_owner = login(people.other_owner)
    story = other_owner.get(_url(tenant, f"/admin/members/{people.member_member.id}/story"))
    assert story.status_code in (403, 404)
    # Its own console shows its own member, not asked there.
    mine = other_owner.get(_url(other_tenant, f"/admin/members/{elsewhere.id}/story"))
    assert 'data-consent="not-asked"' in mine.get_data(as_text=True)


def test_the_consent_history_is_in_the_members_data_export(session, tenant, people,
                                                           member_client):
    member_client.post(_url(tenant, "/privacy"), data={"introductions": "y"})
    response = member_client.post("/account/data/archive")
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        document = json.loads(archive.read("joren-data/data.json"))
    rows = document["data"][tenant.slug]["consent_records"]
    assert {(r["purpose"], r["granted"]) for r in rows} >= {("introductions", True)}


def test_removing_a_member_erases_their_consent_history(session, tenant, people,
                                                        member_client, organizer_client):
    me = people.member_member
    member_client.post(_url(tenant, "/privacy"), data=ALL_YES)
    assert _records(session, me.id)
    organizer_client.post(_url(tenant, f"/admin/members/{me.id}/remove"),
                          data={"confirm": "yes"})
    assert _records(session, me.id) == []
    assert len(_versions(session, tenant)) == 1  # the notice itself stays


def test_both_languages_render(session, tenant, member_client, client):
    japanese = member_client.get(_url(tenant, "/privacy")).get_data(as_text=True)
    assert "プライバシー" in japanese
    in_english(member_client)
    english = member_client.get(_url(tenant, "/privacy")).get_data(as_text=True)
    assert "Privacy notice" in english and "Introductions between members" in english
    assert "always sent; they need no consent" in english
    # A visitor of a public community reads the notice, without choices.
    public = client.get(_url(tenant, "/privacy"))
    body = public.get_data(as_text=True)
    assert public.status_code == 200 and "利用目的" in body and "data-purpose" not in body


def test_an_unsubscribe_link_after_consent_shows_at_once(session, tenant, people, clock,
                                                         member_client, organizer_client):
    me = people.member_member
    member_client.post(_url(tenant, "/privacy"), data=ALL_YES)
    clock.shift(hours=2)
    with unscoped(session):
        session.add(EmailUnsubscribe(email=me.email, category="announcements",
                                     community_id=tenant.id))
        session.commit()
    story = organizer_client.get(_url(tenant, f"/admin/members/{me.id}/story"))
    body = story.get_data(as_text=True)
    assert 'data-purpose="announcements" data-granted="no"' in body
    assert 'data-purpose="follow_ups" data-granted="yes"' in body
    with unscoped(session):
        overview = services.overviews(session, [reload(session, Member, me.id)])[me.id]
    answered = overview.answered_at
    assert overview.changed_at[Purpose.ANNOUNCEMENTS] > answered
    assert overview.changed_at[Purpose.FOLLOW_UPS] == answered


def test_consent_lifts_an_everywhere_opt_out_only_for_its_own_emails(session, tenant, people,
                                                                      member_client):
    me = people.member_member
    with unscoped(session):
        session.add(EmailUnsubscribe(email=me.email, category="all", community_id=None))
        session.commit()
    member_client.post(_url(tenant, "/privacy"), data={"announcements": "y"})
    with unscoped(session):
        everywhere = set(session.scalars(select(EmailUnsubscribe.category).where(
            EmailUnsubscribe.email == me.email, EmailUnsubscribe.community_id.is_(None))))
    assert "all" not in everywhere
    assert not everywhere & set(EMAIL_CATEGORIES[Purpose.ANNOUNCEMENTS])
    assert {"reminders", "introductions", *EMAIL_CATEGORIES[Purpose.FOLLOW_UPS]} <= everywhere
