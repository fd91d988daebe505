"""Appending links to hash chains (the audit log, each till's sales ledger), and witnessing
each chain's new head outside the database once the transaction that added it has committed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import event, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, SessionTransaction

from bakery.domain.chain import GENESIS, canonical_json, link_hash
from bakery.domain.witness import witness_line
from bakery.extensions import db
from bakery.models import ChainHead
from bakery.services.audit import witness

log = logging.getLogger(__name__)
PENDING = "chain_witness_pending"
DEFERRED = "chain_witness_deferred"


def chain_key() -> bytes:
    """The HMAC key, kept outside the database (environment or the instance folder)."""
    return str(current_app.config["LEDGER_KEY"]).encode("utf-8")


def append_link(chain: str, record: dict[str, Any]) -> tuple[int, str, str, str]:
    """Reserve the next link of `chain` and return (seq, prev_hash, hash, record_json).

    Rule: the head row is advanced with an UPDATE, which row-locks that chain (and only that
    chain) until the caller's transaction ends, so two writers can never fork it. The caller
    stores the link in the same transaction.
    """
    head = _advance_head(chain)
    if head is None:
        _create_head(chain)
        head = _advance_head(chain)
    if head is None:  # pragma: no cover - the head was just created
        raise RuntimeError(f"chain head {chain!r} could not be created")
    seq, prev = head
    prev = prev or GENESIS
    record_json = canonical_json({**record, "seq": seq})
    new_hash = link_hash(chain_key(), prev, record_json)
    db.session.execute(update(ChainHead).where(ChainHead.name == chain).values(head_hash=new_hash))
    _note_head(chain, seq, new_hash)
    return seq, prev, new_hash, record_json


def append_links(chain: str, records: list[dict[str, Any]]) -> list[tuple[int, str, str, str]]:
    """Reserve the next `len(records)` links of `chain` at once; each as `append_link` returns it.

    Rule: the links are exactly those appending each record in turn would make; the head row is
    advanced by one UPDATE (locking the chain as `append_link` does) and the last head noted for
    the witness.
    """
    head = _advance_head(chain, len(records))
    if head is None:
        _create_head(chain)
        head = _advance_head(chain, len(records))
    if head is None:  # pragma: no cover - the head was just created
        raise RuntimeError(f"chain head {chain!r} could not be created")
    last, prev = head
    prev = prev or GENESIS
    key = chain_key()
    links = []
    for seq, record in enumerate(records, start=last - len(records) + 1):
        record_json = canonical_json({**record, "seq": seq})
        new_hash = link_hash(key, prev, record_json)
        links.append((seq, prev, new_hash, record_json))
        prev = new_hash
    db.session.execute(update(ChainHead).where(ChainHead.name == chain).values(head_hash=prev))
    _note_head(chain, last, prev)
    return links


def _advance_head(chain: str, by: int = 1) -> tuple[int, str] | None:
    row = db.session.execute(
        update(ChainHead)
        .where(ChainHead.name == chain)
        .values(seq=ChainHead.seq + by)
        .returning(ChainHead.seq, ChainHead.head_hash)
    ).first()
    return (int(row[0]), str(row[1])) if row else None


def _create_head(chain: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(ChainHead(name=chain, seq=0, head_hash=""))
    except IntegrityError:
        pass  # another writer created it first; advancing it now waits on their lock


@dataclass(frozen=True)
class _PendingHead:
    """A head to witness when the transaction commits, and the (savepoint) transaction it is in."""

    chain: str
    seq: int
    hash: str
    transaction: SessionTransaction | None
    line: str
    path: Path


def note_head(chain: str, seq: int, head_hash: str) -> None:
    """Note a chain's new head, written by the caller, to be witnessed once its transaction commits."""
    _note_head(chain, seq, head_hash)


def _note_head(chain: str, seq: int, head_hash: str) -> None:
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction()
    line = witness_line(chain_key(), chain, seq, head_hash)
    pending = session.info.setdefault(PENDING, [])
    pending.append(_PendingHead(chain, seq, head_hash, transaction, line, witness.witness_path()))


def witness_committed_heads(session: Session) -> None:
    """After a commit, append the furthest head each chain reached in it to the witness.

    Rule: only committed links are witnessed (a rolled-back transaction or savepoint writes
    nothing). The sale is already committed, so a failed write is logged, not raised: the
    witness then lags, which verify allows (the database may be ahead, never behind).
    """
    pending: list[_PendingHead] = session.info.pop(PENDING, [])
    if DEFERRED in session.info:
        session.info[DEFERRED].extend(pending)
        return
    _write_furthest(pending)


def _write_furthest(pending: list[_PendingHead]) -> None:
    furthest: dict[str, _PendingHead] = {}
    for head in pending:
        if head.chain not in furthest or head.seq > furthest[head.chain].seq:
            furthest[head.chain] = head
    by_path: dict[Path, list[str]] = {}
    for head in furthest.values():
        by_path.setdefault(head.path, []).append(head.line)
    for path, lines in by_path.items():
        try:
            witness.append_lines(path, lines)
        except OSError:
            log.exception("could not append %d chain head(s) to the witness %s", len(lines), path)


@contextmanager
def witness_at_the_end() -> Iterator[None]:
    """Witness the heads committed inside the block once, when it ends, instead of after each commit.

    For a loader that commits thousands of times (the demo's year): each witness append is an
    fsync, and only the furthest committed head of each chain needs witnessing. Heads committed
    before an error inside the block are still witnessed.
    """
    session = db.session()
    session.info[DEFERRED] = []
    try:
        yield
    finally:
        _write_furthest(session.info.pop(DEFERRED, []))


def forget_rolled_back_heads(session: Session, previous_transaction: SessionTransaction) -> None:
    """Drop heads noted inside a transaction or savepoint that has just rolled back."""
    pending: list[_PendingHead] = session.info.get(PENDING, [])
    if pending:
        session.info[PENDING] = [
            head for head in pending if not _inside(head.transaction, previous_transaction)
        ]


def forget_heads_at_the_end(session: Session, transaction: SessionTransaction) -> None:
    """When the outermost transaction ends (committed, rolled back or closed), nothing stays noted."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def _inside(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


event.listen(Session, "after_commit", witness_committed_heads)
event.listen(Session, "after_soft_rollback", forget_rolled_back_heads)
event.listen(Session, "after_transaction_end", forget_heads_at_the_end)
