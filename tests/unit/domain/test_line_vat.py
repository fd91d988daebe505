"""Each line's share of its band's VAT: the lines' nets add up to the receipt's net per band."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bakery.domain.basket import LineInput, price_basket
from bakery.domain.vat import line_nets, line_vat_shares, vat_bands, vat_in_gross

RATES = st.sampled_from([0, 500, 1250, 2000, 10_000]) | st.integers(0, 10_000)
SALE_LINES = st.lists(st.tuples(RATES, st.integers(0, 500_000)), min_size=1, max_size=12)


def _per_band(lines: list[tuple[int, int]], values: list[int]) -> dict[int, int]:
    sums: dict[int, int] = {}
    for (rate, _gross), value in zip(lines, values, strict=True):
        sums[rate] = sums.get(rate, 0) + value
    return sums


@given(SALE_LINES)
def test_line_nets_add_up_to_the_receipts_net_in_every_band(lines):
    nets = _per_band(lines, line_nets(lines))
    for band in vat_bands(lines):
        assert nets[band.rate_bp] == band.gross - band.vat == band.net
    assert sum(line_nets(lines)) == sum(g for _, g in lines) - sum(b.vat for b in vat_bands(lines))


@given(SALE_LINES)
def test_a_refund_of_every_line_mirrors_the_sales_line_nets(lines):
    refund = [(rate, -gross) for rate, gross in lines]
    assert line_nets(refund) == [-n for n in line_nets(lines)]


@example([(500, 235), (500, 428), (500, 56300)])  # the band's rounding (+0.48p) lands on one line
@given(SALE_LINES)
def test_each_lines_vat_stays_within_a_penny_and_a_half_of_its_own_vat_and_never_exceeds_its_gross(lines):
    # Up to a penny from sharing whole pence, plus the line's part of the band's own rounding (≤ ½p).
    for (rate, gross), share in zip(lines, line_vat_shares(lines), strict=True):
        assert 0 <= share <= gross
        assert abs(share - gross * rate / (10_000 + rate)) < 1.5 + 1e-9 * gross


@given(
    st.lists(
        st.tuples(st.integers(1, 5_000), st.integers(1, 5), st.sampled_from([0, 500, 2000])),
        min_size=1,
        max_size=8,
    ),
    st.integers(0, 100),
)
def test_random_baskets_priced_at_the_till_have_line_nets_equal_to_total_less_vat(items, discount_pct):
    basket = [
        LineInput(unit_price=price, modifiers_price=0, qty=qty, rate_bp=rate) for price, qty, rate in items
    ]
    subtotal = sum(price * qty for price, qty, _ in items)
    totals = price_basket(basket, subtotal * discount_pct // 100)
    lines = [(line.rate_bp, line.gross) for line in totals.lines]
    assert sum(line_nets(lines)) == totals.total - totals.vat_total
    nets = _per_band(lines, line_nets(lines))
    for band in totals.bands:
        assert nets[band.rate_bp] == band.net


def test_the_receipt_from_the_issue_adds_up_to_the_penny():
    # Each line's own VAT rounds down, the band's rounds up: per-line nets came to a penny more.
    lines = [(2000, 1519), (2000, 1519), (2000, 2426)]
    per_line = sum(g - vat_in_gross(g, r) for r, g in lines)
    band = vat_bands(lines)[0]
    assert sum(line_nets(lines)) == band.net
    assert per_line != band.net


def test_equal_lines_take_the_odd_penny_in_line_order():
    assert line_vat_shares([(2000, 199), (2000, 199), (2000, 199)]) == [34, 33, 33]


def test_a_refund_keeps_the_band_vat_it_recorded():
    assert line_vat_shares([(2000, -100), (2000, -50)], {2000: -25}) == [-17, -8]


def test_a_band_mixing_sales_and_refunds_is_refused():
    with pytest.raises(ValueError, match="all be sales or all be refunds"):
        line_vat_shares([(2000, 100), (2000, -50)])


def test_band_vat_larger_than_the_band_is_refused():
    with pytest.raises(ValueError, match="between zero"):
        line_vat_shares([(2000, 100)], {2000: 101})


def test_a_band_of_free_lines_has_no_vat_even_when_the_receipt_records_none_for_it():
    assert line_vat_shares([(2000, 0), (0, -250)], {0: 0}) == [0, 0]
    with pytest.raises(ValueError, match="records no VAT"):
        line_vat_shares([(2000, -320), (0, -250)], {0: 0})
