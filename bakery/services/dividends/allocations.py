"""Surplus allocation runs: propose (frozen scenario and hash), approve (once, with the resolution), withdraw.

The arithmetic is `bakery.domain.allocation.allocate`; this module builds its scenario from the
database, freezes it, and records what the general meeting approved.

- **Who takes part.** Every member who had joined by the period's end and had not left before it
  began. A member whose `left_on` falls within the period is a *leaver*: paid out in full when
  leavers take part, otherwise given no share of the pool (they still receive any balance carried
  in from earlier periods, which is never forfeited). A member who left before the period began
  takes part only to be paid a balance they still have carried forward.
- **Patronage** follows the member's class measure: approved minutes (hours), net-of-VAT pence
  (purchases; a net refund counts as zero) or nothing, each with any opening balance brought from
  the old system (an active opening import, `opening.py`) on the period's days.
- **Carried balances** are a ledger over approved allocations: a member's balance is
  `Σ carried_out - Σ carried_in` of their lines. In a chain of yearly allocations this is the
  previous allocation's `carried_out`; it stays right when adjustments are approved too.
- **Freezing.** Propose stores the scenario (rules, figures and every member's patronage) as
  canonical JSON with its SHA-256. Approval re-hashes it, re-runs the engine on it and refuses if
  either differs, so sales or hours recorded after proposing cannot change the approved result.
- **Locking.** Approval sets the period's status to "approved", which `periods.refuse_if_locked`
  reads; after that only a linked adjustment allocation (its own surplus figure, the same rules)
  can be proposed and approved for the period.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from bakery.domain.allocation import (
    AllocationResult,
    result_to_dict,
)
from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.models import (
    Allocation,
    AllocationLine,
    FinancialPeriod,
    TimeEntry,
    User,
)
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.dividends import patronage
from bakery.services.dividends.common import (
    ENGINE_TO_MEASURE,
    AllocationInput,
    ScenarioChanged,
)
from bakery.services.dividends.financial_periods import (
    get_allocation,
    get_period,
    has_ended,
    local_today,
)
from bakery.services.dividends.scenario import (
    _adjusts_id,
    _check_input,
    build_scenario,
    canonical,
    carried_balances,
    run,
    scenario_hash,
)
from bakery.services.errors import ServiceError
from bakery.services.race_safety import Mechanism, race_safe
from bakery.services.settings import current_settings

# --- periods ----------------------------------------------------------------------------------


# --- inputs -----------------------------------------------------------------------------------


# --- the scenario -----------------------------------------------------------------------------


# --- views of a scenario and its result --------------------------------------------------------


# --- propose, approve, withdraw ----------------------------------------------------------------


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="one proposal per period (conditional update of its status)")
def propose(
    period_id: int,
    inp: AllocationInput,
    actor: Actor,
    *,
    adjustment: bool = False,
    expected_hash: str | None = None,
    now: datetime | None = None,
) -> Allocation:
    """Freeze the scenario and its result as a proposed allocation (audited; one transaction).

    Rule: a period's allocation is proposed only once its last day is over (shop-local date; an
    admin may close a period early); one proposed allocation per period at a time; an approved
    period takes only an adjustment. With `expected_hash`, the figures must be those of the
    preview the admin saw, else `ScenarioChanged`.
    """
    if actor.user_id is None:
        raise ServiceError("Sign in to propose an allocation.")
    period = get_period(period_id)
    _check_input(inp)
    if adjustment:
        adjusts_id: int | None = _adjusts_id(period)
        # A no-op conditional update takes the period's row lock, so two proposals queue here.
        claimed = db.session.execute(
            update(FinancialPeriod)
            .where(FinancialPeriod.id == period.id, FinancialPeriod.status == "approved")
            .values(status="approved")
        )
    else:
        adjusts_id = None
        if period.status == "approved":
            raise ServiceError(
                f"{period.name}'s allocation is approved and locked: a correction is an adjustment "
                "(Adjust the approved allocation, on the period's page)."
            )
        _refuse_before_the_end(period, now)
        _refuse_while_a_shift_is_open(period)
        claimed = db.session.execute(
            update(FinancialPeriod)
            .where(FinancialPeriod.id == period.id, FinancialPeriod.status == "open")
            .values(status="proposed")
        )
    if claimed.rowcount != 1 or _has_proposal(period.id):  # type: ignore[attr-defined]
        db.session.rollback()
        raise ServiceError(f"{period.name} already has a proposed allocation: approve or withdraw it first.")
    scenario = build_scenario(period, inp, adjusts_id=adjusts_id)
    text = canonical(scenario)
    digest = scenario_hash(text)
    if expected_hash and expected_hash != digest:
        db.session.rollback()
        raise ScenarioChanged(
            "The figures changed after your preview (new sales, hours or balances). "
            "Here is the preview again with today's figures: check it and propose again."
        )
    result = run(scenario)
    at = now or utcnow()
    allocation = Allocation(
        period_id=period.id,
        status="proposed",
        scenario_json=text,
        inputs_hash=digest,
        result_json=canonical(result_to_dict(result)),
        surplus=inp.surplus,
        proposed_by_id=actor.user_id,
        proposed_at=at,
        adjusts_id=adjusts_id,
    )
    db.session.add(allocation)
    db.session.flush()
    audit.record(
        "allocation.proposed",
        actor,
        target=f"allocation:{allocation.id}",
        details={
            "period": period.name,
            **({"surplus": inp.surplus} if inp.surplus >= 0 else {"loss": -inp.surplus}),
            "inputs_hash": digest,
            "members": len(scenario["members"]),
            "adjusts": adjusts_id,
        },
        now=at,
    )
    db.session.commit()
    return allocation


def _refuse_before_the_end(period: FinancialPeriod, now: datetime | None) -> None:
    # Approval locks the period against changes to its sales and hours: before its last day is
    # over, that would stop the shop approving this week's timesheets.
    if not has_ended(period, now):
        raise ServiceError(
            f"{period.name} runs until {period.ends_on.isoformat()}: its allocation can be proposed and "
            f"approved from {(period.ends_on + timedelta(days=1)).isoformat()}, once its last day is over. "
            "To allocate sooner, close the period early on its page."
        )


def _refuse_while_a_shift_is_open(period: FinancialPeriod) -> None:
    """A shift begun in the period and still open would count nowhere once its figures freeze."""
    since, until = patronage.utc_bounds(period.starts_on, period.ends_on)
    entry = db.session.scalar(
        select(TimeEntry)
        .where(TimeEntry.clock_out.is_(None), TimeEntry.clock_in >= since, TimeEntry.clock_in < until)
        .order_by(TimeEntry.clock_in)
        .limit(1)
    )
    if entry is not None:
        who = db.session.get(User, entry.user_id)
        name = who.first_name if who is not None else "Someone"
        day = business_date(entry.clock_in, current_settings().timezone)
        raise ServiceError(
            f"{name} is still clocked in since {day.isoformat()}, a day of {period.name}: "
            "that shift counts in this period. Clock them out (or a manager puts in the real time on the "
            "timesheet) before proposing."
        )


def _has_proposal(period_id: int) -> bool:
    return (
        db.session.scalar(
            select(Allocation.id).where(Allocation.period_id == period_id, Allocation.status == "proposed")
        )
        is not None
    )


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="approved once; the period locks once (conditional updates)")
def approve(
    allocation_id: int,
    resolution_ref: str,
    resolution_date: date,
    actor: Actor,
    now: datetime | None = None,
) -> Allocation:
    """Approve a proposed allocation with the general meeting's resolution, write its lines and
    lock the period (audited; one transaction).

    Rule: only once the period's last day is over (an adjustment: any time after); a second admin
    approves, never the proposer; the frozen scenario must hash to what was
    proposed and give the same result; the carried balances it froze must still be the members'
    balances (another allocation approved in between would change them).
    """
    allocation = get_allocation(allocation_id)
    ref = " ".join((resolution_ref or "").split())
    if not ref or len(ref) > 60:
        raise ServiceError("Enter the general meeting's resolution reference (up to 60 characters).")
    at = now or utcnow()
    if resolution_date > local_today(at):
        raise ServiceError("The resolution date cannot be in the future.")
    if allocation.status != "proposed":
        raise ServiceError(
            f"This allocation is {allocation.status}: only a proposed allocation can be approved."
        )
    if allocation.adjusts_id is None:
        _refuse_before_the_end(get_period(allocation.period_id), at)
    if actor.user_id is None or actor.user_id == allocation.proposed_by_id:
        raise ServiceError(
            "You proposed this allocation: a second admin must approve it, never the proposer."
        )
    if scenario_hash(allocation.scenario_json) != allocation.inputs_hash:
        _record_integrity_failure(allocation, actor, "inputs hash mismatch", at)
        raise ServiceError(
            "The frozen inputs of this allocation have changed since it was proposed (their hash no "
            "longer matches), so it cannot be approved. Withdraw it and propose it again."
        )
    scenario = json.loads(allocation.scenario_json)
    result = run(scenario)
    if canonical(result_to_dict(result)) != canonical(json.loads(allocation.result_json)):
        _record_integrity_failure(allocation, actor, "result mismatch", at)
        raise ServiceError(
            "The stored result of this allocation does not match its frozen inputs, so it cannot be "
            "approved. Withdraw it and propose it again."
        )
    balances = carried_balances()
    for m in scenario["members"]:
        if int(m.get("carried_in", 0)) != max(balances.get(int(m["member_id"]), 0), 0):
            raise ServiceError(
                "Members' carried-forward balances have changed since this was proposed (another "
                "allocation was approved). Withdraw it and propose it again."
            )
    period_status = "approved" if allocation.adjusts_id else "proposed"
    locked = db.session.execute(
        update(FinancialPeriod)
        .where(FinancialPeriod.id == allocation.period_id, FinancialPeriod.status == period_status)
        .values(status="approved")
    )
    taken = db.session.execute(
        update(Allocation)
        .where(Allocation.id == allocation.id, Allocation.status == "proposed")
        .values(
            status="approved",
            approved_by_id=actor.user_id,
            approved_at=at,
            resolution_ref=ref,
            resolution_date=resolution_date,
        )
    )
    if locked.rowcount != 1 or taken.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ServiceError("This allocation was approved or withdrawn meanwhile; reload the page.")
    lines = _lines(allocation.id, scenario, result)
    if lines:
        db.session.execute(insert(AllocationLine), lines)
    audit.record(
        "allocation.approved",
        actor,
        target=f"allocation:{allocation.id}",
        details={
            "period_id": allocation.period_id,
            "resolution_ref": ref,
            "resolution_date": resolution_date.isoformat(),
            "inputs_hash": allocation.inputs_hash,
            "lines": len(lines),
        },
        now=at,
    )
    db.session.commit()
    db.session.refresh(allocation)
    return allocation


def _lines(allocation_id: int, scenario: dict[str, Any], result: AllocationResult) -> list[dict[str, Any]]:
    measures = {c["name"]: ENGINE_TO_MEASURE.get(c["measure"], "none") for c in scenario["rules"]["classes"]}
    class_patronage: dict[str, int] = {}
    for m in scenario["members"]:
        if m["patronage"] > 0:
            class_patronage[m["class"]] = class_patronage.get(m["class"], 0) + int(m["patronage"])
    lines = []
    for m in scenario["members"]:
        r = result.members[m["number"]]
        lines.append(
            {
                "allocation_id": allocation_id,
                "member_id": int(m["member_id"]),
                "class_name": m["class"],
                "measure": measures.get(m["class"], "none"),
                "patronage": int(m["patronage"]),
                "class_pool": result.class_pools.get(m["class"], 0),
                "class_patronage": class_patronage.get(m["class"], 0),
                "allocation_amount": r.allocation,
                "carried_in": r.carried_in,
                "payable": r.payable,
                "paid": r.paid,
                "carried_out": r.carried_out,
            }
        )
    return lines


@race_safe(Mechanism.INDEPENDENT, guards="an audit row")
def _record_integrity_failure(allocation: Allocation, actor: Actor, why: str, at: datetime) -> None:
    """Keep a record of a refused approval whose frozen data no longer adds up."""
    db.session.rollback()
    audit.record(
        "allocation.integrity_failed",
        actor,
        target=f"allocation:{allocation.id}",
        details={"why": why, "inputs_hash": allocation.inputs_hash},
        now=at,
    )
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only a proposed allocation is withdrawn")
def withdraw(allocation_id: int, actor: Actor, now: datetime | None = None) -> Allocation:
    """Withdraw a proposed allocation, reopening its period (audited; one transaction).

    Rule: only while proposed; an approved allocation is never withdrawn (correct it with an
    adjustment).
    """
    allocation = get_allocation(allocation_id)
    taken = db.session.execute(
        update(Allocation)
        .where(Allocation.id == allocation.id, Allocation.status == "proposed")
        .values(status="withdrawn")
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ServiceError(
            f"This allocation is {allocation.status}: only a proposed allocation can be withdrawn."
            + (
                " An approved allocation is corrected with an adjustment, on the period's page."
                if allocation.status == "approved"
                else ""
            )
        )
    if allocation.adjusts_id is None:
        db.session.execute(
            update(FinancialPeriod)
            .where(FinancialPeriod.id == allocation.period_id, FinancialPeriod.status == "proposed")
            .values(status="open")
        )
    at = now or utcnow()
    audit.record("allocation.withdrawn", actor, target=f"allocation:{allocation.id}", now=at)
    db.session.commit()
    db.session.refresh(allocation)
    return allocation


# --- payouts ----------------------------------------------------------------------------------


# --- the member's own figures -------------------------------------------------------------------
