"""Reading the rota planner's forms and query strings: weeks, days, times, people and roles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from bakery.domain import rota as rules
from bakery.forms import parse_id, parse_whole_number
from bakery.services import rota


def parse_day(text: str | None) -> date | None:
    """A date sent as YYYY-MM-DD, or None when it is missing or not a date."""
    if not text or len(text) != 10 or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_version(text: str | None) -> int | None:
    """The version a grid was drawn from (ASCII digits), or None."""
    return parse_id(text or "")


@dataclass
class ShiftForm:
    """The shift form as sent: what was typed (to show again) and a message per wrong field."""

    typed: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    shift: rota.ShiftIn | None = None
    version: int | None = None

    @property
    def error(self) -> str | None:
        """The first problem, to show above the form."""
        return next(iter(self.errors.values()), None)


def _optional_id(form: Mapping[str, str], name: str, errors: dict[str, str], message: str) -> int | None:
    text = form.get(name, "")
    if text in ("", "0"):
        return None
    value = parse_id(text)
    if value is None:
        errors[name] = message
    return value


def read_shift_form(form: Mapping[str, str]) -> ShiftForm:
    """Read a shift form; every problem is kept as a message for its field, nothing is thrown.

    Times are "HH:MM"; an end at or before the start is the next morning (a night shift).
    """
    names = ("day", "start", "end", "role", "person", "break_minutes", "skill", "note", "version")
    read = ShiftForm(typed={name: form.get(name, "") for name in names})
    errors = read.errors
    day = parse_day(form.get("day"))
    if day is None:
        errors["day"] = "Choose a day of the week."
    start = end = 0
    try:
        start = rules.parse_clock(form.get("start", ""))
        if start >= rules.DAY_MINUTES:
            errors["start"] = "A shift must start by 23:59."
    except rules.ShiftTimeError as wrong:
        errors["start"] = f"Start: {wrong}"
    try:
        end = rules.parse_clock(form.get("end", ""))
    except rules.ShiftTimeError as wrong:
        errors["end"] = f"End: {wrong}"
    if "start" not in errors and "end" not in errors:
        if end == start:
            errors["end"] = "A shift must end after it starts."
        elif end < start:
            end += rules.DAY_MINUTES
    role = parse_id(form.get("role", ""))
    if not role:
        errors["role"] = "Choose a role for the shift."
    person = _optional_id(form, "person", errors, "Choose a person from the list, or nobody.")
    skill = _optional_id(form, "skill", errors, "Choose a skill from the list, or none.")
    break_minutes = 0
    if form.get("break_minutes", "").strip():
        try:
            break_minutes = parse_whole_number(form.get("break_minutes", ""))
        except ValueError as wrong:
            errors["break_minutes"] = f"Break: {wrong}"
        else:
            if not 0 <= break_minutes <= rota.MAX_BREAK:
                errors["break_minutes"] = f"A break is 0 to {rota.MAX_BREAK} minutes."
    note = form.get("note", "")
    if len(note) > 200:
        errors["note"] = "The note can be at most 200 characters."
    if form.get("version"):
        read.version = parse_version(form.get("version"))
        if read.version is None:
            errors["version"] = "This form is out of date. Open the rota again."
    if not errors and day is not None and role:
        read.shift = rota.ShiftIn(
            day=day,
            start_minute=start,
            end_minute=end,
            role_id=role,
            user_id=person,
            break_minutes=break_minutes,
            skill_id=skill,
            note=note,
        )
    return read


def blank_shift_form(
    day: date, person: int | None, role: int | None, start: str = "", end: str = ""
) -> ShiftForm:
    """A new shift's form for a day, with the person and role of the grid cell it was opened from."""
    return ShiftForm(
        typed={
            "day": day.isoformat(),
            "start": start or "09:00",
            "end": end or "17:00",
            "role": str(role or ""),
            "person": str(person or ""),
            "break_minutes": "0",
            "skill": "",
            "note": "",
            "version": "",
        }
    )


def shift_form_for(shift: rota.ShiftView) -> ShiftForm:
    """The form for an existing shift, as the grid shows it."""
    return ShiftForm(
        typed={
            "day": shift.day.isoformat(),
            "start": shift.start,
            "end": shift.end,
            "role": str(shift.role.id),
            "person": str(shift.person_id or ""),
            "break_minutes": str(shift.break_minutes),
            "skill": str(shift.skill_id or ""),
            "note": shift.note,
            "version": str(shift.version),
        }
    )
