"""The hash chain: canonical records, HMAC links and verification."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakery.domain.chain import GENESIS, Link, canonical_json, chain_tag, link_hash, verify_chain

KEY = b"k" * 32


def build(records: list[dict[str, object]], key: bytes = KEY) -> list[Link]:
    links, prev = [], GENESIS
    for seq, record in enumerate(records, start=1):
        body = canonical_json({**record, "seq": seq})
        digest = link_hash(key, prev, body)
        links.append(Link(seq, seq, prev, digest, body))
        prev = digest
    return links


RECORDS = [{"sale": n, "total": 100 * n, "name": "Łukasz"} for n in range(1, 6)]


def test_canonical_json_is_independent_of_key_order():
    assert canonical_json({"b": 1, "a": [1, 2]}) == canonical_json({"a": [1, 2], "b": 1})


def test_canonical_json_refuses_floats():
    with pytest.raises(TypeError):
        canonical_json({"total": 3.4})


def test_a_whole_chain_verifies():
    links = build(RECORDS)
    assert verify_chain(KEY, links, head_seq=5, head_hash=links[-1].hash) is None


def test_an_altered_record_is_named():
    links = build(RECORDS)
    altered = links[2]
    links[2] = Link(
        altered.row_id, altered.seq, altered.prev_hash, altered.hash, altered.record_json.replace("300", "30")
    )
    fault = verify_chain(KEY, links)
    assert fault is not None and fault.seq == 3 and "altered" in fault.problem


def test_a_removed_row_is_named():
    links = build(RECORDS)
    del links[1]
    fault = verify_chain(KEY, links)
    assert fault is not None and fault.seq == 2 and "missing" in fault.problem


def test_a_removed_tail_shows_against_the_head():
    links = build(RECORDS)
    fault = verify_chain(KEY, links[:-1], head_seq=5, head_hash=links[-1].hash)
    assert fault is not None and "end of the chain" in fault.problem


def test_a_tail_rewritten_with_plain_hashes_is_detected():
    import hashlib

    links = build(RECORDS)
    prev = links[2].hash
    body = canonical_json({"sale": 4, "total": 1, "name": "x", "seq": 4})
    forged = hashlib.sha256((prev + "\n" + body).encode()).hexdigest()
    links[3] = Link(4, 4, prev, forged, body)
    fault = verify_chain(KEY, links)
    assert fault is not None and fault.seq == 4


def test_a_chain_rebuilt_without_the_key_does_not_verify():
    assert verify_chain(KEY, build(RECORDS, key=b"guess")) is not None


def test_the_chain_tag_is_the_first_eight_hex_digits_in_capitals():
    assert chain_tag("abcdef0123456789") == "ABCDEF01"


@given(field=st.sampled_from(["sale", "total", "name"]), value=st.integers(min_value=10_000))
def test_every_field_of_a_record_changes_the_hash(field, value):
    record = {"sale": 1, "total": 250, "name": "Zoë"}
    changed = {**record, field: value}
    assert link_hash(KEY, GENESIS, canonical_json(record)) != link_hash(KEY, GENESIS, canonical_json(changed))
