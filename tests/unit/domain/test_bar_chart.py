"""The bar chart's layout: gains above the zero line, losses below, everything inside the view box."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.bar_chart import HEIGHT, WIDTH, bar_chart


def test_gains_stand_on_the_zero_line_and_losses_hang_from_it():
    chart = bar_chart([("Mon", 300), ("Tue", -100), ("Wed", 0)])
    gain, loss, nothing = chart.bars
    assert gain.positive and gain.y + gain.height == chart.zero_y
    assert not loss.positive and loss.y == chart.zero_y
    assert gain.height == 3 * loss.height
    assert nothing.height == 0
    assert [t.value for t in chart.ticks] == [300, 0, -100]


def test_an_empty_or_all_zero_chart_still_has_its_zero_line():
    assert bar_chart([]).bars == ()
    chart = bar_chart([("Mon", 0)])
    assert 0 < chart.zero_y < HEIGHT


@settings(deadline=None)  # a shared machine under load must not fail a pure rule on time
@given(st.lists(st.tuples(st.text(max_size=6), st.integers(-(10**7), 10**7)), max_size=40))
def test_every_bar_fits_the_view_box_and_a_non_zero_value_is_visible(values):
    chart = bar_chart(values)
    for bar in chart.bars:
        assert bar.x >= 0 and bar.x + bar.width <= WIDTH
        assert bar.y >= 0 and bar.y + bar.height <= HEIGHT
        assert bar.height >= (1 if bar.value else 0)
