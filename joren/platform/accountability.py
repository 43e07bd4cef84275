"""What the audit log (joren/tenants/privacy/audit.py, installed on the app) needs to be told
by code below it, which cannot import it.

- ``operator_command``: a ``joren`` command an operator runs on the server that changes data
  (``joren create-admin``). While it runs, every change it makes is recorded with the actor
  ``cli:<OS user>``.
- ``audit_this_request``: a page outside the console (``/c/<slug>/admin/…``) that lets
  someone act on, or take out, another person's data (an organizer's copy of a member's
  receipt). The request's changes and its download are recorded as a console action's are.

Console requests and the platform admin pages (``/admin/…``) need no call: the audit log
recognises their URLs.
"""

from __future__ import annotations

import functools
import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from flask import g, has_app_context

F = TypeVar("F", bound=Callable[..., Any])
_COMMAND = "joren_operator_command"
_ON_BEHALF = "joren_audit_on_behalf"


@dataclass(frozen=True)
class OperatorCommand:
    command: str  # the command path and its arguments, e.g. "joren create-admin a@b.jp"
    os_user: str


def os_user() -> str:
    """The operator's login on the server (the uid where the system has no name for it)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


def _command_line() -> str:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return ""
    words = [ctx.command_path]
    for name, value in ctx.params.items():
        if isinstance(value, bool):
            if value:
                words.append(f"--{name.replace('_', '-')}")
        elif value is not None:
            words.append(str(value))
    return " ".join(words)


def operator_command(command: F) -> F:
    """Decorate a click command (inside ``with_appcontext``) whose changes are audited."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        setattr(g, _COMMAND, OperatorCommand(command=_command_line()[:500], os_user=os_user()))
        try:
            return command(*args, **kwargs)
        finally:
            g.pop(_COMMAND, None)

    return run  # type: ignore[return-value]


def running_command() -> OperatorCommand | None:
    """The audited operator command running in this app context, if any."""
    return g.get(_COMMAND) if has_app_context() else None


def audit_this_request() -> None:
    """Record this request's changes and download in the community's audit log."""
    setattr(g, _ON_BEHALF, True)


def request_audited_on_behalf() -> bool:
    return bool(g.get(_ON_BEHALF)) if has_app_context() else False
