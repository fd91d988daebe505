"""What the dividends area shares: its defaults, the allocation's inputs and the views of a result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bakery.domain.allocation import (
    AllocationResult,
)
from bakery.domain.money import Pence
from bakery.services.errors import ServiceError

#: A member class's patronage measure (as stored) and the engine's name for it.
MEASURE_TO_ENGINE = {"hours": "minutes", "purchases": "net_purchases", "none": "none"}


ENGINE_TO_MEASURE = {engine: measure for measure, engine in MEASURE_TO_ENGINE.items()}


PAYOUT_METHODS = {"cash": "Cash", "credit": "Store credit", "shares": "Added to share capital"}


DEFAULT_RESERVE_BP = 3000


DEFAULT_FUNDS = (("Community fund", 1000), ("Education", 500))


DEFAULT_MINIMUM_PAYOUT = 500


DEFAULT_CLASS_WEIGHTS = {"worker": 6000, "customer": 4000}


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
    """One part of how the surplus is split: a bar of the chart and a row of its table."""

    label: str
    amount: Pence


@dataclass(frozen=True)
class AllocationView:
    """Everything a preview or an allocation page shows."""

    scenario: dict[str, Any]
    inputs_hash: str
    result: AllocationResult
    members: list[MemberRow]
    classes: list[ClassRow]
    bars: list[Bar]
    surplus: Pence
    allocated: Pence
    funds_total: Pence
    carried_in: Pence
    paid: Pence
    carried_out: Pence
    accounted: Pence  # deficit recovered + reserve + funds + unallocated + allocated (= surplus)
    balanced: bool  # every penny of the surplus (or the loss) is accounted for
    adjustment: bool = False  # the surplus is a further amount for an already approved period
    loss: Pence = 0  # the loss made (positive), 0 in a year with a surplus
    reserve_charge: Pence = 0  # what a loss took from the reserve (positive)
    deficit_added: Pence = 0  # what a loss added to the deficit carried forward
    notes: list[str] = field(default_factory=list)
