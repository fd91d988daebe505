"""The demo year's worked hours: each worker's shifts clocked at the Counter, approved week by week
through the timesheet service, with the untidiness of real clocks (a few minutes early or late,
a forgotten clock-out corrected by a manager, a shift the worker flags as wrong)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from bakery.domain.hours import local_moment, week_start
from bakery.extensions import db
from bakery.models import TimeEntry
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.demo.people import SHIFTS, Planned
from bakery.services.members.timesheets import correct_entry, flag_entry

SHIFT_BY_ROLE = {role: (start, end, pause) for role, start, end, pause in SHIFTS}


def clock_day(
    rng: random.Random,
    workers: list[Planned],
    day: date,
    timezone: str,
    till_id: int,
    *,
    stop_for: dict[int, date],
) -> dict[str, list[int]]:
    """Add the day's clocked shifts (the caller's transaction) and say who worked which role.

    `stop_for` maps a user to the first day whose hours the base demo already holds.
    """
    on: dict[str, list[int]] = {role: [] for role in SHIFT_BY_ROLE}
    for worker in workers:
        if worker.user_id is None or not worker.active_on(day) or day.weekday() not in worker.workdays:
            continue
        if worker.user_id in stop_for and day >= stop_for[worker.user_id]:
            on[worker.role].append(worker.user_id)
            continue
        if rng.random() < 0.04:
            continue  # off sick or on holiday
        start, end, pause = SHIFT_BY_ROLE[worker.role]
        early = timedelta(minutes=rng.randrange(-6, 9))
        late = timedelta(minutes=rng.randrange(-5, 25))
        db.session.add(
            TimeEntry(
                user_id=worker.user_id,
                member_id=worker.member_id,
                till_id=till_id,
                clock_in=local_moment(day, start, timezone) - early,
                clock_out=local_moment(day, end, timezone) + late,
                break_minutes=pause,
            )
        )
        on[worker.role].append(worker.user_id)
    return on


def approve_last_week(users: list[int], monday: date, manager: Actor, at: datetime, timezone: str) -> int:
    """The manager approves last week's timesheet person by person; returns how many entries.

    What `approve_week` writes for each person (each finished, unflagged entry approved and
    audited with its minutes and week), written for the whole week at once: a service call per
    person and week was a third of the year's loading time.
    """
    week = monday - timedelta(weeks=1)
    entries = list(
        db.session.scalars(
            select(TimeEntry)
            .where(
                TimeEntry.user_id.in_(users),
                TimeEntry.clock_in >= local_moment(week, time(0), timezone),
                TimeEntry.clock_in < local_moment(monday, time(0), timezone),
                TimeEntry.clock_out.is_not(None),
                TimeEntry.approved_at.is_(None),
                TimeEntry.member_state != "flagged",
            )
            .order_by(TimeEntry.user_id, TimeEntry.clock_in, TimeEntry.id)
        )
    )
    for entry in entries:
        entry.approved_at = at
        entry.approved_by_id = manager.user_id
    return audit.record_many(
        [
            audit.Event(
                "hours.approved",
                manager,
                at,
                f"time_entry:{entry.id}",
                {"minutes": entry.minutes, "week": week.isoformat()},
            )
            for entry in entries
        ]
    )


def untidy_this_week(workers: list[Planned], today: date, timezone: str, manager: Actor) -> None:
    """This week, still to approve: a forgotten clock-out corrected by the manager, and a shift
    flagged by its worker as wrong (each through its service)."""
    monday = week_start(today)
    entries = list(
        db.session.scalars(
            select(TimeEntry)
            .where(TimeEntry.clock_in >= local_moment(monday - timedelta(weeks=1), time(0), timezone))
            .where(TimeEntry.approved_at.is_(None), TimeEntry.member_id.is_not(None))
            .order_by(TimeEntry.clock_in)
        )
    )
    by_member = {w.member_id: w for w in workers if w.member_id is not None}
    corrected = flagged = False
    for entry in entries:
        worker = by_member.get(entry.member_id or 0)
        if worker is None or worker.member_id is None or worker.number in ("M-0001", "M-0002"):
            continue
        if not corrected and entry.clock_out is not None:
            _start, end, pause = SHIFT_BY_ROLE[worker.role]
            day = (entry.clock_in + timedelta(hours=1)).date()
            correct_entry(
                entry.id,
                entry.clock_in,
                local_moment(day, end, timezone),
                pause,
                "Clocked out late by mistake: left at the end of the shift (checked with the rota).",
                manager,
                now=local_moment(today - timedelta(days=1), time(18, 30), timezone),
            )
            corrected = True
        elif not flagged and entry.clock_out is not None:
            flag_entry(
                worker.member_id,
                entry.id,
                "I took a 15-minute break, not 30: please correct it.",
                Actor(user_id=worker.user_id),
                now=local_moment(today - timedelta(days=1), time(18, 40), timezone),
            )
            flagged = True
        if corrected and flagged:
            return
