"""Sessions for jobs: fresh per job, bound to one community, always committed or rolled back."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from joren.platform.db import db
from joren.platform.identity.community import Community
from joren.platform.observability.jobs import bind_community
from joren.platform.tenancy import set_tenant

P = ParamSpec("P")
R = TypeVar("R")


class CommunityGone(LookupError):
    """The job's community no longer exists; there is nothing left to do."""


@contextmanager
def job_session(tenant_id: int | None = None) -> Iterator[Session]:
    """A fresh session for one job: commit on success, roll back on error, always closed."""
    session = db.sessionmaker()
    try:
        if tenant_id is not None:
            if session.get(Community, tenant_id) is None:
                raise CommunityGone(tenant_id)
            set_tenant(session, tenant_id)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def tenant_job(func: Callable[..., R]) -> Callable[..., R | None]:
    """Wrap ``func(session, *ids)`` as an RQ job taking ``(tenant_id, *ids)``.

    The job runs in a fresh session scoped to that community, so a retried job sees fresh
    data and only that community's rows.
    """

    @functools.wraps(func)
    def wrapper(tenant_id: int, *args: Any, **kwargs: Any) -> R | None:
        bind_community(tenant_id)
        try:
            with job_session(tenant_id) as session:
                return func(session, *args, **kwargs)
        except CommunityGone:
            return None

    return wrapper


def platform_job(func: Callable[..., R]) -> Callable[..., R]:
    """Wrap ``func(session, *ids)`` as an RQ job that belongs to no community."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        with job_session(None) as session:
            return func(session, *args, **kwargs)

    return wrapper
