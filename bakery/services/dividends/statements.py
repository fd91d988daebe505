"""Dividend statements: one PDF per member per approved allocation, explaining their figure.

A statement is a `printers.Document` rendered on A4 (`render_pdf(doc, page="a4")`), so the same
text could be printed at the counter. It is built from the approved allocation line (what was
decided) and the allocation's frozen scenario (the rules and totals it was decided from).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from bakery.domain import patronage_terms as terms
from bakery.domain.money import Pence, round_half_up
from bakery.domain.vat import format_rate
from bakery.extensions import db
from bakery.formatting import money
from bakery.models import Allocation, AllocationLine, FinancialPeriod, Member, Payout
from bakery.services.dividends import PAYOUT_METHODS
from bakery.services.errors import NotFound
from bakery.services.settings import current_settings
from printers.document import Columns, Document, Feed, Rule, Text
from printers.render_pdf import render_pdf

A4_COLUMNS = 72


def format_minutes(minutes: int) -> str:
    """Minutes as hours and minutes: 754 → "12 h 34 min"."""
    hours, rest = divmod(max(minutes, 0), 60)
    return f"{hours} h {rest:02d} min"


def format_share(ppm: int) -> str:
    """A share held in millionths as a percentage with two decimals: 123456 → "12.35 %"."""
    if ppm <= 0:
        return "0 %"
    hundredths = round_half_up(ppm, 100)
    if hundredths == 0:
        return "< 0.01 %"
    whole, part = divmod(hundredths, 100)
    return f"{whole}.{part:02d} %"


def format_patronage(measure: str, amount: int) -> str:
    """Patronage in its measure's words: hours worked, or purchases net of VAT."""
    if measure == "hours":
        return format_minutes(amount)
    if measure == "purchases":
        return money(amount)
    return "not measured"


def share_ppm(patronage: int, class_patronage: int) -> int:
    """A member's part of their class's patronage, in millionths (rounded half up)."""
    return (
        round_half_up(patronage * 1_000_000, class_patronage) if class_patronage > 0 and patronage > 0 else 0
    )


@dataclass(frozen=True)
class StatementRow:
    """One statement in a member's list."""

    allocation_id: int
    period_name: str
    adjustment: bool
    approved_at: datetime | None
    resolution_ref: str
    allocation_amount: Pence
    paid: Pence
    carried_out: Pence
    surplus: Pence  # the period's surplus (an adjustment's further surplus); negative: a loss

    @property
    def loss(self) -> Pence:
        """The loss the co-op made (0 in a year with a surplus): such a year pays no dividend."""
        return max(-self.surplus, 0)


def list_statements(member_id: int) -> list[StatementRow]:
    """A member's statements: one per approved allocation with a line for them, newest first."""
    query = (
        select(
            Allocation.id,
            FinancialPeriod.name,
            Allocation.adjusts_id,
            Allocation.approved_at,
            Allocation.resolution_ref,
            AllocationLine.allocation_amount,
            AllocationLine.paid,
            AllocationLine.carried_out,
            Allocation.surplus,
        )
        .join(AllocationLine, AllocationLine.allocation_id == Allocation.id)
        .join(FinancialPeriod, FinancialPeriod.id == Allocation.period_id)
        .where(AllocationLine.member_id == member_id, Allocation.status == "approved")
        .order_by(Allocation.approved_at.desc(), Allocation.id.desc())
    )
    return [
        StatementRow(aid, name, adjusts is not None, at, ref or "", amount, paid, out, int(surplus or 0))
        for aid, name, adjusts, at, ref, amount, paid, out, surplus in db.session.execute(query)
    ]


def _line(allocation_id: int, member_id: int) -> tuple[Allocation, AllocationLine, Member]:
    found = db.session.execute(
        select(Allocation, AllocationLine, Member)
        .join(AllocationLine, AllocationLine.allocation_id == Allocation.id)
        .join(Member, Member.id == AllocationLine.member_id)
        .where(
            Allocation.id == allocation_id,
            Allocation.status == "approved",
            AllocationLine.member_id == member_id,
        )
    ).first()
    if found is None:
        raise NotFound("There is no such statement.")
    return found[0], found[1], found[2]


def _day(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def _carried_in_label(allocation: Allocation, line: AllocationLine) -> str:
    """Where the balance carried into this allocation came from: the member's latest line in an
    allocation approved before this one (the same period's first allocation, for an adjustment)."""
    if not line.carried_in:
        return "Carried in: nothing was held in your name"
    source = db.session.execute(
        select(Allocation.id, Allocation.adjusts_id, FinancialPeriod.name, AllocationLine.carried_out)
        .join(AllocationLine, AllocationLine.allocation_id == Allocation.id)
        .join(FinancialPeriod, FinancialPeriod.id == Allocation.period_id)
        .where(
            AllocationLine.member_id == line.member_id,
            Allocation.status == "approved",
            Allocation.id != allocation.id,
            Allocation.approved_at <= (allocation.approved_at or allocation.proposed_at),
            AllocationLine.carried_out > 0,
        )
        .order_by(Allocation.approved_at.desc(), Allocation.id.desc())
        .limit(1)
    ).first()
    if source is None or int(source[3]) != line.carried_in:
        return "Carried in from earlier allocations"
    source_id, adjusts, period_name, _ = source
    kind = f"adjustment #{source_id}" if adjusts else f"allocation #{source_id}"
    if period_name == allocation.period.name:
        return f"Carried in from this period's {kind}"
    return f"Carried in from {period_name}'s {kind}"


def _result_blocks(allocation: Allocation, scenario: dict[str, Any], result: dict[str, Any]) -> list[Any]:
    """How the period's result (or the adjustment's further amount) was shared, in plain words."""
    rules = scenario["rules"]
    period = allocation.period
    surplus = int(scenario["period"]["surplus"])
    brought = int(scenario["period"]["deficit_brought_forward"])
    if surplus <= 0:
        charge = -int(result["reserve"])
        blocks: list[Any] = [
            Text(f"No dividend this year: the co-op made a loss of {money(-surplus)}.", bold=True)
            if surplus < 0
            else Text("No dividend this year: the co-op broke even, with no surplus to share.", bold=True),
            Columns(f"Loss for {period.name}", money(-surplus)),
            Columns("Charged to the indivisible reserve", money(charge)),
            Columns("Added to the deficit carried forward", money(int(result["deficit_after"]) - brought)),
            Columns("Reserve left after the loss", money(int(result["reserve_balance_after"]))),
            Columns(
                "Deficit carried forward, recovered from future surpluses before any dividend",
                money(int(result["deficit_after"])),
                bold=True,
            ),
        ]
        return blocks
    if allocation.adjusts_id:
        blocks = [Columns(f"Further surplus for {period.name} shared by this adjustment", money(surplus))]
    else:
        blocks = [Columns(f"Surplus for {period.name}", money(surplus))]
    if result["deficit_recovered"]:
        blocks.append(
            Columns("Deficit from earlier years recovered first", money(result["deficit_recovered"]))
        )
    if int(result["distributable"]) <= 0:
        blocks.append(Text("No dividend this time: all of it went to recover earlier losses.", bold=True))
    blocks.append(
        Columns(f"Indivisible reserve ({format_rate(int(rules['reserve_bp']))})", money(result["reserve"]))
    )
    for fund in rules["funds"]:
        blocks.append(
            Columns(f"{fund['name']} ({format_rate(int(fund['bp']))})", money(result["funds"][fund["name"]]))
        )
    blocks.append(Columns("Dividend pool shared between members", money(result["pool"]), bold=True))
    return blocks


def statement_document(allocation_id: int, member_id: int) -> Document:
    """The statement of one member's line in an approved allocation, as a printable document.

    Rule: every figure is labelled as what it is: the period's surplus (an adjustment's further
    surplus, or a loss with no dividend), the member's patronage in their class's measure
    (approved hours, purchases net of VAT and refunds, or not measured), and a carried-in balance
    named by the allocation it was carried from.
    """
    allocation, line, member = _line(allocation_id, member_id)
    period = allocation.period
    scenario: dict[str, Any] = json.loads(allocation.scenario_json)
    result: dict[str, Any] = json.loads(allocation.result_json)
    rules = scenario["rules"]
    weights = {c["name"]: int(c["weight_bp"]) for c in rules["classes"]}
    payout = db.session.scalar(select(Payout).where(Payout.line_id == line.id))
    shop = current_settings()
    adjustment = allocation.adjusts_id is not None
    loss = int(scenario["period"]["surplus"]) <= 0

    blocks: list[Any] = [
        Text(shop.shop_name, bold=True, align="center", size="tall"),
        Text("Dividend statement" + (": adjustment" if adjustment else ""), bold=True, align="center"),
        Text(
            f"{period.name} · {_day(period.starts_on)} to {_day(period.ends_on)}",
            align="center",
        ),
    ]
    if adjustment:
        blocks.append(
            Text(
                f"Adjustment #{allocation.id} to {period.name}'s allocation #{allocation.adjusts_id}: "
                "a further amount shared by the same rules",
                align="center",
            )
        )
    blocks += [
        Text(
            f"Approved by the general meeting: resolution {allocation.resolution_ref}, "
            f"{_day(allocation.resolution_date)}",
            align="center",
        ),
        Rule("="),
        Columns("Member", member.name),
        Columns("Membership number", member.number),
        Columns("Class", line.class_name.title()),
        Rule(),
        Text(
            f"The co-op's result for {period.name}"
            if loss
            else ("What this adjustment shares" if adjustment else "How the surplus was shared"),
            bold=True,
        ),
        *_result_blocks(allocation, scenario, result),
    ]
    if not loss:
        blocks.append(
            Columns(
                f"{line.class_name.title()} members' part of the pool "
                f"({format_rate(weights.get(line.class_name, 0))})",
                money(line.class_pool),
            )
        )
    own = next((m for m in scenario["members"] if int(m.get("member_id", 0)) == member.id), {})
    blocks += [
        Rule(),
        Text("Your share", bold=True),
        *_patronage_blocks(line, period.name, int(own.get("opening", 0))),
    ]
    dividend_label = (
        "Your dividend from this adjustment" if adjustment else f"Your dividend for {period.name}"
    )
    blocks += [
        Columns(dividend_label, "none (a loss year)" if loss else money(line.allocation_amount), bold=True),
        Columns(_carried_in_label(allocation, line), money(line.carried_in)),
    ]
    if not loss:
        blocks.append(Columns("Payable now: your dividend plus what was carried in", money(line.payable)))
    blocks += [
        Columns(
            "Paid to you from this " + ("adjustment" if adjustment else "allocation"),
            money(line.paid),
            bold=True,
        ),
        Columns("Carried forward in your name to the next allocation", money(line.carried_out)),
        Rule(),
    ]
    blocks += _explanations(line, rules, loss=loss)
    if payout is not None:
        how = f"Paid: {PAYOUT_METHODS[payout.method].lower()}, {money(payout.amount)}."
    elif line.paid > 0:
        how = "To be paid: as cash, as store credit at the till, or added to your share capital."
    else:
        how = "Nothing is paid this time."
    blocks += [
        Text(how, bold=True),
        Feed(),
        Text(
            f"{'Adjustment' if adjustment else 'Allocation'} #{allocation.id} · "
            f"inputs {allocation.inputs_hash[:16]}",
            align="right",
        ),
    ]
    title = f"Dividend statement {member.number} {period.name}"
    return Document(kind="statement", blocks=tuple(blocks), title=title)


def _patronage_blocks(line: AllocationLine, period_name: str, opening: int) -> list[Any]:
    """The member's patronage and their class's, named by the class's measure, with the part
    brought from the old system."""
    if line.measure == "none":
        return [Columns(f"Your patronage in {period_name}", "not measured for your class")]
    brought = (
        [
            Columns(
                "of which opening balance brought from the old system",
                format_patronage(line.measure, opening),
            )
        ]
        if opening
        else []
    )
    return [
        Columns(
            f"{terms.class_label(line.measure, line.class_name)} in {period_name}",
            format_patronage(line.measure, line.class_patronage),
        ),
        Columns(
            f"{terms.own_label(line.measure)} in {period_name}",
            format_patronage(line.measure, line.patronage),
        ),
        *brought,
        Columns(
            f"Your share of the {line.class_name} members' {terms.basis(line.measure)}",
            format_share(share_ppm(line.patronage, line.class_patronage)),
        ),
    ]


def _explanations(line: AllocationLine, rules: dict[str, Any], *, loss: bool) -> list[Any]:
    """Plain sentences under the figures: how the dividend was worked out and why a balance is kept."""
    blocks: list[Any] = []
    if loss:
        blocks.append(
            Text(
                "In a loss year nothing is allocated or paid: the loss is charged to the reserve and what "
                "the reserve cannot cover is carried forward as a deficit."
            )
        )
        if line.carried_out:
            blocks.append(
                Text(
                    f"The {money(line.carried_out)} held in your name stays yours: it is carried forward "
                    "to the next allocation, never forfeited."
                )
            )
        return blocks
    if line.measure == "none":
        blocks.append(Text("Your class's patronage is not measured, so it takes no share of the pool."))
    elif line.patronage == 0:
        blocks.append(
            Text(
                f"You had no {terms.basis(line.measure)} in this period, "
                "so your share of the pool is nothing."
            )
        )
    else:
        blocks.append(
            Text(
                f"Your dividend = your class's part of the pool x your {terms.basis(line.measure)} / all "
                f"{line.class_name} members' {terms.basis(line.measure)}, in whole pence; the pennies left "
                "over go to the largest remainders, so every share adds up exactly."
            )
        )
    if line.carried_out:
        blocks.append(
            Text(
                f"Amounts below the minimum payout of {money(int(rules['minimum_payout']))} are carried "
                "forward in your name to the next allocation, never forfeited."
            )
        )
    return blocks


def statement_pdf(allocation_id: int, member_id: int) -> tuple[bytes, str]:
    """The statement as an A4 PDF and a file name for it."""
    document = statement_document(allocation_id, member_id)
    member_number = db.session.scalar(select(Member.number).where(Member.id == member_id)) or "member"
    filename = f"dividend-{member_number}-allocation-{allocation_id}.pdf".replace(" ", "-")
    return render_pdf(document, page="a4", columns=A4_COLUMNS), filename
