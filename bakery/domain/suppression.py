"""Small-number suppression for figures about people (the social impact report).

No published cell describes fewer than five people. Three rules, applied in this order:

1. **Primary:** a count of 1 to 4 people is shown as "fewer than 5" (0 is shown: it describes no one).
2. **Secondary:** where parts add up to a total that is also published (programme workers + other
   workers = all workers), one hidden cell could be recovered by subtraction; so while exactly one
   cell of such a group is hidden, the smallest other shown part (or, with no other part, the total)
   is hidden too, until no group has exactly one hidden cell.
3. **Rounding:** every count that is shown is rounded to the nearest multiple of 5 (halves up), so
   the difference between two published figures, of one report or of two overlapping periods, is
   always a multiple of 5 and never names a group of 1 to 4 people.

Figures that are not counts (hours, a share) follow the people they describe: they are hidden
when the count of those people is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: The fewest people a published cell may describe.
THRESHOLD = 5
#: Published counts are rounded to a multiple of this.
BASE = 5
FEWER = f"fewer than {THRESHOLD}"


@dataclass(frozen=True, slots=True)
class Shown:
    """A published count: the rounded value, or None when hidden (shown as "fewer than 5")."""

    value: int | None

    @property
    def hidden(self) -> bool:
        """Whether the cell is suppressed."""
        return self.value is None

    def __str__(self) -> str:
        return FEWER if self.value is None else str(self.value)


@dataclass(frozen=True, slots=True)
class Group:
    """Cells whose counts add up to a published total: `total` = sum of `parts`."""

    total: str
    parts: tuple[str, ...]


def round_count(count: int) -> int:
    """A count rounded to the nearest multiple of BASE, halves up (12 → 10, 13 → 15, 3 → 5).

    Rule: counts are never negative.
    """
    if count < 0:
        raise ValueError("A count of people is never negative.")
    return (count + BASE // 2) // BASE * BASE


def is_small(count: int) -> bool:
    """Rule: 1 to THRESHOLD - 1 people is a small group (0 is not: it describes no one)."""
    return 0 < count < THRESHOLD


def suppress(counts: Mapping[str, int], groups: Sequence[Group] = ()) -> dict[str, Shown]:
    """Publish counts of people: primary suppression, secondary suppression within each additive
    group, then rounding (see the module's rules).

    Rule: every group names cells present in `counts`; the result has one entry per count.
    """
    for group in groups:
        for name in (group.total, *group.parts):
            if name not in counts:
                raise ValueError(f"The group names {name!r}, which is not a count.")
    hidden = {name for name, count in counts.items() if is_small(count)}
    changed = True
    while changed:
        changed = False
        for group in groups:
            cells = (group.total, *group.parts)
            if sum(1 for name in cells if name in hidden) != 1:
                continue
            shown_parts = sorted((counts[name], name) for name in group.parts if name not in hidden)
            hidden.add(shown_parts[0][1] if shown_parts else group.total)
            changed = True
    return {name: Shown(None if name in hidden else round_count(count)) for name, count in counts.items()}


def follow(shown: Shown, figure: int) -> int | None:
    """A figure about the people of a count (their hours, their share): None when they are hidden.

    Rule: the figure itself is not rounded; it is withheld exactly when its count is.
    """
    return None if shown.hidden else figure
