"""The console's audit log (issue 17): every console action that changes data, and every file
of personal data taken out of it, is written down with who, when, from where, what, and the
changed fields before and after.

Recorded at the one place every change passes: the session's flush (and bulk statements),
during a console request (``/c/<slug>/admin/…``, not a GET); downloads are recorded when the
response is a file. A feature need not remember to call anything, so a new console action is
audited from its first line. Derived tables (levels, rollups, the relationship ledger) are
left out: they follow from what is recorded. Values of columns holding secrets are masked.

Erasing a person (erasure.py) records that it happened, not the values it erased.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from joren.platform.db import db, utcnow
from joren.platform.identity.community import Community
from joren.platform.tenancy import TenantScoped
from joren.tenants.privacy.models import AuditEntry
from joren.tenants.privacy.registry import SECRET_COLUMN

QUIET = "joren_audit_quiet"  # session.info: record actions, not values (erasure)
PENDING = "joren_audit_pending"  # session.info: entries written at commit, in one statement
DERIVED = {
    "audit_entries", "member_engagements", "engagement_member_rollups",
    "engagement_meetup_rollups", "engagement_cohort_rollups", "engagement_rollup_states",
    "relationships",
}
CONSOLE_RULE = "/c/<slug>/admin"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "(binary)"
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _console_request() -> bool:
    if not has_request_context() or g.get("community") is None:
        return False
    rule = request.url_rule
    return rule is not None and rule.rule.startswith(CONSOLE_RULE)


def _entry(action: str, entity: str, entity_id: int | None,
           changes: dict[str, Any]) -> dict[str, Any]:
    actor = g.get("membership")
    return {
        "tenant_id": g.community.id, "created_at": utcnow(),
        "actor_member_id": getattr(actor, "id", None),
        "actor_account_id": getattr(actor, "account_id", None),
        "actor_name": (actor.display_name if actor is not None else "")[:200],
        "ip": (request.remote_addr or "")[:64], "method": request.method,
        "path": request.path[:500], "action": action, "entity": entity,
        "entity_id": entity_id, "changes": changes}


def _insert(session: Session, entries: list[dict[str, Any]]) -> None:
    # Core, not ORM objects: one INSERT for all of them (the ORM would insert one by one to
    # read each id back), and the tenant guard still checks every row's community.
    session.execute(insert(AuditEntry), entries)


def _changes(obj: Any, action: str, quiet: bool) -> dict[str, Any]:
    if quiet:
        return {}
    state = inspect(obj)
    out: dict[str, Any] = {}
    for column in state.mapper.column_attrs:
        key = column.key
        history = state.attrs[key].history
        if action == "update" and not history.has_changes():
            continue
        if SECRET_COLUMN.search(key):
            out[key] = ["•••", "•••"]
            continue
        if action == "create":
            before, after = None, getattr(obj, key, None)
        elif action == "delete":
            before, after = getattr(obj, key, None), None
        else:
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
        out[key] = [_plain(before), _plain(after)]
    return out


def _audited(obj: Any) -> bool:
    """A community's own rows, and the community's row itself (its settings, its deletion
    asked for or cancelled); derived tables are left out."""
    if isinstance(obj, Community):
        return obj.id == g.community.id
    return isinstance(obj, TenantScoped) and obj.__tablename__ not in DERIVED


def _record_flush(session: Session, _context: Any, _instances: Any) -> None:
    if not _console_request() or request.method in ("GET", "HEAD"):
        return
    quiet = bool(session.info.get(QUIET))
    entries = []
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in list(objects):
            if not _audited(obj):
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action, quiet)
            if action == "update" and not changes and not quiet:
                continue
            entries.append(_entry(action, obj.__tablename__, getattr(obj, "id", None), changes))
    session.info.setdefault(PENDING, []).extend(entries)


def _write_pending(session: Session) -> None:
    """At commit, the entries of every flush of the transaction go in together (one INSERT
    however many rows changed); a rolled-back transaction leaves none."""
    entries = session.info.pop(PENDING, None)
    if entries:
        _insert(session, entries)


def _drop_pending(session: Session, *_: Any) -> None:
    session.info.pop(PENDING, None)


def _record_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete) or not _console_request():
        return
    if request.method in ("GET", "HEAD"):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", "")
    if not name or name in DERIVED:
        return
    values = {}
    if state.is_update and not state.session.info.get(QUIET):
        for column, bound in (getattr(state.statement, "_values", None) or {}).items():
            key = getattr(column, "key", str(column))
            value = getattr(bound, "value", bound)
            values[key] = "•••" if SECRET_COLUMN.search(key) else _plain(value)
    state.session.info.setdefault(PENDING, []).append(_entry(
        "bulk", name, None,
        {"statement": "update" if state.is_update else "delete", "values": values}))


def _record_download(response: Response) -> Response:
    if request.method not in ("GET", "POST") or not _console_request():
        return response
    disposition = response.headers.get("Content-Disposition", "")
    if response.status_code == 200 and disposition.startswith("attachment"):
        _insert(db.session, [_entry("export", "", None, {"file": disposition[:300]})])
        db.session.commit()
    return response


def install(app: Flask) -> None:
    """Record console actions in every session (once per process) and downloads per app."""
    if not event.contains(Session, "before_flush", _record_flush):
        event.listen(Session, "before_flush", _record_flush)
        event.listen(Session, "do_orm_execute", _record_bulk)
        event.listen(Session, "before_commit", _write_pending)
        event.listen(Session, "after_rollback", _drop_pending)
    app.after_request(_record_download)
