"""The surplus allocation engine: golden cases, invariants and the edge rules."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.allocation import (
    AllocationError,
    AllocationResult,
    ClassRule,
    Fund,
    MemberPatronage,
    PeriodFigures,
    Rules,
    allocate,
    result_to_dict,
    scenario_from_dict,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
GOLDEN_DIR = Path(os.environ.get("BAKERY_SHARED_DIR", REPO_ROOT.parent / "shared")) / "dividends"
GOLDEN_CASES = sorted(GOLDEN_DIR.glob("*.json"))

# No example database: the suite must not write files into the working tree.
PROPERTY = settings(max_examples=150, deadline=None, database=None)

Scenario = tuple[Rules, PeriodFigures, list[MemberPatronage]]


# --- golden cases -------------------------------------------------------------------------------


def test_the_golden_folder_holds_cases() -> None:
    assert GOLDEN_CASES, f"no *.json cases in {GOLDEN_DIR}"


@pytest.mark.parametrize("path", GOLDEN_CASES, ids=[p.stem for p in GOLDEN_CASES])
def test_each_golden_case_gives_exactly_its_expected_result(path: Path) -> None:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert result_to_dict(allocate(*scenario_from_dict(case))) == case["expected"]


# --- strategies ---------------------------------------------------------------------------------


@st.composite
def rules_strategy(draw: st.DrawFn) -> Rules:
    reserve_bp = draw(st.integers(0, 10_000))
    left = 10_000 - reserve_bp
    funds = []
    for i in range(draw(st.integers(0, 3))):
        bp = draw(st.integers(0, left))
        left -= bp
        funds.append(Fund(f"fund-{i}", bp))
    class_count = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=class_count - 1, max_size=3)))
    weights = [high - low for low, high in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    classes = tuple(ClassRule(f"class-{i}", w, "minutes") for i, w in enumerate(weights))
    return Rules(reserve_bp, tuple(funds), classes, draw(st.integers(0, 2_000)))


@st.composite
def scenarios(draw: st.DrawFn, surplus: st.SearchStrategy[int] | None = None) -> Scenario:
    rules = draw(rules_strategy())
    if surplus is None:
        surplus = st.one_of(st.integers(-200_000, 0), st.integers(1, 50), st.integers(1, 2_000_000))
    period = PeriodFigures(
        surplus=draw(surplus),
        reserve_balance=draw(st.integers(0, 300_000)),
        deficit_brought_forward=draw(st.one_of(st.just(0), st.integers(0, 300_000))),
    )
    numbers = draw(st.lists(st.text("0123456789CW-", min_size=1, max_size=4), unique=True, max_size=12))
    class_names = [rule.name for rule in rules.classes]
    members = [
        MemberPatronage(
            number=number,
            member_class=draw(st.sampled_from(class_names)),
            patronage=draw(st.one_of(st.integers(0, 5), st.integers(0, 200_000))),
            carried_in=draw(st.one_of(st.just(0), st.integers(0, 2_000))),
            left=draw(st.booleans()),
        )
        for number in numbers
    ]
    return rules, period, members


# --- invariants ---------------------------------------------------------------------------------


# In a loss year `reserve` is the charge against the reserve, so this sum is about surplus years.
@PROPERTY
@given(scenarios(surplus=st.one_of(st.integers(1, 50), st.integers(1, 2_000_000))))
def test_reserve_funds_and_pool_add_up_to_the_distributable_surplus(scenario: Scenario) -> None:
    result = allocate(*scenario)
    assert result.pool >= 0
    assert result.reserve + sum(result.funds.values()) + result.pool == result.distributable


@PROPERTY
@given(scenarios())
def test_class_pools_add_up_to_the_pool(scenario: Scenario) -> None:
    result = allocate(*scenario)
    assert sum(result.class_pools.values()) == result.pool


@PROPERTY
@given(scenarios())
def test_allocations_and_the_unallocated_remainder_add_up_to_the_pool(scenario: Scenario) -> None:
    result = allocate(*scenario)
    allocated = sum([m.allocation for m in result.members.values()])
    assert allocated + result.unallocated_to_reserve == result.pool


@PROPERTY
@given(scenarios())
def test_every_penny_owed_is_either_paid_or_carried_forward(scenario: Scenario) -> None:
    members = allocate(*scenario).members.values()
    assert sum([m.paid + m.carried_out for m in members]) == sum(
        [m.allocation + m.carried_in for m in members]
    )


@PROPERTY
@given(scenarios())
def test_no_member_gets_a_negative_allocation_payment_or_carried_balance(
    scenario: Scenario,
) -> None:
    for member in allocate(*scenario).members.values():
        assert member.allocation >= 0
        assert member.paid >= 0
        assert member.carried_out >= 0


@PROPERTY
@given(scenarios())
def test_within_a_class_more_patronage_never_gets_a_smaller_allocation(
    scenario: Scenario,
) -> None:
    _, _, members = scenario
    result = allocate(*scenario)
    for a in members:
        for b in members:
            if a.member_class == b.member_class and a.patronage > b.patronage:
                assert result.members[a.number].allocation >= result.members[b.number].allocation


@PROPERTY
@given(scenarios(), st.data())
def test_shuffling_members_changes_nothing(scenario: Scenario, data: st.DataObject) -> None:
    rules, period, members = scenario
    shuffled = data.draw(st.permutations(members))
    expected = allocate(rules, period, members)
    assert allocate(rules, period, shuffled) == expected
    assert allocate(rules, period, members[::-1]) == expected


@PROPERTY
@given(scenarios(surplus=st.integers(-500_000, 0)))
def test_a_loss_year_allocates_nothing_and_leaves_carried_balances_unchanged(
    scenario: Scenario,
) -> None:
    _, period, members = scenario
    result = allocate(*scenario)
    assert result.pool == result.distributable == result.deficit_recovered == 0
    assert set(result.funds.values()) <= {0}
    for member in members:
        settled = result.members[member.number]
        assert settled.allocation == settled.paid == 0
        assert settled.carried_out == member.carried_in
    # The loss is absorbed by the reserve first and the deficit takes the rest, nothing more.
    assert result.reserve_balance_after >= 0
    assert result.reserve_balance_after - result.deficit_after == (
        period.reserve_balance - period.deficit_brought_forward + period.surplus
    )


@PROPERTY
@given(scenarios(surplus=st.integers(1, 2_000_000)))
def test_a_surplus_recovers_the_deficit_before_anything_is_distributed(scenario: Scenario) -> None:
    _, period, _ = scenario
    result = allocate(*scenario)
    assert result.deficit_recovered == min(period.surplus, period.deficit_brought_forward)
    assert result.distributable == 0 or result.deficit_after == 0
    assert result.deficit_recovered + result.distributable == period.surplus


# --- tie rules ----------------------------------------------------------------------------------


def one_class(minimum_payout: int = 0) -> Rules:
    return Rules(0, (), (ClassRule("worker", 10_000, "minutes"),), minimum_payout)


def surplus_of(pence: int) -> PeriodFigures:
    return PeriodFigures(surplus=pence, reserve_balance=0, deficit_brought_forward=0)


def test_an_equal_remainder_goes_to_the_lower_membership_number_in_string_order() -> None:
    members = [MemberPatronage("9", "worker", 60), MemberPatronage("10", "worker", 60)]
    result = allocate(one_class(), surplus_of(1), members)
    # "10" < "9" as strings, so "10" wins the tie even though 9 < 10 as numbers.
    assert result.members["10"].allocation == 1
    assert result.members["9"].allocation == 0


def test_an_equal_remainder_between_classes_goes_to_the_class_listed_first() -> None:
    workers = ClassRule("worker", 5_000, "minutes")
    consumers = ClassRule("consumer", 5_000, "net_purchases")
    members = [MemberPatronage("W-1", "worker", 1), MemberPatronage("C-1", "consumer", 1)]
    for classes, winner in [((workers, consumers), "worker"), ((consumers, workers), "consumer")]:
        result = allocate(Rules(0, (), classes, 0), surplus_of(3), members)
        assert result.class_pools[winner] == 2
        assert sum(result.class_pools.values()) == 3


def test_a_larger_remainder_beats_the_tie_break() -> None:
    members = [MemberPatronage("A", "worker", 1), MemberPatronage("B", "worker", 2)]
    result = allocate(one_class(), surplus_of(2), members)
    # A's share is 2/3 (remainder 2/3), B's 4/3 (remainder 1/3): the larger remainder wins.
    assert (result.members["A"].allocation, result.members["B"].allocation) == (1, 1)


# --- other edge rules ---------------------------------------------------------------------------


def test_a_class_with_a_pool_but_no_patronage_sends_its_pool_to_the_reserve() -> None:
    rules = Rules(
        1_000,
        (),
        (ClassRule("worker", 6_000, "minutes"), ClassRule("consumer", 4_000, "net_purchases")),
        0,
    )
    members = [MemberPatronage("W-1", "worker", 10), MemberPatronage("C-1", "consumer", 0)]
    result = allocate(rules, PeriodFigures(1_000, 50, 0), members)
    assert result.class_pools == {"worker": 540, "consumer": 360}
    assert result.unallocated_to_reserve == 360
    assert result.members["C-1"].allocation == 0
    assert result.reserve_balance_after == 50 + 100 + 360


def test_deductions_round_up_but_never_take_more_than_there_is() -> None:
    rules = Rules(5_000, (Fund("community", 5_000),), (ClassRule("worker", 10_000, "hours"),), 0)
    result = allocate(rules, surplus_of(1), [MemberPatronage("W-1", "worker", 1)])
    # Both rates round 0.5p up to 1p; the reserve comes first, so the fund gets what is left: 0.
    assert (result.reserve, result.funds, result.pool) == (1, {"community": 0}, 0)


def test_a_surplus_swallowed_by_the_deficit_pays_nobody_not_even_a_leaver() -> None:
    members = [MemberPatronage("W-1", "worker", 10, carried_in=700, left=True)]
    period = PeriodFigures(surplus=400, reserve_balance=0, deficit_brought_forward=1_000)
    result = allocate(one_class(minimum_payout=500), period, members)
    assert (result.deficit_recovered, result.deficit_after, result.distributable) == (400, 600, 0)
    assert result.members["W-1"].paid == 0
    assert result.members["W-1"].carried_out == 700


def test_a_leaver_is_paid_below_the_minimum_and_a_stayer_carries_it_forward() -> None:
    members = [
        MemberPatronage("W-1", "worker", 1, carried_in=5, left=True),
        MemberPatronage("W-2", "worker", 1, carried_in=5),
    ]
    result = allocate(one_class(minimum_payout=500), surplus_of(200), members)
    assert result.members["W-1"].paid == 105
    assert (result.members["W-2"].paid, result.members["W-2"].carried_out) == (0, 105)


# --- validation ---------------------------------------------------------------------------------


def valid() -> Scenario:
    rules = Rules(
        3_000,
        (Fund("community", 1_000),),
        (ClassRule("worker", 6_000, "minutes"), ClassRule("consumer", 4_000, "net_purchases")),
        500,
    )
    members = [MemberPatronage("W-1", "worker", 100), MemberPatronage("C-1", "consumer", 100)]
    return rules, PeriodFigures(10_000, 0, 0), members


def with_member(**changes: Any) -> Scenario:
    rules, period, members = valid()
    return rules, period, [replace(members[0], **changes), members[1]]


INVALID: dict[str, tuple[Scenario, str]] = {
    "class weights not summing to 10000": (
        (
            replace(valid()[0], classes=(ClassRule("worker", 6_000, "minutes"),)),
            *valid()[1:],
        ),
        r"class weights sum to 6000 bp; they must sum to 10000",
    ),
    "negative class weight": (
        (
            replace(
                valid()[0],
                classes=(ClassRule("worker", 11_000, "m"), ClassRule("consumer", -1_000, "p")),
            ),
            *valid()[1:],
        ),
        r"rate for class 'consumer' is negative \(-1000 bp\)",
    ),
    "negative reserve rate": (
        (replace(valid()[0], reserve_bp=-1), *valid()[1:]),
        r"rate for the reserve is negative",
    ),
    "negative fund rate": (
        (replace(valid()[0], funds=(Fund("community", -5),)), *valid()[1:]),
        r"rate for fund 'community' is negative",
    ),
    "reserve and funds over 10000": (
        (replace(valid()[0], reserve_bp=9_500), *valid()[1:]),
        r"reserve and funds together take 10500 bp; they may take at most 10000",
    ),
    "unknown member class": (
        with_member(member_class="volunteer"),
        r"Member W-1 is in class 'volunteer', which the rules do not define",
    ),
    "duplicate member number": (
        with_member(number="C-1"),
        r"Duplicate membership number: C-1",
    ),
    "duplicate class name": (
        (
            replace(
                valid()[0],
                classes=(ClassRule("worker", 5_000, "m"), ClassRule("worker", 5_000, "m")),
            ),
            *valid()[1:],
        ),
        r"Duplicate class: worker",
    ),
    "negative patronage": (with_member(patronage=-1), r"Member W-1's patronage is negative"),
    "negative carried-in balance": (
        with_member(carried_in=-3),
        r"Member W-1's carried-in balance is negative \(-3\)",
    ),
    "negative minimum payout": (
        (replace(valid()[0], minimum_payout=-1), *valid()[1:]),
        r"minimum payout is negative",
    ),
    "negative reserve balance": (
        (valid()[0], PeriodFigures(10_000, -1, 0), valid()[2]),
        r"reserve balance is negative",
    ),
    "negative deficit": (
        (valid()[0], PeriodFigures(10_000, 0, -1), valid()[2]),
        r"deficit brought forward is negative",
    ),
}


def test_the_valid_baseline_allocates() -> None:
    assert isinstance(allocate(*valid()), AllocationResult)


@pytest.mark.parametrize(("scenario", "message"), INVALID.values(), ids=INVALID.keys())
def test_invalid_input_is_refused_with_a_clear_message(scenario: Scenario, message: str) -> None:
    with pytest.raises(AllocationError, match=message):
        allocate(*scenario)


def test_an_allocation_error_is_a_value_error() -> None:
    assert issubclass(AllocationError, ValueError)


# --- reading and writing scenarios --------------------------------------------------------------


def minimal_scenario() -> dict[str, Any]:
    return {
        "rules": {
            "reserve_bp": 0,
            "funds": [],
            "classes": [{"name": "worker", "weight_bp": 10_000, "measure": "minutes"}],
            "minimum_payout": 0,
        },
        "period": {"surplus": 100, "reserve_balance": 0, "deficit_brought_forward": 0},
        "members": [{"number": "W-1", "class": "worker", "patronage": 5}],
    }


def test_a_scenario_member_defaults_to_nothing_carried_in_and_not_having_left() -> None:
    _, _, members = scenario_from_dict(minimal_scenario())
    assert members == [MemberPatronage("W-1", "worker", 5, carried_in=0, left=False)]


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("period", "surplus", 100.5, r"period\.surplus must be an integer, not 100\.5"),
        ("rules", "minimum_payout", True, r"rules\.minimum_payout must be an integer"),
        ("rules", "classes", "worker", r"rules\.classes must be a list"),
    ],
)
def test_a_scenario_with_a_mistyped_field_is_refused_by_name(
    section: str, key: str, value: object, message: str
) -> None:
    data = minimal_scenario()
    data[section][key] = value
    with pytest.raises(AllocationError, match=message):
        scenario_from_dict(data)


def test_a_scenario_with_a_missing_field_is_refused_by_name() -> None:
    data = minimal_scenario()
    del data["members"][0]["patronage"]
    with pytest.raises(AllocationError, match=r"members\[\]\.patronage is missing"):
        scenario_from_dict(data)


def test_a_numeric_membership_number_is_refused_because_order_is_by_string() -> None:
    data = minimal_scenario()
    data["members"][0]["number"] = 9
    with pytest.raises(AllocationError, match=r"members\[\]\.number must be a string"):
        scenario_from_dict(data)


def test_the_result_dict_has_exactly_the_expected_keys_and_is_json_ready() -> None:
    output = result_to_dict(allocate(*scenario_from_dict(minimal_scenario())))
    assert set(output) == {
        "deficit_recovered",
        "distributable",
        "reserve",
        "funds",
        "pool",
        "class_pools",
        "unallocated_to_reserve",
        "reserve_balance_after",
        "deficit_after",
        "members",
    }
    assert output["members"] == {
        "W-1": {"allocation": 100, "carried_in": 0, "payable": 100, "paid": 100, "carried_out": 0}
    }
    assert json.loads(json.dumps(output)) == output
