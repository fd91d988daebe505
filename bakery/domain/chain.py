"""Hash chains: each link is an HMAC over the previous link's hash and a canonical record.

Keyed with a secret kept outside the database, so someone with only database access cannot
rebuild a rewritten tail: recomputing plain SHA-256 hashes does not produce valid links.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(record: Mapping[str, Any]) -> str:
    """Serialise a record deterministically: sorted keys, no spaces, UTF-8, integers only.

    Rule: floats are refused, because two machines may print the same float differently and
    money in a ledger is always integer pence.
    """
    _refuse_floats(record)
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_PLAIN = (str, int, bool, type(None))


def _refuse_floats(value: Any) -> None:
    # Iterative, with the common leaf types (str, int, bool, None) decided by their exact type:
    # this runs for every ledger and audit link written or verified.
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _PLAIN:
            continue
        if isinstance(item, float):
            raise TypeError("floats are not allowed in a chained record")
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


def link_hash(key: bytes, prev_hash: str, record_json: str) -> str:
    """The hash of one link: HMAC-SHA256(key, prev_hash || "\\n" || canonical record)."""
    message = prev_hash.encode("ascii") + b"\n" + record_json.encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def chain_tag(link: str) -> str:
    """The short tag printed on receipts and Z reports: the first 8 hex digits of the link."""
    return link[:8].upper()


@dataclass(frozen=True)
class Link:
    """One stored link as read back for verification."""

    row_id: int
    seq: int
    prev_hash: str
    hash: str
    record_json: str


@dataclass(frozen=True)
class ChainFault:
    """The first broken link of a chain and what is wrong with it."""

    row_id: int | None
    seq: int
    problem: str


def verify_chain(
    key: bytes, links: Iterable[Link], head_seq: int | None = None, head_hash: str | None = None
) -> ChainFault | None:
    """Walk a chain in sequence order and return its first fault, or None if it is whole.

    Rule: sequence numbers run 1, 2, 3… without gaps (a gap is a removed row, a repeat an inserted
    one); each link names the previous link's hash; each hash is the HMAC of its record; and the
    last link matches the chain head (a removed tail shows there).
    """
    expected_prev = GENESIS
    expected_seq = 1
    last_hash = GENESIS
    for link in links:
        if link.seq < expected_seq:
            return ChainFault(link.row_id, link.seq, "inserted: sequence number repeated")
        if link.seq > expected_seq:
            return ChainFault(link.row_id, expected_seq, "missing: a row was removed before this one")
        if link.prev_hash != expected_prev:
            return ChainFault(link.row_id, link.seq, "inserted or altered: previous hash differs")
        if not hmac.compare_digest(link_hash(key, link.prev_hash, link.record_json), link.hash):
            return ChainFault(link.row_id, link.seq, "altered: record does not match its hash")
        expected_prev = link.hash
        last_hash = link.hash
        expected_seq += 1
    if head_seq is not None and head_seq != expected_seq - 1:
        return ChainFault(None, expected_seq, "missing: rows removed from the end of the chain")
    if head_hash is not None and head_seq and head_hash != last_hash:
        return ChainFault(None, expected_seq - 1, "altered: the chain head does not match")
    return None
