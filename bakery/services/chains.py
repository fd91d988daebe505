"""Appending links to hash chains (the audit log, each till's sales ledger)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bakery.domain.chain import GENESIS, canonical_json, link_hash
from bakery.extensions import db
from bakery.models import ChainHead


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
    return seq, prev, new_hash, record_json


def _advance_head(chain: str) -> tuple[int, str] | None:
    row = db.session.execute(
        update(ChainHead)
        .where(ChainHead.name == chain)
        .values(seq=ChainHead.seq + 1)
        .returning(ChainHead.seq, ChainHead.head_hash)
    ).first()
    return (int(row[0]), str(row[1])) if row else None


def _create_head(chain: str) -> None:
    try:
        with db.session.begin_nested():
            db.session.add(ChainHead(name=chain, seq=0, head_hash=""))
    except IntegrityError:
        pass  # another writer created it first; advancing it now waits on their lock
