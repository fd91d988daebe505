"""Receipts as printable documents (printers.Document): the same data prints, previews and PDFs."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_request_context, request
from sqlalchemy import select

from bakery.domain.chain import chain_tag
from bakery.domain.vat import bands_of_lines, format_rate
from bakery.extensions import db
from bakery.formatting import local_time, money
from bakery.models import LedgerEntry, Member, ReceiptLink, Sale, Till, User
from bakery.services.printing.documents import other_service
from bakery.services.settings import current_settings
from printers.document import QR, Columns, Cut, Document, Rule, Text
from printers.render_text import render_text

PREVIEW_COLUMNS = 42
PAYMENT_LABELS = {"cash": "Cash", "card": "Card", "credit": "Store credit"}
DIGITAL_RECEIPT_PATH = "/r/"


@dataclass(frozen=True)
class Receipt:
    """A sale's receipt: the document and its on-screen text."""

    document: Document
    text: str
    chain_tag: str


def digital_receipt_url(token: str) -> str:
    """The address the receipt's QR code opens: PUBLIC_URL when set (the address customers' phones
    reach), else the address the till used; a bare path outside a request."""
    base = str(current_app.config.get("PUBLIC_URL") or "")
    if not base and has_request_context():
        base = request.host_url
    return base.rstrip("/") + DIGITAL_RECEIPT_PATH + token


def _order_discount_label(sale: Sale) -> str:
    """The whole-order discount's line: "Member discount", or "Order discount (staff discount)"."""
    reason = sale.reason if sale.kind == "sale" else None
    if reason == "member discount":
        return "Member discount"
    return f"Order discount ({reason})" if reason else "Order discount"


def for_sale(
    sale: Sale,
    columns: int = PREVIEW_COLUMNS,
    duplicate: int = 0,
    *,
    chain_hash: str | None = None,
    link_token: str | None = None,
) -> Receipt:
    """Build the receipt of a sale or refund: shop, numbers, lines, VAT per band, payments, chain tag,
    and a QR code linking to its digital copy. A reprint (`duplicate` n > 0) says DUPLICATE n.

    Rule: a sale never changes, so within a request its document is built once (checkout queues it
    for paper, the till shows it on screen) and only the text is laid out per width. A caller that
    has just made the sale's ledger link and receipt link passes them (`chain_hash`, `link_token`)
    instead of having them read back.
    """
    memo: dict[tuple[int, int], tuple[Document, str]] | None = (
        g.setdefault("_receipt_documents", {}) if has_request_context() else None
    )
    if memo is not None and (sale.id, duplicate) in memo:
        document, tag = memo[(sale.id, duplicate)]
        return Receipt(document, render_text(document, columns), tag)
    document, tag = _document(sale, duplicate, chain_hash, link_token)
    if memo is not None:
        memo[(sale.id, duplicate)] = (document, tag)
    return Receipt(document, render_text(document, columns), tag)


def _document(
    sale: Sale, duplicate: int, chain_hash: str | None, link_token: str | None
) -> tuple[Document, str]:
    shop = current_settings()
    till = db.session.get(Till, sale.till_id)
    staff = db.session.get(User, sale.staff_id)
    if chain_hash is None:
        entry = db.session.scalar(
            select(LedgerEntry).where(
                LedgerEntry.till_id == sale.till_id,
                LedgerEntry.kind == sale.kind,
                LedgerEntry.ref_id == sale.id,
            )
        )
        chain_hash = entry.hash if entry else None
    tag = chain_tag(chain_hash) if chain_hash else "—"
    blocks: list[object] = []
    if duplicate:
        blocks.append(Text(f"DUPLICATE {duplicate}", bold=True, align="center", size="double"))
    blocks.append(Text(shop.shop_name, bold=True, align="center", size="double"))
    blocks += [Text(line, align="center") for line in shop.address.splitlines() if line.strip()]
    if shop.vat_number:
        blocks.append(Text(f"VAT {shop.vat_number}", align="center"))
    blocks.append(Rule())
    title = "REFUND" if sale.kind == "refund" else "Receipt"
    # The number and the time share a line short enough for 58 mm paper (32 columns); the till's
    # name goes on the next line, where a long name wraps without pushing the number off its line.
    blocks.append(Columns(f"{title} #{sale.receipt_no}", local_time(sale.created_at, "dd/MM/yyyy HH:mm")))
    served = f", served by {staff.first_name}" if staff else ""
    blocks.append(Text(f"{till.name if till else 'Till'}{served}"))
    original = db.session.get(Sale, sale.refund_of_id) if sale.refund_of_id else None
    if original is not None:
        blocks.append(Text(f"Refund of receipt {original.receipt_no}", bold=True))
        blocks.append(Text(f"sold {local_time(original.created_at, 'dd/MM/yyyy HH:mm')}"))
    blocks.append(Text("Eat in" if sale.eat_in else "Takeaway"))
    blocks.append(Rule())
    for line in sale.lines:
        label = f"{line.qty} x {line.description}"
        blocks.append(Columns(label, money(line.gross + line.basket_discount_share + line.line_discount)))
        if line.eat_in != sale.eat_in:
            blocks.append(Text(f"  {other_service(line.eat_in)}"))
        if line.line_discount:
            blocks.append(Columns("  discount", money(-line.line_discount)))
        if line.note:
            blocks.append(Text(f"  note: {line.note}"))
    order_discount = sum(line.basket_discount_share for line in sale.lines)
    if order_discount:
        blocks.append(Columns(_order_discount_label(sale), money(-order_discount)))
    blocks.append(Rule())
    blocks.append(Columns("TOTAL", money(sale.total), bold=True))
    for band in bands_of_lines([(line.rate_bp, line.gross, line.vat) for line in sale.lines]):
        blocks.append(Columns(f"VAT {format_rate(band.rate_bp)} on {money(band.gross)}", money(band.vat)))
    for payment in sale.payments:
        if payment.method == "cash" and payment.tendered:
            blocks.append(Columns("Cash tendered", money(payment.tendered)))
            blocks.append(Columns("Change", money(payment.change)))
        else:
            blocks.append(
                Columns(
                    PAYMENT_LABELS.get(payment.method, payment.method.title())
                    + (f" ({payment.reference})" if payment.reference else ""),
                    money(payment.amount),
                )
            )
    if sale.member_id:
        member = db.session.get(Member, sale.member_id)
        if member and sale.kind == "refund":
            blocks.append(Text(f"Member {member.number}: this refund is taken off your purchases."))
        elif member:
            blocks.append(Text(f"Member {member.number}: this purchase counts towards your dividend."))
    blocks.append(Rule())
    if shop.receipt_footer:
        blocks.append(Text(shop.receipt_footer, align="center"))
    blocks.append(Text(f"Chain {tag}", align="center"))
    if link_token is None:
        link = db.session.get(ReceiptLink, sale.id)
        link_token = link.token if link is not None else None
    if link_token is not None:
        blocks.append(QR(digital_receipt_url(link_token)))
        blocks.append(Text("Scan for your receipt online", align="center"))
    else:
        blocks.append(QR(f"{sale.till_id}-{sale.receipt_no}-{tag}"))
    if duplicate:
        blocks.append(Text(f"DUPLICATE {duplicate}", bold=True, align="center"))
    blocks.append(Cut())
    heading = f"{title} {sale.receipt_no}" + (f" DUPLICATE {duplicate}" if duplicate else "")
    document = Document(kind="receipt", blocks=tuple(blocks), title=heading)  # type: ignore[arg-type]
    return document, tag
