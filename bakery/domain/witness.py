"""The chain witness: each chain's head, signed and kept outside the database.

A hash chain shows any row altered, inserted or removed in its middle, but not a tail cut off
together with the stored head. The witness, an append-only file of signed heads, remembers how
far each chain had reached, so a database that is behind it shows the cut.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from bakery.domain.chain import ChainFault, Link, verify_chain

# Signing a witness line is kept apart from signing a link, so one can never stand for the other.
_CONTEXT = b"bakery chain witness v1\n"


def _signer(key: bytes) -> Callable[[str], str]:
    # Keyed once and copied per line: reading a year's witness stays well within verify's budget.
    keyed = hmac.new(key, _CONTEXT, hashlib.sha256)

    def sign(body: str) -> str:
        mac = keyed.copy()
        mac.update(body.encode("utf-8"))
        return mac.hexdigest()

    return sign


def witness_line(key: bytes, chain: str, seq: int, head_hash: str) -> str:
    """One line of the witness: `chain seq head_hash signature` and a newline.

    Rule: chain names hold no whitespace (they are `audit`, `till:<id>`), so a line splits into
    exactly four fields; the signature is an HMAC over the other three.
    """
    if not chain or any(c.isspace() for c in chain):
        raise ValueError(f"a chain name cannot hold whitespace: {chain!r}")
    body = f"{chain} {seq} {head_hash}"
    return f"{body} {_signer(key)(body)}\n"


@dataclass(frozen=True)
class WitnessedHead:
    """The furthest link of one chain the witness has seen."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Witness:
    """What the witness file says: the highest witnessed head of each chain, the first entry of
    a chain witnessed with two different links (a cut tail written again), and the numbers of
    lines whose signature is wrong or that cannot be read (the file was tampered with)."""

    heads: dict[str, WitnessedHead] = field(default_factory=dict)
    forks: dict[str, int] = field(default_factory=dict)
    bad_lines: tuple[int, ...] = ()
    missing: bool = False


MISSING = Witness(missing=True)


def read_witness(key: bytes, lines: Iterable[str]) -> Witness:
    """Read witness lines: keep the highest seq of each chain, note forks and bad lines.

    Rule: a line is trusted only if its signature verifies with the key; any other line (forged,
    edited, truncated) is listed by its 1-based number and otherwise ignored.
    """
    sign = _signer(key)
    seen: dict[str, dict[int, str]] = {}
    forks: dict[str, int] = {}
    bad: list[int] = []
    for number, line in enumerate(lines, start=1):
        parts = line.rstrip("\n").split(" ")
        if len(parts) != 4 or not parts[1].isdigit():
            bad.append(number)
            continue
        chain, seq_text, head_hash, signature = parts
        if not hmac.compare_digest(sign(f"{chain} {seq_text} {head_hash}"), signature):
            bad.append(number)
            continue
        seq = int(seq_text)
        links = seen.setdefault(chain, {})
        if links.setdefault(seq, head_hash) != head_hash:
            forks[chain] = min(seq, forks.get(chain, seq))
    heads = {}
    for chain, links in seen.items():
        top = max(links)
        heads[chain] = WitnessedHead(top, links[top])
    return Witness(heads, forks, tuple(bad))


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def witness_fault(
    witness: Witness, chain: str, db_seq: int, db_hash_at_witnessed: str | None
) -> ChainFault | None:
    """Compare a chain that walked intact (ending at `db_seq`) with the witness.

    Rule: the database may be ahead of the witness (a line is written just after each commit),
    never behind it; the link at the witnessed seq must be the witnessed one; a chain with links
    needs a witness line; a witness with a bad line cannot be trusted at all.
    """
    if witness.missing:
        if db_seq == 0:
            return None
        return ChainFault(None, db_seq, "the witness file is missing, so a cut-off end cannot be ruled out")
    if witness.bad_lines:
        numbers = ", ".join(str(n) for n in witness.bad_lines[:5])
        more = " …" if len(witness.bad_lines) > 5 else ""
        return ChainFault(
            None, db_seq, f"the witness file has been tampered with: bad signature on line {numbers}{more}"
        )
    if chain in witness.forks:
        seq = witness.forks[chain]
        return ChainFault(
            None,
            seq,
            f"rewritten: the witness saw two different links at entry {seq}, so the end was cut and replaced",
        )
    head = witness.heads.get(chain)
    if head is None:
        if db_seq == 0:
            return None
        return ChainFault(None, db_seq, "not witnessed: the witness file has no line for this chain")
    if db_seq < head.seq:
        return ChainFault(
            None,
            db_seq + 1,
            f"{_entries(head.seq - db_seq)} missing from the end "
            f"(the witness saw entry {head.seq}, the database ends at entry {db_seq})",
        )
    if db_hash_at_witnessed is None or not hmac.compare_digest(db_hash_at_witnessed, head.hash):
        return ChainFault(
            None, head.seq, f"altered: the link at entry {head.seq} is not the one the witness saw"
        )
    return None


class _Tap:
    """Passes links through while noting the last seq and the hash at one seq of interest."""

    def __init__(self, links: Iterable[Link], watch_seq: int | None) -> None:
        self._links = links
        self._watch = watch_seq
        self.last_seq = 0
        self.watched_hash: str | None = None

    def __iter__(self) -> Iterator[Link]:
        for link in self._links:
            self.last_seq = link.seq
            if link.seq == self._watch:
                self.watched_hash = link.hash
            yield link


def verify_witnessed_chain(
    key: bytes,
    chain: str,
    links: Iterable[Link],
    head_seq: int,
    head_hash: str | None,
    witness: Witness,
) -> ChainFault | None:
    """Walk a chain (its first bad link wins), then hold its end against the witness.

    Rule: the links are read once, in sequence order, so verifying stays one pass over the rows.
    """
    witnessed = witness.heads.get(chain)
    tap = _Tap(links, witnessed.seq if witnessed else None)
    fault = verify_chain(key, tap, head_seq, head_hash)
    if fault is not None:
        return fault
    return witness_fault(witness, chain, tap.last_seq, tap.watched_hash)
