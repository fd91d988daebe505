"""Opening patronage from a co-op's old till or spreadsheet: reading and checking its CSV file.

A co-op that moves to this system mid-year brings each member's purchases and hours so far as a
CSV file. The file is refused whole, naming the row, unless everything in it adds up:

```
member_number,date,purchases_net_of_vat,approved_hours
M-0101,2025-03-31,123.45,0
W-0002,2025-03-31,0,151:40
TOTAL,,123.45,151:40
```

- The header names exactly those four columns (any case, in that order); a UTF-8 byte-order mark
  is allowed. The file is UTF-8 text: no NUL bytes, at most `MAX_BYTES` and `MAX_ROWS` rows.
- Each row: a known membership number; a date (YYYY-MM-DD) inside the period; purchases in pounds
  net of VAT, never negative, in whole pence; approved hours as `h:mm` or decimal hours that make
  whole minutes (7.5 = 7:30), never negative. One row per member per day.
- No cell may start with `=`, `+`, `-`, `@`, a tab or a carriage return: a spreadsheet would run
  it as a formula (a negative amount is refused as negative, with its own message).
- The last row is the control total, `TOTAL` in the first column and no date: it must equal the
  sums of the rows above it. Blank lines are ignored.

Nothing here touches the database: the caller gives the known membership numbers and the period.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from bakery.domain.money import MAX_AMOUNT, MoneyError, Pence, parse_pence

HEADER = ("member_number", "date", "purchases_net_of_vat", "approved_hours")
TOTAL_MARK = "TOTAL"
MAX_BYTES = 1_000_000
MAX_ROWS = 50_000
#: A single row's purchases may be a whole year's (£1,000,000 at most); hours at most 8,784 (a leap year).
MAX_PURCHASES: Pence = 100 * MAX_AMOUNT
MAX_MINUTES = 366 * 24 * 60
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_HOURS_MINUTES = re.compile(r"(\d{1,6}):([0-5]\d)")
_DECIMAL_HOURS = re.compile(r"(\d{1,6})(?:\.(\d{1,4}))?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class OpeningFileRefused(ValueError):
    """The file does not add up; `row` is the file's row number (the header is row 1), if any."""

    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(f"Row {row}: {message}" if row else message)
        self.row = row


@dataclass(frozen=True)
class OpeningRow:
    """One member's opening purchases (net of VAT) and approved minutes on one day."""

    row: int
    member_number: str
    day: date
    purchases: Pence
    minutes: int


@dataclass(frozen=True)
class MemberTotal:
    """One member's totals over the file, for the preview."""

    member_number: str
    rows: int
    purchases: Pence
    minutes: int


@dataclass(frozen=True)
class OpeningFile:
    """A checked file: its rows, per-member totals, the totals (equal to its control row) and the
    SHA-256 of its bytes."""

    rows: tuple[OpeningRow, ...]
    members: tuple[MemberTotal, ...]
    total_purchases: Pence
    total_minutes: int
    sha256: str


def parse_opening_csv(
    data: bytes, *, starts_on: date, ends_on: date, known_members: Collection[str]
) -> OpeningFile:
    """Read and check an opening patronage file for the period `starts_on`..`ends_on`.

    Rule: see the module docstring; the first thing wrong refuses the whole file
    (`OpeningFileRefused`, naming the row), so nothing of a file that does not add up is kept.
    """
    numbered = _read_rows(_decode(data))
    if not numbered:
        raise OpeningFileRefused("The file is empty: it needs the header, the members' rows and a TOTAL row.")
    header_row, header = numbered[0]
    if tuple(cell.strip().lower() for cell in header) != HEADER:
        raise OpeningFileRefused(
            f"the header must be exactly {','.join(HEADER)} "
            f"(found {','.join(c.strip() for c in header)[:120]}).",
            header_row,
        )
    body = numbered[1:]
    if len(body) > MAX_ROWS + 1:
        raise OpeningFileRefused(
            f"The file has {len(body)} rows; at most {MAX_ROWS} can be imported at once."
        )
    for number, row in body:
        _refuse_formulas(number, row)
    if not body or body[-1][1][0].strip().upper() != TOTAL_MARK:
        raise OpeningFileRefused(
            "The last row must be the control total: TOTAL, no date, the total purchases and hours."
        )
    for number, row in body[:-1]:
        if row[0].strip().upper() == TOTAL_MARK:
            raise OpeningFileRefused("only the last row may be the TOTAL row.", number)
    known = set(known_members)
    parsed: list[OpeningRow] = []
    seen: dict[tuple[str, date], int] = {}
    for number, row in body[:-1]:
        item = _row(number, row, starts_on, ends_on, known)
        first = seen.setdefault((item.member_number, item.day), number)
        if first != number:
            raise OpeningFileRefused(
                f"member {item.member_number} on {item.day.isoformat()} repeats row {first}: "
                "one row per member per day.",
                number,
            )
        parsed.append(item)
    if not parsed:
        raise OpeningFileRefused("The file has a TOTAL row but no members' rows.")
    total_purchases = sum(r.purchases for r in parsed)
    total_minutes = sum(r.minutes for r in parsed)
    _check_total(body[-1], total_purchases, total_minutes)
    members = _per_member(parsed)
    for member in members:
        if member.minutes > MAX_MINUTES:
            raise OpeningFileRefused(
                f"member {member.member_number}'s hours add up to {_clock(member.minutes)}, "
                "more than a year's hours."
            )
    return OpeningFile(
        rows=tuple(parsed),
        members=members,
        total_purchases=total_purchases,
        total_minutes=total_minutes,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _read_rows(text: str) -> list[tuple[int, list[str]]]:
    """The file's non-blank rows, each with its row number (as a spreadsheet numbers them)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as wrong:
            raise OpeningFileRefused(f"it cannot be read as CSV ({wrong}).", number + 1) from wrong
        number += 1
        if len(rows) > MAX_ROWS + 2:
            raise OpeningFileRefused(
                f"The file has more than {MAX_ROWS} rows; import at most that many at once."
            )
        if any(cell.strip() for cell in row):
            rows.append((number, row))


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise OpeningFileRefused(
            f"The file is {len(data):,} bytes; at most {MAX_BYTES:,} can be imported at once."
        )
    if b"\x00" in data:
        raise OpeningFileRefused(
            "The file contains NUL bytes, so it is not a CSV text file (a spreadsheet's own format, "
            "or UTF-16?). Save it as CSV UTF-8 and upload that."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as wrong:
        raise OpeningFileRefused(
            f"The file is not UTF-8 text (byte {wrong.start + 1} cannot be read). Save it as CSV UTF-8."
        ) from wrong
    if "\x00" in text:
        raise OpeningFileRefused("The file contains NUL characters. Save it as CSV UTF-8.")
    return text


def _refuse_formulas(number: int, row: list[str]) -> None:
    if len(row) != len(HEADER):
        raise OpeningFileRefused(f"it has {len(row)} cells; every row has {len(HEADER)}.", number)
    for name, cell in zip(HEADER, row, strict=True):
        if cell.startswith(FORMULA_STARTS) and not _negative_number(cell):
            raise OpeningFileRefused(
                f"the {name} cell starts with {cell[:1]!r}, which a spreadsheet runs as a formula; "
                "enter plain values only.",
                number,
            )


def _negative_number(cell: str) -> bool:
    """A cell like "-12.50" or "-1:30": refused later as negative, with a clearer message."""
    return cell.startswith("-") and bool(re.fullmatch(r"-[\d.:£]+", cell.strip()))


def _row(number: int, row: list[str], starts_on: date, ends_on: date, known: set[str]) -> OpeningRow:
    member, day_text, purchases_text, hours_text = (cell.strip() for cell in row)
    if not member:
        raise OpeningFileRefused("the membership number is missing.", number)
    if member not in known:
        raise OpeningFileRefused(f"there is no member {member[:40]}.", number)
    day = _day(number, day_text)
    if not starts_on <= day <= ends_on:
        raise OpeningFileRefused(
            f"{day.isoformat()} is outside the period ({starts_on.isoformat()} to {ends_on.isoformat()}).",
            number,
        )
    return OpeningRow(number, member, day, _purchases(number, purchases_text), _minutes(number, hours_text))


def _day(number: int, text: str) -> date:
    if not _DAY.fullmatch(text):
        raise OpeningFileRefused(f"the date {text[:20]!r} is not a date like 2025-03-31.", number)
    try:
        return date.fromisoformat(text)
    except ValueError as wrong:
        raise OpeningFileRefused(f"there is no date {text}.", number) from wrong


def _purchases(number: int, text: str, what: str = "purchases") -> Pence:
    if text.lstrip().startswith("-"):
        raise OpeningFileRefused(f"{what} cannot be negative ({text[:20]}).", number)
    try:
        return parse_pence(text or "0", maximum=MAX_PURCHASES)
    except MoneyError as wrong:
        raise OpeningFileRefused(f"{what} {text[:20]!r}: {wrong}", number) from wrong


def _minutes(number: int, text: str, what: str = "approved hours", most: int | None = MAX_MINUTES) -> int:
    """Hours as h:mm or decimal hours, as whole minutes; no more than `most` (a year's hours for one
    member; the TOTAL row adds up every member, so it has no such bound)."""
    text = text or "0"
    if text.startswith("-"):
        raise OpeningFileRefused(f"{what} cannot be negative ({text[:20]}).", number)
    clock = _HOURS_MINUTES.fullmatch(text)
    if clock:
        minutes = int(clock.group(1)) * 60 + int(clock.group(2))
    else:
        decimal = _DECIMAL_HOURS.fullmatch(text)
        if not decimal:
            raise OpeningFileRefused(
                f"{what} {text[:20]!r} are not hours like 7:30 or 7.5, in the digits 0 to 9.", number
            )
        fraction = decimal.group(2) or ""
        scaled = int(decimal.group(1) + fraction) * 60
        unit = 10 ** len(fraction)
        if scaled % unit:
            raise OpeningFileRefused(
                f"{what} {text} are not a whole number of minutes; write hours and minutes, like 7:20.",
                number,
            )
        minutes = scaled // unit
    if most is not None and minutes > most:
        raise OpeningFileRefused(f"{what} {text} are more than a year's hours.", number)
    return minutes


def _check_total(total: tuple[int, list[str]], purchases: Pence, minutes: int) -> None:
    number, row = total
    if row[1].strip():
        raise OpeningFileRefused("the TOTAL row has no date.", number)
    stated_purchases = _purchases(number, row[2].strip(), "the total purchases")
    stated_minutes = _minutes(number, row[3].strip(), "the total hours", most=None)
    if stated_purchases != purchases:
        raise OpeningFileRefused(
            f"the control total of purchases is {_pounds(stated_purchases)}, but the rows add up to "
            f"{_pounds(purchases)}.",
            number,
        )
    if stated_minutes != minutes:
        raise OpeningFileRefused(
            f"the control total of hours is {_clock(stated_minutes)}, "
            f"but the rows add up to {_clock(minutes)}.",
            number,
        )


def _per_member(rows: list[OpeningRow]) -> tuple[MemberTotal, ...]:
    totals: dict[str, tuple[int, int, int]] = {}
    for r in rows:
        count, pence, minutes = totals.get(r.member_number, (0, 0, 0))
        totals[r.member_number] = (count + 1, pence + r.purchases, minutes + r.minutes)
    return tuple(MemberTotal(number, *totals[number]) for number in sorted(totals))


def _pounds(pence: Pence) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def _clock(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"
