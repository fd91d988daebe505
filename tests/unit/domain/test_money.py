"""Money helpers: reading typed amounts, rounding halves away from zero, exact apportioning."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.money import (
    MAX_AMOUNT,
    MoneyError,
    ceil_div,
    format_plain,
    largest_remainder,
    parse_pence,
    round_half_up,
)

# No example database: the suite must not leave files behind in the project.
PROPERTY = settings(database=None, max_examples=300)


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("3.40", 340),
        ("3", 300),
        ("£3.4", 340),
        ("0.05", 5),
        (" 12.00 ", 1200),
        ("1234.56", 123456),
        ("100000", MAX_AMOUNT),
        ("3.400", 340),
        (".5", 50),
        ("007.10", 710),
    ],
)
def test_a_typed_amount_is_read_as_whole_pence(text: str, pence: int) -> None:
    assert parse_pence(text) == pence


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3.405", "two decimal places"),
        ("abc", r"like 3\.40"),
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        ("-1", "negative"),
        ("1e3", r"like 3\.40"),
        ("1.2.3", r"like 3\.40"),
        ("100000.01", r"more than 100000\.00"),
    ],
)
def test_a_typed_amount_that_is_not_whole_pence_or_is_out_of_range_is_refused(
    text: str, message: str
) -> None:
    with pytest.raises(MoneyError, match=message):
        parse_pence(text)


@pytest.mark.parametrize("text", ["5,00", "1,000.00", "1,234.56", "0,50"])
def test_a_comma_is_refused_rather_than_read_as_pounds_or_pence(text: str) -> None:
    with pytest.raises(MoneyError, match="with a point and no commas"):
        parse_pence(text)


@pytest.mark.parametrize(
    "text",
    [
        "\u0661\u0662",  # Arabic-Indic "12"
        "\u0663.\u0664\u0660",  # Arabic-Indic "3.40"
        "\uff13.40",  # a fullwidth 3
        "\u00b2",  # a superscript two
        "1_000",
        "1 000",
        "3 .40",
        "+3",
        "0x10",
        "3.40p",
        "\x003.40",
    ],
)
def test_only_ascii_digits_and_one_point_make_an_amount(text: str) -> None:
    with pytest.raises(MoneyError, match="in the digits 0 to 9"):
        parse_pence(text)


@pytest.mark.parametrize("text", ["9" * 30, "9" * 6000, "0" * 40 + "100000.01"])
def test_an_amount_with_too_many_digits_is_refused_as_too_large(text: str) -> None:
    with pytest.raises(MoneyError, match=r"more than 100000\.00"):
        parse_pence(text)


def test_sub_penny_input_is_refused_however_many_digits_it_has() -> None:
    with pytest.raises(MoneyError, match="two decimal places"):
        parse_pence("1." + "0" * 40 + "1")


def test_a_negative_amount_is_read_only_where_the_caller_allows_it() -> None:
    assert parse_pence("-1", allow_negative=True) == -100
    assert parse_pence("-£2.50", allow_negative=True) == -250


def test_zero_is_refused_where_the_caller_needs_a_positive_amount() -> None:
    assert parse_pence("0") == 0
    with pytest.raises(MoneyError, match="more than zero"):
        parse_pence("0.00", allow_zero=False)


def test_a_caller_may_set_a_lower_maximum() -> None:
    assert parse_pence("50", maximum=5000) == 5000
    with pytest.raises(MoneyError, match=r"more than 50\.00"):
        parse_pence("50.01", maximum=5000)


def test_plain_format_always_shows_two_decimals_and_a_leading_minus() -> None:
    assert [format_plain(p) for p in (0, 5, 340, -340, 123456)] == [
        "0.00",
        "0.05",
        "3.40",
        "-3.40",
        "1234.56",
    ]


@given(st.integers(min_value=-MAX_AMOUNT, max_value=MAX_AMOUNT))
@PROPERTY
def test_a_formatted_amount_reads_back_as_the_same_pence(pence: int) -> None:
    assert parse_pence(format_plain(pence), allow_negative=True) == pence


def test_round_half_up_takes_halves_away_from_zero() -> None:
    assert round_half_up(5, 2) == 3
    assert round_half_up(-5, 2) == -3
    assert round_half_up(7, 2) == 4
    assert round_half_up(1, 3) == 0
    assert round_half_up(2, 3) == 1
    assert round_half_up(-2, 3) == -1
    assert round_half_up(5, -2) == -3
    assert round_half_up(765 * 2000, 12000) == 128  # 127.5p of VAT rounds up


def test_round_half_up_refuses_to_divide_by_zero() -> None:
    with pytest.raises(ZeroDivisionError):
        round_half_up(1, 0)


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(1, 10**6))
@PROPERTY
def test_round_half_up_of_a_negative_is_the_negative_of_the_rounding(n: int, d: int) -> None:
    assert round_half_up(-n, d) == -round_half_up(n, d)


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(1, 10**6))
@PROPERTY
def test_round_half_up_is_never_more_than_half_away_from_the_exact_quotient(n: int, d: int) -> None:
    result = round_half_up(n, d)
    # |n/d - result| <= 1/2, compared in integers; exactly 1/2 only when rounding away from zero.
    assert abs(2 * n - 2 * result * d) <= d
    if abs(2 * n - 2 * result * d) == d:
        assert abs(result * d) > abs(n)


def test_ceil_div_rounds_towards_positive_infinity() -> None:
    assert [ceil_div(7, 2), ceil_div(6, 2), ceil_div(-7, 2), ceil_div(0, 5)] == [4, 3, -3, 0]


def test_largest_remainder_gives_leftover_pence_to_the_largest_remainders() -> None:
    # 100 over 1:1:1 is 33.3 each; the single leftover penny goes to the first (a tie).
    assert largest_remainder(100, [1, 1, 1]) == [34, 33, 33]
    # 10 over 7:3:0 splits exactly.
    assert largest_remainder(10, [7, 3, 0]) == [7, 3, 0]
    # 102 over 250:340:425: remainders 125, 170, 720, so the last takes the leftover penny.
    assert largest_remainder(102, [250, 340, 425]) == [25, 34, 43]


def test_largest_remainder_breaks_equal_remainders_towards_the_earlier_position() -> None:
    assert largest_remainder(1, [1, 1]) == [1, 0]
    assert largest_remainder(2, [1, 1, 1]) == [1, 1, 0]
    assert largest_remainder(1, [5, 5, 5, 5]) == [1, 0, 0, 0]


def test_largest_remainder_splits_a_negative_total_as_the_mirror_of_the_positive() -> None:
    assert largest_remainder(-100, [1, 1, 1]) == [-34, -33, -33]


def test_largest_remainder_refuses_what_cannot_be_split() -> None:
    with pytest.raises(ValueError, match="not be negative"):
        largest_remainder(10, [1, -1])
    with pytest.raises(ValueError, match="nothing to split"):
        largest_remainder(10, [])
    with pytest.raises(ValueError, match="zero weights"):
        largest_remainder(10, [0, 0])
    assert largest_remainder(0, []) == []
    assert largest_remainder(0, [0, 0]) == [0, 0]


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=30).filter(lambda w: sum(w) > 0),
)
@PROPERTY
def test_largest_remainder_parts_sum_exactly_and_stay_within_a_penny_of_the_exact_share(
    total: int, weights: list[int]
) -> None:
    parts = largest_remainder(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        # part * W lies within W of total * w, i.e. the part is the floor or ceiling of the share.
        assert abs(part * weight_sum - total * weight) < weight_sum
        if weight == 0:
            assert part == 0


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=1, max_value=1000),
    st.integers(min_value=2, max_value=20),
)
@PROPERTY
def test_largest_remainder_with_equal_weights_favours_earlier_positions(
    total: int, weight: int, count: int
) -> None:
    parts = largest_remainder(total, [weight] * count)
    assert parts == sorted(parts, reverse=True)
    assert max(parts) - min(parts) <= 1
