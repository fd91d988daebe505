"""What a financial period accepts once it closes: the one rule every writer asks.

A period closes in two steps. It **ends** when its last day is over (the planned last day, or an
earlier one an admin chose by closing it early). It is **frozen** once an allocation is proposed
(its figures are then fixed in the proposal) and stays frozen when the general meeting approves
it. A period can be proposed only after it has ended, and only an open period can be closed
early, so the period that contains today is never frozen.

The rule, by kind of write:

- **What happens now** — a sale, a refund, a store-credit spend (or a refund to store credit), a
  clock-in — belongs to the period that contains today, by the shop's local date. Whatever happens
  after a period has ended therefore lands in the next period, never in the ended one. When no
  period contains today but one ended before it, the next period is **opened** (created) rather
  than the write refused: a sale at the counter is never refused or lost, and nor is a person's
  start of work. The new period runs for a year from the day after the latest end (up to the day
  before a later period, if an admin has already set one up); years that went by without a write
  are opened one after another. A shop that keeps no periods at all has nothing to open.
- **A refund** counts in the period in which it happens, against the member of the original
  sale, however old the sale: it lowers that member's purchases in the current period (which may
  go below zero there; the allocation counts a negative figure as zero).
- **A clock-out** belongs to its shift, and a shift to the day it began. A proposal waits while a
  shift begun in the period is still open, so a clock-out after the close is of a shift that
  began after it. Should one turn up anyway (a shift left open from before this rule), the
  clock-out is still recorded — nobody is kept at work by a rule — and the person is told that
  the shift counts nowhere until an admin allocates it as an adjustment.
- **What is written about a day** — correcting hours, approving hours, a member confirming or
  flagging an entry — is accepted after the period has ended (managers approve the last week's
  timesheets before the allocation is proposed) and **refused once the day's period is frozen**,
  with a message naming the period and the way to change it: withdraw the proposal, or, once
  approved, allocate the change as an adjustment on the period's page. A correction is checked
  on the day it moves from and the day it moves to.

Nothing therefore lands in a frozen period silently: it lands in the next one or is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: Statuses of a period whose figures are fixed: an allocation proposed, or approved.
FROZEN = ("proposed", "approved")


class Write(StrEnum):
    """The kinds of write that touch a period's figures."""

    SALE = "sale"
    REFUND = "refund"
    CREDIT_SPEND = "store-credit spend"
    CLOCK_IN = "clock-in"
    CLOCK_OUT = "clock-out"
    CORRECTION = "correction"
    APPROVAL = "approval"
    FLAG = "flag"


#: Writes dated by when they happen (today); they never touch an ended period.
HAPPENS_NOW = frozenset({Write.SALE, Write.REFUND, Write.CREDIT_SPEND, Write.CLOCK_IN})
#: Writes about a day in the past; refused once that day's period is frozen.
ABOUT_A_DAY = frozenset({Write.CORRECTION, Write.APPROVAL, Write.FLAG})


@dataclass(frozen=True, slots=True)
class PeriodSpan:
    """A period as the rule sees it: its name, first and last day (inclusive) and status."""

    name: str
    starts_on: date
    ends_on: date
    status: str = "open"

    @property
    def frozen(self) -> bool:
        """Whether an allocation has fixed its figures (proposed or approved)."""
        return self.status in FROZEN

    def covers(self, day: date) -> bool:
        """Whether the day lies in the period."""
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, slots=True)
class NewPeriod:
    """A period to open so that a write happening now has a period to land in."""

    name: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class Landing:
    """Where a write lands: the period's name (None: the shop keeps no period for that day),
    the periods to open first, and a notice for the person when it counts nowhere."""

    period: str | None
    opens: tuple[NewPeriod, ...] = ()
    notice: str = ""


class PeriodClosed(ValueError):
    """A write about a day whose period is frozen: refused, with the way to change it."""


def covering(periods: Iterable[PeriodSpan], day: date) -> PeriodSpan | None:
    """The period that contains the day, if any (no day lies in two periods)."""
    return next((p for p in periods if p.covers(day)), None)


def closed_message(period: PeriodSpan, what: str = "This") -> str:
    """The refusal for a write about a day in a frozen period: names the period and the route.

    Rule: a proposed period is changed by withdrawing the proposal first; an approved one only by
    an adjustment allocation, on the period's page (Office, Dividends, the period).
    """
    if period.status == "approved":
        return (
            f"{what} falls in {period.name}, which is closed: its allocation has been approved. "
            f"Ask an admin to allocate the correction as an adjustment (Office, Dividends, {period.name})."
        )
    return (
        f"{what} falls in {period.name}, which is closed: its allocation has been proposed with its "
        f"figures frozen. Ask an admin to withdraw the proposal first (Office, Dividends, {period.name}); "
        "once it is approved, a correction is allocated as an adjustment."
    )


def _year_on(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February: a year on is 1 March
        return date(day.year + 1, 3, 1)


def _name(starts_on: date, ends_on: date, taken: set[str]) -> str:
    if starts_on.year == ends_on.year:
        name = str(starts_on.year)
    elif ends_on.year == starts_on.year + 1:
        name = f"{starts_on.year}-{ends_on.year % 100:02d}"
    else:
        name = f"{starts_on.year}-{ends_on.year}"
    if name.lower() in taken:
        name = f"{starts_on.isoformat()} to {ends_on.isoformat()}"
    return name


def periods_to_open(periods: Sequence[PeriodSpan], today: date) -> tuple[NewPeriod, ...]:
    """The periods to open so that today lies in one (none when one already does).

    Rule: only after a period has ended (a shop with no periods, or a day before the first one,
    opens nothing); the next period begins the day after the latest end before today and runs
    for a year, cut short the day before a later period begins; repeated until today is covered.
    Names follow the years ("2027-28", or "2027" within one year); a name already taken gives
    way to the dates ("2027-04-01 to 2028-03-31").
    """
    if covering(periods, today) is not None:
        return ()
    ended = [p.ends_on for p in periods if p.ends_on < today]
    if not ended:
        return ()
    later = [p.starts_on for p in periods if p.starts_on > today]
    limit = min(later) - timedelta(days=1) if later else None
    taken = {p.name.lower() for p in periods}
    opened: list[NewPeriod] = []
    start = max(ended) + timedelta(days=1)
    while True:
        end = _year_on(start) - timedelta(days=1)
        if limit is not None and end > limit:
            end = limit
        opened.append(NewPeriod(_name(start, end, taken), start, end))
        taken.add(opened[-1].name.lower())
        if end >= today:
            return tuple(opened)
        start = end + timedelta(days=1)


def landing(
    write: Write,
    periods: Sequence[PeriodSpan],
    today: date,
    about: Sequence[date] = (),
    *,
    what: str = "This",
) -> Landing:
    """Where a write of this kind lands, or `PeriodClosed` when it is refused (see the module's rule).

    `today` is the shop's local date now; `about` the days the write is about: a clock-out's shift
    start, a correction's old and new start, an approval's or a flag's work day.
    """
    if write in HAPPENS_NOW:
        found = covering(periods, today)
        if found is not None:
            return Landing(found.name)
        opens = periods_to_open(periods, today)
        return Landing(opens[-1].name if opens else None, opens)
    if write is Write.CLOCK_OUT:
        found = covering(periods, min(about)) if about else None
        if found is not None and found.frozen:
            return Landing(
                None,
                notice=(
                    f"This shift began in {found.name}, which is closed: it counts nowhere until an admin "
                    f"allocates it as an adjustment (Office, Dividends, {found.name})."
                ),
            )
        return Landing(found.name if found is not None else None)
    frozen = [p for p in (covering(periods, day) for day in sorted(set(about))) if p is not None and p.frozen]
    if frozen:
        raise PeriodClosed(closed_message(frozen[0], what))
    found = covering(periods, max(about)) if about else None
    return Landing(found.name if found is not None else None)
