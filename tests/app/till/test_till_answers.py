"""The till answers where the cashier is looking: pay errors by the pay form, member lookup by
number, card or name, and an emptied search that brings the category back."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Basket, Member, Payment, Sale
from bakery.services import members
from bakery.services.audit import SYSTEM
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import post


def add(client, product_id):
    return post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)


def basket() -> Basket:
    return db.session.scalar(select(Basket).where(Basket.status == "open"))


def member(number: str, name: str, **extra) -> Member:
    members.ensure_default_classes()
    return members.create_member(number, name, "customer", SYSTEM, joined_on=date(2025, 1, 1), **extra)


# --- pay errors beside the pay form ---------------------------------------------------------


def test_a_bad_amount_shows_beside_the_amount_keeps_the_typing_and_scrolls_there(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    response = post(
        client,
        "/till/pay",
        {"basket_key": basket().key, "method": "card", "amount": "3.4.0", "reference": "T-77"},
        htmx=True,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'role="alert" id="pay-answer"' in body
    assert 'id="basket-error"' not in body
    form = body[body.index('class="pay pay-other"') :]
    assert form.index('value="3.4.0"') < form.index('id="pay-answer"')
    assert 'value="T-77"' in form
    assert response.headers["HX-Reswap"] == "outerHTML show:#pay-answer:bottom"
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 0


def test_card_over_payment_is_refused_beside_the_pay_form(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    response = post(
        client, "/till/pay", {"basket_key": basket().key, "method": "card", "amount": "9.00"}, htmx=True
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    answer = body[body.index('id="pay-answer"') :]
    assert "card" in answer[: answer.index("</p>")].lower()
    assert 'value="9.00"' in body
    assert db.session.scalar(select(func.count()).select_from(Sale)) == 0


def test_a_good_payment_fills_the_amount_with_what_is_due_and_shows_no_error(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    add(client, menu["croissant"].id)
    response = post(
        client, "/till/pay", {"basket_key": basket().key, "method": "cash", "amount": "2.00"}, htmx=True
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="pay-answer"' not in body and 'value="3.00"' in body
    assert "HX-Reswap" not in response.headers


# --- member lookup ----------------------------------------------------------------------------


def test_a_membership_number_is_found_however_it_is_typed(client):
    menu = make_menu()
    open_till_for(client)
    mia = member("M-0101", "Mia Member")
    member("M-10101", "Other Person")
    add(client, menu["croissant"].id)
    for typed in ("M-0101", "m0101", "0101", " m 0101 "):
        response = post(client, "/till/member", {"code": typed}, htmx=True)
        assert response.status_code == 200, typed
        assert basket().member_id == mia.id
        post(client, "/till/member/remove", htmx=True)


def test_a_card_code_attaches_its_member(client):
    make_menu()
    open_till_for(client)
    mia = member("M-0101", "Mia Member")
    response = post(client, "/till/member", {"code": mia.card_code.upper()}, htmx=True)
    assert response.status_code == 200
    assert basket().member_id == mia.id


def test_three_letters_of_a_name_list_the_matches_without_contact_details(client):
    make_menu()
    open_till_for(client)
    mia = member("M-0101", "Mia Member", email="mia@example.org", phone="07700 900123")
    member("M-0102", "Noor Member")
    member("M-0103", "Left Member", status="left", left_on=date(2025, 6, 1))
    response = post(client, "/till/member", {"code": "memb"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="member-answer"' in body and "2 found" in body
    assert "Mia Member · M-0101" in body and "Noor Member · M-0102" in body
    assert "Left Member" not in body
    assert "mia@example.org" not in body and "07700" not in body and mia.card_code not in body
    assert 'value="memb"' in body
    assert basket() is None or basket().member_id is None
    picked = post(client, "/till/member", {"member_id": str(mia.id)}, htmx=True)
    assert picked.status_code == 200 and "Mia Member" in picked.get_data(as_text=True)
    assert basket().member_id == mia.id


def test_a_single_name_match_is_still_offered_to_pick_not_attached(client):
    make_menu()
    open_till_for(client)
    member("M-0101", "Mia Member")
    body = post(client, "/till/member", {"code": "MIA"}, htmx=True).get_data(as_text=True)
    assert "1 found" in body and "Mia Member · M-0101" in body
    assert basket() is None or basket().member_id is None


def test_too_few_letters_or_no_match_is_a_clear_message_by_the_field(client):
    make_menu()
    open_till_for(client)
    member("M-0101", "Mia Member")
    short = post(client, "/till/member", {"code": "mi"}, htmx=True)
    assert short.status_code == 422
    assert "at least 3 letters" in short.get_data(as_text=True)
    assert 'role="alert" id="member-answer"' in short.get_data(as_text=True)
    none = post(client, "/till/member", {"code": "zzz"}, htmx=True)
    assert none.status_code == 422 and "No active member is called zzz" in none.get_data(as_text=True)
    empty = post(client, "/till/member", {"code": "  "}, htmx=True)
    assert empty.status_code == 422 and 'id="member-answer"' in empty.get_data(as_text=True)
    gone = post(client, "/till/member", {"member_id": "999999"}, htmx=True)
    assert gone.status_code == 422
    assert basket() is None or basket().member_id is None


def test_a_left_member_picked_by_id_is_refused(client):
    make_menu()
    open_till_for(client)
    left = member("M-0103", "Left Member", status="left", left_on=date(2025, 6, 1))
    response = post(client, "/till/member", {"member_id": str(left.id)}, htmx=True)
    assert response.status_code == 422
    assert "no longer active" in response.get_data(as_text=True)


# --- search -----------------------------------------------------------------------------------


def test_clearing_the_search_brings_back_the_category_that_was_showing(client):
    menu = make_menu()
    open_till_for(client)
    drinks = menu["latte"].category_id
    hx = {"HX-Request": "true"}
    cleared = client.get(f"/till/search?q=&category={drinks}", headers=hx).get_data(as_text=True)
    assert "Latte" in cleared and "Croissant" not in cleared
    first = client.get("/till/search?q=", headers=hx).get_data(as_text=True)
    assert "Croissant" in first and "Latte" not in first
    bad = client.get("/till/search?q=%20&category=x1", headers=hx)
    assert bad.status_code == 200 and "Croissant" in bad.get_data(as_text=True)


def test_the_search_box_sends_the_category_showing(client):
    make_menu()
    open_till_for(client)
    page = client.get("/till/sell").get_data(as_text=True)
    assert 'hx-include="#categories"' in page
    nav = page[page.index('id="categories"') :]
    assert '<input type="hidden" name="category" value="' in nav[: nav.index("</nav>")]


# --- after Pay: the receipt's QR as an image ----------------------------------------------------


def test_after_pay_the_receipt_shows_its_qr_as_an_svg_image_and_offers_the_choices(client):
    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    response = post(
        client, "/till/pay", {"basket_key": basket().key, "method": "cash", "amount": "5.00"}, htmx=True
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    preview = body[body.index('id="receipt-preview"') :]
    assert "[QR:" not in body
    assert 'role="img" aria-label="QR code' in preview and "<svg" in preview
    assert "<script" not in body
    assert "No receipt" in body and "Show QR" in body
    sale = db.session.scalar(select(Sale))
    again = client.get(f"/till/receipts/{sale.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<svg" in again and "[QR:" not in again


def test_the_digital_receipt_is_laid_out_for_a_phone_with_its_qr_as_an_image(app, client):
    from bakery.models import ReceiptLink

    menu = make_menu()
    open_till_for(client)
    add(client, menu["croissant"].id)
    post(client, "/till/pay", {"basket_key": basket().key, "method": "cash", "amount": "5.00"}, htmx=True)
    token = db.session.scalar(select(ReceiptLink.token))
    page = app.test_client().get(f"/r/{token}").get_data(as_text=True)
    receipt = page[page.index('id="digital-receipt">') + len('id="digital-receipt">') : page.index("</pre>")]
    text = receipt.split("<span")[0]
    widths = [len(line) for line in text.splitlines()]
    assert max(widths) == 32, widths
    assert "£2.50" in text and "<svg" in receipt and "[QR:" not in page
