"""Verifying hash chains against the key kept outside the database."""

from __future__ import annotations

from sqlalchemy import select

from bakery.domain.chain import ChainFault, Link, canonical_json, verify_chain
from bakery.extensions import db
from bakery.models import AuditEvent, ChainHead
from bakery.services.audit import AUDIT_CHAIN, audit_record_body
from bakery.services.chains import chain_key


def verify_audit_chain() -> ChainFault | None:
    """Recompute every audit link; return the first fault, or None when the chain is whole."""
    head = db.session.get(ChainHead, AUDIT_CHAIN)
    links = (
        Link(e.id, e.seq, e.prev_hash, e.hash, canonical_json(audit_record_body(e)))
        for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq, AuditEvent.id))
    )
    return verify_chain(chain_key(), links, head.seq if head else 0, head.head_hash if head else None)
