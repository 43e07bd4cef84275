"""The introduction pages: the organizer's queue, settings and history, the member's page,
requests from the directory, permissions and tenant isolation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from joren.platform.mail.models import OutboxMessage
from joren.platform.tenancy import unscoped
from joren.tenants.engagement.levels import Level
from joren.tenants.introductions import services
from joren.tenants.introductions.models import (
    Introduction,
    IntroductionCycle,
    IntroductionSource,
    IntroductionStatus,
)
from tests.tenants.helpers import count_statements, in_english, reload
from tests.tenants.introductions.intro_support import introduction, level, pair, person

QUEUE = "/c/{slug}/admin/introductions"


@pytest.fixture()
def s(session, tenant, people, scoped):  # type: ignore[no-untyped-def]
    session.commit()
    return scoped(tenant)


def _url(tenant, path: str = "") -> str:  # type: ignore[no-untyped-def]
    return QUEUE.format(slug=tenant.slug) + path


def test_the_queue_shows_both_members_score_reasons_and_requests(
    app, session, tenant, people, s, organizer_client
):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)
    level(session, sato, Level.REGULAR)
    session.commit()
    reasons = [{"code": "offers_for_ask", "params": {"a": sato.id, "b": tanaka.id,
                                                      "offer": "採用支援", "ask": "若手の採用"}}]
    services.introduce(s, sato.id, tanaka.id, source=IntroductionSource.ENGINE, score=0.87,
                       reasons=reasons)
    services.request_introduction(s, people.member_member.id, sato.id, "採用の相談をしたい")
    s.commit()
    page = in_english(organizer_client).get(_url(tenant))
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("佐藤 健", "採用ラボ株式会社", "田中 美咲", "田中製作所", "Regular", "0.87",
                 "Requested by a member", "採用の相談をしたい", "田中 三郎"):
        assert text in body, text
    assert "採用支援" in body and "若手の採用" in body  # the reason, rendered
    assert 'class="small reasons"' in body
    assert "Introduce two members yourself" in body


def test_queue_actions_approve_skip_edit_and_add_by_hand(
    app, session, tenant, people, s, organizer_client
):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)
    third = person(session, tenant, email="third@example.jp", family_name="第三")
    fourth = person(session, tenant, email="fourth@example.jp", family_name="第四")
    session.commit()
    first = introduction(s, sato, tanaka)
    second = introduction(s, sato, third)
    s.commit()
    c = in_english(organizer_client)
    c.post(_url(tenant, f"/{first.id}/message"), data={f"m{first.id}-message": "ぜひ！"})
    assert reload(session, Introduction, first.id).message == "ぜひ！"
    c.post(_url(tenant, f"/{first.id}/approve"))
    row = reload(session, Introduction, first.id)
    assert row.status == IntroductionStatus.SENT
    assert row.decided_by_id == people.organizer_member.id
    assert len(session.scalars(select(OutboxMessage)).all()) == 2
    again = c.post(_url(tenant, f"/{first.id}/approve"), follow_redirects=True)
    assert "no longer waiting for review" in again.get_data(as_text=True)
    assert len(session.scalars(select(OutboxMessage)).all()) == 2
    c.post(_url(tenant, f"/{second.id}/skip"))
    assert reload(session, Introduction, second.id).status == IntroductionStatus.SKIPPED

    made = c.post(_url(tenant, "/new"), data={"manual-member_a": third.id,
                                              "manual-member_b": fourth.id,
                                              "manual-message": "近所同士です"},
                  follow_redirects=True)
    assert "added to the queue" in made.get_data(as_text=True)
    with unscoped(session):
        hand = session.scalar(select(Introduction).where(
            Introduction.source == IntroductionSource.ORGANIZER,
            Introduction.member_low_id == min(third.id, fourth.id)))
    assert hand is not None and hand.message == "近所同士です"
    same = c.post(_url(tenant, "/new"), data={"manual-member_a": third.id,
                                              "manual-member_b": third.id},
                  follow_redirects=True)
    assert "Choose two different members." in same.get_data(as_text=True)
    twice = c.post(_url(tenant, "/new"), data={"manual-member_a": fourth.id,
                                               "manual-member_b": third.id},
                   follow_redirects=True)
    assert "already been introduced" in twice.get_data(as_text=True)


def test_run_a_cycle_now_and_settings(app, session, tenant, people, organizer_client,
                                      run_jobs):  # type: ignore[no-untyped-def]
    for n in range(2):
        person(session, tenant, email=f"p{n}@example.jp", company=f"会社{n}",
               offer_1="採用支援と求人票の作成", challenges="採用がうまくいかず困っています")
    session.commit()
    c = in_english(organizer_client)
    c.post(_url(tenant, "/run"))
    run_jobs()
    with unscoped(session):
        cycle = session.scalar(select(IntroductionCycle))
    assert cycle is not None and cycle.period.startswith("manual-")
    assert cycle.tenant_id == tenant.id

    page = c.get(_url(tenant, "/settings"))
    assert page.status_code == 200 and "popular members are not flooded" in page.get_data(
        as_text=True)
    saved = c.post(_url(tenant, "/settings"), data={"cadence": "weekly", "auto_send": "y",
                                                    "per_member_cap": "3", "expiry_days": "7"})
    assert saved.status_code == 302
    with unscoped(session):
        from joren.tenants.introductions.models import IntroductionSettings

        row = session.scalar(select(IntroductionSettings))
    assert (row.cadence.value, row.auto_send, row.per_member_cap, row.expiry_days) == (
        "weekly", True, 3, 7)
    bad = c.post(_url(tenant, "/settings"), data={"cadence": "hourly", "per_member_cap": "99",
                                                  "expiry_days": "7"})
    assert bad.status_code == 422


def test_members_and_staff_cannot_reach_the_console(
    app, session, tenant, people, s, member_client, staff_client
):  # type: ignore[no-untyped-def]
    sato, tanaka = pair(session, tenant)
    session.commit()
    intro = introduction(s, sato, tanaka)
    s.commit()
    for client in (member_client, staff_client):
        for path in ("", "/settings", "/history"):
            assert client.get(_url(tenant, path)).status_code == 403
        for path in ("/run", "/new", f"/{intro.id}/approve", f"/{intro.id}/skip",
                     f"/{intro.id}/message", "/settings"):
            assert client.post(_url(tenant, path)).status_code == 403
    assert reload(session, Introduction, intro.id).status == IntroductionStatus.SUGGESTED


def _sent_to_member(app, session, tenant, people, s):  # type: ignore[no-untyped-def]
    sato, _ = pair(session, tenant)
    session.commit()
    with app.test_request_context("/"):
        intro = introduction(s, people.member_member, sato)
        services.approve(s, intro, None)
        s.commit()
        intro_id = intro.id
    s.close()
    return intro_id, sato


def test_my_introductions_answer_in_the_portal(app, session, tenant, people, s, member_client):  # type: ignore[no-untyped-def]
    intro_id, sato = _sent_to_member(app, session, tenant, people, s)
    c = in_english(member_client)
    page = c.get(f"/c/{tenant.slug}/introductions").get_data(as_text=True)
    assert "佐藤 健" in page and "Waiting for your answer" in page
    assert "sato@example.jp" not in page and "saiyo-lab.example.jp" not in page
    c.post(f"/c/{tenant.slug}/introductions/{intro_id}/answer", data={"choice": "accept"})
    row = reload(session, Introduction, intro_id)
    assert row.status == IntroductionStatus.SENT
    assert services.response_of(row, people.member_member.id).value == "accepted"
    # 佐藤 declines: the member's page says only that it is no longer open.
    with app.test_request_context("/"):
        services.respond(s, s.get(Introduction, intro_id), sato.id, accept=False)
        s.commit()
    page = c.get(f"/c/{tenant.slug}/introductions").get_data(as_text=True)
    assert 'data-state="closed"' in page and "No longer open" in page
    assert "declin" not in page.lower()


def test_connected_members_see_contact_details_in_the_portal(
    app, session, tenant, people, s, member_client
):  # type: ignore[no-untyped-def]
    intro_id, sato = _sent_to_member(app, session, tenant, people, s)
    with app.test_request_context("/"):
        row = s.get(Introduction, intro_id)
        services.respond(s, row, sato.id, accept=True)
        services.respond(s, row, people.member_member.id, accept=True)
        s.commit()
    page = in_english(member_client).get(f"/c/{tenant.slug}/introductions").get_data(
        as_text=True)
    assert 'data-state="connected"' in page and "sato@example.jp" in page


def test_only_a_side_may_answer_and_other_members_do_not_see_it(
    app, session, tenant, people, s, login
):  # type: ignore[no-untyped-def]
    intro_id, _ = _sent_to_member(app, session, tenant, people, s)
    staff = login(people.staff)
    assert staff.post(f"/c/{tenant.slug}/introductions/{intro_id}/answer",
                      data={"choice": "decline"}).status_code == 404
    assert "佐藤 健" not in staff.get(f"/c/{tenant.slug}/introductions").get_data(as_text=True)
    assert reload(session, Introduction, intro_id).status == IntroductionStatus.SENT


def test_asking_for_an_introduction_from_a_profile(app, session, tenant, other_tenant, people,
                                                   member_client):  # type: ignore[no-untyped-def]
    sato, _ = pair(session, tenant)
    session.commit()
    c = in_english(member_client)
    profile = c.get(f"/c/{tenant.slug}/members/{sato.id}").get_data(as_text=True)
    assert f"/c/{tenant.slug}/members/{sato.id}/introduce" in profile
    form = c.get(f"/c/{tenant.slug}/members/{sato.id}/introduce")
    assert form.status_code == 200 and "佐藤 健" in form.get_data(as_text=True)
    sent = c.post(f"/c/{tenant.slug}/members/{sato.id}/introduce",
                  data={"note": "採用についてお話を伺いたいです"})
    assert sent.status_code == 302
    with unscoped(session):
        row = session.scalar(select(Introduction).where(
            Introduction.requested_by_id == people.member_member.id))
    assert row.source == IntroductionSource.MEMBER_REQUEST
    assert row.request_note == "採用についてお話を伺いたいです" and row.tenant_id == tenant.id
    again = c.get(f"/c/{tenant.slug}/members/{sato.id}/introduce").get_data(as_text=True)
    assert "already asked" in again
    mine = c.get(f"/c/{tenant.slug}/introductions").get_data(as_text=True)
    assert "You asked for this introduction" in mine
    # Oneself and another community's member: not found.
    me = people.member_member.id
    assert c.get(f"/c/{tenant.slug}/members/{me}/introduce").status_code == 404
    theirs = people.other_owner_member.id
    assert c.post(f"/c/{tenant.slug}/members/{theirs}/introduce",
                  data={"note": "x"}).status_code == 404


def test_history_shows_organizers_who_declined(app, session, tenant, people, s,
                                               organizer_client):  # type: ignore[no-untyped-def]
    intro_id, sato = _sent_to_member(app, session, tenant, people, s)
    with app.test_request_context("/"):
        services.respond(s, s.get(Introduction, intro_id), sato.id, accept=False)
        s.commit()
    body = in_english(organizer_client).get(_url(tenant, "/history")).get_data(as_text=True)
    assert "佐藤 健" in body and "Declined" in body


def test_another_communitys_introductions_never_show(app, session, tenant, other_tenant, people,
                                                     s, scoped, organizer_client):  # type: ignore[no-untyped-def]
    a = person(session, other_tenant, email="kobe-a@example.jp", company="神戸の秘密商事")
    b = person(session, other_tenant, email="kobe-b@example.jp")
    session.commit()
    theirs_session = scoped(other_tenant)
    theirs = services.introduce(theirs_session, a.id, b.id, source="organizer",
                                message="神戸だけの話")
    theirs_session.commit()
    c = in_english(organizer_client)
    for path in ("", "/history"):
        body = c.get(_url(tenant, path)).get_data(as_text=True)
        assert "神戸の秘密商事" not in body and "神戸だけの話" not in body
    assert c.post(_url(tenant, f"/{theirs.id}/approve")).status_code == 404
    made = c.post(_url(tenant, "/new"), data={"manual-member_a": a.id, "manual-member_b": b.id})
    assert made.status_code == 302
    with unscoped(session):
        assert session.scalars(select(Introduction).where(
            Introduction.tenant_id == tenant.id)).all() == []
    assert reload(session, Introduction, theirs.id).status == IntroductionStatus.SUGGESTED


def test_the_queue_does_not_query_per_row(app, session, tenant, people, s, organizer_client):  # type: ignore[no-untyped-def]
    members = [person(session, tenant, email=f"row{n}@example.jp", company=f"会社{n}")
               for n in range(24)]
    for m in members[:12]:
        level(session, m, Level.REGULAR)
    session.commit()

    def statements(count: int) -> int:
        for a, b in zip(members[: 2 * count: 2], members[1: 2 * count: 2], strict=True):
            if not services.pair_exists(s, a.id, b.id):
                services.introduce(s, a.id, b.id, source="organizer")
        s.commit()
        with count_statements(app) as counter:
            assert organizer_client.get(_url(tenant)).status_code == 200
        return len(counter)

    few, many = statements(2), statements(12)
    assert many == few
