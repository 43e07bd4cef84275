"""The audit log (issue 17): every action that changes data, and every file of personal data
taken out, is written down with who, when, from where, what, and the changed fields before
and after. Three kinds of actor:

- a member in a community's console (``/c/<slug>/admin/…``, not a GET), or on a page that
  declared it acts on someone else's data (``accountability.audit_this_request``);
- a Joren operator on the platform admin pages (``/admin/…``): the entry carries the community
  whose data changed (its owners see it, the actor shown as "Joren operator"), or none (an
  account, the installation: only operators see it);
- an operator's ``joren`` command (``accountability.operator_command``): actor ``cli:<user>``.

Recorded at the one place every change passes: the session's flush (and bulk statements);
downloads when the response is a file. A feature need not remember to call anything, so a
new console action is audited from its first line. "From where" is ``request.remote_addr``:
the client's address behind the proxies ``TRUSTED_PROXY_COUNT`` trusts (ProxyFix, app.py).
Derived tables (levels, rollups, the relationship ledger) are left out: they follow from what
is recorded. Values of columns holding secrets are masked.

Erasing a person (erasure.py) records one entry saying it happened, not the values it erased.
Entries keep the values they recorded until the retention purge deletes them
(``RETENTION_AUDIT_DAYS``, retention.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session

from joren.platform import accountability
from joren.platform.db import READING_METHODS, db, utcnow, write_first
from joren.platform.identity.community import Community
from joren.platform.tenancy import TenantScoped, current_tenant_id, unscoped
from joren.tenants.privacy.models import ActorKind, AuditEntry
from joren.tenants.privacy.registry import SECRET_COLUMN

PURGING = "joren_audit_purging"  # session.info: the retention purge may delete entries
QUIET = "joren_audit_quiet"  # session.info: erasure records its own single entry
PENDING = "joren_audit_pending"  # session.info: entries written at commit, in one statement
DERIVED = {
    "audit_entries", "member_engagements", "engagement_member_rollups",
    "engagement_meetup_rollups", "engagement_cohort_rollups", "engagement_rollup_states",
    "relationships", "meetup_fee_tallies", "data_changes", "tag_verdicts",
}
# Bookkeeping of sign-in, not anybody's action on data.
NOT_ACTIONS = {"account_sessions", "alembic_version"}
# Columns computed from others (the member search index): the change of their sources says it.
DERIVED_COLUMNS = {"search_key", "search_romaji", "search_romaji_given", "search_company"}
# Whole files and bodies: the entry says how long they were, not what they said (an uploaded
# roster kept in the log would outlive the upload's own retention period by years).
SUMMARISED = {"import_batches": {"text"},
              "outbox_messages": {"text_body", "html_body", "attachments", "render_context"}}
CONSOLE_RULE = "/c/<slug>/admin"
PLATFORM_RULE = "/admin/"
BULK_BEFORE_LIMIT = 10_000  # rows whose values before an operator's bulk UPDATE are kept


class AppendOnly(RuntimeError):
    """An audit entry cannot be changed, nor deleted but by the retention purge (the ORM's
    half of the rule; PostgreSQL's policies are the other, migration 0024)."""


@dataclass(frozen=True)
class Context:
    """Who is acting now, and for which community (None: an operator, per row)."""

    kind: str
    tenant_id: int | None
    member_id: int | None
    account_id: int | None
    name: str
    ip: str
    method: str
    path: str

    @property
    def operator(self) -> bool:
        return self.kind != ActorKind.MEMBER


def _request_context(changes: bool) -> Context | None:
    if changes and request.method in ("GET", "HEAD"):
        return None
    rule = request.url_rule
    where = {"ip": (request.remote_addr or "")[:64], "method": request.method,
             "path": request.path[:500]}
    community = g.get("community")
    if community is not None and (
            (rule is not None and rule.rule.startswith(CONSOLE_RULE))
            or accountability.request_audited_on_behalf()):
        actor = g.get("membership")
        return Context(kind=ActorKind.MEMBER, tenant_id=community.id,
                       member_id=getattr(actor, "id", None),
                       account_id=getattr(actor, "account_id", None),
                       name=(actor.display_name if actor is not None else "")[:200], **where)
    if (rule is not None and rule.rule.startswith(PLATFORM_RULE)
            and current_user.is_authenticated and current_user.is_platform_admin):
        return Context(kind=ActorKind.OPERATOR, tenant_id=None, member_id=None,
                       account_id=current_user.id,
                       name=(current_user.email or "")[:200], **where)
    return None


def current_context(changes: bool = True) -> Context | None:
    """The audited actor of this moment, or None where nothing is recorded (pages read,
    the portal, jobs, commands not declared as an operator's)."""
    if has_request_context():
        return _request_context(changes)
    command = accountability.running_command()
    if command is None:
        return None
    return Context(kind=ActorKind.CLI, tenant_id=None, member_id=None, account_id=None,
                   name=f"cli:{command.os_user}"[:200], ip="", method="CLI",
                   path=command.command[:500])


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


def _entry(context: Context, tenant_id: int | None, action: str, entity: str,
           entity_id: int | None, changes: dict[str, Any]) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id, "created_at": utcnow(), "actor_kind": context.kind,
        "actor_member_id": context.member_id, "actor_account_id": context.account_id,
        "actor_name": context.name, "ip": context.ip, "method": context.method,
        "path": context.path, "action": action, "entity": entity, "entity_id": entity_id,
        "changes": changes}


def _insert(session: Session, entries: list[dict[str, Any]]) -> None:
    # Core, not ORM objects: one INSERT for all of them (the ORM would insert one by one to
    # read each id back). Within a community the tenant guard still checks every row's
    # community; an operator's entries name several communities, or none, so they go in
    # deliberately unscoped (on PostgreSQL only the bypass may add an entry of no community).
    tenant_id = current_tenant_id(session)
    if tenant_id is not None and all(e["tenant_id"] == tenant_id for e in entries):
        session.execute(insert(AuditEntry), entries)
        return
    with unscoped(session):
        session.execute(insert(AuditEntry), entries)


def record(session: Session, action: str, entity: str, entity_id: int | None,
           changes: dict[str, Any], tenant_id: int | None = None) -> None:
    """Add one entry of the current actor to the transaction's (nothing outside an audited
    context). ``tenant_id``: the community whose data it is (default: the console's)."""
    context = current_context()
    if context is None:
        return
    owner = tenant_id if tenant_id is not None else context.tenant_id
    session.info.setdefault(PENDING, []).append(
        _entry(context, owner, action, entity, entity_id, changes))


def _summary(value: Any) -> Any:
    if value is None or value == "":
        return value
    return f"…({len(value) if isinstance(value, str | list | dict) else 1})"


def _changes(obj: Any, action: str) -> dict[str, Any]:
    state = inspect(obj)
    summarised = SUMMARISED.get(obj.__tablename__, set())
    out: dict[str, Any] = {}
    for column in state.mapper.column_attrs:
        key = column.key
        if key in DERIVED_COLUMNS:
            continue
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
        if action == "update" and _plain(before) == _plain(after):
            continue
        if action != "update" and (key == "tenant_id" or (before in (None, "")
                                                          and after in (None, ""))):
            continue  # a row added or deleted: its values, not its empty columns
        if key in summarised:
            before, after = _summary(before), _summary(after)
        out[key] = [_plain(before), _plain(after)]
    return out


def _owner(obj: Any, context: Context) -> tuple[bool, int | None]:
    """Whether the object's change is recorded, and the community it belongs to."""
    table = getattr(obj, "__tablename__", "")
    if not table or table in DERIVED or table in NOT_ACTIONS:
        return False, None
    if not context.operator:
        # In a console: the community's own rows and the community itself (its settings).
        if isinstance(obj, TenantScoped):
            return True, context.tenant_id
        if isinstance(obj, Community) and obj.id == context.tenant_id:
            return True, obj.id
        return False, None
    if isinstance(obj, TenantScoped):
        return True, obj.tenant_id
    if isinstance(obj, Community):
        return True, obj.id
    return True, getattr(obj, "community_id", None)


def _record_flush(session: Session, _flush_context: Any) -> None:
    # After the flush's statements (new rows have their ids), before its bookkeeping: the
    # session's new, dirty and deleted sets and each attribute's history are still there.
    context = current_context()
    if context is None or session.info.get(QUIET):
        return
    entries = []
    for action, objects in (("create", session.new), ("update", session.dirty),
                            ("delete", session.deleted)):
        for obj in list(objects):
            wanted, tenant_id = _owner(obj, context)
            if not wanted:
                continue
            if action == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            entries.append(_entry(context, tenant_id, action, obj.__tablename__,
                                  getattr(obj, "id", None), changes))
    session.info.setdefault(PENDING, []).extend(entries)


def _write_pending(session: Session) -> None:
    """At commit, the entries of every flush of the transaction go in together (one INSERT
    however many rows changed); a rolled-back transaction leaves none. The commit's own flush
    comes after this event, so it is done here first: its changes are recorded too."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    entries = session.info.pop(PENDING, None)
    if entries:
        _insert(session, entries)


def _drop_pending(session: Session, *_: Any) -> None:
    session.info.pop(PENDING, None)


def _set_values(state: ORMExecuteState) -> dict[str, Any]:
    values = {}
    for column, bound in (getattr(state.statement, "_values", None) or {}).items():
        key = getattr(column, "key", str(column))
        value = getattr(bound, "value", bound)
        values[key] = "•••" if SECRET_COLUMN.search(key) else _plain(value)
    return values


def _operator_rows(state: ORMExecuteState, context: Context, name: str,
                   values: dict[str, Any]) -> list[dict[str, Any]] | None:
    """An operator's bulk UPDATE, one entry per row with its values before and after (read
    just before the statement, with the statement's own condition)."""
    table = state.statement.table
    owner = next((table.c[k] for k in ("tenant_id", "community_id") if k in table.c), None)
    keys = [k for k in values if k in table.c]
    if "id" not in table.c or not keys:
        return None
    columns = [table.c.id, *(owner,) * (owner is not None), *(table.c[k] for k in keys)]
    query = select(*columns).limit(BULK_BEFORE_LIMIT)
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    entries = []
    for row in state.session.execute(query):
        mapping = row._mapping
        before = {k: _plain(mapping[table.c[k]]) for k in keys}
        changes = {k: ["•••", "•••"] if SECRET_COLUMN.search(k) else [before[k], values[k]]
                   for k in keys if before[k] != values[k]}
        if changes:
            entries.append(_entry(context, mapping[owner] if owner is not None else None,
                                  "update", name, mapping[table.c.id], changes))
    return entries


def _refuse_changes(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(obj, AuditEntry) for obj in (*session.dirty, *session.deleted)):
        raise AppendOnly("audit entries are never changed or deleted")


def _record_bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", "")
    if name == AuditEntry.__tablename__ and (
            state.is_update or not state.session.info.get(PURGING)):
        raise AppendOnly("audit entries are changed by nobody, deleted only by the purge")
    if state.session.info.get(QUIET):
        return
    context = current_context()
    if context is None:
        return
    if not name or name in DERIVED or name in NOT_ACTIONS:
        return
    values = _set_values(state) if state.is_update else {}
    if context.operator and state.is_update:
        rows = _operator_rows(state, context, name, values)
        if rows is not None:
            state.session.info.setdefault(PENDING, []).extend(rows)
            return
    state.session.info.setdefault(PENDING, []).append(_entry(
        context, context.tenant_id, "bulk", name, None,
        {"statement": "update" if state.is_update else "delete", "values": values}))


def _record_download(response: Response) -> Response:
    if request.method not in ("GET", "POST") or response.status_code != 200:
        return response
    disposition = response.headers.get("Content-Disposition", "")
    # A file saved, or (on a page acting for someone else) one shown inline, such as a receipt.
    if not (disposition.startswith("attachment") or (
            "filename" in disposition and accountability.request_audited_on_behalf())):
        return response
    context = current_context(changes=False)
    if context is not None:
        if request.method in READING_METHODS:
            # The file is built: the transaction that read it ends here, and the entry goes
            # in one of its own that begins with the write lock (on SQLite a download that
            # read, then wrote, failed whenever anything was committed meanwhile).
            db.session.commit()
            write_first(db.session)
        _insert(db.session, [_entry(context, context.tenant_id, "export", "", None,
                                    {"file": disposition[:300]})])
        db.session.commit()
    return response


def install(app: Flask) -> None:
    """Record actions in every session (once per process) and downloads per app."""
    if not event.contains(Session, "after_flush", _record_flush):
        event.listen(Session, "before_flush", _refuse_changes)
        event.listen(Session, "after_flush", _record_flush)
        event.listen(Session, "do_orm_execute", _record_bulk)
        event.listen(Session, "before_commit", _write_pending)
        event.listen(Session, "after_rollback", _drop_pending)
    app.after_request(_record_download)
