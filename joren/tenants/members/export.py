"""CSV export of a community's members, with engagement figures when they are computed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from joren.platform.csv_export import csv_response
from joren.platform.identity.community import Community
from joren.platform.membership.labels import ROLE_LABELS, STATUS_LABELS
from joren.platform.membership.models import Member

try:  # engagement is built alongside; export its figures when it is there
    from joren.tenants.engagement.models import MemberEngagement
except ImportError:  # pragma: no cover
    MemberEngagement = None  # type: ignore[assignment,misc]


def export_header(with_engagement: bool) -> list[str]:
    header = [_("Family name"), _("Given name"), _("Family name reading"),
              _("Given name reading"), _("Email"), _("Company"), _("Job title"), _("Industry"),
              _("Status"), _("Role"), _("Joined")]
    if with_engagement:
        header += [_("Engagement level"), _("Attendance rate (%)"), _("Last attended")]
    return header


def export_rows(session: Session, community: Community) -> Iterator[list[Any]]:
    """One row per member; a single query (members outer-joined to their engagement)."""
    if MemberEngagement is not None:
        stmt = (select(Member, MemberEngagement)
                .outerjoin(MemberEngagement, (MemberEngagement.member_id == Member.id)
                           & (MemberEngagement.tenant_id == Member.tenant_id)))
    else:  # pragma: no cover
        stmt = select(Member)
    stmt = stmt.order_by(Member.family_name_kana, Member.given_name_kana, Member.id)
    tz = community.zone

    def local_date(value: datetime | None) -> str:
        return value.astimezone(tz).date().isoformat() if value else ""

    for row in session.execute(stmt):
        m = row[0]
        values: list[Any] = [
            m.family_name, m.given_name, m.family_name_kana, m.given_name_kana, m.email or "",
            m.company, m.title, m.industry, str(STATUS_LABELS.get(m.status, m.status)),
            str(ROLE_LABELS.get(m.role, m.role)), local_date(m.joined_at),
        ]
        if MemberEngagement is not None:
            e = row[1]
            values += [
                _level_label(e.level) if e else "",
                round(e.attendance_rate * 100) if e and e.attendance_rate is not None else "",
                local_date(e.last_attended_at) if e else "",
            ]
        yield values


def _level_label(level: Any) -> str:
    try:
        from joren.tenants.engagement.views import LEVEL_LABELS

        return str(LEVEL_LABELS.get(level, level.value))
    except (ImportError, AttributeError):
        return str(getattr(level, "value", level))


def export_response(session: Session, community: Community) -> Response:
    filename = f"{community.slug}-members.csv"
    return csv_response(filename, export_header(MemberEngagement is not None),
                        export_rows(session, community))
