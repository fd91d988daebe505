"""The end-of-day markdown rule: batch-baked lines only, a percentage of the line, never stacked."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bakery.domain.markdown import MarkdownError, markdown_plan, marks_down


def test_only_batch_baked_lines_are_marked_down():
    lines = [(1, "batch", 450, 0), (2, "to_order", 320, 0), (3, "bought", 200, 0), (4, "", 250, 0)]
    assert markdown_plan(lines, 5000) == {1: 225}
    assert marks_down("batch") and not marks_down("to_order") and not marks_down("")


def test_the_markdown_is_rounded_half_up_to_the_penny():
    assert markdown_plan([(1, "batch", 45, 0)], 5000) == {1: 23}
    assert markdown_plan([(1, "batch", 3 * 199, 0)], 3333) == {1: 199}


def test_a_line_keeps_a_larger_discount_of_its_own_and_a_second_tap_changes_nothing():
    assert markdown_plan([(1, "batch", 400, 300)], 5000) == {}
    assert markdown_plan([(1, "batch", 400, 100)], 5000) == {1: 200}
    assert markdown_plan([(1, "batch", 400, 200)], 5000) == {1: 200}


@pytest.mark.parametrize("bp", [0, -100, 10001])
def test_a_markdown_outside_0_to_100_percent_is_refused(bp):
    with pytest.raises(MarkdownError):
        markdown_plan([(1, "batch", 400, 0)], bp)


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["batch", "to_order", "bought", ""]), st.integers(0, 100_000)), max_size=8
    ),
    st.integers(1, 10_000),
)
def test_a_markdown_is_never_more_than_the_line_and_applying_it_twice_is_the_same(lines, bp):
    rows = [(n, make, base, 0) for n, (make, base) in enumerate(lines)]
    plan = markdown_plan(rows, bp)
    assert all(0 <= plan[n] <= base for n, _, base, _ in rows if n in plan)
    again = markdown_plan([(n, make, base, plan.get(n, 0)) for n, make, base, _ in rows], bp)
    assert again == plan
