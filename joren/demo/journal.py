"""The demo member's private journal after their last few meetups, and the three gives that
they (and a few others going) mean to bring to the next meetup and brought to the last one,
so the portal's "before and after" pages have something to show.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from joren.tenants.meetups.models import Registration, RegistrationStatus
from joren.tenants.relationships.models import JournalEntry, MeetupGives

JOURNAL = (
    "名刺交換だけで終わらせず、次の約束まで決めると関係が続く。今月は二人と1on1の日程を決めた。",
    "自分の「欲しいもの」を具体的に言うと、紹介が来やすい。来月は製造業の社長と話したいと伝える。",
    "初参加の方に声をかけたら、とても喜ばれた。常連こそ新しい人を迎える役目がある。",
    "紹介をもらったら、結果を必ず紹介者に報告する。今日は北村さんにお礼の連絡をした。",
)
GIVES = (
    ("中小企業向けのIT導入補助金の最新情報", "業務システムの相談ならいつでも",
     "製造業の社長を1名ご紹介"),
    ("採用に強い社労士さんのご紹介", "ホームページ改善の無料診断", "おすすめの北浜のランチ情報"),
    ("展示会出展のノウハウ", "経理のクラウド化の体験談", "物流会社さんのご紹介"),
    ("事業承継の勉強会のお知らせ", "補助金申請のチェックリスト", "飲食店オーナーのご紹介"),
)


def add_journal_and_gives(session: Session, tenant: int, me: int, meetups: list[Any],
                          attended: dict[int, set[int]], now: datetime) -> None:
    """The demo member's notes after their last few meetups, and the three things they (and a
    few others going) mean to give at the next one and gave at the last one."""
    mine = [(m_id, starts) for m_id, starts in meetups if m_id in attended[me] and starts <= now]
    entries = [{"created_at": now, "tenant_id": tenant, "member_id": me, "meetup_id": m_id,
                "body": body, "written_at": starts + timedelta(hours=4)}
               for (m_id, starts), body in zip(mine[-len(JOURNAL):], JOURNAL, strict=False)]
    session.execute(insert(JournalEntry.__table__), entries)
    upcoming = next((m_id for m_id, starts in meetups if starts > now), None)
    going = list(session.scalars(
        select(Registration.member_id)
        .where(Registration.meetup_id == upcoming, Registration.status == RegistrationStatus.GOING,
               Registration.member_id != me)
        .order_by(Registration.member_id).limit(len(GIVES) - 1))) if upcoming else []
    gives = []
    for number, member_id in enumerate([me, *going]):
        give_1, give_2, give_3 = GIVES[number]
        gives.append({"created_at": now, "tenant_id": tenant, "member_id": member_id,
                      "meetup_id": upcoming, "give_1": give_1, "give_2": give_2,
                      "give_3": give_3, "people_to_meet": []})
    if mine:
        give_1, give_2, give_3 = GIVES[-1]
        gives.append({"created_at": now, "tenant_id": tenant, "member_id": me,
                      "meetup_id": mine[-1][0], "give_1": give_1, "give_2": give_2,
                      "give_3": give_3, "people_to_meet": []})
    gives = [g for g in gives if g["meetup_id"] is not None]
    if gives:
        session.execute(insert(MeetupGives.__table__), gives)
