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
        )
        .join(AllocationLine, AllocationLine.allocation_id == Allocation.id)
        .join(FinancialPeriod, FinancialPeriod.id == Allocation.period_id)
        .where(AllocationLine.member_id == member_id, Allocation.status == "approved")
        .order_by(Allocation.approved_at.desc(), Allocation.id.desc())
    )
    return [
        StatementRow(aid, name, adjusts is not None, at, ref or "", amount, paid, out)
        for aid, name, adjusts, at, ref, amount, paid, out in db.session.execute(query)
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


def statement_document(allocation_id: int, member_id: int) -> Document:
    """The statement of one member's line in an approved allocation, as a printable document."""
    allocation, line, member = _line(allocation_id, member_id)
    period = allocation.period
    scenario: dict[str, Any] = json.loads(allocation.scenario_json)
    result: dict[str, Any] = json.loads(allocation.result_json)
    rules = scenario["rules"]
    weights = {c["name"]: int(c["weight_bp"]) for c in rules["classes"]}
    payout = db.session.scalar(select(Payout).where(Payout.line_id == line.id))
    shop = current_settings()

    blocks: list[Any] = [
        Text(shop.shop_name, bold=True, align="center", size="tall"),
        Text("Dividend statement", bold=True, align="center"),
        Text(
            f"{period.name} · {_day(period.starts_on)} to {_day(period.ends_on)}",
            align="center",
        ),
    ]
    if allocation.adjusts_id:
        blocks.append(Text(f"Adjustment to allocation #{allocation.adjusts_id}", align="center"))
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
        Text("How the surplus was shared", bold=True),
        Columns("Surplus for the period", money(int(scenario["period"]["surplus"]))),
    ]
    if result["deficit_recovered"]:
        blocks.append(Columns("Deficit from earlier years recovered", money(result["deficit_recovered"])))
    blocks.append(
        Columns(f"Indivisible reserve ({format_rate(int(rules['reserve_bp']))})", money(result["reserve"]))
    )
    for fund in rules["funds"]:
        blocks.append(
            Columns(f"{fund['name']} ({format_rate(int(fund['bp']))})", money(result["funds"][fund["name"]]))
        )
    blocks += [
        Columns("Dividend pool for members", money(result["pool"]), bold=True),
        Columns(
            f"{line.class_name.title()} members' pool ({format_rate(weights.get(line.class_name, 0))})",
            money(line.class_pool),
        ),
        Rule(),
        Text("Your share", bold=True),
        Columns(
            f"Patronage of all {line.class_name} members",
            format_patronage(line.measure, line.class_patronage),
        ),
        Columns("Your patronage", format_patronage(line.measure, line.patronage)),
        Columns("Your share of the class", format_share(share_ppm(line.patronage, line.class_patronage))),
        Columns("Your dividend", money(line.allocation_amount), bold=True),
        Columns("Carried in from earlier periods", money(line.carried_in)),
        Columns("Payable", money(line.payable)),
        Columns("Paid", money(line.paid), bold=True),
        Columns("Carried forward in your name", money(line.carried_out)),
        Rule(),
    ]
    if line.measure == "none":
        blocks.append(Text("Your class's patronage is not measured, so it takes no share of the pool."))
    elif line.patronage == 0:
        blocks.append(Text("You had no patronage in this period, so your share of the pool is nothing."))
    else:
        blocks.append(
            Text(
                "Your dividend = the class pool x your patronage / the class's patronage, in whole pence; "
                "the pennies left over go to the largest remainders, so every share adds up exactly."
            )
        )
    if line.carried_out:
        blocks.append(
            Text(
                f"Amounts below the minimum payout of {money(int(rules['minimum_payout']))} are carried "
                "forward in your name to the next period, never forfeited."
            )
        )
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
            f"Allocation #{allocation.id} · inputs {allocation.inputs_hash[:16]}",
            align="right",
        ),
    ]
    title = f"Dividend statement {member.number} {period.name}"
    return Document(kind="statement", blocks=tuple(blocks), title=title)


def statement_pdf(allocation_id: int, member_id: int) -> tuple[bytes, str]:
    """The statement as an A4 PDF and a file name for it."""
    document = statement_document(allocation_id, member_id)
    member_number = db.session.scalar(select(Member.number).where(Member.id == member_id)) or "member"
    filename = f"dividend-{member_number}-allocation-{allocation_id}.pdf".replace(" ", "-")
    return render_pdf(document, page="a4", columns=A4_COLUMNS), filename
