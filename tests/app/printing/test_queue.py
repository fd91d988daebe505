"""Checkout and refunds queue their print jobs in the same transaction: receipt, drawer, kitchen."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Basket, BasketLine, Category, PrintJob, ReceiptLink, Sale
from bakery.services import printing
from bakery.services.audit import SYSTEM, Actor
from bakery.services.errors import ServiceError
from bakery.services.printing import PrinterInput
from bakery.services.till import refunds
from printers import document_from_json, render_text
from tests.app.printing.helpers import jobs, receipt_printer, sell
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_user, post


def test_a_cash_sale_queues_a_drawer_kick_then_the_receipt(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    sale = sell(client, menu["croissant"].id, "cash", "5")
    drawer, receipt = jobs()
    assert (drawer.kind, drawer.dedupe_key, drawer.state) == ("drawer", f"drawer:sale:{sale.id}", "queued")
    assert drawer.expires_at is not None
    assert 9 <= (drawer.expires_at - drawer.created_at).total_seconds() <= 11
    assert (receipt.kind, receipt.dedupe_key, receipt.copy_no) == ("receipt", f"receipt:{sale.id}:0", 0)
    text = render_text(document_from_json(receipt.document_json), 48)
    assert f"#{sale.receipt_no}" in text and "Croissant" in text and "DUPLICATE" not in text


def test_a_card_sale_queues_a_receipt_and_no_drawer_kick(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    sell(client, menu["croissant"].id, "card", "2.50")
    assert [j.kind for j in jobs()] == ["receipt"]


def test_a_refund_to_cash_opens_the_drawer_and_a_refund_to_card_does_not(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    receipt_printer(till, 9100)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    manager = make_user("manager", pin="8080")
    [line] = sale.lines
    actor = Actor(staff.id, till.id)
    cash_back = refunds.refund(till.id, sale.id, {line.id: 1}, "cash", "stale", manager.id, "8080", actor)
    assert [(j.kind, j.sale_id) for j in jobs(sale_id=cash_back.id)] == [
        ("drawer", cash_back.id),
        ("receipt", cash_back.id),
    ]
    text = render_text(document_from_json(jobs(sale_id=cash_back.id)[1].document_json), 48)
    assert "REFUND" in text

    other = sell(client, menu["croissant"].id, "card", "2.50")
    [line] = other.lines
    card_back = refunds.refund(till.id, other.id, {line.id: 1}, "card", "stale", manager.id, "8080", actor)
    assert [j.kind for j in jobs(sale_id=card_back.id)] == ["receipt"]


def test_a_refused_checkout_leaves_no_print_job(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    sell(client, menu["loaf"].id, "card", "4.50")
    before = db.session.scalar(select(func.count()).select_from(PrintJob))
    post(client, "/till/lines", {"product_id": str(menu["loaf"].id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    response = post(client, "/till/pay", {"basket_key": key, "method": "card", "amount": "4.50"}, htmx=True)
    assert response.status_code == 409  # the last loaf is gone: no sale, so nothing to print
    assert db.session.scalar(select(func.count()).select_from(PrintJob)) == before
    assert db.session.scalar(select(func.count()).select_from(ReceiptLink)) == 1


def test_a_till_without_a_printer_still_sells_and_gets_a_digital_receipt_link(client):
    menu = make_menu()
    open_till_for(client)
    sale = sell(client, menu["croissant"].id, "cash", "5")
    assert jobs() == []
    link = db.session.get(ReceiptLink, sale.id)
    assert link is not None and len(link.token) >= 32


def test_kitchen_tickets_carry_only_the_routed_categories_and_their_notes_in_big_type(client):
    menu = make_menu()
    open_till_for(client)
    drinks = db.session.scalar(select(Category).where(Category.name == "Drinks"))
    kitchen = printing.save_printer(
        None,
        PrinterInput(
            name="Kitchen",
            location="kitchen",
            profile="generic-80",
            connection={"kind": "network", "host": "127.0.0.1", "port": 9101},
            category_ids=[drinks.id],
        ),
        SYSTEM,
    )
    large = menu["latte"].variants[1]
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    post(client, "/till/lines", {"product_id": str(menu["latte"].id), "variant_id": str(large.id)}, htmx=True)
    latte_line = db.session.scalar(select(BasketLine).where(BasketLine.product_id == menu["latte"].id))
    latte_line.note = "extra hot"
    db.session.commit()
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    post(client, "/till/pay", {"basket_key": key, "method": "card", "amount": "6.20"}, htmx=True)
    sale = db.session.scalar(select(Sale))
    [ticket] = jobs(kind="kitchen")
    assert (ticket.printer_id, ticket.dedupe_key) == (kitchen.id, f"kitchen:{sale.id}:{kitchen.id}")
    data = json.loads(ticket.document_json)
    texts = [b for b in data["blocks"] if b["type"] == "text"]
    assert any("1 x Latte" in b["text"] and b["size"] == "double" for b in texts)
    assert any("extra hot" in b["text"] for b in texts)
    assert not any("Croissant" in b["text"] for b in texts)


@pytest.mark.parametrize("kind", ["network", "file"])
def test_printer_connections_are_checked_before_they_are_saved(app, kind):
    bad = {"network": {"host": "", "port": "9100"}, "file": {"path": "/etc/passwd"}}[kind]
    with pytest.raises(ServiceError):
        printing.connection_config(kind, bad, app.instance_path)
    good = {"network": {"host": "10.0.0.5", "port": ""}, "file": {"path": "prints/k.prn"}}[kind]
    config = printing.connection_config(kind, good, app.instance_path)
    assert config["kind"] == kind
    if kind == "network":
        assert config["port"] == 9100


def test_a_till_has_one_receipt_printer(client):
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    with pytest.raises(ServiceError, match="already prints its receipts"):
        receipt_printer(till, 9101, name="Second")


def test_backoff_doubles_and_is_capped():
    assert [printing.backoff_seconds(n, 2, 60) for n in range(8)] == [0, 2, 4, 8, 16, 32, 60, 60]
    assert printing.backoff_seconds(10_000, 2, 60) == 60
