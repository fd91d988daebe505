"""A person's own rota, on their phone: their published shifts, what changed since they last
looked, and when they can and cannot work.

Only published weeks are shown: a draft is the managers' business until it is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from bakery.domain import rota_requests as asks
from bakery.domain.rota_times import WEEKDAYS, clock_text, monday_of
from bakery.extensions import db
from bakery.models import User
from bakery.models.rota import RotaAvailability, RotaSeen, RotaShift, RotaWeek
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, begin_write, locked, race_safe

#: How many weeks ahead a person's own rota looks (published weeks only).
WEEKS_AHEAD = 4


@dataclass(frozen=True)
class OwnShift:
    """One of the person's published shifts as their phone shows it."""

    id: int
    day: date
    start: str
    end: str
    starts_at: datetime
    ends_at: datetime
    role: str
    colour: str
    note: str
    break_minutes: int
    cancelled: bool
    #: Changed (or cancelled) after the person last looked at the week.
    changed: bool


@dataclass(frozen=True)
class OwnWeek:
    """A published week of the person's shifts, and whether anything in it is new to them."""

    id: int
    monday: date
    shifts: list[OwnShift]
    #: The week was published, or changed, since the person last said they had seen it.
    unseen: bool


def _shift(shift: RotaShift, seen_at: datetime | None) -> OwnShift:
    moved = shift.cancelled_at or shift.updated_at
    return OwnShift(
        id=shift.id,
        day=shift.day,
        start=clock_text(shift.start_minute),
        end=clock_text(shift.end_minute),
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        role=shift.role.name,
        colour=shift.role.colour,
        note=shift.note,
        break_minutes=shift.break_minutes,
        cancelled=shift.cancelled_at is not None,
        changed=seen_at is not None and shift.changed_after_publish and moved > seen_at,
    )


def own_weeks(user_id: int, today: date) -> list[OwnWeek]:
    """The person's shifts in the published weeks from this week on (four weeks ahead).

    Rule: drafts never show; a shift cancelled after publishing shows as cancelled; a week the
    person has not seen since it was published or changed is unseen, and its changed shifts are
    marked.
    """
    first = monday_of(today)
    weeks = list(
        db.session.scalars(
            select(RotaWeek)
            .where(
                RotaWeek.monday >= first,
                RotaWeek.monday <= first + timedelta(weeks=WEEKS_AHEAD),
                RotaWeek.published_at.is_not(None),
            )
            .order_by(RotaWeek.monday)
        )
    )
    if not weeks:
        return []
    seen = dict(
        db.session.execute(
            select(RotaSeen.week_id, RotaSeen.seen_at).where(
                RotaSeen.user_id == user_id, RotaSeen.week_id.in_([w.id for w in weeks])
            )
        )
        .tuples()
        .all()
    )
    shifts = list(
        db.session.scalars(
            select(RotaShift)
            .options(joinedload(RotaShift.role))
            .where(RotaShift.week_id.in_([w.id for w in weeks]), RotaShift.user_id == user_id)
            .order_by(RotaShift.starts_at, RotaShift.id)
        )
    )
    found = []
    for week in weeks:
        seen_at = seen.get(week.id)
        mine = [_shift(s, seen_at) for s in shifts if s.week_id == week.id]
        # A cancelled shift is news only until it has been seen.
        mine = [s for s in mine if not s.cancelled or s.changed or seen_at is None]
        unseen = seen_at is None or week.updated_at > seen_at
        found.append(OwnWeek(week.id, week.monday, mine, unseen and bool(mine)))
    return found


def has_rota_news(user_id: int, today: date) -> bool:
    """Whether a published week holds shifts of the person's they have not seen as they are now."""
    return any(week.unseen for week in own_weeks(user_id, today))


@race_safe(Mechanism.UNIQUE_KEY, guards="one seen marker per person and week; the latest look wins")
def mark_seen(user_id: int, week_ids: list[int], now: datetime | None = None) -> int:
    """The person has seen these published weeks as they are now; how many were marked.

    Rule: only published weeks; a second tap (or another phone) at the same moment updates the
    same marker (UNIQUE person and week) instead of adding one.
    """
    at = now or utcnow()
    begin_write()
    weeks = list(
        db.session.scalars(
            select(RotaWeek).where(RotaWeek.id.in_(week_ids[:20]), RotaWeek.published_at.is_not(None))
        )
    )
    for week in weeks:
        marker = db.session.scalar(
            select(RotaSeen).where(RotaSeen.user_id == user_id, RotaSeen.week_id == week.id)
        )
        if marker is None:
            try:
                with db.session.begin_nested():
                    db.session.add(
                        RotaSeen(user_id=user_id, week_id=week.id, seen_version=week.version, seen_at=at)
                    )
                continue
            except IntegrityError:
                marker = db.session.scalar(
                    select(RotaSeen).where(RotaSeen.user_id == user_id, RotaSeen.week_id == week.id)
                )
        if marker is not None:
            marker.seen_version, marker.seen_at = week.version, max(at, marker.seen_at)
    db.session.commit()
    return len(weeks)


@dataclass(frozen=True)
class OwnWindow:
    """A window the person stated, as their phone lists it."""

    id: int
    when: str
    start: str
    end: str
    available: bool


def own_windows(user_id: int, today: date) -> list[OwnWindow]:
    """The person's weekly windows (Monday first), then their dated ones from today on."""
    rows = db.session.scalars(
        select(RotaAvailability)
        .where(
            RotaAvailability.user_id == user_id,
            (RotaAvailability.on_date.is_(None)) | (RotaAvailability.on_date >= today),
        )
        .order_by(
            RotaAvailability.on_date.is_not(None),
            RotaAvailability.weekday,
            RotaAvailability.on_date,
            RotaAvailability.start_minute,
        )
    )
    return [
        OwnWindow(
            id=w.id,
            when=f"Every {WEEKDAYS[w.weekday]}" if w.weekday is not None else f"{w.on_date:%a %d %b %Y}",
            start=clock_text(w.start_minute),
            end="24:00" if w.end_minute == 1440 else clock_text(w.end_minute),
            available=w.kind == "available",
        )
        for w in rows
    ]


#: The most windows one person may state: plenty for a week's pattern and the odd date.
MAX_WINDOWS = 60


@race_safe(Mechanism.ROW_LOCK, guards="the person's number of windows (user row)")
def add_window(user_id: int, window: asks.WindowRequest, today: date, actor: Actor) -> RotaAvailability:
    """Add a window in which the person is (or is not) available: weekly or on one date.

    Rule: `rota_requests.check_window`; at most 60 windows a person; no reason is asked or kept.
    """
    try:
        asks.check_window(window, today)
    except asks.RequestError as wrong:
        raise ServiceError(str(wrong)) from wrong
    if locked(User, user_id) is None:
        raise NotFound("No such person.")
    count = db.session.scalar(
        select(db.func.count()).select_from(RotaAvailability).where(RotaAvailability.user_id == user_id)
    )
    if (count or 0) >= MAX_WINDOWS:
        raise ServiceError(f"You have {MAX_WINDOWS} times listed: remove some before adding more.")
    row = RotaAvailability(
        user_id=user_id,
        weekday=window.weekday,
        on_date=window.on_date,
        start_minute=window.start_minute,
        end_minute=window.end_minute,
        kind="available" if window.available else "unavailable",
    )
    db.session.add(row)
    # The audit says that a window changed, never when: the hours may reveal a curfew.
    audit.record("rota.availability_added", actor, target=f"user:{user_id}")
    db.session.commit()
    return row


@race_safe(
    Mechanism.INDEPENDENT, guards="deletes one of the person's own windows; a second delete finds none"
)
def remove_window(user_id: int, window_id: int, actor: Actor) -> None:
    """Remove one of the person's windows (someone else's is not found)."""
    begin_write()
    gone = db.session.execute(
        delete(RotaAvailability).where(RotaAvailability.id == window_id, RotaAvailability.user_id == user_id)
    )
    if int(gone.rowcount) != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise NotFound("That time is not on your list.")
    audit.record("rota.availability_removed", actor, target=f"user:{user_id}")
    db.session.commit()
