"""Reading what a person sends about their own rota: a window of (un)availability, time off."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from bakery.domain.rota_requests import WindowRequest
from bakery.domain.rota_times import DAY_MINUTES, ShiftTimeError, parse_clock


def parse_day(text: str | None) -> date | None:
    """A date sent as YYYY-MM-DD in ASCII digits, or None."""
    if not text or len(text) != 10 or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _clock(text: str) -> int:
    if not text.strip().isascii():
        raise ShiftTimeError("Write the time in digits, like 07:30.")
    return parse_clock(text)


@dataclass
class Read:
    """What was typed (to show again), a message per wrong field, and what it means when right."""

    typed: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        """The first problem, to show above the form."""
        return next(iter(self.errors.values()), None)


@dataclass
class WindowRead(Read):
    """A window form as read."""

    window: WindowRequest | None = None


def read_window(form: Mapping[str, str]) -> WindowRead:
    """A window: available or not, every week on a weekday or on one date, from a time to a time
    ("24:00" is midnight at the end of the day)."""
    names = ("kind", "repeat", "weekday", "on_date", "start", "end")
    read = WindowRead(typed={name: form.get(name, "") for name in names})
    errors = read.errors
    kind = form.get("kind", "")
    if kind not in ("available", "unavailable"):
        errors["kind"] = "Say whether you can or cannot work then."
    weekday: int | None = None
    on_date: date | None = None
    if form.get("repeat") == "weekly":
        text = form.get("weekday", "")
        if len(text) == 1 and text in "0123456":
            weekday = int(text)
        else:
            errors["weekday"] = "Choose a day of the week."
    elif form.get("repeat") == "date":
        on_date = parse_day(form.get("on_date"))
        if on_date is None:
            errors["on_date"] = "Give the date, like 2026-12-24."
    else:
        errors["repeat"] = "Choose every week or one date."
    start = end = 0
    try:
        start = _clock(form.get("start", ""))
        if start >= DAY_MINUTES:
            errors["start"] = "Start by 23:59."
    except ShiftTimeError as wrong:
        errors["start"] = f"From: {wrong}"
    try:
        end = _clock(form.get("end", ""))
    except ShiftTimeError as wrong:
        errors["end"] = f"To: {wrong}"
    if not errors:
        read.window = WindowRequest(start, end, kind == "available", weekday=weekday, on_date=on_date)
    return read


@dataclass
class TimeOffRead(Read):
    """A time-off form as read."""

    first: date | None = None
    last: date | None = None


def read_time_off(form: Mapping[str, str]) -> TimeOffRead:
    """Time off: a first and a last day (the last may be left blank for one day)."""
    read = TimeOffRead(typed={name: form.get(name, "") for name in ("first", "last")})
    read.first = parse_day(form.get("first"))
    if read.first is None:
        read.errors["first"] = "Give the first day off, like 2026-12-24."
    last_text = form.get("last", "")
    read.last = parse_day(last_text) if last_text else read.first
    if last_text and read.last is None:
        read.errors["last"] = "Give the last day off, like 2026-12-27, or leave it blank for one day."
    return read
