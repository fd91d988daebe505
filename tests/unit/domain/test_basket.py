"""Basket pricing and refunds: line gross, discounts over lines, VAT bands, mirrored refunds."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.basket import (
    BasketError,
    LineInput,
    RefundError,
    SoldLine,
    percent_of,
    price_basket,
    price_refund,
    refund_lines,
    refundable_gross,
)
from bakery.domain.vat import TaxCategory, VatBand, decide_vat, vat_in_gross

PROPERTY = settings(database=None, max_examples=200, deadline=None)

COLD_FOOD = TaxCategory(code="COLD", name="cold food", takeaway_bp=0, eat_in_bp=2000)
HOT_FOOD = TaxCategory(code="HOT", name="hot food", takeaway_bp=0, eat_in_bp=2000, hot=True)
HOT_DRINKS = TaxCategory(code="DRINK", name="hot drinks", takeaway_bp=2000, eat_in_bp=2000)


def uk_mixed_basket() -> list[LineInput]:
    """A takeaway croissant (0 %), a latte with oat milk (20 %), a hot pasty taken away (20 %)."""
    return [
        LineInput(250, 0, 1, decide_vat(COLD_FOOD, eat_in=False).rate_bp),
        LineInput(300, 40, 1, decide_vat(HOT_DRINKS, eat_in=False).rate_bp),
        LineInput(425, 0, 1, decide_vat(HOT_FOOD, eat_in=False).rate_bp),
    ]


def test_a_uk_mixed_basket_shows_a_zero_band_and_a_standard_band_worked_out_on_the_band() -> None:
    totals = price_basket(uk_mixed_basket())
    assert [line.rate_bp for line in totals.lines] == [0, 2000, 2000]
    assert [line.gross for line in totals.lines] == [250, 340, 425]
    assert (totals.subtotal, totals.discount_total, totals.total) == (1015, 0, 1015)
    # 20 % band: 3.40 + 4.25 = 7.65, VAT 7.65 / 6 = 1.275 → 1.28, net 6.37.
    assert totals.bands == (
        VatBand(rate_bp=0, gross=250, vat=0, net=250),
        VatBand(rate_bp=2000, gross=765, vat=128, net=637),
    )
    assert totals.vat_total == 128
    # The per-line VAT is for display: 0 + 57 (56.67) + 71 (70.83).
    assert [line.vat for line in totals.lines] == [0, 57, 71]


def test_a_ten_percent_basket_discount_is_spread_over_the_lines_and_lowers_each_band() -> None:
    discount = percent_of(1015, 1000)  # 101.5 → 102
    assert discount == 102
    totals = price_basket(uk_mixed_basket(), basket_discount=discount)
    # 102 pro rata to 250:340:425 is 25.12, 34.17, 42.71: floors 25+34+42 = 101, and the
    # leftover penny goes to the largest remainder (the pasty).
    assert [line.basket_discount_share for line in totals.lines] == [25, 34, 43]
    assert [line.gross for line in totals.lines] == [225, 306, 382]
    assert (totals.subtotal, totals.discount_total, totals.total) == (1015, 102, 913)
    # 20 % band: 3.06 + 3.82 = 6.88, VAT 1.1467 → 1.15.
    assert totals.bands == (
        VatBand(rate_bp=0, gross=225, vat=0, net=225),
        VatBand(rate_bp=2000, gross=688, vat=115, net=573),
    )


def test_a_line_is_priced_with_its_modifiers_times_its_quantity_less_its_discount() -> None:
    # Two large lattes (3.60) with oat milk (+0.40) and an extra shot (+0.50), 10 % staff discount.
    unit = 360 + 40 + 50
    discount = percent_of(unit * 2, 1000)
    totals = price_basket([LineInput(360, 90, 2, 2000, line_discount=discount)])
    (line,) = totals.lines
    assert (line.gross_before_discount, line.line_discount, line.gross) == (900, 90, 810)
    assert (totals.subtotal, totals.discount_total, totals.total) == (900, 90, 810)
    assert totals.bands == (VatBand(2000, 810, 135, 675),)


def test_a_negative_modifier_lowers_the_price_but_not_below_zero() -> None:
    totals = price_basket([LineInput(250, -10, 3, 2000)])
    assert totals.total == 720
    free = price_basket([LineInput(10, -10, 1, 2000)])
    assert free.total == 0
    assert free.bands == (VatBand(2000, 0, 0, 0),)


def test_equal_lines_share_the_odd_penny_of_a_basket_discount_with_the_earlier_line() -> None:
    totals = price_basket([LineInput(100, 0, 1, 0), LineInput(100, 0, 1, 0)], basket_discount=1)
    assert [line.basket_discount_share for line in totals.lines] == [1, 0]


def test_an_empty_basket_costs_nothing_and_has_no_bands() -> None:
    totals = price_basket([])
    assert (totals.lines, totals.subtotal, totals.total, totals.bands) == ((), 0, 0, ())


def test_the_whole_remaining_total_may_be_discounted() -> None:
    totals = price_basket(uk_mixed_basket(), basket_discount=1015)
    assert totals.total == 0
    assert all(line.gross == 0 for line in totals.lines)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (LineInput(250, 0, 0, 0), "Line 1: the quantity must be between 1 and 999"),
        (LineInput(250, 0, 1000, 0), "quantity must be between 1 and 999"),
        (LineInput(250, 0, -1, 0), "quantity must be between 1 and 999"),
        (LineInput(-1, 0, 1, 0), "price cannot be negative"),
        (LineInput(250, -260, 1, 0), "options cannot make the price negative"),
        (LineInput(250, 0, 2, 0, line_discount=501), "discount cannot be more than the line"),
        (LineInput(250, 0, 1, 0, line_discount=-1), "discount cannot be negative"),
        (LineInput(250, 0, 1, 10_001), "VAT rate"),
        (LineInput(10_000_001, 0, 1, 0), "price is too large"),
    ],
)
def test_a_bad_line_is_refused_with_a_clear_message(line: LineInput, message: str) -> None:
    with pytest.raises(BasketError, match=message):
        price_basket([line])


def test_the_message_names_the_line_that_is_wrong() -> None:
    with pytest.raises(BasketError, match=r"^Line 2: "):
        price_basket([LineInput(250, 0, 1, 0), LineInput(250, 0, 0, 0)])


def test_a_quantity_or_price_that_is_not_a_whole_number_is_refused() -> None:
    fractional: Any = 1.5
    with pytest.raises(BasketError, match="qty must be a whole number"):
        price_basket([LineInput(250, 0, fractional, 0)])
    with pytest.raises(BasketError, match="unit price must be a whole number"):
        price_basket([LineInput(fractional, 0, 1, 0)])
    with pytest.raises(BasketError, match="whole number of pence"):
        price_basket([LineInput(250, 0, 1, 0)], basket_discount=fractional)


def test_a_basket_discount_larger_than_what_is_left_to_pay_is_refused() -> None:
    lines = [LineInput(250, 0, 1, 0, line_discount=50)]
    with pytest.raises(BasketError, match="more than the total still to pay"):
        price_basket(lines, basket_discount=201)
    with pytest.raises(BasketError, match="more than the total still to pay"):
        price_basket([], basket_discount=1)


def test_a_negative_basket_discount_is_refused() -> None:
    with pytest.raises(BasketError, match="cannot be negative"):
        price_basket(uk_mixed_basket(), basket_discount=-1)


def test_percent_of_rounds_halves_away_from_zero() -> None:
    assert percent_of(1015, 1000) == 102
    assert percent_of(1014, 1000) == 101
    assert percent_of(-1015, 1000) == -102
    assert percent_of(999, 0) == 0
    assert percent_of(999, 10_000) == 999


# --- properties -----------------------------------------------------------------------------


@st.composite
def line_inputs(draw: st.DrawFn) -> LineInput:
    unit = draw(st.integers(0, 5_000))
    modifiers = draw(st.integers(-unit, 500))
    qty = draw(st.integers(1, 999))
    rate = draw(st.sampled_from([0, 500, 2000]))
    discount = draw(st.integers(0, (unit + modifiers) * qty))
    return LineInput(unit, modifiers, qty, rate, line_discount=discount)


@st.composite
def baskets(draw: st.DrawFn) -> tuple[list[LineInput], int]:
    lines = draw(st.lists(line_inputs(), max_size=12))
    left = sum((x.unit_price + x.modifiers_price) * x.qty - x.line_discount for x in lines)
    return lines, draw(st.integers(0, left))


@given(baskets())
@PROPERTY
def test_the_total_is_the_sum_of_the_lines_and_of_the_bands(
    basket: tuple[list[LineInput], int],
) -> None:
    lines, discount = basket
    totals = price_basket(lines, basket_discount=discount)
    assert totals.total == sum(line.gross for line in totals.lines)
    assert totals.total == sum(band.gross for band in totals.bands)
    assert totals.total == totals.subtotal - totals.discount_total
    assert totals.vat_total == sum(vat_in_gross(b.gross, b.rate_bp) for b in totals.bands)


@given(baskets())
@PROPERTY
def test_basket_discount_shares_sum_exactly_to_the_discount_and_leave_no_line_negative(
    basket: tuple[list[LineInput], int],
) -> None:
    lines, discount = basket
    totals = price_basket(lines, basket_discount=discount)
    assert sum(line.basket_discount_share for line in totals.lines) == discount
    for line in totals.lines:
        assert 0 <= line.gross <= line.gross_before_discount
        expected = line.gross_before_discount - line.line_discount - line.basket_discount_share
        assert line.gross == expected


# --- refunds --------------------------------------------------------------------------------


def test_refunding_units_one_at_a_time_gives_the_last_unit_the_remainder() -> None:
    # Three scones sold together for 10.00 (after a discount): 3.33, 3.33, then 3.34.
    assert refundable_gross(1000, 3, 0, 1) == 333
    assert refundable_gross(1000, 3, 1, 1) == 333
    assert refundable_gross(1000, 3, 2, 1) == 334
    assert refundable_gross(1000, 3, 0, 2) + refundable_gross(1000, 3, 2, 1) == 1000
    assert refundable_gross(1000, 3, 0, 3) == 1000
    assert refundable_gross(1000, 3, 3, 0) == 0


def test_refunding_more_units_than_remain_is_refused() -> None:
    with pytest.raises(RefundError, match="Only 1 of 3 can still be refunded"):
        refundable_gross(1000, 3, 2, 2)
    with pytest.raises(RefundError, match="positive number"):
        refundable_gross(1000, 3, 0, -1)
    with pytest.raises(RefundError, match="not a refund"):
        refundable_gross(-1000, 3, 0, 1)


def test_a_full_refund_is_the_exact_mirror_of_the_sale() -> None:
    sale = price_basket(uk_mixed_basket(), basket_discount=102)
    sold = [SoldLine(line.gross, 1, line.rate_bp) for line in sale.lines]
    refund = price_refund(sold, [1, 1, 1])
    assert [line.gross for line in refund.lines] == [-225, -306, -382]
    assert [line.qty for line in refund.lines] == [-1, -1, -1]
    assert refund.total == -913
    assert refund.bands == (
        VatBand(rate_bp=0, gross=-225, vat=0, net=-225),
        VatBand(rate_bp=2000, gross=-688, vat=-115, net=-573),
    )
    assert refund.vat_total == -sale.vat_total


def test_a_partial_refund_only_shows_the_refunded_lines_and_their_bands() -> None:
    sale = price_basket(uk_mixed_basket())
    sold = [SoldLine(line.gross, 1, line.rate_bp) for line in sale.lines]
    refund = price_refund(sold, [0, 1, 0])
    assert [(line.source, line.qty, line.gross, line.vat) for line in refund.lines] == [(1, -1, -340, -57)]
    assert refund.bands == (VatBand(2000, -340, -57, -283),)


def test_a_refund_in_parts_gives_back_exactly_the_sale_vat_not_the_sum_of_rounded_parts() -> None:
    # A 10.00 line of three at 20 %: the sale's VAT is 166.67 → 1.67. Refunded one by one the
    # parts are 3.33, 3.33, 3.34, whose VAT rounded separately would be 0.56 + 0.56 + 0.56 = 1.68.
    vats = []
    for refunded in range(3):
        refund = price_refund([SoldLine(1000, 3, 2000, refunded_qty=refunded)], [1])
        vats.append(refund.bands[0].vat)
    assert vats == [-56, -55, -56]
    assert sum(vats) == -vat_in_gross(1000, 2000) == -167


def test_a_refund_must_say_how_many_for_each_line_and_refund_something() -> None:
    sold = [SoldLine(250, 1, 0), SoldLine(340, 1, 2000)]
    with pytest.raises(RefundError, match="for each line"):
        refund_lines(sold, [1])
    with pytest.raises(RefundError, match="at least one item"):
        price_refund(sold, [0, 0])
    with pytest.raises(RefundError, match="Only 0 of 1"):
        price_refund([SoldLine(250, 1, 0, refunded_qty=1)], [1])


@st.composite
def sales_refunded_in_parts(
    draw: st.DrawFn,
) -> tuple[list[LineInput], int, list[list[int]]]:
    lines = draw(st.lists(line_inputs(), min_size=1, max_size=8))
    left = sum((x.unit_price + x.modifiers_price) * x.qty - x.line_discount for x in lines)
    discount = draw(st.integers(0, left))
    parts = draw(st.integers(1, 4))
    # For each line, cut its quantity into `parts` counts that add up to all of it.
    plans: list[list[int]] = [[] for _ in range(parts)]
    for line in lines:
        cuts = sorted(draw(st.lists(st.integers(0, line.qty), min_size=parts - 1, max_size=parts - 1)))
        bounds = [0, *cuts, line.qty]
        for part in range(parts):
            plans[part].append(bounds[part + 1] - bounds[part])
    return lines, discount, plans


@given(sales_refunded_in_parts())
@PROPERTY
def test_a_full_refund_in_several_parts_sums_exactly_to_the_negative_of_the_sale(
    case: tuple[list[LineInput], int, list[list[int]]],
) -> None:
    lines, discount, plans = case
    sale = price_basket(lines, basket_discount=discount)
    refunded = [0] * len(lines)
    line_gross: defaultdict[int, int] = defaultdict(int)
    band_gross: defaultdict[int, int] = defaultdict(int)
    band_vat: defaultdict[int, int] = defaultdict(int)
    for plan in plans:
        if not any(plan):
            continue
        sold = [
            SoldLine(total.gross, line.qty, total.rate_bp, refunded_qty=done)
            for line, total, done in zip(lines, sale.lines, refunded, strict=True)
        ]
        refund = price_refund(sold, plan)
        assert refund.total == sum(band.gross for band in refund.bands)
        for line in refund.lines:
            line_gross[line.source] += line.gross
            # A partial refund never gives back more than the line was sold for.
            assert -line_gross[line.source] <= sale.lines[line.source].gross
        for band in refund.bands:
            band_gross[band.rate_bp] += band.gross
            band_vat[band.rate_bp] += band.vat
        refunded = [done + now for done, now in zip(refunded, plan, strict=True)]
    for index, total in enumerate(sale.lines):
        assert line_gross[index] == -total.gross
    for band in sale.bands:
        assert band_gross[band.rate_bp] == -band.gross
        assert band_vat[band.rate_bp] == -band.vat


@given(st.integers(0, 10**7), st.integers(1, 999), st.data())
@PROPERTY
def test_refunded_gross_depends_only_on_how_many_units_are_refunded_in_total(
    gross: int, qty: int, data: st.DataObject
) -> None:
    first = data.draw(st.integers(0, qty))
    second = data.draw(st.integers(0, qty - first))
    in_two = refundable_gross(gross, qty, 0, first) + refundable_gross(gross, qty, first, second)
    assert in_two == refundable_gross(gross, qty, 0, first + second)
    assert 0 <= in_two <= gross
