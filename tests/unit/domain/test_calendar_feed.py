"""The rota's iCalendar feed is valid RFC 5545: parsed back by a library, folded and escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.calendar_feed import FOLD_OCTETS, FeedError, FeedEvent, calendar_feed, escape_text, fold

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 10, 20, 9, 30, tzinfo=UTC)


def parse(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def test_a_feed_parses_back_with_each_shift_at_its_true_times():
    shifts = [
        FeedEvent(
            uid="shift-7@bakery",
            start=datetime(2026, 10, 24, 7, 0, tzinfo=LONDON),
            end=datetime(2026, 10, 24, 15, 0, tzinfo=LONDON),
            summary="Baker, Second Rise",
            location="12 Mill Lane; back door",
            sequence=2,
            last_modified=NOW,
        ),
        FeedEvent(
            uid="shift-8@bakery",
            start=NOW + timedelta(days=3),
            end=NOW + timedelta(days=3, hours=4),
            summary="Counter",
        ),
    ]
    calendar = parse(calendar_feed("Ada's shifts", shifts, NOW, "Second Rise"))
    assert calendar["VERSION"] == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Ada's shifts"
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["shift-7@bakery", "shift-8@bakery"]
    first = events[0]
    assert first.decoded("DTSTART") == datetime(2026, 10, 24, 6, 0, tzinfo=UTC)  # BST: 07:00 is 06:00 UTC
    assert first.decoded("DTEND") == datetime(2026, 10, 24, 14, 0, tzinfo=UTC)
    assert str(first["SUMMARY"]) == "Baker, Second Rise"
    assert str(first["LOCATION"]) == "12 Mill Lane; back door"
    assert int(first["SEQUENCE"]) == 2
    assert first.decoded("DTSTAMP") == NOW


def test_a_night_shift_across_the_autumn_change_keeps_its_nine_hours():
    # 25 October 2026, 02:00 BST becomes 01:00 GMT: 22:00 to 06:00 local is nine hours.
    start = datetime(2026, 10, 24, 22, 0, tzinfo=LONDON)
    end = datetime(2026, 10, 25, 6, 0, tzinfo=LONDON)
    event = parse(calendar_feed("x", [FeedEvent("n@b", start, end, "Night bake")], NOW, "b")).walk("VEVENT")[
        0
    ]
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=9)


def test_an_empty_feed_is_still_a_calendar():
    calendar = parse(calendar_feed("No shifts yet", [], NOW, "b"))
    assert calendar.walk("VEVENT") == []


def test_every_line_ends_in_crlf_and_is_at_most_75_octets():
    long_name = "Zoë Ashworth-Fitzgerald, Siobhán Ní Bhriain; Łukasz Wiśniewski " * 4
    text = calendar_feed(long_name, [FeedEvent("u@b", NOW, NOW + timedelta(hours=1), long_name)], NOW, "b")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= FOLD_OCTETS
    event = parse(text).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == long_name


@settings(deadline=None, max_examples=200)
@given(st.text(min_size=0, max_size=300))
def test_any_text_round_trips_through_escaping_and_folding(value):
    text = calendar_feed("Rota", [FeedEvent("u@b", NOW, NOW + timedelta(hours=1), value)], NOW, "b")
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= FOLD_OCTETS
    expected = "".join(
        ch for ch in value.replace("\r\n", "\n") if ch in "\n\t" or (ord(ch) >= 32 and ch != "\x7f")
    )
    assert str(parse(text).walk("VEVENT")[0]["SUMMARY"]) == expected


def test_escaping_follows_the_text_rules():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert escape_text("bell\x07 and nul\x00") == "bell and nul"


def test_folding_never_splits_a_character():
    line = "SUMMARY:" + "€" * 60
    for piece in fold(line).split("\r\n"):
        piece.encode("utf-8").decode("utf-8")
        assert len(piece.encode("utf-8")) <= FOLD_OCTETS


@pytest.mark.parametrize(
    "event",
    [
        FeedEvent("u", NOW.replace(tzinfo=None), NOW.replace(tzinfo=None) + timedelta(hours=1), "naive"),
        FeedEvent("u", NOW, NOW, "no length"),
        FeedEvent("u", NOW, NOW - timedelta(hours=1), "backwards"),
        FeedEvent(" ", NOW, NOW + timedelta(hours=1), "no uid"),
    ],
)
def test_an_event_that_cannot_be_written_is_refused(event):
    with pytest.raises(FeedError):
        calendar_feed("x", [event], NOW, "b")
