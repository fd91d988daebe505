"""Surplus allocation: reserve, funds and patronage dividends for one period, in integer pence.

The rules and the golden cases live in the shared `dividends/README.md`; this module is their
executable form. Rates are basis points (10000 = 100 %); nothing here uses floats or division of
Decimals.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bakery.domain.money import Pence, ceil_div, largest_remainder

WHOLE_BP = 10_000


class AllocationError(ValueError):
    """Raised when rules, period figures or members cannot be allocated as given."""


@dataclass(frozen=True)
class Fund:
    """A named fund (community, education…) that takes `bp` of the distributable surplus.

    Rule: the amount is rounded up, because the co-op's rules set it as a minimum.
    """

    name: str
    bp: int


@dataclass(frozen=True)
class ClassRule:
    """A member class and its share (`weight_bp`) of the dividend pool.

    Rule: weights across classes sum to 10000; weight 0 means the class earns no dividend.
    `measure` names what patronage counts ("minutes", "net_purchases", "none") and is recorded,
    not interpreted: patronage arrives already measured.
    """

    name: str
    weight_bp: int
    measure: str


@dataclass(frozen=True)
class Rules:
    """The co-op's allocation rules: reserve and fund rates, member classes, minimum payout.

    Rule: the reserve is taken first, then the funds in the order listed; whatever is left is the
    dividend pool. A member's payable below `minimum_payout` is carried forward, never forfeited.
    """

    reserve_bp: int
    funds: tuple[Fund, ...]
    classes: tuple[ClassRule, ...]
    minimum_payout: Pence


@dataclass(frozen=True)
class PeriodFigures:
    """The period's surplus (negative for a loss) and the balances brought into it.

    Rule: `reserve_balance` and `deficit_brought_forward` are never negative.
    """

    surplus: Pence
    reserve_balance: Pence
    deficit_brought_forward: Pence


@dataclass(frozen=True)
class MemberPatronage:
    """One member's patronage for the period and any balance carried in from earlier periods.

    Rule: patronage and carried_in are never negative; a member who has `left` is paid out in full.
    """

    number: str
    member_class: str
    patronage: int
    carried_in: Pence = 0
    left: bool = False


@dataclass(frozen=True)
class MemberResult:
    """What one member is allocated, owed, paid and has carried forward.

    Rule: `payable = allocation + carried_in` and `paid + carried_out = payable`.
    """

    allocation: Pence
    carried_in: Pence
    payable: Pence
    paid: Pence
    carried_out: Pence


@dataclass(frozen=True)
class AllocationResult:
    """The whole allocation for a period.

    Rule: `reserve + Σ funds + pool = distributable`; `Σ class_pools = pool`;
    `Σ allocations + unallocated_to_reserve = pool`. In a loss year `reserve` is the (negative)
    charge against the reserve and everything else allocated is zero.
    """

    deficit_recovered: Pence
    distributable: Pence
    reserve: Pence
    funds: dict[str, Pence]
    pool: Pence
    class_pools: dict[str, Pence]
    unallocated_to_reserve: Pence
    reserve_balance_after: Pence
    deficit_after: Pence
    members: dict[str, MemberResult]


def allocate(rules: Rules, period: PeriodFigures, members: Sequence[MemberPatronage]) -> AllocationResult:
    """Allocate the period's surplus to deficit, reserve, funds and members.

    Rule (README steps 1-8): a loss is charged to the reserve up to its balance and the rest becomes
    deficit; a surplus first recovers the deficit; if nothing is then distributable nothing is
    allocated or paid and carried balances stay put. Otherwise the reserve and each fund take their
    rate of the distributable amount rounded up (each capped at what is left, so the pool is never
    negative); the pool is split between classes by weight and within a class pro rata to patronage,
    both by largest remainder (ties to the class listed first, then to the lower membership number
    in string order). A class with a pool but no patronage sends it to the reserve. A member is
    paid `allocation + carried_in` if they have left or it reaches the minimum payout; otherwise it
    is carried forward.
    """
    _validate(rules, period, members)

    if period.surplus <= 0:
        charge = min(-period.surplus, period.reserve_balance)
        return _nothing_allocated(
            rules,
            members,
            deficit_recovered=0,
            reserve=-charge,
            reserve_balance_after=period.reserve_balance - charge,
            deficit_after=period.deficit_brought_forward - period.surplus - charge,
        )

    recovered = min(period.surplus, period.deficit_brought_forward)
    distributable = period.surplus - recovered
    deficit_after = period.deficit_brought_forward - recovered
    if distributable == 0:
        return _nothing_allocated(
            rules,
            members,
            deficit_recovered=recovered,
            reserve=0,
            reserve_balance_after=period.reserve_balance,
            deficit_after=deficit_after,
        )

    remaining = distributable
    # Rounding every deduction up could take more than there is when the rates sum to (nearly)
    # 100 % of a few pence; the earlier deductions have priority.
    reserve = min(ceil_div(distributable * rules.reserve_bp, WHOLE_BP), remaining)
    remaining -= reserve
    funds: dict[str, Pence] = {}
    for fund in rules.funds:
        funds[fund.name] = min(ceil_div(distributable * fund.bp, WHOLE_BP), remaining)
        remaining -= funds[fund.name]
    pool = remaining

    class_parts = largest_remainder(pool, [rule.weight_bp for rule in rules.classes])
    class_pools = {rule.name: part for rule, part in zip(rules.classes, class_parts, strict=True)}

    allocations: dict[str, Pence] = {}
    unallocated = 0
    for class_name, class_pool in class_pools.items():
        sharers = sorted(
            (m for m in members if m.member_class == class_name and m.patronage > 0),
            key=lambda m: m.number,
        )
        if not sharers:
            unallocated += class_pool
            continue
        parts = largest_remainder(class_pool, [m.patronage for m in sharers])
        allocations.update((m.number, part) for m, part in zip(sharers, parts, strict=True))

    return AllocationResult(
        deficit_recovered=recovered,
        distributable=distributable,
        reserve=reserve,
        funds=funds,
        pool=pool,
        class_pools=class_pools,
        unallocated_to_reserve=unallocated,
        reserve_balance_after=period.reserve_balance + reserve + unallocated,
        deficit_after=deficit_after,
        members={
            m.number: _settle(m, allocations.get(m.number, 0), rules.minimum_payout, paying=True)
            for m in members
        },
    )


def _nothing_allocated(
    rules: Rules,
    members: Sequence[MemberPatronage],
    *,
    deficit_recovered: Pence,
    reserve: Pence,
    reserve_balance_after: Pence,
    deficit_after: Pence,
) -> AllocationResult:
    return AllocationResult(
        deficit_recovered=deficit_recovered,
        distributable=0,
        reserve=reserve,
        funds={fund.name: 0 for fund in rules.funds},
        pool=0,
        class_pools={rule.name: 0 for rule in rules.classes},
        unallocated_to_reserve=0,
        reserve_balance_after=reserve_balance_after,
        deficit_after=deficit_after,
        members={m.number: _settle(m, 0, rules.minimum_payout, paying=False) for m in members},
    )


def _settle(
    member: MemberPatronage, allocation: Pence, minimum_payout: Pence, *, paying: bool
) -> MemberResult:
    payable = allocation + member.carried_in
    paid = payable if paying and (member.left or payable >= minimum_payout) else 0
    return MemberResult(allocation, member.carried_in, payable, paid, payable - paid)


def _validate(rules: Rules, period: PeriodFigures, members: Sequence[MemberPatronage]) -> None:
    rates = [("the reserve", rules.reserve_bp)]
    rates += [(f"fund {fund.name!r}", fund.bp) for fund in rules.funds]
    rates += [(f"class {rule.name!r}", rule.weight_bp) for rule in rules.classes]
    for what, bp in rates:
        if bp < 0:
            raise AllocationError(f"The rate for {what} is negative ({bp} bp).")
    deductions = rules.reserve_bp + sum(fund.bp for fund in rules.funds)
    if deductions > WHOLE_BP:
        raise AllocationError(
            f"The reserve and funds together take {deductions} bp; they may take at most 10000."
        )
    weights = sum(rule.weight_bp for rule in rules.classes)
    if weights != WHOLE_BP:
        raise AllocationError(f"The class weights sum to {weights} bp; they must sum to 10000.")
    _refuse_duplicates("fund", [fund.name for fund in rules.funds])
    _refuse_duplicates("class", [rule.name for rule in rules.classes])
    _refuse_duplicates("membership number", [m.number for m in members])

    amounts = [
        ("The minimum payout", rules.minimum_payout),
        ("The reserve balance", period.reserve_balance),
        ("The deficit brought forward", period.deficit_brought_forward),
    ]
    for m in members:
        amounts += [
            (f"Member {m.number}'s patronage", m.patronage),
            (f"Member {m.number}'s carried-in balance", m.carried_in),
        ]
    for what, amount in amounts:
        if amount < 0:
            raise AllocationError(f"{what} is negative ({amount}).")

    known = {rule.name for rule in rules.classes}
    for m in members:
        if m.member_class not in known:
            raise AllocationError(
                f"Member {m.number} is in class {m.member_class!r}, which the rules do not define."
            )


def _refuse_duplicates(what: str, names: Sequence[str]) -> None:
    repeated = sorted(name for name, count in Counter(names).items() if count > 1)
    if repeated:
        raise AllocationError(f"Duplicate {what}: {', '.join(repeated)}.")


def scenario_from_dict(
    data: Mapping[str, Any],
) -> tuple[Rules, PeriodFigures, list[MemberPatronage]]:
    """Read a scenario in the shared README's format into rules, period figures and members.

    Rule: every amount and rate must be a JSON integer; membership numbers must be strings;
    `carried_in` defaults to 0 and `left` to false. Missing or mistyped fields raise
    `AllocationError` naming the field. Other keys (`name`, `expected`…) are ignored.
    """
    rules_data = _get(data, "rules", dict, "scenario")
    period_data = _get(data, "period", dict, "scenario")
    rules = Rules(
        reserve_bp=_get(rules_data, "reserve_bp", int, "rules"),
        funds=tuple(
            Fund(_get(f, "name", str, "rules.funds[]"), _get(f, "bp", int, "rules.funds[]"))
            for f in _get(rules_data, "funds", list, "rules")
        ),
        classes=tuple(
            ClassRule(
                _get(c, "name", str, "rules.classes[]"),
                _get(c, "weight_bp", int, "rules.classes[]"),
                _get(c, "measure", str, "rules.classes[]"),
            )
            for c in _get(rules_data, "classes", list, "rules")
        ),
        minimum_payout=_get(rules_data, "minimum_payout", int, "rules"),
    )
    period = PeriodFigures(
        surplus=_get(period_data, "surplus", int, "period"),
        reserve_balance=_get(period_data, "reserve_balance", int, "period"),
        deficit_brought_forward=_get(period_data, "deficit_brought_forward", int, "period"),
    )
    members = [
        MemberPatronage(
            number=_get(m, "number", str, "members[]"),
            member_class=_get(m, "class", str, "members[]"),
            patronage=_get(m, "patronage", int, "members[]"),
            carried_in=_get(m, "carried_in", int, "members[]", default=0),
            left=_get(m, "left", bool, "members[]", default=False),
        )
        for m in _get(data, "members", list, "scenario")
    ]
    return rules, period, members


_T = TypeVar("_T")
_JSON_KIND = {int: "an integer", str: "a string", bool: "true or false", list: "a list"}


def _get(obj: Any, key: str, kind: type[_T], where: str, default: _T | None = None) -> _T:
    if not isinstance(obj, Mapping):
        raise AllocationError(f"{where} must be an object, not {obj!r}.")
    if key not in obj:
        if default is None:
            raise AllocationError(f"{where}.{key} is missing.")
        return default
    value = obj[key]
    # bool is a subclass of int, and `true` is not a sum of money.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        expected = _JSON_KIND.get(kind, "an object")
        raise AllocationError(f"{where}.{key} must be {expected}, not {value!r}.")
    return value


def result_to_dict(result: AllocationResult) -> dict[str, Any]:
    """Render a result as the README's `expected` object (plain dicts and ints, JSON-ready).

    Rule: the keys are exactly those of the golden cases' `expected`; members are keyed by number.
    """
    return {
        "deficit_recovered": result.deficit_recovered,
        "distributable": result.distributable,
        "reserve": result.reserve,
        "funds": dict(result.funds),
        "pool": result.pool,
        "class_pools": dict(result.class_pools),
        "unallocated_to_reserve": result.unallocated_to_reserve,
        "reserve_balance_after": result.reserve_balance_after,
        "deficit_after": result.deficit_after,
        "members": {number: dataclasses.asdict(member) for number, member in result.members.items()},
    }
