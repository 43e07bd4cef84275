"""The profile form's concept picker (issue 15): members pick what they provide and what they
need from the bilingual vocabulary; the picks are checked, shown, and read by the engine."""

from __future__ import annotations

import pytest

from joren.models import Member
from joren.tenants.members import vocabulary
from joren.tenants.members.profiles.services import ProfileInvalid, clean_profile
from tests.tenants.helpers import reload
from tests.tenants.members.test_profile import MINE, full_profile


def test_a_member_picks_concepts_and_sees_them_on_the_profile(session, member_client, people):
    page = member_client.get(MINE).get_data(as_text=True)
    assert 'name="offer_concepts"' in page and 'name="need_concepts"' in page
    assert 'value="bookkeeping"' in page
    assert 'value="management_general"' not in page  # generic: cannot be picked
    response = member_client.post(MINE, data=full_profile(
        offer_concepts=["bookkeeping", "tax"], need_concepts=["web_development"]))
    assert response.status_code == 302
    member = reload(session, Member, people.member_member.id)
    assert (member.offer_concepts, member.need_concepts) == ("bookkeeping,tax", "web_development")
    page = member_client.get(MINE).get_data(as_text=True)
    assert 'value="tax" checked' in page
    shown = member_client.get(f"/c/osaka-mixer/members/{member.id}").get_data(as_text=True)
    assert vocabulary.concepts()["web_development"].label("en") in shown


def test_unchecking_every_concept_clears_the_picks(session, member_client, people):
    member_client.post(MINE, data=full_profile(offer_concepts=["legal"]))
    member_client.post(MINE, data=full_profile())
    assert reload(session, Member, people.member_member.id).offer_concepts == ""


@pytest.mark.parametrize("picks,code", [
    (["no-such-concept"], "unknown_choice"),
    (["management_general"], "unknown_choice"),   # generic concepts cannot be picked
    (["tax", "legal", "insurance", "printing", "logistics", "recruiting"], "too_many_concepts"),
])
def test_bad_picks_are_refused(picks, code):
    with pytest.raises(ProfileInvalid) as caught:
        clean_profile({"need_concepts": picks})
    assert caught.value.errors["need_concepts"][0] == code


def test_bad_picks_are_explained_and_nothing_is_saved(session, member_client, people):
    response = member_client.post(MINE, data=full_profile(
        need_concepts=["tax", "legal", "insurance", "printing", "logistics", "recruiting"]))
    assert response.status_code == 422
    assert "at most 5" in response.get_data(as_text=True) or "5個まで" in response.get_data(
        as_text=True)
    assert reload(session, Member, people.member_member.id).need_concepts == ""
