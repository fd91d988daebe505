"""The office under requests released together against a multi-worker server (SQLite and
PostgreSQL): timesheet approvals and corrections, dividend allocations proposed and approved
against the period lock, and dividends paid out."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import (
    Allocation,
    AllocationLine,
    AuditEvent,
    FinancialPeriod,
    Payout,
    ShareTransaction,
    StoreCredit,
    TimeCorrection,
    TimeEntry,
)
from bakery.services import dividends
from bakery.services.audit import Actor
from bakery.services.dividends.financial_periods import local_today
from tests.app.dividends.helpers import RULES
from tests.app.hours.helpers import add_entry, worker
from tests.factories import make_user
from tests.race.conftest import ROUNDS, LiveServer, release_together
from tests.race.test_member_races import office
from tests.race.test_till_races import no_crash

#: Allocation races each set up a financial period, a proposal and an approval per round, about
#: three times the work of a till race; ten rounds keep each under a minute per engine while
#: every round still releases all its requests together.
ALLOCATION_ROUNDS = 10

ALLOCATION_FORM = {
    "surplus": "10000.00",
    "reserve_balance": "500.00",
    "deficit_brought_forward": "0",
    "reserve_percent": "30",
    "funds-0-name": "Community fund",
    "funds-0-percent": "10",
    "funds-1-name": "Education",
    "funds-1-percent": "5",
    "classes-0-name": "worker",
    "classes-0-percent": "60",
    "classes-1-name": "customer",
    "classes-1-percent": "40",
    "classes-2-name": "community",
    "classes-2-percent": "0",
    "minimum_payout": "5.00",
    "include_leavers": "y",
    "preview_hash": "",
}


def events(target: str) -> list[AuditEvent]:
    """The audit rows about one thing, in the order they were committed (the chain's order)."""
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.target == target).order_by(AuditEvent.seq))
    )


def correction_form(day: date, break_minutes: int) -> dict[str, str]:
    return {
        "day": day.isoformat(),
        "clock_in": "09:00",
        "clock_out": "17:00",
        "break_minutes": str(break_minutes),
        "reason": "Lunch was not taken off",
    }


def test_an_entry_approved_twice_and_corrected_at_once_ends_consistent(
    live: LiveServer, scene: Flask
) -> None:
    """Two managers approve one entry while one of them corrects it: every approval in the audit
    trail approved figures that stood at that moment, none approved an approved entry, and the
    entry ends as its last audited change left it."""
    ada, _ = worker(name="Ada Racer")
    managers = [office(live, scene, "manager"), office(live, scene, "manager")]
    for round_no in range(ROUNDS):
        day = date(2024, 1, 1) + timedelta(days=round_no)  # winter: local time is UTC
        start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        entry = add_entry(ada, start, start + timedelta(hours=8))
        approve = f"/office/timesheets/entries/{entry.id}/approve"
        posts = [tablet.prepare(approve, {}) for _, tablet in managers]
        correct = f"/office/timesheets/entries/{entry.id}/correct"
        posts.insert(1, managers[1][1].prepare(correct, correction_form(day, 30)))
        answers = release_together(posts)
        no_crash(live, answers)
        approved, minutes = False, 480
        for event in events(f"time_entry:{entry.id}"):
            if event.action == "hours.corrected":
                approved, minutes = False, 450
            elif event.action == "hours.approved":
                assert not approved, "an approved entry was approved again"
                assert json.loads(event.details)["minutes"] == minutes, (
                    "the approval counted figures that no longer stood"
                )
                approved = True
        stored = db.session.get(TimeEntry, entry.id, populate_existing=True)
        assert (stored.approved_at is not None, stored.minutes) == (approved, minutes) == (approved, 450)
        assert (
            db.session.scalar(
                select(func.count()).select_from(TimeCorrection).where(TimeCorrection.entry_id == entry.id)
            )
            == 1
        )


def a_period(day: date) -> FinancialPeriod:
    """A one-day financial period, over (so its allocation may be proposed and approved)."""
    return dividends.create_period(f"Day {day.isoformat()}", day, day, Actor(make_user("admin").id))


def days_ago(n: int) -> date:
    """A shop-local day that is over (each allocation race keeps to its own stretch of days)."""
    return local_today() - timedelta(days=n)


def test_an_allocation_proposed_twice_together_is_proposed_once(live: LiveServer, scene: Flask) -> None:
    admins = [office(live, scene), office(live, scene)]
    for round_no in range(ALLOCATION_ROUNDS):
        period = a_period(days_ago(200 - round_no))
        url = f"/admin/dividends/periods/{period.id}/allocations"
        answers = release_together(
            [tablet.prepare(url, ALLOCATION_FORM) for _, tablet in admins for _ in range(2)]
        )
        no_crash(live, answers)
        proposals = db.session.scalars(select(Allocation.id).where(Allocation.period_id == period.id)).all()
        assert len(proposals) == 1
        assert len(events(f"allocation:{proposals[0]}")) == 1
        assert sorted(a.status for a in answers) == [302, 422, 422, 422]
        assert db.session.get(FinancialPeriod, period.id, populate_existing=True).status == "proposed"


def test_an_allocation_approved_by_two_admins_while_hours_change_approves_once_and_nothing_lands_after(
    live: LiveServer, scene: Flask
) -> None:
    """Two admins approve one proposal while a manager approves one entry of the period and
    corrects another: the allocation is approved once, its lines written once, and every change to
    the period's hours was committed before the approval locked the period (or refused)."""
    proposer = Actor(make_user("admin").id)
    admins = [office(live, scene), office(live, scene)]
    _, manager = office(live, scene, "manager")
    ben, member = worker(name="Ben Racer")
    for round_no in range(ALLOCATION_ROUNDS):
        day = days_ago(150 - round_no)
        start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        waiting = add_entry(ben, start, start + timedelta(hours=3), member=member)
        other = add_entry(ben, start + timedelta(hours=4), start + timedelta(hours=6), member=member)
        period = a_period(day)
        allocation = dividends.propose(period.id, RULES, proposer)
        url = f"/admin/dividends/allocations/{allocation.id}/approve"
        form = {"resolution_ref": f"AGM-{round_no}", "resolution_date": local_today().isoformat()}
        posts = [tablet.prepare(url, form) for _, tablet in admins]
        posts.insert(1, manager.prepare(f"/office/timesheets/entries/{waiting.id}/approve", {}))
        fix = {**correction_form(day, 15), "clock_in": "13:00", "clock_out": "15:00"}
        posts.insert(2, manager.prepare(f"/office/timesheets/entries/{other.id}/correct", fix))
        answers = release_together(posts)
        no_crash(live, answers)
        approvals = [e for e in events(f"allocation:{allocation.id}") if e.action == "allocation.approved"]
        assert len(approvals) == 1
        assert db.session.get(Allocation, allocation.id, populate_existing=True).status == "approved"
        lines = db.session.scalar(
            select(func.count())
            .select_from(AllocationLine)
            .where(AllocationLine.allocation_id == allocation.id)
        )
        assert lines == json.loads(approvals[0].details)["lines"]
        for entry in (waiting, other):
            for change in events(f"time_entry:{entry.id}"):
                assert change.seq < approvals[0].seq, f"{change.action} landed in an approved period"
        stored = db.session.get(TimeEntry, waiting.id, populate_existing=True)
        assert (stored.approved_at is not None) == any(
            e.action == "hours.approved" for e in events(f"time_entry:{waiting.id}")
        )


def test_dividends_paid_twice_together_are_paid_once(live: LiveServer, scene: Flask) -> None:
    """Two admins pay one member's dividend (as shares) and everyone's remaining dividends (as
    store credit) at the same moment, twice each: every line is paid once, and each payout is
    matched by exactly one share or store credit movement."""
    proposer, approver = Actor(make_user("admin").id), Actor(make_user("admin").id)
    admins = [office(live, scene), office(live, scene)]
    ada, member = worker(name="Ada Payee")
    for round_no in range(ALLOCATION_ROUNDS):
        day = days_ago(100 - round_no)
        start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        add_entry(ada, start, start + timedelta(hours=8), member=member, approved_by=ada)
        period = a_period(day)
        allocation = dividends.approve(
            dividends.propose(period.id, RULES, proposer).id, "AGM", local_today(), approver
        )
        ada_line = db.session.scalar(
            select(AllocationLine).where(
                AllocationLine.allocation_id == allocation.id, AllocationLine.member_id == member.id
            )
        )
        assert ada_line is not None and ada_line.paid > 0
        one = f"/admin/dividends/allocations/{allocation.id}/lines/{ada_line.id}/payout"
        every = f"/admin/dividends/allocations/{allocation.id}/payouts"
        posts = [tablet.prepare(one, {"method": "shares"}) for _, tablet in admins]
        posts += [tablet.prepare(every, {"method": "credit"}) for _, tablet in admins]
        credited = dividend_credit()
        answers = release_together(posts)
        no_crash(live, answers)
        payouts = list(
            db.session.scalars(
                select(Payout).join(AllocationLine).where(AllocationLine.allocation_id == allocation.id)
            )
        )
        owed = db.session.scalar(
            select(func.count())
            .select_from(AllocationLine)
            .where(AllocationLine.allocation_id == allocation.id, AllocationLine.paid > 0)
        )
        assert len(payouts) == len({p.line_id for p in payouts}) == owed
        shares = db.session.scalar(
            select(func.coalesce(func.sum(ShareTransaction.amount), 0)).where(
                ShareTransaction.kind == "dividend", ShareTransaction.note == f"Dividend {period.name}"
            )
        )
        assert shares == sum(p.amount for p in payouts if p.method == "shares")
        assert dividend_credit() - credited == sum(p.amount for p in payouts if p.method == "credit")


def dividend_credit() -> int:
    """All store credit given as dividends so far (compared before and after a round)."""
    return int(
        db.session.scalar(
            select(func.coalesce(func.sum(StoreCredit.amount), 0)).where(StoreCredit.reason == "dividend")
        )
    )
