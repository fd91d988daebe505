"""A shop's year for the demo: last year ended and its dividend paid, this year open with months
of trading, a few hundred members, two tills, worked hours, cash-ups with Z reports.

Days are played in order. Whatever the audit log records goes through its service on its day
(members joining and leaving, shares, tills opened and closed, refunds, voids, paid-outs,
timesheet approvals, periods, the allocation and its payouts); the day's sales are written in
bulk by `sales_writer`, row for row what checkout writes, because one service call per sale would
take many minutes. Seeded, so the same day loads the same shop.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from bakery.domain.clock import business_date
from bakery.domain.hours import local_moment, week_start
from bakery.extensions import db
from bakery.models import FinancialPeriod, MemberClass, PrintJob, Sale, Till, User
from bakery.models.types import utcnow
from bakery.services.audit import Actor
from bakery.services.audit.chains import witness_at_the_end
from bakery.services.auth.users import create_user
from bakery.services.demo import people
from bakery.services.demo.hours import APPROVED_WEEKS
from bakery.services.demo.sales_writer import load_items
from bakery.services.demo.trading_day import Shop, bake, close, is_trading, open_tills, trade
from bakery.services.demo.year_dividends import (
    add_periods,
    approve_last_year,
    calendar,
    pay_last_year,
    propose_last_year,
)
from bakery.services.demo.year_hours import approve_last_week, clock_day, untidy_this_week
from bakery.services.race_safety import Mechanism, race_safe
from bakery.services.settings import current_settings

SEED = 2604
TREASURER = ("Grace Okafor", "treasurer@demo.bakery.coop", "demo-treasurer-pass")


@race_safe(Mechanism.SERIALISED, Mechanism.UNIQUE_KEY, guards="loaded once, from the CLI (unique keys)")
def load_demo_year(now: datetime | None = None, *, orders_pct: int = 100) -> bool:
    """Play the demo shop's last twenty months into an empty shop; True if it did.

    `orders_pct` scales the orders of the day that nobody's membership card is on (tests load a
    thinner year). Rule: only onto the base demo with no sales and no periods yet, so a second run changes
    nothing; every chain (each till's ledger, the audit log) is extended as the services extend it.
    """
    if db.session.scalar(select(Sale.id).limit(1)) or db.session.scalar(select(FinancialPeriod.id).limit(1)):
        return False
    timezone = str(current_settings().timezone)
    today = business_date(now or utcnow(), timezone)
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    if sqlite:
        # Hundreds of small commits: the loader does not wait for each to reach the disk (a crash
        # mid-load leaves a half-loaded demo to delete anyway); the shop's own writes keep FULL.
        db.session.commit()
        _synchronous("OFF")
    with witness_at_the_end():
        _play(today, timezone, orders_pct)
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.state == "queued")
        .values(state="done", finished_at=PrintJob.created_at)
    )
    db.session.commit()
    if sqlite:
        _synchronous("FULL")
    return True


def _play(today: date, timezone: str, orders_pct: int) -> None:
    """Play the days from the first founding member's joining to yesterday, in order."""
    cal = calendar(today)
    rng = random.Random(SEED)  # noqa: S311 (a demo's stable randomness, not a secret)
    users = {u.display_name: u.id for u in db.session.scalars(select(User))}
    admin, manager = Actor(user_id=users["Rosa Admin"]), Actor(user_id=users["Marek Manager"])
    base = people.base_members()
    planned = people.plan_roster(rng, cal.last_start, today)
    shop = Shop(
        rng,
        timezone,
        load_items(),
        {t.name: t.id for t in db.session.scalars(select(Till))},
        base + planned,
        users["Chloé Counter"],
        manager,
        orders_pct,
    )
    workers = [p for p in shop.everyone if p.class_name == "worker"]
    discounts = {c.name: c.till_discount_bp for c in db.session.scalars(select(MemberClass))}
    treasurer = Actor(
        user_id=create_user(
            TREASURER[0],
            TREASURER[1],
            "admin",
            admin,
            password=TREASURER[2],
            now=local_moment(cal.last_start - timedelta(days=45), time(9, 0), timezone),
        ).id
    )
    base_monday = week_start(today) - timedelta(weeks=APPROVED_WEEKS)
    stop_for = {p.user_id: base_monday for p in base if p.user_id is not None}
    last_period = allocation_id = 0
    clocked: set[int] = set()
    first = min(min(p.joined_on for p in planned), cal.last_start - timedelta(days=45))
    pins = iter(range(4101, 9999, 37))
    for offset in range((today - first).days):
        day = first + timedelta(days=offset)
        trading = is_trading(day, cal.last_start)
        if day == cal.last_start - timedelta(days=10):
            last_period = add_periods(cal, treasurer, timezone)[0]
        if day == cal.last_start:
            people.base_shares(base, admin, local_moment(day, time(9, 0), timezone))
        sessions = {}
        if trading:
            bake(shop, day)
            sessions = open_tills(shop, day)
        if day.weekday() == 0 and clocked:
            approve_last_week(
                sorted(clocked), day, manager, local_moment(day, time(9, 15), timezone), timezone
            )
            clocked.clear()
        if last_period and day == cal.proposal_day:
            allocation_id = propose_last_year(last_period, cal, treasurer, timezone)
        if allocation_id and day == cal.payout_day:
            shop.credit.update(pay_last_year(allocation_id, cal, admin, timezone))
        for p in planned:
            if p.joined_on == day:
                pin = str(next(pins)) if p.class_name == "worker" else ""
                people.add_member(p, admin, timezone, pin, discounts[p.class_name])
        if trading:
            on = clock_day(rng, workers, day, timezone, shop.tills["Counter"], stop_for=stop_for)
            clocked.update(u for role in on.values() for u in role if u not in stop_for or day < base_monday)
            if day.weekday() in (1, 2, 3, 4, 5):
                on["counter"].append(shop.chloe)
            trade(shop, day, sessions, on)
            close(shop, day)
        if allocation_id and day == cal.agm:
            approve_last_year(allocation_id, cal, admin, timezone)
        for p in planned:
            if p.left_on == day:
                people.leave(p, admin, timezone)
    untidy_this_week(workers, today, timezone, manager)


def _synchronous(level: str) -> None:
    """Set SQLite's sync level on the pooled connection outside any transaction (the session has
    just committed and handed it back to the pool)."""
    raw = db.engine.raw_connection()
    try:
        raw.driver_connection.execute(f"PRAGMA synchronous={level}")  # type: ignore[union-attr]
    finally:
        raw.close()
