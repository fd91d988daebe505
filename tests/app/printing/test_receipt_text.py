"""What receipts and kitchen tickets say: the refunded receipt, mixed eat-in and takeaway, 58 mm headers."""

from __future__ import annotations

from sqlalchemy import select

from bakery.extensions import db
from bakery.formatting import local_time
from bakery.models import Basket, BasketLine, Sale
from bakery.services.audit import Actor
from bakery.services.printing import receipts
from bakery.services.printing.documents import kitchen_ticket
from bakery.services.till import refunds
from printers import render_text
from tests.app.printing.helpers import sell
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_member, make_user, post


def lines_of(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def test_on_58mm_paper_the_receipt_number_stays_on_the_line_with_the_time(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    till.name = "Front counter by the window"
    db.session.commit()
    sale = sell(client, menu["croissant"].id)
    when = local_time(sale.created_at, "dd/MM/yyyy HH:mm")

    text = lines_of(receipts.for_sale(sale, columns=32).text)

    number = f"Receipt #{sale.receipt_no}"
    header = number + " " * (32 - len(number) - len(when)) + when
    start = text.index(header)
    assert text[start : start + 4] == [
        header,
        "Front counter by the window,",
        f"served by {staff.first_name}",
        "Takeaway",
    ]
    assert all(len(line) <= 32 for line in text)


def test_a_refund_receipt_names_the_receipt_it_refunds_and_makes_no_dividend_promise(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    make_member(number="M-0101")
    post(client, "/till/member", {"code": "M-0101"}, htmx=True)
    sale = sell(client, menu["croissant"].id, "cash", "20")
    assert "counts towards your dividend" in " ".join(receipts.for_sale(sale).text.split())
    manager = make_user("manager", pin="8080")
    [line] = sale.lines
    refund = refunds.refund(
        till.id, sale.id, {line.id: 1}, "cash", "stale", manager.id, "8080", Actor(staff.id, till.id)
    )

    text = receipts.for_sale(refund, columns=32).text

    assert f"REFUND #{refund.receipt_no}" in text
    assert f"Refund of receipt {sale.receipt_no}" in lines_of(text)
    assert "dividend" not in text
    assert "Member M-0101: this refund is taken off your purchases." in " ".join(text.split())


def test_a_line_served_the_other_way_is_marked_on_the_receipt_and_the_kitchen_ticket(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    post(client, "/till/lines", {"product_id": str(menu["loaf"].id)}, htmx=True)
    loaf = db.session.scalar(select(BasketLine).where(BasketLine.product_id == menu["loaf"].id))
    post(client, f"/till/lines/{loaf.id}/note", {"note": "", "eat_in": "1"}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "20"}, htmx=True)
    sale = db.session.scalar(select(Sale))
    assert sale.eat_in is False

    receipt = lines_of(receipts.for_sale(sale, columns=32).text)
    croissant = next(i for i, line in enumerate(receipt) if "x Croissant" in line)
    loaf_at = next(i for i, line in enumerate(receipt) if "x Sourdough" in line)
    assert receipt[loaf_at + 1] == "  EAT IN"
    assert "EAT IN" not in receipt[croissant + 1] and receipt.count("  EAT IN") == 1

    ticket = lines_of(render_text(kitchen_ticket(sale, sale.lines, till.name), 32))
    marked = [line for line in ticket if "** EAT IN **" in line]
    assert len(marked) == 1
    assert "Sourdough" in ticket[ticket.index(marked[0]) - 1]
    assert any("TAKEAWAY" in line for line in ticket[:3])  # the order itself
