"""Verifying hash chains against the key kept outside the database."""

from __future__ import annotations

from sqlalchemy import select

from bakery.domain.chain import ChainFault, Link, canonical_json
from bakery.domain.witness import verify_witnessed_chain
from bakery.extensions import db
from bakery.models import AuditEvent, ChainHead
from bakery.services.audit import AUDIT_CHAIN, audit_record_body, witness
from bakery.services.audit.chains import chain_key


def verify_audit_chain() -> ChainFault | None:
    """Recompute every audit link, then hold the chain's end against the witness file; return the
    first fault (an altered, inserted or removed row, a cut-off end, a missing or forged witness),
    or None when the chain is whole."""
    head = db.session.get(ChainHead, AUDIT_CHAIN)
    links = (
        Link(e.id, e.seq, e.prev_hash, e.hash, canonical_json(audit_record_body(e)))
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id))
    )
    return verify_witnessed_chain(
        chain_key(),
        AUDIT_CHAIN,
        links,
        head.seq if head else 0,
        head.head_hash if head else None,
        witness.load(chain_key()),
    )


def describe_audit_fault(fault: ChainFault | None) -> str:
    """A sentence naming the audit chain and, when it is broken, the first bad row."""
    if fault is None:
        return "Audit chain intact."
    row = f" (row {fault.row_id})" if fault.row_id is not None else ""
    return f"Audit chain broken at seq {fault.seq}{row}: {fault.problem}"
