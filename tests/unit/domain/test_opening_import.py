"""Reading an opening patronage file: what adds up is read to the penny and the minute, and
anything that does not is refused whole, naming the row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.opening_import import (
    MAX_BYTES,
    MAX_MINUTES,
    OpeningFileRefused,
    parse_opening_csv,
)

START, END = date(2025, 1, 1), date(2025, 12, 31)
KNOWN = {"M-0101", "M-0102", "W-0002"}
HEADER = "member_number,date,purchases_net_of_vat,approved_hours"


def parse(text: str | bytes):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_opening_csv(data, starts_on=START, ends_on=END, known_members=KNOWN)


def csv_of(*rows: str, total: str = "TOTAL,,123.45,151:40") -> str:
    return "\n".join([HEADER, *rows, total]) + "\n"


GOOD = csv_of("M-0101,2025-03-31,123.45,0", "W-0002,2025-03-31,0,151:40")


def test_a_file_that_adds_up_is_read_in_pence_and_minutes():
    opened = parse(GOOD)
    assert [(r.row, r.member_number, r.purchases, r.minutes) for r in opened.rows] == [
        (2, "M-0101", 12345, 0),
        (3, "W-0002", 0, 151 * 60 + 40),
    ]
    assert opened.total_purchases == 12345 and opened.total_minutes == 9100
    assert [m.member_number for m in opened.members] == ["M-0101", "W-0002"]
    assert len(opened.sha256) == 64


def test_a_byte_order_mark_header_case_decimal_hours_and_blank_lines_are_accepted():
    text = "\ufeff" + HEADER.upper() + "\n\nM-0101,2025-01-01,1,7.5\n\nTOTAL,,1.00,7:30\n"
    opened = parse(text)
    assert opened.rows[0].minutes == 450 and opened.rows[0].row == 3


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "The file is empty"),
        ("\n\n", "The file is empty"),
        ("member,date,purchases,hours\nTOTAL,,0,0\n", "Row 1: the header must be exactly"),
        (csv_of("M-0999,2025-03-31,1.00,0", total="TOTAL,,1.00,0"), "Row 2: there is no member M-0999"),
        (
            csv_of("M-0101,2025-03-31,1.00,0", "M-0101,2025-03-31,2.00,0", total="TOTAL,,3.00,0"),
            "Row 3: member M-0101 on 2025-03-31 repeats row 2",
        ),
        (csv_of("M-0101,2025-03-31,-1.00,0", total="TOTAL,,0,0"), "Row 2: purchases cannot be negative"),
        (csv_of("M-0101,2025-03-31,1.005,0", total="TOTAL,,1.00,0"), "Row 2: purchases '1.005'"),
        (csv_of("M-0101,2025-03-31,0,-1:00", total="TOTAL,,0,0"), "Row 2: approved hours cannot be negative"),
        (csv_of("M-0101,2025-03-31,0,7.33", total="TOTAL,,0,7:20"), "not a whole number of minutes"),
        (
            csv_of("M-0101,2024-12-31,1.00,0", total="TOTAL,,1.00,0"),
            "Row 2: 2024-12-31 is outside the period",
        ),
        (
            csv_of("M-0101,2026-01-01,1.00,0", total="TOTAL,,1.00,0"),
            "Row 2: 2026-01-01 is outside the period",
        ),
        (csv_of("M-0101,31/03/2025,1.00,0", total="TOTAL,,1.00,0"), "Row 2: the date '31/03/2025'"),
        (csv_of("M-0101,2025-02-30,1.00,0", total="TOTAL,,1.00,0"), "Row 2: there is no date 2025-02-30"),
        (csv_of("M-0101,2025-03-31,1.00,0", total="TOTAL,,1.01,0"), "Row 3: the control total of purchases"),
        (
            csv_of("M-0101,2025-03-31,1.00,1:00", total="TOTAL,,1.00,0:59"),
            "Row 3: the control total of hours",
        ),
        (csv_of("M-0101,2025-03-31,1.00,0", total=""), "The last row must be the control total"),
        (HEADER + "\nTOTAL,,0,0\n", "a TOTAL row but no members' rows"),
        (
            csv_of("TOTAL,,1.00,0", "M-0101,2025-03-31,1.00,0", total="TOTAL,,1.00,0"),
            "Row 2: only the last row",
        ),
        (
            csv_of('=cmd|" /C calc"!A0,2025-03-31,1.00,0', total="TOTAL,,1.00,0"),
            "Row 2: the member_number cell starts with '='",
        ),
        (csv_of("M-0101,2025-03-31,@SUM(1),0", total="TOTAL,,1.00,0"), "starts with '@'"),
        (csv_of("M-0101,2025-03-31,+1.00,0", total="TOTAL,,1.00,0"), "starts with '+'"),
        (csv_of("M-0101,2025-03-31,-cmd,0", total="TOTAL,,1.00,0"), "starts with '-'"),
        (csv_of("M-0101,2025-03-31,1.00", total="TOTAL,,1.00,0"), "Row 2: it has 3 cells"),
        (csv_of("M-0101,2025-03-31,1.00,0", total="TOTAL,2025-03-31,1.00,0"), "the TOTAL row has no date"),
        (csv_of('M-0101,2025-03-31,"1.00"x,0', total="TOTAL,,1.00,0"), "cannot be read as CSV"),
    ],
)
def test_a_file_that_does_not_add_up_is_refused_naming_the_row(text, says):
    with pytest.raises(OpeningFileRefused, match=None) as refused:
        parse(text)
    assert says in str(refused.value)


def test_nul_bytes_wrong_encoding_and_a_huge_file_are_refused_before_reading_rows():
    with pytest.raises(OpeningFileRefused, match="NUL"):
        parse(GOOD.encode("utf-8").replace(b"M-0101", b"M-01\x0001"))
    with pytest.raises(OpeningFileRefused, match="NUL"):
        parse(GOOD.encode("utf-16"))
    with pytest.raises(OpeningFileRefused, match="not UTF-8"):
        parse(GOOD.replace("M-0101", "M-0101é").encode("latin-1"))
    with pytest.raises(OpeningFileRefused, match="at most"):
        parse(b"x" * (MAX_BYTES + 1))


rows = st.lists(
    st.tuples(
        st.sampled_from(sorted(KNOWN)),
        st.integers(0, 364),
        st.integers(0, 10_000_000),
        st.integers(0, 100_000),
    ),
    min_size=1,
    max_size=30,
    unique_by=lambda r: (r[0], r[1]),
)


@settings(max_examples=80, deadline=None, database=None)
@given(rows=rows, off_by=st.sampled_from([(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]))
def test_any_file_is_read_exactly_when_its_control_total_matches_and_refused_otherwise(rows, off_by):
    lines = [
        f"{number},{(START + timedelta(days=day)).isoformat()},{pence // 100}.{pence % 100:02d},"
        f"{minutes // 60}:{minutes % 60:02d}"
        for number, day, pence, minutes in rows
    ]
    pence_total = sum(r[2] for r in rows) + off_by[0]
    minutes_total = sum(r[3] for r in rows) + off_by[1]
    if pence_total < 0 or minutes_total < 0:
        return
    total = (
        f"TOTAL,,{pence_total // 100}.{pence_total % 100:02d},{minutes_total // 60}:{minutes_total % 60:02d}"
    )
    text = csv_of(*lines, total=total)
    per_member: dict[str, int] = {}
    for number, _day, _pence, minutes in rows:
        per_member[number] = per_member.get(number, 0) + minutes
    if off_by == (0, 0) and max(per_member.values()) > MAX_MINUTES:
        with pytest.raises(OpeningFileRefused, match="more than a year's hours"):
            parse(text)
    elif off_by == (0, 0):
        opened = parse(text)
        assert opened.total_purchases == sum(r[2] for r in rows)
        assert sum(m.minutes for m in opened.members) == sum(r[3] for r in rows)
        assert sum(m.rows for m in opened.members) == len(rows)
    else:
        with pytest.raises(OpeningFileRefused, match=f"Row {len(rows) + 2}: the control total"):
            parse(text)


def test_the_total_row_may_add_up_to_more_than_one_years_hours_but_one_member_may_not():
    """The TOTAL row sums every member, so it is not bounded by a year; one member's rows are."""
    many = [f"M-010{i},{START.isoformat()},1.00,5000:00" for i in range(1, 3)]
    opened = parse(csv_of(*many, total="TOTAL,,2.00,10000:00"))
    assert opened.total_minutes == 10_000 * 60
    one = [f"M-0101,{(START + timedelta(days=d)).isoformat()},1.00,5000:00" for d in range(2)]
    with pytest.raises(
        OpeningFileRefused, match="M-0101's hours add up to 10000:00, more than a year's hours"
    ):
        parse(csv_of(*one, total="TOTAL,,2.00,10000:00"))
