"""What engagement adds to members' pages: the level filter and badges of the directory, and
the engagement columns of the members CSV export (answers to ``members.signals``)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.identity.community import Community
from joren.platform.membership.models import Member
from joren.tenants.engagement.labels import LEVEL_LABELS
from joren.tenants.engagement.models import MemberEngagement
from joren.tenants.members.signals import ExportColumns, MemberLevels


def member_levels() -> MemberLevels:
    """Each member's stored level, as a subquery correlated to ``Member``."""
    level_of = (select(MemberEngagement.level)
                .where(MemberEngagement.tenant_id == Member.tenant_id,
                       MemberEngagement.member_id == Member.id)
                .correlate(Member).scalar_subquery())
    return MemberLevels(level_of=level_of,
                        labels={level.value: label for level, label in LEVEL_LABELS.items()})


def export_columns(session: Session, community: Community) -> ExportColumns:
    """Level, attendance rate (%) and last attendance (the community's local date) of every
    member with computed figures; one statement."""
    tz = community.zone

    def local_date(value: datetime | None) -> str:
        return value.astimezone(tz).date().isoformat() if value else ""

    values = {
        e.member_id: [
            str(LEVEL_LABELS.get(e.level, e.level.value)),
            round(e.attendance_rate * 100) if e.attendance_rate is not None else "",
            local_date(e.last_attended_at),
        ]
        for e in session.scalars(select(MemberEngagement))
    }
    header = [_("Engagement level"), _("Attendance rate (%)"), _("Last attended")]
    return ExportColumns(header=header, values=values)
