"""The page cache on member-facing pages (issue 14): a member's profile seen by another, the
meetup list, a receipt, the forms to log a contact, to close a referral and to ask for an
introduction. What each page shows is the same kept or computed, a write shows at once, what
follows the clock moves with it, and another reader (of this community or another) never
gets a page kept for someone else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from joren.models import MemberStatus, Role
from joren.platform.membership.models import ProfileVisibility
from joren.platform.tenancy import unscoped
from joren.tenants.introductions import views as intro_views
from joren.tenants.meetups import views as meetup_views
from joren.tenants.meetups.checkin import views as checkin_views
from joren.tenants.meetups.public import views as public_views
from joren.tenants.meetups.questions.models import Question, QuestionPurpose
from joren.tenants.meetups.registrations import views as registration_views
from joren.tenants.members.profiles import views as profile_views
from joren.tenants.payments import views as payment_views
from joren.tenants.relationships import views as relationship_views
from joren.tenants.relationships.models import MeetupGives
from tests import factories
from tests.platform.pagecache_helpers import (
    counting,
    in_other_community,
    same_cached_and_not,
    signed_in_intruder,
)
from tests.tenants.helpers import days_ago, in_english, meetup
from tests.tenants.meetups.helpers_checkin import register
from tests.tenants.payments.test_receipts import evening, paid  # noqa: F401 - fixtures
from tests.tenants.relationships.ledger_helpers import referral

pytestmark = pytest.mark.usefixtures("clock")

SLUG = "osaka-mixer"


# -- a member's profile seen by another member -------------------------------------------------

def _profile(member) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/members/{member.id}"


@pytest.fixture()
def sato(session, tenant):  # type: ignore[no-untyped-def]
    """A member whose challenges only the organizers see."""
    row = factories.member(session, tenant, family_name="佐藤", given_name="健",
                           company="佐藤商事", challenges="資金繰りの相談先",
                           work_visibility=ProfileVisibility.MEMBERS,
                           goals_visibility=ProfileVisibility.ORGANIZERS)
    session.commit()
    return row


def test_a_profile_is_the_same_kept_and_shown_as_each_reader_may_see_it(
        app, monkeypatch, member_client, owner_client, sato):
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        owners = same_cached_and_not(app, owner_client, _profile(sato))
        assert "佐藤商事" in owners and "資金繰りの相談先" in owners
        members = same_cached_and_not(app, member_client, _profile(sato))
        assert "佐藤商事" in members and "資金繰りの相談先" not in members
    computed = counting(monkeypatch, profile_views, "_show_body")
    member_client.get(_profile(sato))
    owner_client.get(_profile(sato))
    assert computed == []


def test_a_profile_shows_each_members_own_page(app, member_client, people, sato):
    member_client = in_english(member_client)
    theirs = same_cached_and_not(app, member_client, _profile(sato))
    own = same_cached_and_not(app, member_client, _profile(people.member_member))
    assert "佐藤 健" in theirs and "Ask the organizers to introduce us" in theirs
    assert "田中 三郎" in own and "Edit my profile" in own and "佐藤 健" not in own


def test_a_profile_shows_an_edit_at_once_and_the_gives_follow_the_clock(
        app, session, clock, tenant, login, people, member_client, sato):
    evening_ = meetup(session, tenant, "今夜の定例会", starts_at=days_ago(0) - timedelta(hours=1))
    evening_.ends_at = clock.now() + timedelta(seconds=90)
    register(session, evening_, sato)
    with unscoped(session):
        session.add(MeetupGives(tenant_id=tenant.id, member_id=sato.id, meetup_id=evening_.id,
                                give_1="税理士の紹介", give_2="", give_3=""))
    sato.give_ask_visibility = ProfileVisibility.MEMBERS
    session.commit()
    page = same_cached_and_not(app, member_client, _profile(sato))
    assert "税理士の紹介" in page and "佐藤建設" not in page
    sato.company = "佐藤建設"
    session.commit()
    assert "佐藤建設" in same_cached_and_not(app, member_client, _profile(sato))
    clock.shift(minutes=2)  # the meetup is over: its gives leave the page, nothing written
    member_client = login(people.member)
    assert "税理士の紹介" not in same_cached_and_not(app, member_client, _profile(sato))


def test_a_hidden_profile_is_never_served_to_a_member(session, member_client, owner_client,
                                                      tenant):
    guest = factories.member(session, tenant, status=MemberStatus.GUEST,
                             family_name="来客", given_name="一人")
    session.commit()
    assert owner_client.get(_profile(guest)).status_code == 200  # kept for the organizer
    assert member_client.get(_profile(guest)).status_code == 404


def test_a_profile_is_never_another_communitys(login, session, other_tenant, member_client,
                                               sato):
    assert "佐藤商事" in member_client.get(_profile(sato)).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    assert intruder.get(in_other_community(_profile(sato), other_tenant)).status_code == 404
    assert intruder.get(_profile(sato)).status_code in (302, 403, 404)


# -- the meetup list (portal) --------------------------------------------------------------

MEETUPS = f"/c/{SLUG}/meetups"


@pytest.fixture()
def listed(session, tenant):  # type: ignore[no-untyped-def]
    """A public meetup and a members-only one to come, in a public community."""
    tenant.is_public = True
    meetup(session, tenant, "公開の交流会", is_public=True)
    meetup(session, tenant, "会員だけの勉強会", is_public=False)
    session.commit()


def test_the_meetup_list_is_the_same_kept_and_visitors_see_only_public_meetups(
        app, monkeypatch, client, member_client, owner_client, listed):
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    client = in_english(client)
    for _ in range(2):
        members = same_cached_and_not(app, member_client, MEETUPS)
        assert "公開の交流会" in members and "会員だけの勉強会" in members
        visitors = same_cached_and_not(app, client, MEETUPS)
        assert "公開の交流会" in visitors and "会員だけの勉強会" not in visitors
    computed = counting(monkeypatch, meetup_views, "portal_meetups")
    member_client.get(MEETUPS)
    owner_client.get(MEETUPS)  # another member: the same kept page
    client.get(MEETUPS)
    assert computed == []


def test_the_meetup_list_shows_a_new_meetup_at_once_and_follows_the_clock(
        app, session, clock, tenant, login, people, member_client, listed):
    member_client = in_english(member_client)
    assert "もうすぐの会" not in same_cached_and_not(app, member_client, MEETUPS)
    meetup(session, tenant, "もうすぐの会", starts_at=clock.now() + timedelta(seconds=90))
    session.commit()
    upcoming, past = same_cached_and_not(app, member_client, MEETUPS).split("Past meetups")
    assert "もうすぐの会" in upcoming and "もうすぐの会" not in past
    clock.shift(minutes=2)  # it has started: a past meetup now, nothing written
    member_client = in_english(login(people.member))
    upcoming, past = same_cached_and_not(app, member_client, MEETUPS).split("Past meetups")
    assert "もうすぐの会" not in upcoming and "もうすぐの会" in past


def test_the_meetup_list_is_never_another_communitys(login, session, other_tenant,
                                                     member_client, listed):
    assert "会員だけの勉強会" in member_client.get(MEETUPS).get_data(as_text=True)
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    theirs = intruder.get(in_other_community(MEETUPS, other_tenant))
    assert theirs.status_code == 200
    assert "会員だけの勉強会" not in theirs.get_data(as_text=True)
    assert "公開の交流会" not in theirs.get_data(as_text=True)


# -- a receipt ------------------------------------------------------------------------------

def _receipt(payment) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/payments/{payment.id}/receipt"


def test_a_receipt_is_the_same_kept_and_only_its_readers(app, monkeypatch, login, session,
                                                         tenant, people, member_client,
                                                         organizer_client, paid):  # noqa: F811
    mine, theirs = paid["mine"], paid["theirs"]
    other = factories.account(session, "kato@example.jp", language="en")
    factories.member(session, tenant, account=other, family_name="加藤", given_name="次")
    session.commit()
    organizer_client.get(_receipt(mine))  # the marking's flash messages
    member_client, organizer_client = in_english(member_client), in_english(organizer_client)
    other_client = in_english(login(other))
    for _ in range(2):
        page = same_cached_and_not(app, member_client, _receipt(mine))
        assert mine.receipt_number in page and "田中 三郎" in page
        assert mine.receipt_number in same_cached_and_not(app, organizer_client, _receipt(mine))
        page = same_cached_and_not(app, organizer_client, _receipt(theirs))
        assert theirs.receipt_number in page and mine.receipt_number not in page
    computed = counting(monkeypatch, payment_views, "_receipt_body")
    member_client.get(_receipt(mine))
    assert computed == []
    # Another plain member: not theirs, never served the kept page.
    assert other_client.get(_receipt(mine)).status_code == 404


def test_someone_elses_receipt_is_audited_on_every_view(app, monkeypatch, organizer_client,
                                                       paid):  # noqa: F811
    audited = counting(monkeypatch, payment_views, "audit_this_request")
    for _ in range(3):
        assert organizer_client.get(_receipt(paid["mine"])).status_code == 200
    assert len(audited) >= 3
    audited.clear()
    monkeypatch.setattr(payment_views, "_receipt_body",
                        lambda *a: pytest.fail("kept page expected"))
    assert organizer_client.get(_receipt(paid["mine"])).status_code == 200
    assert len(audited) == 1


def test_a_receipt_shows_a_new_addressee_at_once(app, member_client, paid):  # noqa: F811
    url = _receipt(paid["mine"])
    assert "株式会社タナカ" not in same_cached_and_not(app, member_client, url)
    saved = member_client.post(f"{url}/addressee",
                               data={"addressee": "株式会社タナカ", "honorific": "onchu"})
    assert saved.status_code in (302, 303)
    member_client.get(url)  # (and its flash)
    assert "株式会社タナカ" in same_cached_and_not(app, member_client, url)


def test_a_receipt_is_never_another_communitys(login, session, other_tenant, member_client,
                                               paid):  # noqa: F811
    assert member_client.get(_receipt(paid["mine"])).status_code == 200
    intruder = signed_in_intruder(login, session, other_tenant)
    url = _receipt(paid["mine"])
    assert intruder.get(in_other_community(url, other_tenant)).status_code == 404
    assert intruder.get(url).status_code in (302, 403, 404)


# -- logging a contact ------------------------------------------------------------------------

def _contact(member, query: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/network/{member.id}/contact{query}"


def test_the_contact_form_is_the_same_kept_and_each_readers_own(
        app, monkeypatch, member_client, owner_client, people, sato):
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    back = f"?next=/c/{SLUG}/meetups"
    for _ in range(2):
        page = same_cached_and_not(app, member_client, _contact(sato))
        assert "佐藤 健" in page and "Log a contact" in page and "/meetups" not in page.split(
            'name="next"')[1][:80]
        with_back = same_cached_and_not(app, member_client, _contact(sato, back))
        assert f'value="/c/{SLUG}/meetups"' in with_back
        owners = same_cached_and_not(app, owner_client, _contact(people.member_member))
        assert "田中 三郎" in owners and "佐藤 健" not in owners
    computed = counting(monkeypatch, relationship_views, "_contact_body")
    member_client.get(_contact(sato))
    assert computed == []
    # Logging a contact with oneself is refused: the owner's kept form is not the member's.
    assert member_client.get(_contact(people.member_member)).status_code == 404


def test_a_refused_contact_shows_the_error_not_the_kept_form(app, member_client, sato):
    member_client = in_english(member_client)
    same_cached_and_not(app, member_client, _contact(sato))
    refused = member_client.post(_contact(sato), data={"kind": "talked",
                                                       "happened_on": "2999-01-01"})
    assert refused.status_code == 422
    assert 'id="contact-error"' in refused.get_data(as_text=True)


def test_the_contact_form_is_never_another_communitys(login, session, other_tenant,
                                                      member_client, sato):
    assert member_client.get(_contact(sato)).status_code == 200
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    assert intruder.get(in_other_community(_contact(sato), other_tenant)).status_code == 404


# -- a referral --------------------------------------------------------------------------------

def _referral(row) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/network/referrals/{row.id}"


def test_a_referral_is_the_same_kept_and_each_sides_own(app, monkeypatch, login, session,
                                                        tenant, people, member_client, sato):
    receiver = factories.account(session, "sato@example.jp", language="en")
    with unscoped(session):
        sato.account_id = receiver.id
    given = referral(session, people.member_member, sato)
    received = referral(session, sato, people.member_member)
    session.commit()
    member_client, sato_client = in_english(member_client), in_english(login(receiver))
    owner_client = in_english(login(people.owner))
    for _ in range(2):
        assert "You passed this on to" in same_cached_and_not(app, member_client,
                                                               _referral(given))
        assert "Passed on to you by" in same_cached_and_not(app, member_client,
                                                            _referral(received))
        # The receiver's side says so.
        assert "Passed on to you by" in same_cached_and_not(app, sato_client,
                                                            _referral(given))
    computed = counting(monkeypatch, relationship_views, "_referral_body")
    member_client.get(_referral(given))
    assert computed == []
    # A third member never gets the kept page.
    assert owner_client.get(_referral(given)).status_code == 404


def test_a_referral_shows_its_closing_at_once(app, session, people, member_client, sato):
    given = referral(session, people.member_member, sato)
    session.commit()
    member_client = in_english(member_client)
    assert "Closed: business won" not in same_cached_and_not(app, member_client,
                                                             _referral(given))
    closed = member_client.post(_referral(given), data={"outcome": "won", "value": "120,000"})
    assert closed.status_code == 303
    member_client.get(_referral(given))  # (and its flash)
    page = same_cached_and_not(app, member_client, _referral(given))
    assert "Closed: business won" in page and 'value="120,000"' in page


def test_a_referral_is_never_another_communitys(login, session, people, other_tenant,
                                                member_client, sato):
    given = referral(session, people.member_member, sato)
    session.commit()
    assert member_client.get(_referral(given)).status_code == 200
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    assert intruder.get(in_other_community(_referral(given), other_tenant)).status_code == 404


# -- asking for an introduction ----------------------------------------------------------------

def _introduce(member) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/members/{member.id}/introduce"


def test_the_introduction_form_is_the_same_kept_and_shows_a_request_at_once(
        app, monkeypatch, member_client, owner_client, sato):
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        page = same_cached_and_not(app, member_client, _introduce(sato))
        assert "佐藤 健" in page and "You have already asked" not in page
    computed = counting(monkeypatch, intro_views, "_request_body")
    member_client.get(_introduce(sato))
    assert computed == []
    monkeypatch.undo()
    asked = member_client.post(_introduce(sato), data={"note": "税務の相談をしたいです"})
    assert asked.status_code == 302
    member_client.get(_introduce(sato))  # (and its flash)
    assert "You have already asked" in same_cached_and_not(app, member_client, _introduce(sato))
    # The owner did not ask: their page is their own.
    assert "You have already asked" not in same_cached_and_not(app, owner_client,
                                                               _introduce(sato))


def test_the_introduction_form_is_never_another_communitys(login, session, other_tenant,
                                                           member_client, people, sato):
    assert member_client.get(_introduce(sato)).status_code == 200
    assert member_client.get(_introduce(people.member_member)).status_code == 404
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    assert intruder.get(in_other_community(_introduce(sato), other_tenant)).status_code == 404


# -- self check-in -----------------------------------------------------------------------------

def _checkin(row) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/meetups/{row.id}/checkin"


@pytest.fixture()
def tonight(session, tenant, clock):  # type: ignore[no-untyped-def]
    """Tonight's meetup, its self check-in open with the code 4321."""
    row = meetup(session, tenant, "今夜の定例会", starts_at=clock.now() + timedelta(minutes=5))
    with unscoped(session):
        row.checkin_code = "4321"
        row.checkin_opens_at = clock.now() - timedelta(minutes=1)
        row.checkin_closes_at = clock.now() + timedelta(hours=2)
    session.commit()
    return row


def test_self_check_in_is_the_same_kept_and_each_members_own(
        app, monkeypatch, session, tenant, member_client, owner_client, tonight):
    later = meetup(session, tenant, "来週の定例会")
    session.commit()
    member_client, owner_client = in_english(member_client), in_english(owner_client)
    for _ in range(2):
        page = same_cached_and_not(app, member_client, _checkin(tonight))
        assert "今夜の定例会" in page and 'name="code"' in page
    checked_in = member_client.post(_checkin(tonight), data={"code": "4321"})
    assert checked_in.status_code == 302
    member_client.get(_checkin(tonight))  # (and its flash)
    page = same_cached_and_not(app, member_client, _checkin(tonight))
    assert "data-self-checked-in" in page and 'name="code"' not in page
    # The owner has not checked in: their page is their own.
    owners = same_cached_and_not(app, owner_client, _checkin(tonight))
    assert "data-self-checked-in" not in owners and 'name="code"' in owners
    page = same_cached_and_not(app, member_client, _checkin(later))
    assert "来週の定例会" in page and "data-self-checked-in" not in page
    computed = counting(monkeypatch, checkin_views, "_self_checkin_body")
    member_client.get(_checkin(tonight))
    owner_client.get(_checkin(tonight))
    assert computed == []


def test_a_wrong_code_shows_the_error_not_the_kept_form(app, member_client, tonight):
    member_client = in_english(member_client)
    same_cached_and_not(app, member_client, _checkin(tonight))
    refused = member_client.post(_checkin(tonight), data={"code": "1111"})
    assert refused.status_code == 400
    assert "is-invalid" in refused.get_data(as_text=True)


def test_self_check_in_is_never_another_communitys(login, session, other_tenant,
                                                   member_client, tonight):
    assert member_client.get(_checkin(tonight)).status_code == 200
    intruder = signed_in_intruder(login, session, other_tenant, Role.MEMBER)
    assert intruder.get(in_other_community(_checkin(tonight), other_tenant)).status_code == 404


# -- a guest's registration form ---------------------------------------------------------------

def _guest_form(row) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{SLUG}/meetups/{row.id}/guest"


@pytest.fixture()
def open_evening(session, tenant):  # type: ignore[no-untyped-def]
    tenant.is_public = True
    row = meetup(session, tenant, "公開の交流会", is_public=True)
    session.commit()
    return row


def test_the_guest_form_is_the_same_kept_for_everyone_and_shows_a_question_at_once(
        app, monkeypatch, session, tenant, client, member_client, open_evening):
    second = meetup(session, tenant, "二つ目の交流会", is_public=True)
    session.commit()
    client, member_client = in_english(client), in_english(member_client)
    for _ in range(2):
        assert "公開の交流会" in same_cached_and_not(app, client, _guest_form(open_evening))
        assert "公開の交流会" in same_cached_and_not(app, member_client,
                                                     _guest_form(open_evening))
    page = same_cached_and_not(app, client, _guest_form(second))
    assert "二つ目の交流会" in page and "公開の交流会" not in page
    computed = counting(monkeypatch, registration_views, "_guest_body")
    client.get(_guest_form(open_evening))
    assert computed == []
    monkeypatch.undo()
    with unscoped(session):
        session.add(Question(tenant_id=tenant.id, meetup_id=open_evening.id,
                             purpose=QuestionPurpose.REGISTRATION, position=1,
                             prompt="ご紹介者のお名前"))
    session.commit()
    assert "ご紹介者のお名前" in same_cached_and_not(app, client, _guest_form(open_evening))


def test_the_guest_form_of_a_meetup_made_private_is_gone_at_once(client, session,
                                                                open_evening):
    assert client.get(_guest_form(open_evening)).status_code == 200
    open_evening.is_public = False
    session.commit()
    assert client.get(_guest_form(open_evening)).status_code == 404


def test_the_guest_form_is_never_another_communitys(client, session, other_tenant,
                                                    open_evening):
    assert client.get(_guest_form(open_evening)).status_code == 200
    other_tenant.is_public = True
    session.commit()
    url = in_other_community(_guest_form(open_evening), other_tenant)
    assert client.get(url).status_code == 404


# -- the embeddable calendar -------------------------------------------------------------------

EMBED = f"/c/{SLUG}/embed"


def test_the_embed_is_the_same_kept_shows_a_meetup_at_once_and_follows_the_clock(
        app, monkeypatch, session, clock, tenant, client, open_evening):
    client = in_english(client)
    assert "公開の交流会" in same_cached_and_not(app, client, EMBED)
    computed = counting(monkeypatch, public_views, "_embed_html")
    client.get(EMBED)
    assert computed == []
    monkeypatch.undo()
    meetup(session, tenant, "もうすぐの会", starts_at=clock.now() + timedelta(seconds=90),
           is_public=True)
    session.commit()
    assert "もうすぐの会" in same_cached_and_not(app, client, EMBED)
    clock.shift(minutes=2)  # it has started: it leaves the list, nothing written
    page = same_cached_and_not(app, client, EMBED)
    assert "もうすぐの会" not in page and "公開の交流会" in page


def test_the_embed_is_never_another_communitys(client, session, other_tenant, open_evening):
    assert "公開の交流会" in client.get(EMBED).get_data(as_text=True)
    other_tenant.is_public = True
    session.commit()
    theirs = client.get(in_other_community(EMBED, other_tenant))
    assert theirs.status_code == 200 and "公開の交流会" not in theirs.get_data(as_text=True)
