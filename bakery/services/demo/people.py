"""The demo year's people: a few hundred members across the three classes, who join and leave
through the year, buy their shares, and (the workers) sign in on the till with a PIN.

The roster is planned first from a seeded random (`plan_roster`), then each member is added through
the members service on the day they joined, so the audit log tells the year in order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from bakery.domain.hours import local_moment
from bakery.extensions import db
from bakery.models import Member
from bakery.services.audit import Actor
from bakery.services.auth.users import create_user, set_active
from bakery.services.demo.names import COMMUNITY, person_names
from bakery.services.members import create_member, update_member
from bakery.services.members.register import MemberInput
from bakery.services.members.shares import buy_shares

WORKERS = 12
CUSTOMERS = 285
# Visits a week of the base demo's members: Mia drops in now and then, Noor is a regular.
BASE_VISITS = {"M-0001": 1.5, "M-0002": 1.2, "M-0101": 0.25, "M-0102": 1.6, "M-0201": 0.0}
# Shifts: (first day of the week worked, days, start, end, break minutes) by role.
SHIFTS = (
    ("baker", time(6, 0), time(14, 0), 30),
    ("barista", time(7, 30), time(15, 30), 30),
    ("counter", time(9, 30), time(17, 45), 45),
)


@dataclass
class Planned:
    """A member as planned: who, which class, when they join (and leave), how often they shop."""

    name: str
    class_name: str
    joined_on: date
    left_on: date | None = None
    visits_a_week: float = 0.0
    shares: int = 0
    role: str = ""  # workers: baker, barista or counter
    workdays: tuple[int, ...] = ()
    member_id: int | None = None
    user_id: int | None = None
    number: str = ""
    discount_bp: int = 0

    def active_on(self, day: date) -> bool:
        """A member for this day's purchases: joined, and not yet left."""
        return (
            self.member_id is not None
            and self.joined_on <= day
            and (self.left_on is None or day < self.left_on)
        )


def _join_date(rng: random.Random, start: date, today: date, founding_share: float) -> date:
    if rng.random() < founding_share:
        return start - timedelta(days=rng.randrange(30, 540))
    return start + timedelta(days=rng.randrange((today - start).days - 7))


def plan_roster(rng: random.Random, start: date, today: date) -> list[Planned]:
    """Everyone the demo year adds, in the order they join (membership numbers follow that order)."""
    taken = {"Ada Baker", "Ben Barista", "Mia Member", "Noor Member"}
    roster: list[Planned] = []
    for index, name in enumerate(person_names(rng, WORKERS, taken)):
        role = SHIFTS[index % len(SHIFTS)][0]
        days = tuple(sorted(rng.sample(range(6), 4 if index % 4 else 5)))
        joined = _join_date(rng, start, today, 0.6)
        left = joined + timedelta(days=rng.randrange(90, 200)) if index in (4, 9) else None
        roster.append(Planned(name, "worker", joined, left, 1.5, 100, role, days))
    for name in person_names(rng, CUSTOMERS, taken):
        joined = _join_date(rng, start, today, 0.55)
        left = None
        if rng.random() < 0.05:
            left = max(joined, start) + timedelta(days=rng.randrange(60, 300))
            left = left if left < today else None
        visits = min(max(rng.lognormvariate(-0.6, 0.9), 0.05), 5.0)
        roster.append(
            Planned(name, "customer", joined, left, visits, rng.choice((1000, 2000, 2500, 5000, 10000)))
        )
    for name in COMMUNITY:
        joined = _join_date(rng, start, today, 0.7)
        roster.append(Planned(name, "community", joined, None, 0.0, rng.choice((10000, 25000, 50000))))
    roster.sort(key=lambda p: (p.joined_on, p.name))
    for number, planned in enumerate(roster, start=300):
        planned.number = f"M-{number:04d}"
        if planned.left_on is not None and planned.left_on >= today:
            planned.left_on = None
    return roster


def base_members() -> list[Planned]:
    """The base demo's five members, as the year sees them (already added by the base demo)."""
    planned = []
    for member in db.session.scalars(select(Member).order_by(Member.id)):
        klass = member.member_class
        planned.append(
            Planned(
                member.name,
                klass.name,
                member.joined_on,
                visits_a_week=BASE_VISITS.get(member.number, 0.5),
                member_id=member.id,
                user_id=member.user_id,
                number=member.number,
                discount_bp=klass.till_discount_bp,
                role="baker" if member.number == "M-0001" else "barista" if member.number == "M-0002" else "",
                workdays=(0, 1, 2, 3, 4) if klass.name == "worker" else (),
            )
        )
    return planned


def add_member(planned: Planned, admin: Actor, timezone: str, pin: str, discount_bp: int) -> None:
    """Add a planned member on the day they joined, with their first shares (and a till PIN for a
    worker), each through its service."""
    at = local_moment(planned.joined_on, time(11, 0), timezone)
    email = None
    if planned.class_name != "community" and len(planned.name) < 40:
        email = _email(planned.name, planned.number)
    if planned.class_name == "worker":
        user = create_user(planned.name, None, "staff", admin, pin=pin, now=at)
        planned.user_id = user.id
    member = create_member(
        planned.number,
        planned.name,
        planned.class_name,
        admin,
        email=email,
        joined_on=planned.joined_on,
        user_id=planned.user_id,
        now=at,
    )
    planned.member_id = member.id
    planned.discount_bp = discount_bp
    if planned.shares:
        buy_shares(member.id, planned.shares, "Shares on joining", admin, now=at + timedelta(minutes=5))


def leave(planned: Planned, admin: Actor, timezone: str) -> None:
    """Record that a member left (status and date), through the members service."""
    member = db.session.get(Member, planned.member_id)
    if member is None or planned.left_on is None:
        return
    at = local_moment(planned.left_on, time(18, 0), timezone)
    update_member(
        member.id,
        MemberInput(
            member.number,
            member.name,
            planned.class_name,
            member.email,
            member.phone,
            member.joined_on,
            planned.left_on,
            "left",
            member.user_id,
        ),
        admin,
        now=at,
    )
    if planned.user_id is not None:
        set_active(planned.user_id, False, admin, now=at)  # a worker who left no longer signs in on the till


def base_shares(base: list[Planned], admin: Actor, at: datetime) -> None:
    """The base demo's members buy their shares as the year begins (the shares service)."""
    for planned in base:
        if planned.member_id is not None:
            amount = 10000 if planned.class_name == "community" else 2500
            buy_shares(planned.member_id, amount, "Shares on joining", admin, now=at)


def _email(name: str, number: str) -> str:
    ascii_name = "".join(
        c for c in name.lower().replace(" ", ".") if c.isascii() and (c.isalnum() or c == ".")
    )
    return f"{ascii_name.strip('.') or 'member'}.{number[-4:]}@example.org"


def shopper_weights(people: list[Planned], day: date) -> list[Planned]:
    """The members who may shop on `day` (joined, not left, with any visits a week)."""
    return [p for p in people if p.visits_a_week > 0 and p.active_on(day)]


def at_local(day: date, clock: time, timezone: str) -> datetime:
    """A shop-local moment of a day, in UTC."""
    return local_moment(day, clock, timezone)
