"""A member's own figures for this period so far: purchases, hours and an estimate of their share."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from bakery.domain.money import Pence
from bakery.extensions import db
from bakery.formatting import money
from bakery.models import (
    Allocation,
    FinancialPeriod,
    Member,
    MemberClass,
)
from bakery.services import periods
from bakery.services.dividends import patronage
from bakery.services.dividends.common import (
    AllocationInput,
    ClassRow,
    MemberRow,
)
from bakery.services.dividends.financial_periods import (
    latest_approved,
    local_today,
)
from bakery.services.dividends.opening import opening_by_member
from bakery.services.dividends.scenario import (
    _input_from,
    build_scenario,
    build_view,
    carried_balances,
    member_classes,
    run,
)


@dataclass(frozen=True)
class Purchases:
    """A member's purchases over the period so far, and what their class measures patronage by;
    `earlier_refunds` (≤ 0, inside `total_net`) is what refunds of purchases made before the
    period took off it: the "refunds of earlier purchases" line."""

    so_far: PeriodSoFar
    purchases: list[patronage.Purchase]
    total_net: Pence  # purchases at our tills, net of VAT and refunds, plus the opening balance
    class_name: str
    measure: str
    approved_minutes: int  # their approved hours so far, as minutes (counted for an hours class)
    opening_purchases: Pence = 0  # of total_net, brought from the old system
    opening_minutes: int = 0  # of approved_minutes, brought from the old system
    earlier_refunds: Pence = 0  # of total_net, refunds made now of purchases made before the period


def purchases_so_far(member_id: int, today: date | None = None) -> Purchases:
    """A member's sales and refunds in the current period so far, with their net total, and their
    class's patronage measure (with their approved minutes so far when it is hours).

    Rule: the net total is the member's patronage only when their class measures purchases; a
    worker's patronage is their approved hours, whatever they buy. Both include any opening
    balance brought from the old system on the period's days. A refund counts in the period in
    which it happens, against the original sale's member (`bakery.domain.period_close`), so a
    refund of an earlier period's purchase lowers this period's figure (below zero, even; the
    allocation then counts zero) and is shown apart as "refunds of earlier purchases"
    (`patronage.refunds_of_earlier_purchases` gives every member's).
    """
    so_far = period_so_far(today)
    rows = patronage.member_purchases(member_id, so_far.starts_on, so_far.ends_on)
    member_class = db.session.scalar(
        select(MemberClass).join(Member, Member.class_id == MemberClass.id).where(Member.id == member_id)
    )
    measure = member_class.measure if member_class else "none"
    brought_pence, brought_minutes = opening_by_member(
        so_far.starts_on, so_far.ends_on, member_id=member_id
    ).get(member_id, (0, 0))
    minutes = 0
    if measure == "hours":
        minutes = patronage.minutes_by_member(so_far.starts_on, so_far.ends_on, member_id=member_id).get(
            member_id, 0
        )
    return Purchases(
        so_far,
        rows,
        sum(p.net for p in rows) + brought_pence,
        member_class.name if member_class else "",
        measure,
        minutes + brought_minutes,
        brought_pence,
        brought_minutes,
        sum(p.net for p in rows if p.of_earlier),
    )


@dataclass(frozen=True)
class PeriodSoFar:
    """The stretch of days a member's "this period" pages cover."""

    label: str
    starts_on: date
    ends_on: date
    period: FinancialPeriod | None


def period_so_far(today: date | None = None) -> PeriodSoFar:
    """The current financial period up to today; without one, the calendar year to date."""
    day = today or local_today()
    period = periods.period_for(day)
    if period is None:
        return PeriodSoFar(f"{day.year} to date", date(day.year, 1, 1), day, None)
    return PeriodSoFar(period.name, period.starts_on, min(day, period.ends_on), period)


@dataclass(frozen=True)
class Estimate:
    """An estimate of a member's dividend for the period so far (never a promise)."""

    so_far: PeriodSoFar
    basis: Allocation | None
    basis_surplus: Pence
    row: MemberRow | None
    class_row: ClassRow | None
    carried_balance: Pence
    message: str


def estimate_for(member_id: int, today: date | None = None) -> Estimate:
    """Estimate a member's dividend: this period's patronage so far, allocated with the rules and
    the distributable surplus of the last approved allocation (as if this year matched it).

    Rule: with no current period or no approved allocation, say so instead of guessing; when the
    last approved year shared nothing (a loss, break-even, or a surplus that only recovered
    earlier losses), say that, with the loss and any deficit still to recover, and estimate nothing
    (never a negative dividend).
    """
    so_far = period_so_far(today)
    balance = max(carried_balances().get(member_id, 0), 0)
    basis = latest_approved(adjustments=False)
    if so_far.period is None:
        return Estimate(so_far, basis, 0, None, None, balance, "No financial period covers today yet.")
    if basis is None:
        return Estimate(
            so_far,
            None,
            0,
            None,
            None,
            balance,
            "There is no approved allocation yet, so there are no rules to estimate with.",
        )
    scenario_then = json.loads(basis.scenario_json)
    result_then = json.loads(basis.result_json)
    surplus_then = int(scenario_then["period"]["surplus"])
    if surplus_then <= 0 or int(result_then["distributable"]) <= 0:
        why = _nothing_shared(basis, surplus_then, result_then)
        return Estimate(so_far, basis, 0, None, None, balance, why)
    distributable = int(result_then["distributable"])
    inp = _input_from(scenario_then, result_then, surplus=distributable)
    inp = AllocationInput(
        surplus=distributable,
        reserve_balance=0,
        deficit_brought_forward=0,
        reserve_bp=inp.reserve_bp,
        funds=inp.funds,
        class_weights=tuple((c.name, dict(inp.class_weights).get(c.name, 0)) for c in member_classes()),
        minimum_payout=inp.minimum_payout,
        include_leavers=inp.include_leavers,
    )
    if sum(w for _, w in inp.class_weights) != 10_000 or distributable <= 0:
        return Estimate(
            so_far,
            basis,
            distributable,
            None,
            None,
            balance,
            "The classes have changed since the last approved allocation, so there is no estimate.",
        )
    scenario = build_scenario(so_far.period, inp, until=so_far.ends_on)
    view = build_view(scenario, run(scenario))
    row = next((r for r in view.members if r.member_id == member_id), None)
    class_row = next((c for c in view.classes if row and c.name == row.class_name), None)
    message = "" if row else "You do not take part in this period's allocation."
    return Estimate(so_far, basis, distributable, row, class_row, balance, message)


def _nothing_shared(basis: Allocation, surplus: Pence, result: dict[str, object]) -> str:
    """Why a year with nothing to share gives no estimate, in the members' words."""
    deficit = int(str(result.get("deficit_after", 0)))
    name = basis.period.name
    if surplus < 0:
        text = f"No dividend for {name}: the co-op made a loss of {money(-surplus)}."
    elif surplus == 0:
        text = f"No dividend for {name}: the co-op broke even, with no surplus to share."
    else:
        text = f"No dividend for {name}: its surplus of {money(surplus)} went to recover earlier losses."
    if deficit > 0:
        text += (
            f" A deficit of {money(deficit)} is carried forward: future surpluses recover it before "
            "any dividend is paid."
        )
    return text + " So there is no estimate for this period yet."
