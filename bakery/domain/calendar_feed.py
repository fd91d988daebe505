"""A member's shifts as an iCalendar feed (RFC 5545) that a phone's calendar subscribes to.

Times are written in UTC ("…Z"), so a feed needs no VTIMEZONE block and a shift across a clock
change keeps its true length on every phone; the phone shows it in its own local time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

#: RFC 5545 §3.1: a content line is at most 75 octets before its CRLF; longer lines are folded.
FOLD_OCTETS = 75


class FeedError(ValueError):
    """An event that cannot go into a feed (naive or reversed times, an empty uid)."""


@dataclass(frozen=True)
class FeedEvent:
    """One published shift as a calendar event; `uid` is stable for the shift across feeds."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    #: Moves on each time the shift changes after publishing, so a phone replaces its copy.
    sequence: int = 0
    last_modified: datetime | None = None


def escape_text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines.

    Control characters other than tab are dropped: they are not allowed in a content line.
    """
    cleaned = "".join(
        ch for ch in value.replace("\r\n", "\n") if ch in "\n\t" or (ord(ch) >= 32 and ch != "\x7f")
    )
    return cleaned.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets, each continuation starting with a
    space, never splitting a UTF-8 character (RFC 5545 §3.1)."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = FOLD_OCTETS
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = "", 0, FOLD_OCTETS - 1  # the leading space takes one octet
        current += ch
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC form, like 20261203T090000Z; a naive time is refused."""
    if moment.tzinfo is None:
        raise FeedError("A calendar time must carry its timezone.")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: FeedEvent, stamp: str) -> list[str]:
    if not event.uid.strip():
        raise FeedError("Every calendar event needs a uid.")
    if event.end <= event.start:
        raise FeedError("A calendar event must end after it starts.")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{utc_stamp(event.start)}",
        f"DTEND:{utc_stamp(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
        f"SEQUENCE:{max(0, event.sequence)}",
    ]
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.last_modified is not None:
        lines.append(f"LAST-MODIFIED:{utc_stamp(event.last_modified)}")
    lines.append("END:VEVENT")
    return lines


def calendar_feed(name: str, events: Iterable[FeedEvent], now: datetime, product: str) -> str:
    """The whole VCALENDAR text: CRLF line endings, folded lines, events in the order given.

    Rule: one VEVENT per published shift with a stable UID, DTSTAMP the time the feed was made,
    start and end in UTC; the calendar names itself (X-WR-CALNAME) and asks to be refreshed
    hourly (REFRESH-INTERVAL, RFC 7986).
    """
    stamp = utc_stamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{escape_text(product)}//Rota//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"NAME:{escape_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines.extend(_event_lines(event, stamp))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
