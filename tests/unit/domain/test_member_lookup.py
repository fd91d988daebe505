"""What the till's member field was given: a card code, a membership number or a name."""

from __future__ import annotations

import pytest

from bakery.domain.member_lookup import number_key, number_matches, read_member_query


@pytest.mark.parametrize("typed", ["M-0101", "m0101", "0101", " m 0101 ", "M/0101"])
def test_a_number_is_read_however_it_is_typed_and_matches_its_member(typed):
    query = read_member_query(typed)
    assert query.kind == "number"
    assert number_matches("M-0101", query.text)


@pytest.mark.parametrize(("stored", "typed"), [("M-10101", "0101"), ("M-0101", "101"), ("C-0102", "0101")])
def test_digits_match_only_the_whole_number_after_a_letter_prefix(stored, typed):
    assert not number_matches(stored, read_member_query(typed).text)


def test_a_card_code_is_thirty_two_hex_digits_in_either_case():
    code = "0123456789abcdef" * 2
    assert read_member_query(code.upper()) == read_member_query(code)
    assert read_member_query(code).kind == "code" and read_member_query(code).text == code


@pytest.mark.parametrize(
    ("typed", "kind"),
    [("mia", "name"), ("Mia Member", "name"), ("mi", "too_short"), ("", "too_short"), ("a-b", "too_short")],
)
def test_a_name_needs_three_letters(typed, kind):
    assert read_member_query(typed).kind == kind


def test_the_number_key_keeps_ascii_letters_and_digits():
    assert number_key("m-01 01") == "M0101"
    assert number_key("M-\u0660\u0661") == "M"  # Arabic-Indic digits are not ASCII
