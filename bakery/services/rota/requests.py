"""Swaps and time off: a person asks, another qualified person accepts a swap, a manager decides.

A swap is of one published shift not yet started. Approving it gives the shift to the person who
accepted, marked as changed so both are told on their next visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from bakery.domain import rota_requests as asks
from bakery.domain.rota import HeldSkill
from bakery.domain.rota_times import clock_text
from bakery.extensions import db
from bakery.models import User
from bakery.models.rota import RotaPersonSkill, RotaRoleSkill, RotaShift, RotaSwap, RotaTimeOff, RotaWeek
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, claimed, locked, race_safe
from bakery.services.rota.shifts import week_for_write

OPEN_SWAP = ("requested", "accepted")


def _when(shift: RotaShift) -> str:
    return f"{shift.day:%a %d %b} {clock_text(shift.start_minute)}\u2013{clock_text(shift.end_minute)}"


def _needs(shift: RotaShift) -> set[int]:
    needs = set(
        db.session.scalars(select(RotaRoleSkill.skill_id).where(RotaRoleSkill.role_id == shift.role_id))
    )
    if shift.skill_id is not None:
        needs.add(shift.skill_id)
    return needs


def _held(user_id: int) -> list[HeldSkill]:
    return [
        HeldSkill(h.user_id, h.skill_id, h.gained_on, h.expires_on)
        for h in db.session.scalars(select(RotaPersonSkill).where(RotaPersonSkill.user_id == user_id))
    ]


def _busy(user_id: int, shift: RotaShift) -> bool:
    """Whether the person already works a shift that overlaps this one."""
    return bool(
        db.session.scalar(
            select(db.func.count())
            .select_from(RotaShift)
            .where(
                RotaShift.user_id == user_id,
                RotaShift.cancelled_at.is_(None),
                RotaShift.starts_at < shift.ends_at,
                RotaShift.ends_at > shift.starts_at,
            )
        )
    )


@dataclass(frozen=True)
class SwapView:
    """A swap as a person or a manager sees it."""

    id: int
    shift_id: int
    when: str
    role: str
    state: str
    from_name: str
    to_name: str


def _view(swap: RotaSwap, names: dict[int, str]) -> SwapView:
    return SwapView(
        id=swap.id,
        shift_id=swap.shift_id,
        when=_when(swap.shift),
        role=swap.shift.role.name,
        state=swap.state,
        from_name=names.get(swap.from_user_id, ""),
        to_name=names.get(swap.to_user_id or 0, ""),
    )


def _names(swaps: list[RotaSwap]) -> dict[int, str]:
    ids = {s.from_user_id for s in swaps} | {s.to_user_id for s in swaps if s.to_user_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).tuples().all())


def _swaps(*conditions: object) -> list[RotaSwap]:
    return list(
        db.session.scalars(
            select(RotaSwap)
            .options(joinedload(RotaSwap.shift).joinedload(RotaShift.role))
            .join(RotaShift, RotaShift.id == RotaSwap.shift_id)
            .where(*conditions)  # type: ignore[arg-type]
            .order_by(RotaShift.starts_at, RotaSwap.id)
        )
    )


@dataclass(frozen=True)
class SwapBoard:
    """A person's swaps: the ones they asked for, and the ones they could take."""

    mine: list[SwapView]
    offered: list[SwapView]


def swap_board(user_id: int, now: datetime | None = None) -> SwapBoard:
    """The person's open swaps, and others' requested swaps of shifts they are qualified for
    (every skill the shift needs, valid on its day) and free to work (no overlapping shift)."""
    at = now or utcnow()
    mine = _swaps(RotaSwap.from_user_id == user_id, RotaSwap.state.in_(OPEN_SWAP), RotaShift.starts_at > at)
    others = _swaps(
        RotaSwap.from_user_id != user_id,
        RotaSwap.state == "requested",
        RotaShift.starts_at > at,
        RotaShift.cancelled_at.is_(None),
    )
    accepted_by_me = _swaps(
        RotaSwap.to_user_id == user_id, RotaSwap.state == "accepted", RotaShift.starts_at > at
    )
    held = _held(user_id)
    offered = [
        s
        for s in others
        if asks.qualified(user_id, _needs(s.shift), held, s.shift.day) and not _busy(user_id, s.shift)
    ]
    names = _names(mine + offered + accepted_by_me)
    return SwapBoard(
        mine=[_view(s, names) for s in mine],
        offered=[_view(s, names) for s in accepted_by_me + offered],
    )


def _published_shift(shift_id: int, at: datetime) -> tuple[RotaShift, RotaWeek]:
    """The shift with its week's row locked (every change to a week's shifts locks it first)."""
    shift = db.session.get(RotaShift, shift_id)
    if shift is None:
        raise NotFound("No such shift.")
    week = week_for_write(shift.week.monday)
    db.session.refresh(shift)
    if week.published_at is None or shift.cancelled_at is not None:
        raise NotFound("No such shift.")
    if shift.starts_at <= at:
        raise ServiceError("That shift has already started.")
    return shift, week


@race_safe(Mechanism.ROW_LOCK, guards="one open swap per shift (week row)")
def request_swap(user_id: int, shift_id: int, actor: Actor, now: datetime | None = None) -> RotaSwap:
    """Ask for someone else to take one of your published shifts that has not started.

    Rule: only your own shift; one open swap per shift (a second ask, or two at once, is refused).
    """
    at = now or utcnow()
    shift, _week = _published_shift(shift_id, at)
    if shift.user_id != user_id:
        raise NotFound("No such shift.")
    open_already = db.session.scalar(
        select(db.func.count())
        .select_from(RotaSwap)
        .where(RotaSwap.shift_id == shift.id, RotaSwap.state.in_(OPEN_SWAP))
    )
    if open_already:
        raise ServiceError("You have already asked for a swap of this shift.")
    swap = RotaSwap(shift_id=shift.id, from_user_id=user_id, state="requested", requested_at=at)
    db.session.add(swap)
    audit.record(
        "rota.swap_requested", actor, target=f"user:{user_id}", details={"when": _when(shift)}, now=at
    )
    db.session.commit()
    return swap


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="one person accepts a swap (state still 'requested')")
def accept_swap(user_id: int, swap_id: int, actor: Actor, now: datetime | None = None) -> None:
    """Offer to take someone's shift. Rule: you hold every skill it needs on its day, you have no
    overlapping shift, and nobody accepted first (two at once: one wins, the other is told)."""
    at = now or utcnow()
    swap = db.session.get(RotaSwap, swap_id)
    if swap is None or swap.from_user_id == user_id or swap.shift.starts_at <= at:
        raise NotFound("No such swap.")
    shift = swap.shift
    if not asks.qualified(user_id, _needs(shift), _held(user_id), shift.day):
        raise ServiceError("This shift needs a skill or certificate you do not hold on that day.")
    if _busy(user_id, shift):
        raise ServiceError("You already work at that time.")
    won = claimed(
        update(RotaSwap)
        .where(RotaSwap.id == swap_id, RotaSwap.state == "requested")
        .values(state="accepted", to_user_id=user_id, accepted_at=at)
    )
    if not won:
        db.session.rollback()
        raise ServiceError("Someone else has already offered to take this shift.")
    audit.record(
        "rota.swap_accepted",
        actor,
        target=f"user:{swap.from_user_id}",
        details={"when": _when(shift)},
        now=at,
    )
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="a swap is withdrawn only while still open")
def withdraw_swap(user_id: int, swap_id: int, actor: Actor, now: datetime | None = None) -> None:
    """Take back your own swap request before a manager decides it."""
    at = now or utcnow()
    won = claimed(
        update(RotaSwap)
        .where(RotaSwap.id == swap_id, RotaSwap.from_user_id == user_id, RotaSwap.state.in_(OPEN_SWAP))
        .values(state="withdrawn", decided_at=at)
    )
    if not won:
        db.session.rollback()
        raise NotFound("No open swap of yours to withdraw.")
    audit.record("rota.swap_withdrawn", actor, target=f"user:{user_id}", now=at)
    db.session.commit()


@race_safe(Mechanism.ROW_LOCK, guards="the shift's person and the swap's state (week row, then swap row)")
def decide_swap(swap_id: int, approve: bool, actor: Actor, now: datetime | None = None) -> RotaSwap:
    """A manager approves an accepted swap (the shift passes to the person who accepted) or refuses
    an open one. Rule: approval needs an acceptance, the shift unchanged in hand and not started."""
    at = now or utcnow()
    swap = db.session.get(RotaSwap, swap_id)
    if swap is None:
        raise NotFound("No such swap.")
    shift, week = _published_shift(swap.shift_id, at)
    swap = locked(RotaSwap, swap_id)
    if swap is None:  # pragma: no cover - swaps are never deleted
        raise NotFound("No such swap.")
    try:
        asks.check_move(asks.SWAP_NEXT, swap.state, "approved" if approve else "refused")
    except asks.RequestError as done:
        raise ServiceError(str(done)) from done
    if approve:
        if shift.user_id != swap.from_user_id or swap.to_user_id is None:
            raise ServiceError("The shift has changed hands since: refuse this swap instead.")
        if _busy(swap.to_user_id, shift):
            raise ServiceError("The person taking the shift now works at that time: refuse this swap.")
        shift.user_id = swap.to_user_id
        shift.version += 1
        shift.changed_after_publish = True
        shift.updated_at, shift.updated_by_id = at, actor.user_id
        week.version += 1
        week.updated_at = at
    swap.state = "approved" if approve else "refused"
    swap.decided_at, swap.decided_by_id = at, actor.user_id
    audit.record(
        "rota.swap_approved" if approve else "rota.swap_refused",
        actor,
        target=f"user:{swap.from_user_id}",
        details={"when": _when(shift)},
        now=at,
    )
    db.session.commit()
    return swap


@dataclass(frozen=True)
class TimeOffView:
    """A time-off request, with how many planned shifts fall in it."""

    id: int
    user_id: int
    name: str
    first: date
    last: date
    state: str
    shifts_inside: int


def _time_off_views(rows: list[RotaTimeOff]) -> list[TimeOffView]:
    names = {
        uid: name
        for uid, name in db.session.execute(
            select(User.id, User.display_name).where(User.id.in_({r.user_id for r in rows} or {0}))
        ).tuples()
    }
    views = []
    for r in rows:
        inside = db.session.scalar(
            select(db.func.count())
            .select_from(RotaShift)
            .where(
                RotaShift.user_id == r.user_id,
                RotaShift.cancelled_at.is_(None),
                RotaShift.day >= r.from_date,
                RotaShift.day <= r.to_date,
            )
        )
        views.append(
            TimeOffView(
                r.id, r.user_id, names.get(r.user_id, ""), r.from_date, r.to_date, r.state, inside or 0
            )
        )
    return views


def own_time_off(user_id: int, today: date) -> list[TimeOffView]:
    """The person's time off that has not ended, open or decided."""
    rows = list(
        db.session.scalars(
            select(RotaTimeOff)
            .where(
                RotaTimeOff.user_id == user_id, RotaTimeOff.to_date >= today, RotaTimeOff.state != "withdrawn"
            )
            .order_by(RotaTimeOff.from_date)
        )
    )
    return _time_off_views(rows)


@race_safe(Mechanism.ROW_LOCK, guards="no two overlapping open requests per person (user row)")
def request_time_off(user_id: int, first: date, last: date, today: date, actor: Actor) -> RotaTimeOff:
    """Ask for days off, from `first` to `last` inclusive. Rule: `rota_requests.check_time_off`, and
    not overlapping days already asked for (requested or approved). No reason is asked."""
    try:
        asks.check_time_off(first, last, today)
    except asks.RequestError as wrong:
        raise ServiceError(str(wrong)) from wrong
    if locked(User, user_id) is None:
        raise NotFound("No such person.")
    overlapping = db.session.scalar(
        select(db.func.count())
        .select_from(RotaTimeOff)
        .where(
            RotaTimeOff.user_id == user_id,
            RotaTimeOff.state.in_(("requested", "approved")),
            RotaTimeOff.from_date <= last,
            RotaTimeOff.to_date >= first,
        )
    )
    if overlapping:
        raise ServiceError("You have already asked for time off on some of those days.")
    row = RotaTimeOff(
        user_id=user_id, from_date=first, to_date=last, state="requested", requested_at=utcnow()
    )
    db.session.add(row)
    audit.record(
        "rota.time_off_requested",
        actor,
        target=f"user:{user_id}",
        details={"from": f"{first:%d %b %Y}", "to": f"{last:%d %b %Y}"},
    )
    db.session.commit()
    return row


@race_safe(
    Mechanism.CONDITIONAL_UPDATE, guards="time off is withdrawn only while open or approved and not begun"
)
def withdraw_time_off(user_id: int, request_id: int, today: date, actor: Actor) -> None:
    """Take back your own time off before its first day."""
    won = claimed(
        update(RotaTimeOff)
        .where(
            RotaTimeOff.id == request_id,
            RotaTimeOff.user_id == user_id,
            RotaTimeOff.state.in_(("requested", "approved")),
            RotaTimeOff.from_date > today,
        )
        .values(state="withdrawn", decided_at=utcnow())
    )
    if not won:
        db.session.rollback()
        raise NotFound("No time off of yours to withdraw (it may have begun).")
    audit.record("rota.time_off_withdrawn", actor, target=f"user:{user_id}")
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="a request is decided once (state still 'requested')")
def decide_time_off(request_id: int, approve: bool, actor: Actor, now: datetime | None = None) -> None:
    """A manager approves or refuses a time-off request; the second decision is refused."""
    at = now or utcnow()
    row = db.session.get(RotaTimeOff, request_id)
    if row is None:
        raise NotFound("No such request.")
    won = claimed(
        update(RotaTimeOff)
        .where(RotaTimeOff.id == request_id, RotaTimeOff.state == "requested")
        .values(state="approved" if approve else "refused", decided_at=at, decided_by_id=actor.user_id)
    )
    if not won:
        db.session.rollback()
        raise ServiceError("This request has already been decided or withdrawn.")
    audit.record(
        "rota.time_off_approved" if approve else "rota.time_off_refused",
        actor,
        target=f"user:{row.user_id}",
        details={"from": f"{row.from_date:%d %b %Y}", "to": f"{row.to_date:%d %b %Y}"},
        now=at,
    )
    db.session.commit()


@dataclass(frozen=True)
class OpenRequests:
    """What waits for a manager: swaps to approve or refuse, and time off to decide."""

    swaps: list[SwapView]
    time_off: list[TimeOffView]


def open_requests(today: date, now: datetime | None = None) -> OpenRequests:
    """Swaps still open on shifts not yet started (accepted ones first), and time off asked for."""
    at = now or utcnow()
    swaps = _swaps(RotaSwap.state.in_(OPEN_SWAP), RotaShift.starts_at > at)
    swaps.sort(key=lambda s: (s.state != "accepted", s.shift.starts_at))
    names = _names(swaps)
    rows = list(
        db.session.scalars(
            select(RotaTimeOff)
            .where(RotaTimeOff.state == "requested", RotaTimeOff.to_date >= today)
            .order_by(RotaTimeOff.from_date)
        )
    )
    return OpenRequests([_view(s, names) for s in swaps], _time_off_views(rows))
