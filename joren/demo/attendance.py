"""Who came to which of the demo's past meetups, and who signed up: the shape of attendance
Joren is about (regulars who come to 9 or more of 12, returning members, one-timers, regulars
who drifted away lately), when each person joined, and the registrations for past and coming
meetups (the next one over capacity, so a few wait for a seat).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from joren.demo.meetups import CAPACITY, PAST_MEETUPS
from joren.demo.people import Person
from joren.platform.membership.models import MemberStatus
from joren.tenants.meetups.models import AttendanceStatus, RegistrationStatus

KEY_ATTENDANCE = {"owner": 12, "staff": 12, "member": 11}
# Returning members who first came through the public guest form and have joined since.
CONVERTED_GUESTS = 6
# Share of the meetups a returning member skipped that they had still registered for.
UNRECORDED_NO_SHOW = 0.1


def plan_attendance(rng: random.Random, person: Person) -> list[tuple[int, AttendanceStatus]]:
    """(past meetup index, status) for each meetup the person signed up for; 0 is the oldest."""
    came, missed = _attended_meetups(rng, person)
    plan = [(index, _came_status(rng, person)) for index in came]
    for index in missed:
        status = AttendanceStatus.EXCUSED if rng.random() < 0.6 else AttendanceStatus.ABSENT
        plan.append((index, status))
    return plan


def _attended_meetups(rng: random.Random, person: Person) -> tuple[list[int], list[int]]:
    """Which past meetups the person came to, and which they signed up for but missed."""
    everything = range(PAST_MEETUPS)
    if person.group == "regular":
        count = KEY_ATTENDANCE.get(person.key or "", rng.choice([9, 10, 10, 11, 11, 12]))
        came = rng.sample(everything, count)
        return sorted(came), [i for i in everything if i not in came]
    if person.group == "returning":
        start = rng.randint(0, 7)
        span = range(start, PAST_MEETUPS)
        came = rng.sample(span, min(len(span), rng.randint(3, 6)))
        return sorted(came), [i for i in span if i not in came and rng.random() < 0.2]
    if person.group == "one_timer":
        return [rng.randrange(PAST_MEETUPS)], []
    if person.group == "lapsed":
        # A regular through the first eight months, then gone for the last three or four.
        lapse = rng.choice([PAST_MEETUPS - 4, PAST_MEETUPS - 3])
        came = rng.sample(range(8), rng.randint(6, 8 - (lapse - 8)))
        came += list(range(8, lapse))
        return sorted(came), ([lapse] if rng.random() < 0.3 else [])
    return [], []


def _came_status(rng: random.Random, person: Person) -> AttendanceStatus:
    if person.group == "one_timer" and rng.random() < 0.25:
        return AttendanceStatus.WALK_IN
    return AttendanceStatus.LATE if rng.random() < 0.08 else AttendanceStatus.PRESENT


def set_joined_dates(rng: random.Random,
                      plans: list[tuple[Person, list[tuple[int, AttendanceStatus]]]],
                      past: list[datetime], now: datetime) -> None:
    """Regulars joined long ago; others on the evening they first came (or lately)."""
    for person, plan in plans:
        if person.group in ("regular", "lapsed"):
            joined = past[0] - timedelta(days=rng.randint(30, 1100))
        elif plan:
            joined = past[min(index for index, _ in plan)]
        else:
            joined = now - timedelta(days=rng.randint(1, 360))
        person.values["joined_at"] = joined
        person.values["created_at"] = joined


def upcoming_registrations(rng: random.Random, tenant_id: int,
                           plans: list[tuple[Person, list[Any]]], member_ids: list[int],
                           upcoming_ids: list[int], past_count: int,
                           now: datetime) -> list[dict[str, Any]]:
    """Who has already signed up for the coming meetups: mostly people who came lately; the
    next one is over capacity, so a few wait for a seat."""
    recent = [member_id for (person, plan), member_id in zip(plans, member_ids, strict=True)
              if any(index >= past_count - 3 and status.attended for index, status in plan)]
    rows = []
    for number, meetup_id in enumerate(upcoming_ids):
        share = 1.0 if number == 0 else 0.6
        chosen = [m for m in recent if rng.random() < share]
        if number == 0:
            chosen += rng.sample([m for m in member_ids if m not in chosen], 6)
        for position, member_id in enumerate(chosen):
            waiting = position >= CAPACITY
            rows.append({
                "tenant_id": tenant_id, "meetup_id": meetup_id, "member_id": member_id,
                "status": RegistrationStatus.WAITLISTED if waiting else RegistrationStatus.GOING,
                "waitlist_position": position - CAPACITY + 1 if waiting else None,
                "source": "portal", "confirmed_at": now, "status_changed_at": now,
                "created_at": now,
            })
    return rows


def past_registrations(rng: random.Random, tenant_id: int,
                       plans: list[tuple[Person, list[Any]]], member_ids: list[int],
                       meetup_ids: list[int], past: list[datetime]) -> list[dict[str, Any]]:
    """How people signed up for the past meetups: walk-ins had not; everyone else had, so
    the absent ones are no-shows. Guests (and the returning members who started as guests)
    came in through the public guest form. ``rng`` is a generator of its own (the loader's
    second), so adding registrations left every other draw unchanged."""
    joined = [p for p, _ in plans
              if p.group == "returning" and p.values["status"] == MemberStatus.MEMBER]
    converted = {id(p) for p in joined[:CONVERTED_GUESTS]}
    rows = []
    for (person, plan), member_id in zip(plans, member_ids, strict=True):
        signed_up = {index: status for index, status in plan
                     if status != AttendanceStatus.WALK_IN}
        if person.group == "returning" and plan:
            first = min(index for index, _ in plan)
            signed_up.update({index: None for index in range(first, PAST_MEETUPS)
                              if index not in signed_up and rng.random() < UNRECORDED_NO_SHOW})
        first_visit = min((i for i, status in plan if status.attended), default=None)
        for index in sorted(signed_up):
            as_guest = person.values["status"] == MemberStatus.GUEST or (
                id(person) in converted and index == first_visit)
            when = past[index] - timedelta(days=rng.randint(3, 20))
            rows.append({
                "tenant_id": tenant_id, "meetup_id": meetup_ids[index], "member_id": member_id,
                "status": RegistrationStatus.GOING, "source": "guest" if as_guest else "portal",
                "confirmed_at": when, "status_changed_at": when, "created_at": when,
            })
    return rows
