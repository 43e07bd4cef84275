"""The after-meetup survey: emailed once to each attendee the next morning, answered by link,
read per meetup in the console, as a CSV and as a trend on the analytics page; another
community can neither see nor answer it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.models import AttendanceStatus, OutboxMessage, OutboxStatus
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.platform.tenancy import unscoped
from joren.tenants.meetups.questions.models import Question, QuestionKind, QuestionPurpose
from joren.tenants.meetups.survey import services
from joren.tenants.meetups.survey.links import survey_token
from joren.tenants.meetups.survey.models import SurveyResponse
from tests import factories
from tests.tenants.helpers import attend, in_english, meetup

pytestmark = pytest.mark.usefixtures("clock")


def _surveys(session):  # type: ignore[no-untyped-def]
    with unscoped(session):
        session.expire_all()
        return session.scalars(select(OutboxMessage).where(
            OutboxMessage.template == services.TEMPLATE).order_by(OutboxMessage.id)).all()


def _past_meetup(session, community, clock, title="定例会"):  # type: ignore[no-untyped-def]
    return meetup(session, community, title, starts_at=clock.now() - timedelta(days=3))


def test_attendees_get_one_survey_the_next_morning(app_ctx, session, scoped, tenant,
                                                   other_tenant, clock):
    m = _past_meetup(session, tenant, clock)
    came = factories.member(session, tenant, email="came@example.jp")
    late = factories.member(session, tenant, email="late@example.jp")
    absent = factories.member(session, tenant, email="absent@example.jp")
    stopped = factories.member(session, tenant, email="stopped@example.jp")
    for person, status in ((came, AttendanceStatus.PRESENT), (late, AttendanceStatus.LATE),
                           (absent, AttendanceStatus.ABSENT),
                           (stopped, AttendanceStatus.PRESENT)):
        attend(session, m, person, status)
    theirs = _past_meetup(session, other_tenant, clock)
    attend(session, theirs, factories.member(session, other_tenant, email="x@example.jp"))
    record_unsubscribe(session, "stopped@example.jp", "surveys", tenant.id)
    session.commit()
    s = scoped(tenant)
    due = services.survey_send_at(m, tenant)
    assert due.astimezone(tenant.zone).hour == 10
    assert due.astimezone(tenant.zone).date() == m.starts_at.astimezone(tenant.zone).date() \
        + timedelta(days=1)

    assert services.send_due_surveys(s, tenant, now=due - timedelta(minutes=1)) == 0
    assert services.send_due_surveys(s, tenant, now=due + timedelta(minutes=5)) == 3
    s.commit()
    # The sweep again (or an overlapping run): nothing more.
    assert services.send_due_surveys(s, tenant, now=due + timedelta(hours=1)) == 0
    s.commit()
    messages = _surveys(session)
    assert sorted(m.to_email for m in messages) == ["came@example.jp", "late@example.jp",
                                                    "stopped@example.jp"]
    by_address = {msg.to_email: msg for msg in messages}
    assert by_address["stopped@example.jp"].status == OutboxStatus.SUPPRESSED
    sent = by_address["came@example.jp"]
    assert sent.category == "surveys" and sent.community_id == tenant.id
    assert "List-Unsubscribe" in sent.headers and "One-Click" in \
        sent.headers["List-Unsubscribe-Post"]
    assert "定例会" in sent.subject and "アンケート" in sent.subject  # the community's language
    assert "/survey/" in sent.text_body
    # Too late (the worker was down for days): no stale survey.
    assert services.due_meetups(s, tenant, due + services.LATEST) == []


def test_attendee_answers_by_link_and_organizer_reads_results(
        app, session, tenant, other_tenant, people, client, organizer_client, clock):
    m = _past_meetup(session, tenant, clock, title="三月の定例会")
    attendee = factories.member(session, tenant, email="came@example.jp", family_name="山田",
                                given_name="太郎")
    second = factories.member(session, tenant, email="also@example.jp")
    stranger = factories.member(session, tenant, email="not-there@example.jp")
    attend(session, m, attendee)
    attend(session, m, second)
    with unscoped(session):
        q = Question(tenant_id=tenant.id, meetup_id=m.id, purpose=QuestionPurpose.SURVEY,
                     kind=QuestionKind.SINGLE, choices=["また参加したい", "様子を見る"],
                     prompt="次回も参加しますか", is_required=True, position=1)
        session.add(q)
    session.commit()
    with app.app_context():
        token = survey_token(tenant.id, m.id, attendee.id)
        second_token = survey_token(tenant.id, m.id, second.id)
        absent_token = survey_token(tenant.id, m.id, stranger.id)
        foreign_token = survey_token(other_tenant.id, m.id, attendee.id)
    url = f"/c/{tenant.slug}/survey/{token}"
    page = client.get(f"{url}?s=4").get_data(as_text=True)
    assert "三月の定例会" in page and "次回も参加しますか" in page
    assert 'value="4" checked' in page
    missing = client.post(url, data={"satisfaction": "4"})
    assert missing.status_code == 400
    assert "「次回も参加しますか」にお答えください" in missing.get_data(as_text=True)
    bad = client.post(url, data={"satisfaction": "9", f"q{q.id}": "また参加したい"})
    assert bad.status_code == 400 and "満足度を1〜5から選んでください" in bad.get_data(as_text=True)
    done = client.post(url, data={"satisfaction": "4", "comment": "名刺交換が楽しかった",
                                  f"q{q.id}": "また参加したい"})
    assert done.status_code == 200 and "ありがとうございました" in done.get_data(as_text=True)
    # Answering again replaces the answer.
    client.post(url, data={"satisfaction": "5", "comment": "とても良かった",
                           f"q{q.id}": "また参加したい"})
    client.post(f"/c/{tenant.slug}/survey/{second_token}",
                data={"satisfaction": "2", f"q{q.id}": "様子を見る"})
    with unscoped(session):
        rows = session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
    assert [(r.member_id, r.satisfaction) for r in rows] == [(attendee.id, 5), (second.id, 2)]

    # Only attendees, only with this community's links.
    for bad_token in (absent_token, foreign_token, "forged"):
        assert client.get(f"/c/{tenant.slug}/survey/{bad_token}").status_code == 400
    assert client.get(f"/c/{other_tenant.slug}/survey/{token}").status_code == 400

    in_english(organizer_client)
    results = organizer_client.get(f"/c/{tenant.slug}/admin/meetups/{m.id}/survey")
    text = results.get_data(as_text=True)
    assert results.status_code == 200
    assert "Average: 3.50" in text and "とても良かった" in text and "また参加したい: 1" in text
    csv = organizer_client.get(f"/c/{tenant.slug}/admin/meetups/{m.id}/survey.csv")
    body = csv.get_data().decode("utf-8")
    assert body.startswith("\ufeff") and "\r\n" in body
    assert "山田,太郎,came@example.jp,5,とても良かった" in body and body.count("\r\n") == 3
    analytics = organizer_client.get(f"/c/{tenant.slug}/admin/analytics").get_data(as_text=True)
    assert "Satisfaction per meetup" in analytics and "3.5" in analytics


def test_another_community_cannot_read_the_results(session, tenant, other_tenant, people,
                                                   login, clock):
    m = _past_meetup(session, tenant, clock)
    person = factories.member(session, tenant, email="came@example.jp")
    attend(session, m, person)
    with unscoped(session):
        session.add(SurveyResponse(tenant_id=tenant.id, meetup_id=m.id, member_id=person.id,
                                   satisfaction=1, comment="内緒の感想"))
    session.commit()
    other = login(people.other_owner)
    for path in (f"/admin/meetups/{m.id}/survey", f"/admin/meetups/{m.id}/survey.csv"):
        response = other.get(f"/c/{other_tenant.slug}{path}")
        assert response.status_code == 404
        assert "内緒の感想" not in response.get_data(as_text=True)
    trend = other.get(f"/c/{other_tenant.slug}/admin/analytics").get_data(as_text=True)
    assert "内緒の感想" not in trend and "data-satisfaction-trend" not in trend
