"""Each till's hash-chained ledger of sales, refunds and Z reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bakery.domain.chain import ChainFault, Link, canonical_json, chain_tag
from bakery.domain.witness import Witness, verify_witnessed_chain
from bakery.extensions import db
from bakery.models import ChainHead, LedgerEntry, Payment, Sale, SaleLine, Till, ZReport
from bakery.services.audit import witness as chain_witness
from bakery.services.audit.chains import append_link, chain_key


def chain_name(till_id: int) -> str:
    """One chain per till, so checkouts on different tills never wait for each other."""
    return f"till:{till_id}"


def sale_record(sale: Sale, lines: list[SaleLine], payments: list[Payment]) -> dict[str, Any]:
    """The canonical record of a sale or refund that its ledger link covers (every stored field)."""
    return {
        "kind": sale.kind,
        "till_id": sale.till_id,
        "receipt_no": sale.receipt_no,
        "idempotency_key": sale.idempotency_key,
        "refund_of_id": sale.refund_of_id,
        "cash_session_id": sale.cash_session_id,
        "staff_id": sale.staff_id,
        "authorised_by_id": sale.authorised_by_id,
        "member_id": sale.member_id,
        "eat_in": sale.eat_in,
        "subtotal": sale.subtotal,
        "discount_total": sale.discount_total,
        "total": sale.total,
        "vat_total": sale.vat_total,
        "reason": sale.reason,
        "created_at": sale.created_at.isoformat(),
        "lines": [
            [
                line.product_id,
                line.description,
                line.note,
                line.qty,
                line.unit_price,
                line.modifiers_price,
                line.line_discount,
                line.basket_discount_share,
                line.gross,
                line.rate_bp,
                line.vat_reason,
                line.eat_in,
                line.refund_of_line_id,
            ]
            for line in sorted(lines, key=lambda x: x.id)
        ],
        "payments": [
            [p.method, p.amount, p.tendered, p.change, p.reference]
            for p in sorted(payments, key=lambda x: x.id)
        ],
    }


def z_record(z: ZReport) -> dict[str, Any]:
    """The canonical record of a Z report."""
    return {
        "kind": "z",
        "till_id": z.till_id,
        "z_no": z.z_no,
        "session_id": z.session_id,
        "counted_cash": z.counted_cash,
        "expected_cash": z.expected_cash,
        "variance": z.variance,
        "totals": z.totals_json,
        "closed_by_id": z.closed_by_id,
        "created_at": z.created_at.isoformat(),
    }


def append(till_id: int, kind: str, ref_id: int, record: dict[str, Any]) -> LedgerEntry:
    """Add a link to the till's chain in the caller's transaction and return it."""
    seq, prev, link, record_json = append_link(chain_name(till_id), {"ref": ref_id, **record})
    entry = LedgerEntry(
        till_id=till_id, seq=seq, kind=kind, ref_id=ref_id, record_json=record_json, prev_hash=prev, hash=link
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class ChainState:
    """A till's chain as the managers' page shows it."""

    till: Till
    length: int
    tag: str
    fault: ChainFault | None
    witnessed_seq: int | None = None

    @property
    def chain(self) -> str:
        """The chain's name, as the witness file spells it."""
        return chain_name(self.till.id)


def _current_record(entry: LedgerEntry) -> dict[str, Any] | None:
    """Rebuild the record from the rows as they are now, so an edited sale breaks its link."""
    if entry.kind in ("sale", "refund"):
        sale = db.session.get(Sale, entry.ref_id)
        if sale is None:
            return None
        lines = list(db.session.scalars(select(SaleLine).where(SaleLine.sale_id == sale.id)))
        payments = list(db.session.scalars(select(Payment).where(Payment.sale_id == sale.id)))
        return sale_record(sale, lines, payments)
    z = db.session.get(ZReport, entry.ref_id)
    return z_record(z) if z else None


def verify_till(till: Till, witness: Witness) -> ChainState:
    """Recompute a till's chain from the current sale and Z rows; name the first bad link, or
    where the chain falls short of (or differs from) the head witnessed outside the database."""
    name = chain_name(till.id)
    head = db.session.get(ChainHead, name)
    entries = list(
        db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.till_id == till.id)
            .order_by(LedgerEntry.seq, LedgerEntry.id)
        )
    )
    links = []
    for entry in entries:
        record = _current_record(entry)
        body = (
            canonical_json({"ref": entry.ref_id, **record, "seq": entry.seq})
            if record is not None
            else "<row removed>"
        )
        links.append(Link(entry.id, entry.seq, entry.prev_hash, entry.hash, body))
    fault = verify_witnessed_chain(
        chain_key(), name, links, head.seq if head else 0, head.head_hash if head else None, witness
    )
    witnessed = witness.heads.get(name)
    return ChainState(
        till,
        len(entries),
        chain_tag(head.head_hash) if head and head.head_hash else "—",
        fault,
        witnessed.seq if witnessed else None,
    )


def verify_all() -> list[ChainState]:
    """Every till's chain, each held against the witness file (read once for all of them)."""
    witness = chain_witness.load(chain_key())
    return [verify_till(t, witness) for t in db.session.scalars(select(Till).order_by(Till.id))]


def describe_fault(state: ChainState) -> str:
    """A sentence naming the till, its chain and the first bad row, for the CLI and the managers' page."""
    fault = state.fault
    if fault is None:
        witnessed = f", witnessed to entry {state.witnessed_seq}" if state.witnessed_seq else ""
        return f"{state.till.name}: {state.length} entries, intact (head {state.tag}{witnessed})."
    where = f"entry {fault.seq}"
    entry = db.session.get(LedgerEntry, fault.row_id) if fault.row_id else None
    if entry is not None:
        where += f" ({entry.kind} {entry.ref_id}, ledger row {entry.id})"
    return f"{state.till.name} (chain {state.chain}): broken at {where}: {fault.problem}."
