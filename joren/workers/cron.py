"""The periodic schedule, run by RQ's cron scheduler (``joren cron``).

Everything here, and the per-community jobs it fans out, runs on the ``cron`` queue, which
workers serve before bulk mail, so a long mail queue never holds back offer expiry, Stripe
events or refunds.

Exactly one ``joren cron`` process runs: RQ's cron scheduler takes no lock, so two would
enqueue everything twice. (Jobs are idempotent, and per-community work fans out with job ids
unique per community and period, so a second scheduler wastes work but does no harm.)

Per-community periodic work is added as a fan-out, for example
``Entry(jobs.fan_out_every, "0 6 * * *", args=("joren.workers.jobs.x", "day"))``: the fan-out
runs once and enqueues ``x(tenant_id, "2025-01-05")`` for each community.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_rq import RQ

from joren.platform.jobs import PERIODIC_QUEUE
from joren.workers import (
    announcement_jobs,
    billing_jobs,
    habit_jobs,
    import_jobs,
    introduction_jobs,
    jobs,
    offer_jobs,
    payment_jobs,
    privacy_jobs,
    reminder_jobs,
)


@dataclass(frozen=True)
class Entry:
    func: Callable[..., Any]
    interval: int | str  # seconds, or a cron expression
    queue: str = PERIODIC_QUEUE
    args: tuple[Any, ...] = field(default_factory=tuple)
    job_timeout: int | None = None


SCHEDULE: tuple[Entry, ...] = (
    Entry(jobs.sweep_outbox, 60, job_timeout=120),
    # Jobs whose enqueue failed while Redis was away, kept in the database meanwhile.
    Entry(jobs.redeliver_deferred, 60, job_timeout=120),
    Entry(reminder_jobs.fan_out_meetup_reminders, "*/15 * * * *"),
    # Paid meetups' seat offers past their deadline pass to the next person.
    Entry(offer_jobs.fan_out_expire_offers, "*/5 * * * *"),
    # Meetup occurrences on each series' rolling horizon, daily at 03:10 UTC.
    Entry(jobs.fan_out_every, "10 3 * * *",
          args=("joren.workers.meetup_jobs.materialize_community", "day")),
    # Engagement levels move when a meetup ends even if nobody edits the register: daily.
    Entry(jobs.fan_out_every, "40 3 * * *",
          args=("joren.workers.engagement_jobs.recompute_community", "day")),
    # Analytics rollups follow meetups that started or ended (the page also asks), hourly.
    Entry(jobs.fan_out_every, "5 * * * *",
          args=("joren.workers.engagement_jobs.refresh_rollups", "hour")),
    # The relationship ledger, rebuilt from its sources daily as a safety net.
    Entry(jobs.fan_out_every, "50 3 * * *",
          args=("joren.workers.relationship_jobs.rebuild", "day")),
    # Introduction cycles for communities whose cadence is due (14:30 in Japan), daily.
    Entry(introduction_jobs.fan_out_introduction_cycles, "30 5 * * *"),
    # Introductions nobody answered in time close quietly, hourly.
    Entry(introduction_jobs.fan_out_expire_introductions, "17 * * * *"),
    # Stripe events stored but not processed (their job was lost) are enqueued again.
    Entry(billing_jobs.sweep_events, "*/10 * * * *"),
    # Refunds asked for and not confirmed by Stripe (their job was lost) are enqueued again.
    Entry(payment_jobs.sweep_refunds, "*/10 * * * *"),
    # Imports whose job was lost are resumed; those whose job died are marked failed.
    Entry(import_jobs.sweep_imports, "*/10 * * * *"),
    # Before and after each meetup: "people to meet" and next-day follow-ups (local times).
    Entry(habit_jobs.fan_out_meetup_habit_emails, "*/15 * * * *"),
    # The day after each meetup (10:00 local time): the survey to its attendees, hourly.
    Entry(jobs.fan_out_every, "20 * * * *",
          args=("joren.workers.survey_jobs.send_surveys", "hour")),
    # Announcements whose time has come are sent (and large ones continued), every 5 minutes.
    Entry(announcement_jobs.fan_out_send_announcements, "*/5 * * * *"),
    # A month after an accepted introduction with no contact since: a gentle nudge, hourly.
    Entry(habit_jobs.fan_out_introduction_nudges, "25 * * * *"),
    # Accounts whose deletion grace period has passed are deleted, daily.
    Entry(privacy_jobs.purge_deleted_accounts, "20 4 * * *", job_timeout=1800),
    # Communities whose deletion grace period has passed are erased; Stripe is told, daily.
    Entry(privacy_jobs.purge_deleted_communities, "25 4 * * *", job_timeout=3600),
    # Uploads, email bodies and Stripe payloads past their retention period, daily.
    Entry(jobs.fan_out_every, "30 4 * * *",
          args=("joren.workers.privacy_jobs.purge_retained", "day")),
    Entry(privacy_jobs.purge_retained_installation, "35 4 * * *", job_timeout=1800),
)

_REGISTERED: set[int] = set()


def register_schedule(ext: RQ, schedule: tuple[Entry, ...] = SCHEDULE) -> None:
    """Give the Flask-RQ extension the schedule (once per extension object)."""
    if id(ext) in _REGISTERED:
        return
    _REGISTERED.add(id(ext))
    for entry in schedule:
        options: dict[str, Any] = {}
        if entry.job_timeout is not None:
            options["job_timeout"] = entry.job_timeout
        ext.cron_register(
            entry.func, entry.interval, queue=entry.queue, args=entry.args, **options
        )
