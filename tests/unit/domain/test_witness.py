"""The chain witness: signed head lines, reading them back, and holding a chain against them."""

from __future__ import annotations

import pytest

from bakery.domain.chain import GENESIS, Link, canonical_json, link_hash
from bakery.domain.witness import MISSING, read_witness, verify_witnessed_chain, witness_fault, witness_line

KEY = b"w" * 32


def build(n: int) -> list[Link]:
    links, prev = [], GENESIS
    for seq in range(1, n + 1):
        body = canonical_json({"sale": seq, "seq": seq})
        digest = link_hash(KEY, prev, body)
        links.append(Link(seq, seq, prev, digest, body))
        prev = digest
    return links


def test_a_line_names_the_chain_seq_and_head_and_is_signed():
    line = witness_line(KEY, "till:1", 7, "ab" * 32)
    chain, seq, head, signature = line.rstrip("\n").split(" ")
    assert (chain, seq, head) == ("till:1", "7", "ab" * 32) and len(signature) == 64
    assert line.endswith("\n") and line.count("\n") == 1


def test_a_chain_name_with_whitespace_is_refused():
    with pytest.raises(ValueError):
        witness_line(KEY, "till 1", 1, "ab")


def test_reading_keeps_the_highest_seq_of_each_chain_whatever_the_order():
    lines = [
        witness_line(KEY, "till:1", 2, "b"),
        witness_line(KEY, "audit", 5, "e"),
        witness_line(KEY, "till:1", 3, "c"),
        witness_line(KEY, "till:1", 1, "a"),
    ]
    witness = read_witness(KEY, lines)
    assert {c: (h.seq, h.hash) for c, h in witness.heads.items()} == {"till:1": (3, "c"), "audit": (5, "e")}
    assert witness.bad_lines == () and witness.forks == {} and not witness.missing


def test_a_forged_or_damaged_line_is_listed_and_not_trusted():
    good = witness_line(KEY, "till:1", 2, "b")
    forged = witness_line(b"guessed key", "till:1", 9, "z")
    edited = good.replace(" 2 ", " 8 ")
    witness = read_witness(KEY, [good, forged, edited, "half a line", good[:-20] + "\n"])
    assert witness.bad_lines == (2, 3, 4, 5)
    assert witness.heads["till:1"].seq == 2


def test_two_different_links_at_one_seq_are_a_fork():
    lines = [witness_line(KEY, "audit", s, h) for s, h in [(3, "c"), (4, "d"), (4, "x"), (3, "c")]]
    assert read_witness(KEY, lines).forks == {"audit": 4}


def test_a_whole_witnessed_chain_verifies_even_when_the_database_is_ahead():
    links = build(5)
    witness = read_witness(KEY, [witness_line(KEY, "till:1", 4, links[3].hash)])
    assert verify_witnessed_chain(KEY, "till:1", links, 5, links[-1].hash, witness) is None


def test_a_tail_cut_with_its_head_is_named_with_the_number_of_missing_entries():
    links = build(5)
    witness = read_witness(KEY, [witness_line(KEY, "till:1", 5, links[4].hash)])
    fault = verify_witnessed_chain(KEY, "till:1", links[:4], 4, links[3].hash, witness)
    assert fault is not None and fault.seq == 5
    assert fault.problem.startswith("1 entry missing from the end")
    fault = verify_witnessed_chain(KEY, "till:1", links[:2], 2, links[1].hash, witness)
    assert fault is not None and fault.problem.startswith("3 entries missing from the end")


def test_a_different_link_at_the_witnessed_seq_is_named():
    links, other = build(3), build(4)
    witness = read_witness(KEY, [witness_line(KEY, "audit", 3, "f" * 64)])
    fault = verify_witnessed_chain(KEY, "audit", links, 3, links[-1].hash, witness)
    assert fault is not None and fault.seq == 3 and "entry 3 is not the one the witness saw" in fault.problem
    assert verify_witnessed_chain(KEY, "audit", other, 4, other[-1].hash, witness) is not None


def test_a_broken_link_is_named_before_the_witness_is_consulted():
    links = build(3)
    witness = read_witness(KEY, [witness_line(KEY, "audit", 3, links[2].hash)])
    altered = [links[0], Link(2, 2, links[1].prev_hash, links[1].hash, "{}"), links[2]]
    fault = verify_witnessed_chain(KEY, "audit", altered, 3, links[2].hash, witness)
    assert fault is not None and fault.row_id == 2 and fault.problem.startswith("altered")


def test_a_missing_witness_file_is_a_fault_once_a_chain_has_links():
    assert witness_fault(MISSING, "audit", 0, None) is None
    fault = witness_fault(MISSING, "audit", 3, "c")
    assert fault is not None and "witness file is missing" in fault.problem


def test_a_chain_with_no_witness_line_is_not_witnessed():
    witness = read_witness(KEY, [witness_line(KEY, "audit", 1, "a")])
    fault = witness_fault(witness, "till:2", 4, None)
    assert fault is not None and fault.problem.startswith("not witnessed")
    assert witness_fault(witness, "till:2", 0, None) is None


def test_a_witness_with_a_forged_line_fails_every_chain():
    witness = read_witness(KEY, [witness_line(KEY, "audit", 1, "a"), witness_line(b"x", "till:1", 1, "a")])
    fault = witness_fault(witness, "audit", 1, "a")
    assert fault is not None and "tampered with" in fault.problem and "line 2" in fault.problem
