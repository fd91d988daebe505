"""The digital copy of a receipt behind its QR code: an unguessable link, no sign-in, read-only."""

from __future__ import annotations

from bakery.extensions import db
from bakery.models import ReceiptLink
from bakery.services import printing
from bakery.services.printing import receipts
from tests.app.printing.helpers import sell
from tests.app.till.helpers import make_menu, open_till_for


def test_the_digital_receipt_link_shows_the_receipt_without_signing_in(app, client):
    menu = make_menu()
    open_till_for(client)
    sale = sell(client, menu["croissant"].id, "cash", "5")
    link = db.session.get(ReceiptLink, sale.id)

    visitor = app.test_client()
    response = visitor.get(f"/r/{link.token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Your receipt" in page and f"#{sale.receipt_no}" in page and "Croissant" in page
    assert "Cash tendered" in page
    assert visitor.post(f"/r/{link.token}").status_code == 405


def test_the_receipt_qr_code_carries_the_link(client):
    menu = make_menu()
    open_till_for(client)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    token = db.session.get(ReceiptLink, sale.id).token
    qr = [b for b in receipts.for_sale(sale).document.blocks if type(b).__name__ == "QR"]
    assert len(qr) == 1 and qr[0].data.endswith(f"/r/{token}")
    assert printing.sale_id_for_receipt_url(qr[0].data) == sale.id


def test_an_unknown_or_guessed_link_is_not_found(app, client):
    menu = make_menu()
    open_till_for(client)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    visitor = app.test_client()
    assert visitor.get(f"/r/{sale.id}").status_code == 404
    assert visitor.get("/r/" + "x" * 300).status_code == 404
    assert printing.sale_id_for_receipt_url("https://shop.test/r/nope") is None


def test_a_public_address_can_be_configured_for_the_qr_code(app, client):
    app.config["PUBLIC_URL"] = "https://receipts.bakery.example/"
    menu = make_menu()
    open_till_for(client)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    token = db.session.get(ReceiptLink, sale.id).token
    qr = [b for b in receipts.for_sale(sale).document.blocks if type(b).__name__ == "QR"]
    assert qr[0].data == f"https://receipts.bakery.example/r/{token}"
