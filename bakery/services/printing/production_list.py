"""The production list: the day's accepted bake plan as a kitchen document (queued like a kitchen
ticket, rendered by `printers` for the kitchen printer's profile)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from printers import Columns, Cut, Document, Rule, Text


@dataclass(frozen=True)
class ListLine:
    """One product to bake: units, and the whole batches of `batch_size` that make them."""

    name: str
    qty: int
    batches: int
    batch_size: int


def production_list_document(
    day: date, lines: Sequence[ListLine], *, accepted_by: str = "", accepted_at: str = ""
) -> Document:
    """The production list: the day in big type, then each product with its units in big type
    and its batches beneath, and the total units.

    Rule: a product with nothing to bake is left off; an empty plan says so rather than printing
    a blank list.
    """
    blocks: list[Any] = [
        Text("PRODUCTION LIST", bold=True, size="double"),
        Text(f"{day:%A %d %B %Y}", bold=True),
    ]
    if accepted_by or accepted_at:
        blocks.append(Text(" ".join(part for part in ("Accepted", accepted_at, "by", accepted_by) if part)))
    blocks.append(Rule())
    baking = [line for line in lines if line.qty > 0]
    for line in baking:
        blocks.append(Columns(line.name, str(line.qty), bold=True))
        if line.batch_size > 1:
            plural = "batch" if line.batches == 1 else "batches"
            blocks.append(Text(f"  {line.batches} {plural} of {line.batch_size}"))
    if not baking:
        blocks.append(Text("Nothing to bake.", bold=True))
    blocks += [Rule(), Columns("Total units", str(sum(line.qty for line in baking)), bold=True), Cut()]
    return Document(kind="production", blocks=tuple(blocks), title=f"Production list {day:%d %b %Y}")
