"""VAT rules: which rate applies, the VAT inside a VAT-inclusive amount, and bands on a receipt."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.vat import (
    TaxCategory,
    VatBand,
    decide_vat,
    format_rate,
    parse_rate_bp,
    vat_bands,
    vat_in_gross,
)

PROPERTY = settings(database=None, max_examples=300)

# UK demo categories: cold takeaway food is zero-rated, hot food and eat-in are standard-rated.
COLD_FOOD = TaxCategory(code="COLD", name="cold food", takeaway_bp=0, eat_in_bp=2000, hot=False)
HOT_FOOD = TaxCategory(code="HOT", name="hot food", takeaway_bp=0, eat_in_bp=2000, hot=True)
SOFT_DRINKS = TaxCategory(code="SOFT", name="soft drinks", takeaway_bp=2000, eat_in_bp=2000)

rates = st.integers(min_value=0, max_value=10_000)
amounts = st.integers(min_value=-(10**9), max_value=10**9)


def test_cold_food_taken_away_is_zero_rated() -> None:
    decision = decide_vat(COLD_FOOD, eat_in=False)
    assert decision.rate_bp == 0
    assert decision.reason == "cold food · takeaway · 0%"
    assert (decision.category_code, decision.eat_in, decision.hot) == ("COLD", False, False)


def test_cold_food_eaten_in_is_standard_rated() -> None:
    decision = decide_vat(COLD_FOOD, eat_in=True)
    assert decision.rate_bp == 2000
    assert decision.reason == "eat-in · 20%"
    assert decision.eat_in is True


def test_hot_food_taken_away_is_standard_rated_even_if_its_takeaway_rate_is_zero() -> None:
    decision = decide_vat(HOT_FOOD, eat_in=False)
    assert decision.rate_bp == 2000
    assert decision.reason == "hot food · hot takeaway · 20%"
    assert (decision.category_code, decision.eat_in, decision.hot) == ("HOT", False, True)


def test_hot_food_eaten_in_is_recorded_as_eat_in() -> None:
    decision = decide_vat(HOT_FOOD, eat_in=True)
    assert (decision.rate_bp, decision.reason) == (2000, "eat-in · 20%")


def test_a_standard_rated_category_names_itself_as_the_reason_when_taken_away() -> None:
    decision = decide_vat(SOFT_DRINKS, eat_in=False)
    assert (decision.rate_bp, decision.reason) == (2000, "soft drinks · takeaway · 20%")


def test_rates_come_from_the_category_so_other_countries_need_no_code() -> None:
    # An Italian-style split: 10 % to take away, 22 % to eat in.
    bar = TaxCategory(code="BAR", name="bar food", takeaway_bp=1000, eat_in_bp=2200)
    assert decide_vat(bar, eat_in=False).rate_bp == 1000
    assert decide_vat(bar, eat_in=True).rate_bp == 2200


@pytest.mark.parametrize("bad", [-1, 10_001])
def test_a_category_with_a_rate_outside_0_to_100_percent_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="between 0% and 100%"):
        TaxCategory(code="X", name="x", takeaway_bp=bad, eat_in_bp=2000)
    with pytest.raises(ValueError, match="between 0% and 100%"):
        TaxCategory(code="X", name="x", takeaway_bp=0, eat_in_bp=bad)


def test_the_vat_in_a_vat_inclusive_price_is_one_sixth_at_twenty_percent() -> None:
    assert vat_in_gross(600, 2000) == 100
    assert vat_in_gross(340, 2000) == 57  # 56.67
    assert vat_in_gross(765, 2000) == 128  # exactly 127.5: the half goes up
    assert vat_in_gross(-765, 2000) == -128
    assert vat_in_gross(105, 500) == 5
    assert vat_in_gross(999, 0) == 0


def test_the_vat_of_a_fraction_of_a_percent_rate_uses_the_same_formula() -> None:
    # 12.5 %: 1125 * 1250 / 11250 = 125 exactly.
    assert vat_in_gross(1125, 1250) == 125


@given(amounts, rates)
@PROPERTY
def test_refund_vat_mirrors_sale_vat(gross: int, rate: int) -> None:
    assert vat_in_gross(-gross, rate) == -vat_in_gross(gross, rate)


@given(st.integers(0, 10**9), rates)
@PROPERTY
def test_the_vat_is_never_more_than_the_gross_and_never_negative_for_a_sale(gross: int, rate: int) -> None:
    vat = vat_in_gross(gross, rate)
    assert 0 <= vat <= gross
    # Within half a penny of the exact VAT: |vat - g*r/(10000+r)| <= 1/2.
    assert abs(2 * vat * (10_000 + rate) - 2 * gross * rate) <= 10_000 + rate


def test_vat_is_worked_out_on_the_band_total_not_per_line() -> None:
    # Two lattes at 3.40: per line 57 + 57 = 114, but the band's 6.80 holds 113.33 → 113.
    bands = vat_bands([(2000, 340), (2000, 340)])
    assert bands == [VatBand(rate_bp=2000, gross=680, vat=113, net=567)]
    assert sum(vat_in_gross(340, 2000) for _ in range(2)) == 114


def test_a_mixed_uk_basket_has_one_band_per_rate_sorted_by_rate() -> None:
    # Croissant to take away 2.50 at 0 %, latte 3.40 at 20 %, hot pasty to take away 4.25 at 20 %.
    bands = vat_bands([(2000, 340), (0, 250), (2000, 425)])
    assert bands == [
        VatBand(rate_bp=0, gross=250, vat=0, net=250),
        # 7.65 * 20/120 = 1.275 → 1.28 (half up); net 6.37.
        VatBand(rate_bp=2000, gross=765, vat=128, net=637),
    ]


def test_a_band_that_nets_to_zero_is_left_off_the_receipt() -> None:
    bands = vat_bands([(0, 250), (2000, 340), (2000, -340)])
    assert bands == [VatBand(rate_bp=0, gross=250, vat=0, net=250)]


def test_when_every_band_is_zero_they_are_all_shown() -> None:
    bands = vat_bands([(2000, 0), (0, 0)])
    assert bands == [VatBand(0, 0, 0, 0), VatBand(2000, 0, 0, 0)]
    assert vat_bands([]) == []


def test_a_refund_band_is_the_negative_of_the_sale_band() -> None:
    sale = vat_bands([(0, 250), (2000, 765)])
    refund = vat_bands([(0, -250), (2000, -765)])
    assert [(b.gross, b.vat, b.net) for b in refund] == [(-b.gross, -b.vat, -b.net) for b in sale]


@given(st.lists(st.tuples(st.sampled_from([0, 500, 1250, 2000]), amounts), max_size=30))
@PROPERTY
def test_bands_hold_every_penny_of_the_lines_and_net_is_gross_less_vat(
    lines: list[tuple[int, int]],
) -> None:
    bands = vat_bands(lines)
    assert sum(band.gross for band in bands) == sum(gross for _, gross in lines)
    assert [band.rate_bp for band in bands] == sorted({band.rate_bp for band in bands})
    for band in bands:
        assert band.net == band.gross - band.vat
        assert band.vat == vat_in_gross(band.gross, band.rate_bp)


@pytest.mark.parametrize(
    ("bp", "text"),
    [(2000, "20%"), (1250, "12.5%"), (0, "0%"), (500, "5%"), (555, "5.55%"), (10_000, "100%")],
)
def test_a_rate_is_shown_as_a_percentage_without_needless_zeros(bp: int, text: str) -> None:
    assert format_rate(bp) == text


def test_vat_refuses_a_rate_outside_0_to_100_percent() -> None:
    with pytest.raises(ValueError, match="between 0% and 100%"):
        vat_in_gross(100, -1)
    with pytest.raises(ValueError, match="between 0% and 100%"):
        vat_bands([(10_001, 100)])


@pytest.mark.parametrize(
    ("text", "bp"),
    [("20", 2000), ("12.5", 1250), ("17.25", 1725), ("5 %", 500), (" 20% ", 2000), ("0", 0), ("100", 10_000)],
)
def test_a_typed_rate_is_read_as_basis_points(text: str, bp: int) -> None:
    assert parse_rate_bp(text) == bp


@pytest.mark.parametrize("text", ["12,5", "1,000", "0,5 %"])
def test_a_rate_with_a_comma_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="with a point, not a comma"):
        parse_rate_bp(text)


@pytest.mark.parametrize(
    "text", ["\u0661\u0662", "\uff12\uff10", "\u00b2", "1_0", "1 0", "+5", "5e1", "twenty", "9" * 30]
)
def test_a_rate_takes_only_ascii_digits_and_one_point(text: str) -> None:
    with pytest.raises(ValueError, match=r"like 20 or 12\.5"):
        parse_rate_bp(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "negative"),
        ("100.01", "more than 100%"),
        ("12.345", "two decimal places"),
        ("", "Enter a rate"),
    ],
)
def test_a_rate_outside_0_to_100_or_finer_than_a_basis_point_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_rate_bp(text)
