"""Surplus allocation in the app: financial periods, preview, propose, approve, withdraw, payouts.

The arithmetic is `bakery.domain.allocation.allocate`; this module builds its scenario from the
database, freezes it, and records what the general meeting approved.

- **Who takes part.** Every member who had joined by the period's end and had not left before it
  began. A member whose `left_on` falls within the period is a *leaver*: paid out in full when
  leavers take part, otherwise given no share of the pool (they still receive any balance carried
  in from earlier periods, which is never forfeited). A member who left before the period began
  takes part only to be paid a balance they still have carried forward.
- **Patronage** follows the member's class measure: approved minutes (hours), net-of-VAT pence
  (purchases; a net refund counts as zero) or nothing.
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

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bakery.domain.allocation import (
    AllocationError,
    AllocationResult,
    allocate,
    result_to_dict,
    scenario_from_dict,
)
from bakery.domain.clock import business_date
from bakery.domain.money import Pence, format_plain, round_half_up
from bakery.extensions import db
from bakery.models import (
    Allocation,
    AllocationLine,
    FinancialPeriod,
    Member,
    MemberClass,
    Payout,
    StoreCredit,
)
from bakery.models.types import utcnow
from bakery.services import audit, periods
from bakery.services.audit import Actor
from bakery.services.dividends import patronage
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, race_safe, serialise
from bakery.services.settings import current_settings

#: A member class's patronage measure (as stored) and the engine's name for it.
MEASURE_TO_ENGINE = {"hours": "minutes", "purchases": "net_purchases", "none": "none"}
ENGINE_TO_MEASURE = {engine: measure for measure, engine in MEASURE_TO_ENGINE.items()}
PAYOUT_METHODS = {"cash": "Cash", "credit": "Store credit", "shares": "Added to share capital"}
DEFAULT_RESERVE_BP = 3000
DEFAULT_FUNDS = (("Community fund", 1000), ("Education", 500))
DEFAULT_MINIMUM_PAYOUT = 500
DEFAULT_CLASS_WEIGHTS = {"worker": 6000, "customer": 4000}
CHART_LABEL_WIDTH = 210
CHART_WIDTH = 400
CHART_ROW = 30
CHART_FILLS = ("#7a4b2a", "#b5835a", "#d9b38c", "#4f7a5a", "#86a98f", "#5a6f8f", "#9aa9c4", "#b14a3b")


class ScenarioChanged(ServiceError):
    """The figures changed between the preview the admin saw and the proposal (new sales or hours)."""


@dataclass(frozen=True)
class AllocationInput:
    """What an admin enters for an allocation: the period's figures and the co-op's rules.

    Rule: amounts in pence, rates in basis points; `class_weights` names member classes.
    """

    surplus: Pence
    reserve_balance: Pence
    deficit_brought_forward: Pence
    reserve_bp: int
    funds: tuple[tuple[str, int], ...]
    class_weights: tuple[tuple[str, int], ...]
    minimum_payout: Pence
    include_leavers: bool


@dataclass(frozen=True)
class MemberRow:
    """One member's line in a preview or an allocation."""

    member_id: int
    number: str
    name: str
    class_name: str
    measure: str
    patronage: int
    share_ppm: int  # of their class's patronage, in millionths
    allocation: Pence
    carried_in: Pence
    payable: Pence
    paid: Pence
    carried_out: Pence
    left: bool
    excluded: bool


@dataclass(frozen=True)
class ClassRow:
    """A member class's part of the pool."""

    name: str
    measure: str
    weight_bp: int
    pool: Pence
    patronage: int
    sharers: int
    allocated: Pence


@dataclass(frozen=True)
class Bar:
    """One bar of the split chart, already laid out (templates do no arithmetic)."""

    label: str
    amount: Pence
    y: int
    text_y: int
    width: int
    amount_x: int
    fill: str


@dataclass(frozen=True)
class AllocationView:
    """Everything a preview or an allocation page shows."""

    scenario: dict[str, Any]
    inputs_hash: str
    result: AllocationResult
    members: list[MemberRow]
    classes: list[ClassRow]
    bars: list[Bar]
    chart_height: int
    surplus: Pence
    allocated: Pence
    funds_total: Pence
    carried_in: Pence
    paid: Pence
    carried_out: Pence
    accounted: Pence  # deficit recovered + reserve + funds + unallocated + allocated (= surplus)
    balanced: bool  # every penny of the surplus (or the loss) is accounted for
    notes: list[str] = field(default_factory=list)


# --- periods ----------------------------------------------------------------------------------


def local_today(now: datetime | None = None) -> date:
    """The shop's business date now."""
    return business_date(now or utcnow(), current_settings().timezone)


def list_periods() -> list[FinancialPeriod]:
    """Every financial period, latest first."""
    return list(db.session.scalars(select(FinancialPeriod).order_by(FinancialPeriod.starts_on.desc())))


def get_period(period_id: int) -> FinancialPeriod:
    """A period by id, or NotFound."""
    period = db.session.get(FinancialPeriod, period_id)
    if period is None:
        raise NotFound("There is no such financial period.")
    return period


@race_safe(Mechanism.SERIALISED, Mechanism.UNIQUE_KEY, guards="no day in two periods; unique names")
def create_period(
    name: str, starts_on: date, ends_on: date, actor: Actor, now: datetime | None = None
) -> FinancialPeriod:
    """Add a financial period (audited; one transaction).

    Rule: a name of 1 to 40 characters used by no other period; the end on or after the start;
    no day in two periods.
    """
    clean = " ".join((name or "").split())
    if not clean or len(clean) > 40:
        raise ServiceError("A period's name is 1 to 40 characters.")
    if ends_on < starts_on:
        raise ServiceError("A period cannot end before it starts.")
    serialise("financial-periods")  # two admins adding overlapping periods: the second sees the first
    if db.session.scalar(select(FinancialPeriod.id).where(func.lower(FinancialPeriod.name) == clean.lower())):
        raise ServiceError(f"There is already a period called {clean}.")
    overlapping = db.session.scalar(
        select(FinancialPeriod).where(
            FinancialPeriod.starts_on <= ends_on, FinancialPeriod.ends_on >= starts_on
        )
    )
    if overlapping is not None:
        raise ServiceError(
            f"Those dates overlap {overlapping.name} ({overlapping.starts_on.isoformat()} to "
            f"{overlapping.ends_on.isoformat()}): a day belongs to one period only."
        )
    at = now or utcnow()
    period = FinancialPeriod(name=clean, starts_on=starts_on, ends_on=ends_on, status="open", created_at=at)
    db.session.add(period)
    db.session.flush()
    audit.record(
        "period.created",
        actor,
        target=f"period:{period.id}",
        details={"name": clean, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
        now=at,
    )
    db.session.commit()
    return period


def allocations_of(period_id: int) -> list[Allocation]:
    """A period's allocations, newest first."""
    return list(
        db.session.scalars(
            select(Allocation).where(Allocation.period_id == period_id).order_by(Allocation.id.desc())
        )
    )


def get_allocation(allocation_id: int) -> Allocation:
    """An allocation by id, or NotFound."""
    allocation = db.session.get(Allocation, allocation_id)
    if allocation is None:
        raise NotFound("There is no such allocation.")
    return allocation


def latest_approved(period_id: int | None = None, *, adjustments: bool = True) -> Allocation | None:
    """The most recently approved allocation (of one period, or of any), adjustments optional."""
    query = select(Allocation).where(Allocation.status == "approved")
    if period_id is not None:
        query = query.where(Allocation.period_id == period_id)
    if not adjustments:
        query = query.where(Allocation.adjusts_id.is_(None))
    return db.session.scalar(query.order_by(Allocation.approved_at.desc(), Allocation.id.desc()).limit(1))


# --- inputs -----------------------------------------------------------------------------------


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


# --- the scenario -----------------------------------------------------------------------------


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
        if excluded or measure == "none":
            amount = 0
        elif measure == "hours":
            amount = max(minutes.get(member_id, 0), 0)
        else:
            amount = max(purchases.get(member_id, 0), 0)
        members.append(
            {
                "number": number,
                "class": class_name,
                "patronage": amount,
                "carried_in": carried_in,
                "left": left,
                "member_id": member_id,
                "excluded": excluded,
            }
        )
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


# --- views of a scenario and its result --------------------------------------------------------


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
    if surplus > 0:
        balanced = accounted == surplus
    else:
        added = result.deficit_after - int(scenario["period"]["deficit_brought_forward"])
        balanced = result.reserve - added == surplus
    bars, height = _chart(scenario, result, classes)
    return AllocationView(
        scenario=scenario,
        inputs_hash=inputs_hash or scenario_hash(canonical(scenario)),
        result=result,
        members=rows,
        classes=classes,
        bars=bars,
        chart_height=height,
        surplus=surplus,
        allocated=allocated,
        funds_total=funds_total,
        carried_in=sum(r.carried_in for r in rows),
        paid=sum(r.paid for r in rows),
        carried_out=sum(r.carried_out for r in rows),
        accounted=accounted,
        balanced=balanced,
    )


def _chart(
    scenario: dict[str, Any], result: AllocationResult, classes: Sequence[ClassRow]
) -> tuple[list[Bar], int]:
    parts: list[tuple[str, int]] = []
    if int(scenario["period"]["surplus"]) <= 0:
        loss = -int(scenario["period"]["surplus"])
        parts = [("Charged to the reserve", -result.reserve), ("Added to the deficit", loss + result.reserve)]
    else:
        if result.deficit_recovered:
            parts.append(("Deficit recovered", result.deficit_recovered))
        parts.append(("Reserve", result.reserve))
        parts += [(name, amount) for name, amount in result.funds.items()]
        parts += [(f"{c.name.title()} members", c.allocated) for c in classes if c.pool]
        if result.unallocated_to_reserve:
            parts.append(("Unallocated, to the reserve", result.unallocated_to_reserve))
    biggest = max((amount for _, amount in parts), default=0)
    bars = []
    for i, (label, amount) in enumerate(parts):
        width = max(amount * CHART_WIDTH // biggest, 1) if biggest > 0 and amount > 0 else 0
        bars.append(
            Bar(
                label=label,
                amount=amount,
                y=i * CHART_ROW + 4,
                text_y=i * CHART_ROW + 19,
                width=width,
                amount_x=CHART_LABEL_WIDTH + width + 8,
                fill=CHART_FILLS[i % len(CHART_FILLS)],
            )
        )
    return bars, max(len(parts) * CHART_ROW, CHART_ROW)


def allocation_view(allocation: Allocation) -> AllocationView:
    """The frozen scenario of an allocation and its result, laid out."""
    scenario = json.loads(allocation.scenario_json)
    return build_view(scenario, run(scenario), allocation.inputs_hash)


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

    Rule: one proposed allocation per period at a time; an approved period takes only an
    adjustment. With `expected_hash`, the figures must be those of the preview the admin saw,
    else `ScenarioChanged`.
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
                f"{period.name}'s allocation is approved and locked: a correction is an adjustment."
            )
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
            "surplus": inp.surplus,
            "inputs_hash": digest,
            "members": len(scenario["members"]),
            "adjusts": adjusts_id,
        },
        now=at,
    )
    db.session.commit()
    return allocation


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

    Rule: a second admin approves, never the proposer; the frozen scenario must hash to what was
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
                " An approved allocation is corrected with an adjustment."
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


@dataclass(frozen=True)
class PayoutRow:
    """A line owed a payout, and its payout once recorded."""

    line_id: int
    member_id: int
    number: str
    name: str
    paid: Pence
    method: str | None
    at: datetime | None


def payout_rows(allocation_id: int) -> list[PayoutRow]:
    """The allocation's lines with something to pay, by membership number, with their payouts."""
    query = (
        select(
            AllocationLine.id,
            Member.id,
            Member.number,
            Member.name,
            AllocationLine.paid,
            Payout.method,
            Payout.at,
        )
        .join(Member, Member.id == AllocationLine.member_id)
        .outerjoin(Payout, Payout.line_id == AllocationLine.id)
        .where(AllocationLine.allocation_id == allocation_id, AllocationLine.paid > 0)
        .order_by(Member.number)
    )
    return [PayoutRow(*row) for row in db.session.execute(query)]


def _approved_allocation_of(line: AllocationLine) -> Allocation:
    allocation = line.allocation
    if allocation.status != "approved":
        raise ServiceError("Dividends are paid only from an approved allocation.")
    return allocation


def _check_method(method: str) -> None:
    if method not in PAYOUT_METHODS:
        raise ServiceError("Choose how to pay: cash, store credit or shares.")


def _pay(line: AllocationLine, period_name: str, method: str, actor: Actor, at: datetime) -> Payout:
    if actor.user_id is None:
        raise ServiceError("Sign in to record a payout.")
    if method == "credit":
        db.session.add(
            StoreCredit(
                member_id=line.member_id, amount=line.paid, reason="dividend", by_id=actor.user_id, at=at
            )
        )
    elif method == "shares":
        from bakery.services.members import shares  # the members area owns the share capital ledger

        shares.record_share_movement(
            line.member_id, "dividend", line.paid, f"Dividend {period_name}", actor, now=at
        )
    payout = Payout(
        line_id=line.id, member_id=line.member_id, method=method, amount=line.paid, by_id=actor.user_id, at=at
    )
    db.session.add(payout)
    return payout


def _existing_payout(line_id: int) -> Payout | None:
    return db.session.scalar(select(Payout).where(Payout.line_id == line_id))


def record_payout(
    line_id: int,
    method: str,
    actor: Actor,
    now: datetime | None = None,
    *,
    allocation_id: int | None = None,
) -> Payout:
    """Pay one member's dividend as cash, store credit or shares (audited; one transaction).

    Rule: only lines of an approved allocation with something paid; each line is paid once (a
    unique key on the line refuses a second payout even from two admins at once).
    """
    _check_method(method)
    line = db.session.get(AllocationLine, line_id)
    if line is None or (allocation_id is not None and line.allocation_id != allocation_id):
        raise NotFound("There is no such allocation line.")
    allocation = _approved_allocation_of(line)
    if line.paid <= 0:
        raise ServiceError("Nothing is paid on this line: the amount is carried forward.")
    done = _existing_payout(line.id)
    if done is not None:
        raise ServiceError(
            f"This dividend was already paid ({PAYOUT_METHODS[done.method].lower()}, "
            f"{format_plain(done.amount)}); a dividend is paid once."
        )
    at = now or utcnow()
    payout = _pay(line, allocation.period.name, method, actor, at)
    audit.record(
        "dividend.paid",
        actor,
        target=f"member:{line.member_id}",
        details={"allocation": allocation.id, "line": line.id, "method": method, "amount": line.paid},
        now=at,
    )
    _commit_payouts()
    return payout


def pay_remaining(allocation_id: int, method: str, actor: Actor, now: datetime | None = None) -> int:
    """Pay every line of an approved allocation not yet paid, all the same way (audited; one
    transaction). Returns how many were paid."""
    _check_method(method)
    allocation = get_allocation(allocation_id)
    if allocation.status != "approved":
        raise ServiceError("Dividends are paid only from an approved allocation.")
    unpaid = list(
        db.session.scalars(
            select(AllocationLine)
            .outerjoin(Payout, Payout.line_id == AllocationLine.id)
            .where(
                AllocationLine.allocation_id == allocation.id, AllocationLine.paid > 0, Payout.id.is_(None)
            )
            .order_by(AllocationLine.id)
        )
    )
    if not unpaid:
        raise ServiceError("Every dividend of this allocation has already been paid.")
    at = now or utcnow()
    for line in unpaid:
        _pay(line, allocation.period.name, method, actor, at)
    audit.record(
        "dividend.paid_in_bulk",
        actor,
        target=f"allocation:{allocation.id}",
        details={
            "method": method,
            "count": len(unpaid),
            "amount": sum(line.paid for line in unpaid),
            "lines": [line.id for line in unpaid],
        },
        now=at,
    )
    _commit_payouts()
    return len(unpaid)


@race_safe(Mechanism.UNIQUE_KEY, guards="a dividend is paid once (unique payout per line)")
def _commit_payouts() -> None:
    try:
        db.session.commit()
    except IntegrityError as clash:
        db.session.rollback()
        raise ServiceError(
            "Another admin recorded this payout at the same moment; a dividend is paid once."
        ) from clash


# --- the member's own figures -------------------------------------------------------------------


@dataclass(frozen=True)
class Purchases:
    """A member's purchases over the period so far, and the patronage they add up to."""

    so_far: PeriodSoFar
    purchases: list[patronage.Purchase]
    total_net: Pence


def purchases_so_far(member_id: int, today: date | None = None) -> Purchases:
    """A member's sales and refunds in the current period so far, with their net patronage."""
    so_far = period_so_far(today)
    rows = patronage.member_purchases(member_id, so_far.starts_on, so_far.ends_on)
    return Purchases(so_far, rows, sum(p.net for p in rows))


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

    Rule: with no current period or no approved allocation, say so instead of guessing.
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
            "The last approved allocation had nothing to share out (or its classes have changed), "
            "so there is no estimate.",
        )
    scenario = build_scenario(so_far.period, inp, until=so_far.ends_on)
    view = build_view(scenario, run(scenario))
    row = next((r for r in view.members if r.member_id == member_id), None)
    class_row = next((c for c in view.classes if row and c.name == row.class_name), None)
    message = "" if row else "You do not take part in this period's allocation."
    return Estimate(so_far, basis, distributable, row, class_row, balance, message)
