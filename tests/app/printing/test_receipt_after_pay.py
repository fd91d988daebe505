"""After Pay the sale is done and recorded; the receipt is the customer's choice: Print receipt
queues it once, No receipt prints nothing, Show QR shows the digital receipt's code. The drawer
opens for cash and the kitchen gets its ticket whatever the choice. A shop may print every
receipt at Pay, or never print at Pay (QR only)."""

from __future__ import annotations

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, Basket, Category, Printer, Sale, ShopSettings
from bakery.services import printing
from bakery.services.audit import SYSTEM
from bakery.services.printing import PrinterInput
from printers import document_from_json, render_text
from tests.app.printing.helpers import jobs, receipt_printer, sell
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_till, pair, pin_in, post


def pay(client, product_id: int, method: str = "cash", amount: str = "5"):
    """Ring up one product and pay: the change-due screen's response."""
    post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    response = post(client, "/till/pay", {"basket_key": key, "method": method, "amount": amount}, htmx=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def last_sale() -> Sale:
    db.session.expire_all()
    return db.session.scalar(select(Sale).order_by(Sale.id.desc()))


def set_receipt_after_pay(mode: str) -> None:
    db.session.add(ShopSettings(id=1, receipt_after_pay=mode))
    db.session.commit()


def test_after_a_cash_sale_the_till_asks_and_only_the_drawer_opens(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    body = pay(client, menu["croissant"].id, "cash", "5").get_data(as_text=True)
    sale = last_sale()
    assert sale is not None and sale.total == 250  # recorded the moment Pay succeeded
    assert "Change due" in body and "£2.50" in body
    for label in ("Print receipt", "No receipt", "Show QR"):
        assert label in body
    assert [(j.kind, j.dedupe_key) for j in jobs()] == [("drawer", f"drawer:sale:{sale.id}")]


def test_print_receipt_queues_the_original_once_however_often_it_is_tapped(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    pay(client, menu["croissant"].id, "cash", "5")
    sale = last_sale()
    first = post(client, f"/till/sales/{sale.id}/receipt", {}, htmx=True)
    assert first.status_code == 200
    assert "printing-changed" in first.headers["HX-Trigger"]
    assert f"Receipt {sale.receipt_no} sent to the printer" in first.get_data(as_text=True)
    again = post(client, f"/till/sales/{sale.id}/receipt", {}, htmx=True)
    assert again.status_code == 200 and "sent to the printer" in again.get_data(as_text=True)
    assert "Print receipt" not in again.get_data(as_text=True)
    [receipt] = jobs(kind="receipt")
    assert (receipt.dedupe_key, receipt.copy_no, receipt.state) == (f"receipt:{sale.id}:0", 0, "queued")
    text = render_text(document_from_json(receipt.document_json), 48)
    assert "Croissant" in text and "DUPLICATE" not in text
    assert [j.kind for j in jobs()] == ["drawer", "receipt"]  # the drawer first, once


def test_no_receipt_prints_nothing_but_the_sale_stands_and_the_drawer_still_opens(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    sale = sell(client, menu["croissant"].id, "cash", "5", receipt=False)
    fresh = client.get("/till/basket", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Tap a product to start an order." in fresh
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1
    assert sale.payments[0].method == "cash" and sale.total == 250
    assert [j.kind for j in jobs()] == ["drawer"]
    assert jobs(kind="receipt") == []


def test_a_card_sale_with_no_receipt_queues_no_job_at_all(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    sell(client, menu["croissant"].id, "card", "2.50", receipt=False)
    assert jobs() == []
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 1


def test_the_kitchen_gets_its_ticket_whatever_the_receipt_choice(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    drinks = db.session.scalar(select(Category).where(Category.name == "Drinks"))
    printing.save_printer(
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
    post(client, "/till/lines", {"product_id": str(menu["latte"].id), "variant_id": str(large.id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    post(client, "/till/pay", {"basket_key": key, "method": "card", "amount": "3.70"}, htmx=True)
    assert [j.kind for j in jobs()] == ["kitchen"]


def test_show_qr_shows_the_digital_receipts_code_and_prints_nothing(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    pay(client, menu["croissant"].id, "card", "2.50")
    sale = last_sale()
    body = client.get(f"/till/sales/{sale.id}/qr", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'aria-label="QR code for the digital receipt"' in body and "<svg" in body and "<path" in body
    assert f"Receipt {sale.receipt_no}" in body and "[QR:" not in body
    assert jobs() == []


def test_a_shop_that_always_prints_gets_the_receipt_at_pay_and_print_adds_nothing(client):
    set_receipt_after_pay("always")
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    body = pay(client, menu["croissant"].id, "cash", "5").get_data(as_text=True)
    sale = last_sale()
    assert [j.kind for j in jobs()] == ["drawer", "receipt"]
    assert "sent to the printer" in body and "Print receipt" not in body and "Show QR" in body
    post(client, f"/till/sales/{sale.id}/receipt", {}, htmx=True)
    assert len(jobs(kind="receipt")) == 1


def test_a_shop_that_never_prints_offers_the_qr_only_and_still_opens_the_drawer(client):
    set_receipt_after_pay("never")
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    body = pay(client, menu["croissant"].id, "cash", "5").get_data(as_text=True)
    assert "Show QR" in body and "Print receipt" not in body and "No receipt" not in body
    assert [j.kind for j in jobs()] == ["drawer"]


def test_print_for_an_older_sale_is_left_to_reprint_and_another_tills_sale_is_not_found(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    receipt_printer(till, 9100)
    pay(client, menu["croissant"].id, "card", "2.50")
    older = last_sale()
    pay(client, menu["croissant"].id, "card", "2.50")
    refused = post(client, f"/till/sales/{older.id}/receipt", {}, htmx=True)
    assert refused.status_code == 422
    assert "use Reprint" in refused.get_data(as_text=True)
    assert jobs(kind="receipt") == []

    latest = last_sale()
    other = make_till("Window")
    receipt_printer(other, 9102)
    pair(client, other)  # this tablet now belongs to another till
    pin_in(client, staff)
    assert post(client, f"/till/sales/{latest.id}/receipt", {}, htmx=True).status_code == 404
    assert client.get(f"/till/sales/{latest.id}/qr", headers={"HX-Request": "true"}).status_code == 404
    assert jobs(kind="receipt") == []


def test_print_on_a_till_without_a_printer_says_so_and_offers_the_qr(client):
    menu = make_menu()
    open_till_for(client)
    body = pay(client, menu["croissant"].id, "card", "2.50").get_data(as_text=True)
    assert "Print receipt" not in body and "no receipt printer" in body and "Show QR" in body
    refused = post(client, f"/till/sales/{last_sale().id}/receipt", {}, htmx=True)
    assert refused.status_code == 422 and "no receipt printer" in refused.get_data(as_text=True)


def test_print_while_the_printer_is_offline_queues_it_and_says_it_waits(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    printer = receipt_printer(till, 9100)
    db.session.get(Printer, printer.id).state = "offline"
    db.session.commit()
    pay(client, menu["croissant"].id, "card", "2.50")
    body = post(client, f"/till/sales/{last_sale().id}/receipt", {}, htmx=True).get_data(as_text=True)
    assert "The receipt printer is offline" in body and "prints when it is back" in body
    assert [j.state for j in jobs(kind="receipt")] == ["queued"]


def test_the_receipt_choice_is_not_audited_but_a_later_reprint_is(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9100)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("print.%"))
        )
        == 0
    )
    post(client, "/till/printer/reprint", {"sale_id": str(sale.id)}, htmx=True)
    [copy] = [j for j in jobs(kind="receipt") if j.copy_no == 1]
    assert "DUPLICATE 1" in render_text(document_from_json(copy.document_json), 48)
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "print.reprint")
        )
        == 1
    )
