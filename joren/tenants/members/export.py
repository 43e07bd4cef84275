"""CSV export of a community's members, with the columns features above add (engagement
figures, for example) through ``signals.export_columns_wanted``."""

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
from joren.tenants.members.consent import services as consent
from joren.tenants.members.consent.purposes import CHOICES, LABELS
from joren.tenants.members.signals import ExportColumns, export_columns_wanted


def export_header(extra: list[ExportColumns]) -> list[str]:
    header = [_("Family name"), _("Given name"), _("Family name reading"),
              _("Given name reading"), _("Email"), _("Company"), _("Job title"), _("Industry"),
              _("Status"), _("Role"), _("Joined"), _("Privacy notice")]
    header += [str(LABELS[purpose]) for purpose in CHOICES]
    for columns in extra:
        header += columns.header
    return header


def export_rows(session: Session, community: Community,
                extra: list[ExportColumns]) -> Iterator[list[Any]]:
    """One row per member (one query), then the columns the features above added."""
    stmt = select(Member).order_by(Member.family_name_kana, Member.given_name_kana, Member.id)
    tz = community.zone

    def local_date(value: datetime | None) -> str:
        return value.astimezone(tz).date().isoformat() if value else ""

    members = list(session.scalars(stmt))
    consents = consent.overviews(session, members)
    for m in members:
        values: list[Any] = [
            m.family_name, m.given_name, m.family_name_kana, m.given_name_kana, m.email or "",
            m.company, m.title, m.industry, str(STATUS_LABELS.get(m.status, m.status)),
            str(ROLE_LABELS.get(m.role, m.role)), local_date(m.joined_at),
            *_consent_cells(consents[m.id], local_date),
        ]
        for columns in extra:
            values += columns.values.get(m.id, [""] * len(columns.header))
        yield values


def _consent_cells(view: consent.Overview, local_date: Any) -> list[str]:
    """The notice column ("version 2, 2026-12-01" or "not yet asked") and, per purpose, the
    current answer with the date it was last given."""
    read = (_("Version %(version)s, %(date)s", version=view.version,
              date=local_date(view.answered_at)) if view.asked else _("Not yet asked"))
    cells = [read]
    for purpose in CHOICES:
        answer = _("Yes") if view.state.get(purpose) else _("No")
        when = view.changed_at.get(purpose)
        cells.append(f"{answer} ({local_date(when)})" if when else answer)
    return cells


def export_response(session: Session, community: Community) -> Response:
    filename = f"{community.slug}-members.csv"
    extra = [answer for _receiver, answer in
             export_columns_wanted.send(session, community=community)]
    return csv_response(filename, export_header(extra), export_rows(session, community, extra))
