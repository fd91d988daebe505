"""In a real browser, by visible labels: the till asks in its own confirm panel (never the
browser's confirm()) before a void and before the Z close, and after Pay the customer's receipt
is a choice: Print receipt queues one job, No receipt none (the sale stands), Show QR a code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, Basket, PrintJob, Sale, ZReport
from tests.browser.test_till_answers import _signed_in_till

pytestmark = pytest.mark.browser


def _no_browser_dialogs(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Any window.confirm/alert the page opens is recorded (and dismissed)."""
    opened: list[str] = []

    def record(dialog) -> None:  # type: ignore[no-untyped-def]
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


def _count(model, *where) -> int:  # type: ignore[no-untyped-def]
    db.session.rollback()  # read what the server committed, hold no lock
    found = db.session.scalar(select(func.count()).select_from(model).where(*where))
    db.session.rollback()
    return int(found or 0)


def _ring_up(page, category: str, product: str, times: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Tap a product `times`, each tap answered (the total changed) before the next."""
    page.get_by_role("link", name=category).click()
    # The category's tiles arrive by htmx: a tap on a tile that is being replaced is lost (as a
    # person's would be, who then taps again), so wait for the swap before tapping.
    expect(page.locator(".htmx-request")).to_have_count(0)
    for _ in range(times):
        before = page.locator("#basket-total").inner_text()
        page.get_by_role("button", name=product).first.click()
        expect(page.locator(".htmx-request")).to_have_count(0)
        page.locator("#basket").get_by_text(product).first.wait_for()
        expect(page.locator("#basket-total")).not_to_have_text(before)


def test_a_void_asks_for_a_reason_and_over_the_threshold_a_managers_pin(page, live_server, live_app):
    _signed_in_till(page, live_server)
    dialogs = _no_browser_dialogs(page)
    _ring_up(page, "Viennoiserie", "Croissant")
    page.get_by_role("button", name="Void order").click()
    panel = page.get_by_role("alertdialog", name="Void this order?")
    expect(panel).to_be_visible()
    assert panel.get_by_label("Manager's PIN").count() == 0  # £2.50 is under the £20.00 threshold
    panel.get_by_role("button", name="Confirm void").click()
    expect(panel.get_by_role("alert")).to_be_visible()  # no reason chosen: nothing voided
    assert _count(Basket, Basket.status == "voided") == 0
    panel.get_by_label("Reason").select_option(label="Rung up by mistake")
    panel.get_by_role("button", name="Confirm void").click()
    page.get_by_text("Tap a product to start an order.").wait_for()
    assert _count(Basket, Basket.status == "voided") == 1

    _ring_up(page, "Breads", "Sourdough loaf", times=5)
    expect(page.locator("#basket-grand")).to_have_text("£22.50")
    page.get_by_role("button", name="Void order").click()
    panel = page.get_by_role("alertdialog", name="Void this order?")
    expect(panel.get_by_text("Manager's PIN (needed over £20.00)")).to_be_visible()
    panel.get_by_label("Reason").select_option(label="Rung up by mistake")
    panel.get_by_role("button", name="Confirm void").click()
    expect(panel.get_by_role("alert")).to_be_visible()  # no manager's PIN: refused
    assert _count(Basket, Basket.status == "voided") == 1
    panel.get_by_label("Manager", exact=True).select_option(label="Marek Manager")
    panel.get_by_label("Manager's PIN").fill("8080")
    panel.get_by_role("button", name="Confirm void").click()
    page.get_by_text("Tap a product to start an order.").wait_for()
    assert _count(Basket, Basket.status == "voided") == 2
    assert _count(AuditEvent, AuditEvent.action == "till.basket_voided") == 2
    assert dialogs == []


def test_the_z_close_asks_in_the_tills_panel_and_back_keeps_the_till_open(page, live_server, live_app):
    _signed_in_till(page, live_server)
    dialogs = _no_browser_dialogs(page)
    page.goto(live_server + "/till/close")
    page.get_by_label("£20").fill("2")
    page.get_by_label("£10").fill("1")
    page.get_by_role("button", name="Close the till").click()
    panel = page.get_by_role("alertdialog", name="Close Counter now?")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("You counted £50.00")
    expect(page.get_by_label("£20")).to_have_value("2")  # the count stays behind the panel
    panel.get_by_role("button", name="Back to the count").click()
    expect(panel).to_have_count(0)
    assert _count(ZReport) == 0
    page.get_by_role("button", name="Close the till").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Yes, close the till").click()
    page.wait_for_url("**/till/z/*")
    assert _count(ZReport) == 1
    assert dialogs == []


def test_after_pay_print_queues_one_receipt_no_receipt_none_and_qr_shows_a_code(page, live_server, live_app):
    _signed_in_till(page, live_server)
    _ring_up(page, "Viennoiserie", "Croissant")
    page.get_by_role("button", name="£5.00").click()
    page.locator("#change-due").get_by_text("£2.50").wait_for()
    db.session.rollback()
    first = db.session.scalar(select(Sale.id).order_by(Sale.id.desc()))
    assert (
        _count(PrintJob, PrintJob.sale_id == first, PrintJob.kind == "drawer") == 1
    )  # cash: the drawer opens
    assert _count(PrintJob, PrintJob.sale_id == first, PrintJob.kind == "receipt") == 0  # nothing yet
    choice = page.get_by_role("group", name="Receipt for the customer")
    print_button = choice.get_by_role("button", name="Print receipt")
    box = print_button.bounding_box()
    assert box is not None and box["height"] >= 48  # a big target
    print_button.focus()
    page.keyboard.press("Enter")  # the keyboard works as well as a tap
    choice.get_by_role("status").filter(has_text="sent to the printer").wait_for()
    assert _count(PrintJob, PrintJob.sale_id == first, PrintJob.kind == "receipt") == 1
    assert choice.get_by_role("button", name="Print receipt").count() == 0

    choice.get_by_role("button", name="Show QR").click()
    qr = page.get_by_role("img", name="QR code for the digital receipt")
    qr.wait_for()
    assert qr.locator("svg").bounding_box()["width"] >= 200
    page.get_by_role("button", name="Done").click()
    expect(qr).to_have_count(0)

    page.get_by_role("button", name="New order").click()
    page.get_by_text("Tap a product to start an order.").wait_for()
    _ring_up(page, "Viennoiserie", "Croissant")
    page.get_by_role("button", name="£5.00").click()
    page.locator("#change-due").get_by_text("£2.50").wait_for()
    page.get_by_role("button", name="No receipt").click()
    page.get_by_text("Tap a product to start an order.").wait_for()
    db.session.rollback()
    second = db.session.scalar(select(Sale.id).order_by(Sale.id.desc()))
    assert second != first and _count(Sale) == 2  # the sale stands
    assert _count(PrintJob, PrintJob.sale_id == second, PrintJob.kind == "receipt") == 0
    assert _count(PrintJob, PrintJob.sale_id == second, PrintJob.kind == "drawer") == 1


def test_office_and_printer_confirmations_use_the_app_panel(page, live_server, live_app):
    _signed_in_till(page, live_server)
    dialogs = _no_browser_dialogs(page)
    _ring_up(page, "Viennoiserie", "Croissant")
    page.get_by_role("button", name="Card").click()
    page.locator("#change-due").get_by_text("Paid").wait_for()
    page.get_by_role("button", name="Print receipt").click()
    page.get_by_role("status").filter(has_text="sent to the printer").wait_for()
    # The worker is not running here: the receipt waits, so the printer panel offers Cancel.
    from bakery.models import Printer

    db.session.rollback()
    for printer in db.session.scalars(select(Printer)):
        printer.state = "offline"
    db.session.commit()
    # The panel polls while something waits, and opens by itself on a problem.
    page.locator("#printer-status").get_by_role("button", name="Retry").wait_for(timeout=15_000)
    page.get_by_role("button", name="Cancel waiting prints").click()
    panel = page.get_by_role("alertdialog", name="Cancel the print jobs that are waiting?")
    expect(panel).to_be_visible()
    panel.get_by_role("button", name="Cancel", exact=True).click()
    expect(panel).to_have_count(0)
    assert _count(PrintJob, PrintJob.state == "cancelled") == 0
    page.get_by_role("button", name="Cancel waiting prints").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel waiting prints").click()
    page.locator("#printer-status").get_by_role("status").filter(has_text="Cancelled 1.").wait_for()
    assert _count(PrintJob, PrintJob.state == "cancelled") >= 1
    assert dialogs == []
