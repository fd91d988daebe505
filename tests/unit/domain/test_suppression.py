"""Small-number suppression: no published cell describes 1 to 4 people, and no hidden cell can be
recovered by subtracting published ones, within a report or between two overlapping periods."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakery.domain.suppression import FEWER, Group, Shown, follow, is_small, round_count, suppress

WORKERS = Group("all", ("programme", "other"))


def test_one_to_four_people_show_as_fewer_than_five_and_none_shows_as_none():
    shown = suppress({"a": 0, "b": 1, "c": 4, "d": 5, "e": 12})
    assert [str(shown[k]) for k in "abcde"] == ["0", FEWER, FEWER, "5", "10"]


def test_counts_round_to_the_nearest_five_halves_up():
    assert [round_count(n) for n in (0, 2, 3, 5, 7, 8, 12, 13, 100)] == [0, 0, 5, 5, 5, 10, 10, 15, 100]
    with pytest.raises(ValueError, match="never negative"):
        round_count(-1)


def test_a_hidden_part_hides_its_smallest_sibling_so_the_total_cannot_give_it_away():
    shown = suppress({"all": 12, "programme": 3, "other": 9}, [WORKERS])
    assert shown["programme"].hidden and shown["other"].hidden
    assert shown["all"] == Shown(10)


def test_a_hidden_part_with_no_sibling_to_hide_hides_the_total():
    shown = suppress({"all": 3, "programme": 3}, [Group("all", ("programme",))])
    assert shown["all"].hidden and shown["programme"].hidden


def test_nothing_more_is_hidden_when_two_cells_of_a_group_already_are():
    shown = suppress({"all": 6, "programme": 2, "other": 4}, [WORKERS])
    assert shown["programme"].hidden and shown["other"].hidden and shown["all"] == Shown(5)


def test_secondary_suppression_runs_until_every_group_is_safe():
    counts = {"all": 30, "programme": 10, "other": 20, "p_new": 3, "p_old": 7}
    groups = [WORKERS, Group("programme", ("p_new", "p_old"))]
    shown = suppress(counts, groups)
    assert shown["p_new"].hidden and shown["p_old"].hidden
    assert not shown["programme"].hidden


def test_a_figure_about_hidden_people_is_withheld():
    shown = suppress({"programme": 2, "other": 8})
    assert follow(shown["programme"], 150) is None
    assert follow(shown["other"], 600) == 600


def test_a_group_naming_a_missing_cell_is_refused():
    with pytest.raises(ValueError, match="not a count"):
        suppress({"all": 5}, [WORKERS])


@given(st.lists(st.integers(0, 60), min_size=2, max_size=5))
def test_no_published_cell_describes_one_to_four_people(parts):
    counts = {f"p{i}": n for i, n in enumerate(parts)} | {"all": sum(parts)}
    shown = suppress(counts, [Group("all", tuple(f"p{i}" for i in range(len(parts))))])
    for name, cell in shown.items():
        if is_small(counts[name]):
            assert cell.hidden
        assert cell.hidden or cell.value == 0 or cell.value >= 5
    hidden = [n for n in counts if shown[n].hidden]
    assert len(hidden) != 1, "one hidden cell in a group could be recovered by subtraction"


@given(st.integers(0, 500), st.integers(1, 4))
def test_differencing_two_overlapping_periods_never_recovers_a_small_group(earlier, newcomers):
    """A period and a longer one that contains it: the later one counts 1 to 4 more people (say,
    those who started in the extra month). Their published figures differ by a multiple of 5, so
    subtracting them never says how many people the extra month added."""
    first = suppress({"workers": earlier})["workers"]
    longer = suppress({"workers": earlier + newcomers})["workers"]
    if first.hidden or longer.hidden:
        return
    assert first.value is not None and longer.value is not None
    difference = longer.value - first.value
    assert difference % 5 == 0
    assert difference != newcomers


@given(st.integers(0, 200), st.integers(0, 200), st.integers(1, 4))
def test_differencing_a_part_between_overlapping_periods_never_recovers_it(programme, other, extra):
    a = suppress({"all": programme + other, "programme": programme, "other": other}, [WORKERS])
    b = suppress(
        {"all": programme + other + extra, "programme": programme + extra, "other": other}, [WORKERS]
    )
    for name in ("all", "programme"):
        if not a[name].hidden and not b[name].hidden:
            assert (b[name].value or 0) - (a[name].value or 0) in range(-5, 10, 5)
            assert (b[name].value or 0) - (a[name].value or 0) != extra
