"""An allocation's scenario: the inputs (surplus, reserve, funds, class weights, minimum payout),
the members' patronage and carried balances frozen into canonical JSON with its hash, the run
through the pure allocation engine, and the view of the result."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select

from bakery.domain.allocation import (
    AllocationError,
    AllocationResult,
    allocate,
    scenario_from_dict,
)
from bakery.domain.money import Pence, format_plain, round_half_up
from bakery.extensions import db
from bakery.models import (
    Allocation,
    AllocationLine,
    FinancialPeriod,
    Member,
    MemberClass,
)
from bakery.services.dividends import patronage
from bakery.services.dividends.common import (
    DEFAULT_CLASS_WEIGHTS,
    DEFAULT_FUNDS,
    DEFAULT_MINIMUM_PAYOUT,
    DEFAULT_RESERVE_BP,
    ENGINE_TO_MEASURE,
    MEASURE_TO_ENGINE,
    AllocationInput,
    AllocationView,
    Bar,
    ClassRow,
    MemberRow,
)
from bakery.services.dividends.financial_periods import (
    get_period,
    latest_approved,
    local_today,
)
from bakery.services.dividends.opening import opening_by_member
from bakery.services.errors import ServiceError


def member_classes() -> list[MemberClass]:
    """The member classes in their display order."""
    return list(db.session.scalars(select(MemberClass).order_by(MemberClass.sort_order, MemberClass.name)))


def _input_from(scenario: dict[str, Any], result: dict[str, Any], *, surplus: Pence) -> AllocationInput:
    rules = scenario["rules"]
    return AllocationInput(
        surplus=surplus,
        reserve_balance=int(result["reserve_balance_after"]),
        deficit_brought_forward=int(result["deficit_after"]),
        reserve_bp=int(rules["reserve_bp"]),
        funds=tuple((str(f["name"]), int(f["bp"])) for f in rules["funds"]),
        class_weights=tuple((str(c["name"]), int(c["weight_bp"])) for c in rules["classes"]),
        minimum_payout=int(rules["minimum_payout"]),
        include_leavers=bool(rules.get("include_leavers", True)),
    )


def default_input(period: FinancialPeriod) -> AllocationInput:
    """What the allocation form starts with.

    Rule: the rules of the last approved allocation, and the reserve balance and deficit it left;
    without one, 30 % reserve, a community fund (10 %) and education (5 %), workers 60 % and
    customers 40 %, a £5 minimum payout, leavers taking part.
    """
    last = latest_approved(period.id) if period.status == "approved" else _previous_approved(period)
    classes = member_classes()
    if last is not None:
        previous = _input_from(json.loads(last.scenario_json), json.loads(last.result_json), surplus=0)
        known = dict(previous.class_weights)
        weights = tuple((c.name, known.get(c.name, 0)) for c in classes)
        if sum(w for _, w in weights) != 10_000:
            weights = _default_weights(classes)
        return AllocationInput(
            surplus=0,
            reserve_balance=previous.reserve_balance,
            deficit_brought_forward=previous.deficit_brought_forward,
            reserve_bp=previous.reserve_bp,
            funds=previous.funds,
            class_weights=weights,
            minimum_payout=previous.minimum_payout,
            include_leavers=previous.include_leavers,
        )
    return AllocationInput(
        surplus=0,
        reserve_balance=0,
        deficit_brought_forward=0,
        reserve_bp=DEFAULT_RESERVE_BP,
        funds=DEFAULT_FUNDS,
        class_weights=_default_weights(classes),
        minimum_payout=DEFAULT_MINIMUM_PAYOUT,
        include_leavers=True,
    )


def _default_weights(classes: Sequence[MemberClass]) -> tuple[tuple[str, int], ...]:
    weights = {c.name: DEFAULT_CLASS_WEIGHTS.get(c.name, 0) for c in classes}
    if sum(weights.values()) != 10_000:
        weights = dict.fromkeys(weights, 0)
        sharing = [c.name for c in classes if c.measure != "none"] or [c.name for c in classes]
        if sharing:
            weights[sharing[0]] = 10_000
    return tuple(weights.items())


def _previous_approved(period: FinancialPeriod) -> Allocation | None:
    return db.session.scalar(
        select(Allocation)
        .join(FinancialPeriod, FinancialPeriod.id == Allocation.period_id)
        .where(Allocation.status == "approved", FinancialPeriod.ends_on < period.starts_on)
        .order_by(FinancialPeriod.ends_on.desc(), Allocation.approved_at.desc(), Allocation.id.desc())
        .limit(1)
    )


def carried_balances() -> dict[int, Pence]:
    """Each member's balance carried forward: Σ carried_out - Σ carried_in over approved allocations."""
    balance = func.sum(AllocationLine.carried_out - AllocationLine.carried_in)
    rows = db.session.execute(
        select(AllocationLine.member_id, balance)
        .join(Allocation, Allocation.id == AllocationLine.allocation_id)
        .where(Allocation.status == "approved")
        .group_by(AllocationLine.member_id)
    )
    return {int(member_id): int(total) for member_id, total in rows if total}


def canonical(scenario: dict[str, Any]) -> str:
    """The scenario as canonical JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(scenario, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def scenario_hash(scenario_json: str) -> str:
    """SHA-256 of the frozen scenario's JSON text."""
    return hashlib.sha256(scenario_json.encode("utf-8")).hexdigest()


def build_scenario(
    period: FinancialPeriod,
    inp: AllocationInput,
    *,
    adjusts_id: int | None = None,
    until: date | None = None,
) -> dict[str, Any]:
    """The engine's scenario for a period, built from the database (the README's format plus
    `member_id`/`excluded` per member, `include_leavers` in the rules and a `frozen` note).

    Rule: see the module docstring for who takes part and how patronage is measured. `until`
    cuts the patronage off early (the member's estimate uses the period so far).
    """
    classes = member_classes()
    by_name = {c.name: c for c in classes}
    unknown = [name for name, _ in inp.class_weights if name not in by_name]
    if unknown:
        raise ServiceError(f"There is no member class called {unknown[0]}.")
    weights = dict(inp.class_weights)
    rules = {
        "reserve_bp": inp.reserve_bp,
        "funds": [{"name": name, "bp": bp} for name, bp in inp.funds],
        "classes": [
            {"name": c.name, "weight_bp": weights.get(c.name, 0), "measure": MEASURE_TO_ENGINE[c.measure]}
            for c in classes
        ],
        "minimum_payout": inp.minimum_payout,
        "include_leavers": inp.include_leavers,
    }
    end = min(period.ends_on, until) if until else period.ends_on
    measures = {c.measure for c in classes}
    purchases = patronage.purchases_by_member(period.starts_on, end) if "purchases" in measures else {}
    minutes = patronage.minutes_by_member(period.starts_on, end) if "hours" in measures else {}
    carried = {} if until else carried_balances()
    opening = opening_by_member(period.starts_on, end)

    rows = db.session.execute(
        select(Member.id, Member.number, MemberClass.name, MemberClass.measure, Member.left_on)
        .join(MemberClass, MemberClass.id == Member.class_id)
        .where(Member.joined_on <= period.ends_on)
        .order_by(Member.number)
    )
    members = []
    for member_id, number, class_name, measure, left_on in rows:
        carried_in = max(carried.get(member_id, 0), 0)
        gone_before = left_on is not None and left_on < period.starts_on
        left = left_on is not None and left_on <= period.ends_on
        excluded = gone_before or (left and not inp.include_leavers)
        if excluded and carried_in == 0:
            continue
        opening_purchases, opening_minutes = opening.get(member_id, (0, 0))
        brought = 0
        if excluded or measure == "none":
            amount = 0
        elif measure == "hours":
            brought = opening_minutes
            amount = max(minutes.get(member_id, 0) + brought, 0)
        else:
            brought = opening_purchases
            amount = max(purchases.get(member_id, 0) + brought, 0)
        entry = {
            "number": number,
            "class": class_name,
            "patronage": amount,
            "carried_in": carried_in,
            "left": left,
            "member_id": member_id,
            "excluded": excluded,
        }
        if brought:
            entry["opening"] = brought  # of the patronage, brought from the old system
        members.append(entry)
    return {
        "name": period.name + (" adjustment" if adjusts_id else ""),
        "rules": rules,
        "period": {
            "surplus": inp.surplus,
            "reserve_balance": inp.reserve_balance,
            "deficit_brought_forward": inp.deficit_brought_forward,
        },
        "members": members,
        "frozen": {
            "period_id": period.id,
            "period": period.name,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": end.isoformat(),
            "adjusts_id": adjusts_id,
            "measures": {c.name: c.measure for c in classes},
        },
    }


def run(scenario: dict[str, Any]) -> AllocationResult:
    """Run the engine on a scenario; its refusals become the service's."""
    try:
        return allocate(*scenario_from_dict(scenario))
    except AllocationError as refused:
        raise ServiceError(str(refused)) from refused


def _check_input(inp: AllocationInput) -> None:
    names = [name.strip() for name, _ in inp.funds]
    if any(not name for name in names):
        raise ServiceError("Every fund needs a name.")
    if any(len(name) > 40 for name in names):
        raise ServiceError("A fund's name is at most 40 characters.")
    total = sum(bp for _, bp in inp.class_weights)
    if total != 10_000:
        raise ServiceError(
            f"The split between classes adds up to {format_plain(total)} %; it must add up to 100 %."
        )
    if inp.deficit_brought_forward < 0 or inp.reserve_balance < 0 or inp.minimum_payout < 0:
        raise ServiceError("Balances and the minimum payout cannot be negative.")


def preview(period_id: int, inp: AllocationInput, *, adjustment: bool = False) -> AllocationView:
    """What allocating the period with these figures and rules would give (nothing is written)."""
    period = get_period(period_id)
    _check_input(inp)
    adjusts_id = _adjusts_id(period) if adjustment else None
    scenario = build_scenario(period, inp, adjusts_id=adjusts_id)
    view = build_view(scenario, run(scenario))
    if period.ends_on >= local_today():
        view.notes.append(
            f"{period.name} has not ended yet (it ends on {period.ends_on.isoformat()}): "
            "patronage so far is used."
        )
    return view


def _adjusts_id(period: FinancialPeriod) -> int:
    last = latest_approved(period.id)
    if last is None or period.status != "approved":
        raise ServiceError(f"{period.name} has no approved allocation to adjust.")
    return int(last.id)


def build_view(scenario: dict[str, Any], result: AllocationResult, inputs_hash: str = "") -> AllocationView:
    """Lay a scenario and its result out for a page: rows, class totals and the split chart."""
    members = scenario["members"]
    # Every member's name in one query (a co-op has thousands, not millions; an IN list of
    # thousands of ids would be slower and hits SQLite's parameter limit).
    names = {int(i): str(n) for i, n in db.session.execute(select(Member.id, Member.name))}
    measures = {c["name"]: ENGINE_TO_MEASURE.get(c["measure"], "none") for c in scenario["rules"]["classes"]}
    class_patronage: dict[str, int] = {}
    sharers: dict[str, int] = {}
    for m in members:
        if m["patronage"] > 0:
            class_patronage[m["class"]] = class_patronage.get(m["class"], 0) + int(m["patronage"])
            sharers[m["class"]] = sharers.get(m["class"], 0) + 1
    rows = []
    allocated_by_class: dict[str, int] = {}
    for m in members:
        r = result.members[m["number"]]
        total = class_patronage.get(m["class"], 0)
        allocated_by_class[m["class"]] = allocated_by_class.get(m["class"], 0) + r.allocation
        rows.append(
            MemberRow(
                member_id=int(m["member_id"]),
                number=m["number"],
                name=names.get(int(m["member_id"]), ""),
                class_name=m["class"],
                measure=measures.get(m["class"], "none"),
                patronage=int(m["patronage"]),
                share_ppm=round_half_up(int(m["patronage"]) * 1_000_000, total) if total else 0,
                allocation=r.allocation,
                carried_in=r.carried_in,
                payable=r.payable,
                paid=r.paid,
                carried_out=r.carried_out,
                left=bool(m.get("left", False)),
                excluded=bool(m.get("excluded", False)),
            )
        )
    classes = [
        ClassRow(
            name=c["name"],
            measure=measures[c["name"]],
            weight_bp=int(c["weight_bp"]),
            pool=result.class_pools.get(c["name"], 0),
            patronage=class_patronage.get(c["name"], 0),
            sharers=sharers.get(c["name"], 0),
            allocated=allocated_by_class.get(c["name"], 0),
        )
        for c in scenario["rules"]["classes"]
    ]
    allocated = sum(r.allocation for r in rows)
    funds_total = sum(result.funds.values())
    accounted = (
        result.deficit_recovered + result.reserve + funds_total + result.unallocated_to_reserve + allocated
    )
    surplus = int(scenario["period"]["surplus"])
    added = 0
    if surplus > 0:
        balanced = accounted == surplus
    else:
        added = result.deficit_after - int(scenario["period"]["deficit_brought_forward"])
        balanced = result.reserve - added == surplus
    bars = _split(scenario, result, classes)
    return AllocationView(
        scenario=scenario,
        inputs_hash=inputs_hash or scenario_hash(canonical(scenario)),
        result=result,
        members=rows,
        classes=classes,
        bars=bars,
        surplus=surplus,
        allocated=allocated,
        funds_total=funds_total,
        carried_in=sum(r.carried_in for r in rows),
        paid=sum(r.paid for r in rows),
        carried_out=sum(r.carried_out for r in rows),
        accounted=accounted,
        balanced=balanced,
        adjustment=bool(scenario.get("frozen", {}).get("adjusts_id")),
        loss=max(-surplus, 0),
        reserve_charge=max(-result.reserve, 0),
        deficit_added=added,
    )


def _split(scenario: dict[str, Any], result: AllocationResult, classes: Sequence[ClassRow]) -> list[Bar]:
    """How the surplus is split (or a loss is borne), part by part, for the chart and its table."""
    if int(scenario["period"]["surplus"]) <= 0:
        loss = -int(scenario["period"]["surplus"])
        return [
            Bar("Charged to the reserve", -result.reserve),
            Bar("Added to the deficit", loss + result.reserve),
        ]
    parts: list[Bar] = []
    if result.deficit_recovered:
        parts.append(Bar("Deficit recovered", result.deficit_recovered))
    parts.append(Bar("Reserve", result.reserve))
    parts += [Bar(name, amount) for name, amount in result.funds.items()]
    parts += [Bar(f"{c.name.title()} members", c.allocated) for c in classes if c.pool]
    if result.unallocated_to_reserve:
        parts.append(Bar("Unallocated, to the reserve", result.unallocated_to_reserve))
    return parts


def allocation_view(allocation: Allocation) -> AllocationView:
    """The frozen scenario of an allocation and its result, laid out."""
    scenario = json.loads(allocation.scenario_json)
    return build_view(scenario, run(scenario), allocation.inputs_hash)
