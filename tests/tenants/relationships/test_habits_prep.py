"""Two days before a meetup: "people to meet" among those registered, with the reasons in each
reader's language and only what the others show to members, and the three-gives prompt;
delivered over SMTP once, honouring opt-outs, built in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from joren.platform.db import utcnow
from joren.platform.jobs import enqueue_now
from joren.platform.mail.unsubscribes import record_unsubscribe
from joren.platform.membership.models import Member, ProfileVisibility
from joren.platform.tenancy import unscoped
from joren.tenants.introductions import verdicts
from joren.tenants.meetups.models import RegistrationStatus
from joren.tenants.relationships.habits import services as habits
from joren.tenants.relationships.models import MeetupGives
from joren.workers import habit_jobs
from tests import factories
from tests.tenants.helpers import count_statements, meetup
from tests.tenants.meetups.helpers_feeds import registration
from tests.tenants.relationships.test_habits_follow_up import (
    by_recipient,
    html_of,
    run_habits,
    text_of,
)

pytestmark = pytest.mark.usefixtures("clock")

HIRING_OFFER = "採用支援・求人広告の運用代行"
HIRING_ASK = "採用に課題。求人を出しても応募が来ない"
TAX_OFFER = "税務申告・決算の代行（税理士事務所）"
TAX_ASK = "決算や確定申告の税務を相談できる税理士を探しています"


def upcoming(session, community, title="十二月定例会"):  # type: ignore[no-untyped-def]
    """Starts in 36 hours: whatever the hour, its "people to meet" are due now."""
    return meetup(session, community, title, starts_at=utcnow() + timedelta(hours=36))


def consenting(session, community, account=None, **fields):  # type: ignore[no-untyped-def]
    return factories.member(session, community, account, accepts_introductions=True, **fields)


def _registrants(session, tenant, people):  # type: ignore[no-untyped-def]
    me = people.member_member  # English
    me.accepts_introductions = True
    me.offer_1 = HIRING_OFFER
    me.company = "田中人材"
    hiring = consenting(session, tenant, family_name="佐藤", given_name="一",
                        ask_description=HIRING_ASK, company="秘密工業", title="社長",
                        work_visibility=ProfileVisibility.ORGANIZERS)
    tax = consenting(session, tenant, family_name="鈴木", given_name="二", offer_1=TAX_OFFER,
                     company="鈴木税理士事務所")
    taxed = consenting(session, tenant, family_name="木村", given_name="三",
                       ask_description=TAX_ASK,
                       give_ask_visibility=ProfileVisibility.ORGANIZERS)
    absent = consenting(session, tenant, family_name="伊藤", given_name="四",
                        ask_description=HIRING_ASK + "。採用の相談をしたい")
    waiting = consenting(session, tenant, family_name="山本", given_name="五",
                         ask_description=HIRING_ASK)
    event = upcoming(session, tenant)
    for m in (me, hiring, tax, taxed):
        registration(session, event, m)
    registration(session, event, waiting, status=RegistrationStatus.WAITLISTED,
                 waitlist_position=1)
    return event, {"hiring": hiring, "tax": tax, "taxed": taxed, "absent": absent,
                   "waiting": waiting}


def test_people_to_meet_are_the_best_matches_among_registrants_sent_once(
        app, session, tenant, other_tenant, people, smtp_server, run_jobs):
    event, who = _registrants(session, tenant, people)
    session.commit()

    run_habits(app, run_jobs)

    mail = by_recipient(smtp_server)
    assert set(mail) == {people.member.email, who["hiring"].email, who["tax"].email,
                         who["taxed"].email}  # GOING only: not the waitlisted one
    mine = mail[people.member.email]
    text, html = text_of(mine), html_of(mine)
    assert "十二月定例会" in str(mine["Subject"]) and "年" not in text  # English reader
    assert "佐藤 一" in text and "佐藤 一" in html
    assert "伊藤 四" not in text and "山本 五" not in text   # not registered / waitlisted
    assert "秘密工業" not in text + html and "社長" not in text + html  # shown to organizers only
    assert f"/c/{tenant.slug}/meetups/{event.id}/gives" in text
    assert mine["List-Unsubscribe"]
    # The reason is rendered for this reader, naming both people.
    hiring_block = text.split("佐藤 一", 1)[1].split("\n- ", 1)[0]
    assert "田中" in hiring_block
    theirs = text_of(mail[who["hiring"].email])
    assert "年" in theirs and "田中 三郎" in theirs and "田中人材" in theirs
    assert "採用" in theirs  # what Tanaka offers (visible to members)
    tax_text = text_of(mail[who["taxed"].email])
    assert "鈴木 二" in tax_text and "税理士事務所" in tax_text  # Suzuki shows his offers
    # Kimura shows what he asks for to organizers only: no reason may quote it to Suzuki.
    to_suzuki = text_of(mail[who["tax"].email]) + html_of(mail[who["tax"].email])
    assert "木村 三" in to_suzuki and "確定申告" not in to_suzuki

    with unscoped(session):
        rows = {g.member_id: g for g in session.scalars(
            select(MeetupGives).where(MeetupGives.meetup_id == event.id))}
    assert who["hiring"].id in rows[people.member_member.id].people_to_meet

    delivered = len(smtp_server.messages)
    with app.app_context():
        enqueue_now(habit_jobs.SEND_MEETUP_EMAILS_JOB, tenant.id, "again")
    run_jobs()
    run_habits(app, run_jobs)
    assert len(smtp_server.messages) == delivered


def test_an_opted_out_member_gets_no_people_to_meet(
        app, session, tenant, people, smtp_server, run_jobs):
    event, who = _registrants(session, tenant, people)
    record_unsubscribe(session, who["tax"].email, habits.PREP_CATEGORY, tenant.id)
    record_unsubscribe(session, who["taxed"].email, "all", tenant.id)
    session.commit()
    run_habits(app, run_jobs)
    assert set(by_recipient(smtp_server)) == {people.member.email, who["hiring"].email}
    with unscoped(session):  # who was not sent anything is not "sent to meet" anyone
        rows = {g.member_id for g in session.scalars(
            select(MeetupGives).where(MeetupGives.meetup_id == event.id))}
    assert who["tax"].id not in rows and people.member_member.id in rows


def test_no_people_to_meet_too_early_or_for_a_cancelled_meetup(
        app, session, tenant, people, smtp_server, run_jobs):
    from joren.tenants.meetups.models import MeetupStatus

    later = meetup(session, tenant, "来週", starts_at=utcnow() + timedelta(days=5))
    cancelled = upcoming(session, tenant)
    cancelled.status = MeetupStatus.CANCELLED
    for event in (later, cancelled):
        registration(session, event, people.member_member)
    session.commit()
    run_habits(app, run_jobs)
    assert smtp_server.messages == []


def test_building_people_to_meet_takes_the_same_queries_for_4_or_16_registrants(
        app, app_ctx, session, scoped, tenant, people):
    def evening(size: int, title: str):  # type: ignore[no-untyped-def]
        event = upcoming(session, tenant, title=title)
        for i in range(size):
            fields = ({"offer_1": HIRING_OFFER} if i % 2 else {"ask_description": HIRING_ASK})
            registration(session, event, consenting(session, tenant, company=f"会社{i}",
                                                    **fields))
        return event

    small, large = evening(4, "小"), evening(16, "大")
    session.commit()
    # The tag verifier's verdicts on the members' sentences stored (as the profile-change
    # jobs leave them): neither evening has one to judge and store.
    judged = scoped(tenant)
    verdicts.judge_members(judged, judged.scalars(select(Member.id)).all())
    judged.commit()
    counts = []
    for event in (small, large):
        s = scoped(tenant)
        with count_statements(app) as counter:
            built = habits.build_prep(s, tenant, s.get(type(event), event.id))
        assert len(built) in (4, 16) and any(item.people for item in built)
        counts.append(len(counter))
    assert counts[0] == counts[1], counts
