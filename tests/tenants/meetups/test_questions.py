"""Registration questions: the organizer adds them (meetup or whole series), members and
guests answer when they register, the door and the CSV show the answers; another community
can neither see, change nor answer them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.platform.tenancy import unscoped
from joren.tenants.meetups.questions import services
from joren.tenants.meetups.questions.models import (
    Question,
    QuestionKind,
    QuestionPurpose,
    RegistrationAnswer,
)
from joren.tenants.meetups.registrations.series import apply_series_registrations
from tests.tenants.helpers import in_english, meetup
from tests.tenants.meetups.helpers_registrations import registrations_of, seated_meetup

pytestmark = pytest.mark.usefixtures("clock")


def _url(tenant, path: str) -> str:  # type: ignore[no-untyped-def]
    return f"/c/{tenant.slug}{path}"


def _questions(session, meetup_id):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return session.scalars(select(Question).where(Question.meetup_id == meetup_id)
                               .order_by(Question.position)).all()


def _answers(session):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return {a.registration_id: a.answer for a in session.scalars(select(RegistrationAnswer))}


def _add(client, tenant, meetup, **fields):  # type: ignore[no-untyped-def]
    data = {"purpose": "registration", "scope": "meetup", "kind": "text", **fields}
    return client.post(_url(tenant, f"/admin/meetups/{meetup.id}/questions"), data=data)


def test_question_answered_at_registration_shown_at_door_and_in_csv(
        session, tenant, people, organizer_client, member_client):
    m = seated_meetup(session, tenant, capacity=5, checkin_code="1234")
    session.commit()
    in_english(organizer_client)
    assert _add(organizer_client, tenant, m, prompt="How did you hear of us?", kind="single",
                choices_text="A friend\nThe website\n", is_required="y").status_code == 303
    assert _add(organizer_client, tenant, m, prompt="Food allergies").status_code == 303
    page = organizer_client.get(_url(tenant, f"/admin/meetups/{m.id}/questions"))
    assert "How did you hear of us?" in page.get_data(as_text=True)
    asked, allergies = _questions(session, m.id)
    assert asked.kind == QuestionKind.SINGLE and asked.choices == ["A friend", "The website"]
    assert asked.is_required and not allergies.is_required

    # The register box asks; a missing required answer registers nobody.
    detail = member_client.get(_url(tenant, f"/meetups/{m.id}")).get_data(as_text=True)
    assert "How did you hear of us?" in detail and f'name="q{asked.id}"' in detail
    refused = member_client.post(_url(tenant, f"/meetups/{m.id}/register"),
                                 follow_redirects=True).get_data(as_text=True)
    assert "Please answer “How did you hear of us?”" in refused
    assert registrations_of(session, m.id) == []
    bad = member_client.post(_url(tenant, f"/meetups/{m.id}/register"),
                             data={f"q{asked.id}": "A stranger"}, follow_redirects=True)
    assert "Choose one of the answers offered" in bad.get_data(as_text=True)

    member_client.post(_url(tenant, f"/meetups/{m.id}/register"),
                       data={f"q{asked.id}": "The website", f"q{allergies.id}": "えび"})
    [registration] = registrations_of(session, m.id)
    with unscoped(session):
        rows = session.scalars(select(RegistrationAnswer)
                               .where(RegistrationAnswer.registration_id == registration.id)
                               .order_by(RegistrationAnswer.question_id)).all()
    assert [r.answer for r in rows] == [["The website"], ["えび"]]

    door = organizer_client.get(_url(tenant, f"/admin/meetups/{m.id}/checkin"))
    text = door.get_data(as_text=True)
    assert "data-answers" in text and "The website" in text and "えび" in text

    csv = organizer_client.get(_url(tenant, f"/admin/meetups/{m.id}/registrations.csv"))
    body = csv.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    header, line = body.splitlines()[:2]
    assert header.endswith("How did you hear of us?,Food allergies")
    assert line.endswith("The website,えび")


def test_series_question_asked_for_every_occurrence_and_in_japanese(
        session, tenant, people, organizer_client, member_client):
    from tests.tenants.meetups.helpers_registrations import series_with_occurrences

    series, meetups = series_with_occurrences(session, tenant, 2)
    session.commit()
    _add(organizer_client, tenant, meetups[0], prompt="紹介したい業種", scope="series",
         is_required="y")
    with unscoped(session):
        [q] = session.scalars(select(Question)).all()
    assert q.series_id == series.id and q.meetup_id is None
    # The second occurrence asks it too; in Japanese the refusal is in Japanese.
    member_client.post("/language", data={"language": "ja"})
    refused = member_client.post(_url(tenant, f"/meetups/{meetups[1].id}/register"),
                                 follow_redirects=True).get_data(as_text=True)
    assert "「紹介したい業種」にお答えください" in refused
    page = organizer_client.get(_url(tenant, f"/admin/meetups/{meetups[1].id}/questions"))
    assert "紹介したい業種" in page.get_data(as_text=True)
    assert "シリーズの全回" in page.get_data(as_text=True)


def test_guest_answers_on_the_public_form(session, tenant, client):
    m = seated_meetup(session, tenant, capacity=3)
    session.commit()
    with unscoped(session):
        q = Question(tenant_id=tenant.id, meetup_id=m.id, prompt="Topics you like",
                     kind=QuestionKind.MULTIPLE, choices=["IT", "Sales", "Finance"],
                     is_required=True, position=1)
        session.add(q)
        session.commit()
    in_english(client)
    url = _url(tenant, f"/meetups/{m.id}/guest")
    form = client.get(url).get_data(as_text=True)
    assert "Topics you like" in form and 'type="checkbox"' in form
    base = {"family_name": "木村", "given_name": "花子", "email": "hanako@example.com",
            "notice_read": "y"}
    missing = client.post(url, data=base)
    assert missing.status_code == 400
    assert "Please answer “Topics you like”" in missing.get_data(as_text=True)
    assert registrations_of(session, m.id) == []
    ok = client.post(url, data={**base, f"q{q.id}": ["Finance", "IT"]})
    assert ok.status_code == 200
    [registration] = registrations_of(session, m.id)
    assert _answers(session) == {registration.id: ["IT", "Finance"]}  # in the question's order


def test_organizer_input_is_checked(session, tenant, people, organizer_client):
    m = seated_meetup(session, tenant)
    session.commit()
    in_english(organizer_client)
    one = _add(organizer_client, tenant, m, prompt="Pick", kind="single", choices_text="Only")
    assert one.status_code == 400
    assert "at least two choices" in one.get_data(as_text=True)
    empty = _add(organizer_client, tenant, m, prompt="")
    assert empty.status_code == 400 and "Enter the question." in empty.get_data(as_text=True)
    assert _questions(session, m.id) == []


def test_reorder_and_remove(session, tenant, people, organizer_client):
    m = seated_meetup(session, tenant)
    session.commit()
    for prompt in ("first", "second", "third"):
        _add(organizer_client, tenant, m, prompt=prompt)
    first, second, third = _questions(session, m.id)
    base = f"/admin/meetups/{m.id}/questions"
    organizer_client.post(_url(tenant, f"{base}/{third.id}/move"), data={"step": "up"})
    assert [q.prompt for q in _questions(session, m.id)] == ["first", "third", "second"]
    organizer_client.post(_url(tenant, f"{base}/{first.id}/move"), data={"step": "up"})
    assert [q.prompt for q in _questions(session, m.id)] == ["first", "third", "second"]
    organizer_client.post(_url(tenant, f"{base}/{second.id}/delete"))
    assert [q.prompt for q in _questions(session, m.id)] == ["first", "third"]


def test_another_community_can_neither_see_change_nor_answer(
        session, tenant, other_tenant, people, login, member_client):
    mine = seated_meetup(session, tenant, capacity=5)
    theirs = seated_meetup(session, other_tenant, capacity=5)
    session.commit()
    with unscoped(session):
        q = Question(tenant_id=tenant.id, meetup_id=mine.id, prompt="秘密の質問", position=1)
        foreign = Question(tenant_id=other_tenant.id, meetup_id=theirs.id, prompt="他所の質問",
                           position=1)
        session.add_all([q, foreign])
        session.commit()
    other = login(people.other_owner)
    base = f"/admin/meetups/{mine.id}/questions"
    # Not a member here: the edge refuses before anything is read.
    page = other.get(_url(tenant, base))
    assert page.status_code == 403 and "秘密の質問" not in page.get_data(as_text=True)
    assert other.post(_url(tenant, base), data={"prompt": "x", "kind": "text",
                                                "purpose": "registration",
                                                "scope": "meetup"}).status_code == 403
    assert other.post(_url(tenant, f"{base}/{q.id}/delete")).status_code == 403
    # In their own console, this community's ids are not found (404).
    assert other.get(_url(other_tenant, base)).status_code == 404
    theirs_base = f"/admin/meetups/{theirs.id}/questions"
    assert other.post(_url(other_tenant, f"{theirs_base}/{q.id}/delete")).status_code == 404
    assert "秘密の質問" not in other.get(_url(other_tenant, theirs_base)).get_data(as_text=True)
    assert len(_questions(session, mine.id)) == 1
    # A member answering names another community's question: it is not this meetup's, ignored.
    member_client.post(_url(tenant, f"/meetups/{mine.id}/register"),
                       data={f"q{foreign.id}": "漏れ", f"q{q.id}": "答え"})
    [registration] = registrations_of(session, mine.id)
    assert _answers(session) == {registration.id: ["答え"]}


def test_read_answers_keeps_to_limits(session, tenant):
    q = Question(id=1, prompt="Note", kind=QuestionKind.TEXT, choices=[], is_required=False,
                 purpose=QuestionPurpose.REGISTRATION)
    assert services.read_answers([q], {"q1": ["  hello  "]}) == {1: ["hello"]}
    assert services.read_answers([q], {}) == {}
    with pytest.raises(services.QuestionError):
        services.read_answers([q], {"q1": ["x" * (services.ANSWER_LIMIT + 1)]})


def test_registering_for_the_whole_series_answers_its_questions(
        session, tenant, people, member_client):
    from tests.tenants.meetups.helpers_registrations import series_with_occurrences

    series, meetups = series_with_occurrences(session, tenant, 3)
    with unscoped(session):
        asked = Question(tenant_id=tenant.id, series_id=series.id, prompt="業種", position=1,
                         is_required=True)
        session.add(asked)
    session.commit()
    in_english(member_client)
    page = member_client.get(_url(tenant, f"/meetups/{meetups[0].id}")).get_data(as_text=True)
    assert "data-series-questions" in page and 'id="series-q' in page
    refused = member_client.post(_url(tenant, f"/series/{series.id}/register"),
                                 follow_redirects=True).get_data(as_text=True)
    assert "Please answer “業種”" in refused
    member_client.post(_url(tenant, f"/series/{series.id}/register"),
                       data={f"q{asked.id}": "製造業"})
    made = [r.id for m in meetups for r in registrations_of(session, m.id)]
    assert len(made) == 3
    assert _answers(session) == dict.fromkeys(made, ["製造業"])


def test_a_meetup_materialised_later_carries_the_series_answers(
        session, tenant, people, member_client, scoped):
    from tests.tenants.meetups.helpers_registrations import series_with_occurrences

    series, meetups = series_with_occurrences(session, tenant, 2)
    with unscoped(session):
        asked = Question(tenant_id=tenant.id, series_id=series.id, prompt="業種", position=1)
        one_off = Question(tenant_id=tenant.id, meetup_id=meetups[0].id, prompt="今回だけ",
                           position=2)
        session.add_all([asked, one_off])
    session.commit()
    member_client.post(_url(tenant, f"/series/{series.id}/register"),
                       data={f"q{asked.id}": "製造業", f"q{one_off.id}": "はい"})
    later = meetup(session, tenant, "朝活セミナー",
                   starts_at=meetups[-1].starts_at + timedelta(weeks=1), series_id=series.id,
                   recurrence_id=meetups[-1].starts_at + timedelta(weeks=1), capacity=10)
    session.commit()
    s = scoped(tenant)
    assert apply_series_registrations(s, s.get(type(later), later.id)) == 1
    s.commit()
    [made] = registrations_of(session, later.id)
    # The series' question is answered as at sign-up, and only that one.
    with unscoped(session):
        carried = session.execute(select(RegistrationAnswer.question_id, RegistrationAnswer.answer)
                                  .where(RegistrationAnswer.registration_id == made.id)).all()
    assert [tuple(row) for row in carried] == [(asked.id, ["製造業"])]
