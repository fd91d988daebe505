"""In a real browser on the demo data: after a cash sale the drawer of the Counter till's (virtual)
receipt printer opens and Print receipt prints the receipt; a card sale prints without opening the
drawer; a cash sale with No receipt opens the drawer and prints nothing."""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import pytest

from bakery.extensions import db
from bakery.models import Printer, Till, User
from bakery.services import demo, printing
from bakery.services.audit import Actor
from bakery.services.till import cash
from bakery.services.till.tills import pair_device
from printers import VirtualJob, VirtualPrinter

pytestmark = pytest.mark.browser


def print_until(printer: VirtualPrinter, count: int, timeout: float = 10.0) -> list[VirtualJob]:
    """Run the print worker (as `flask printers work` would) until `count` jobs have printed."""
    worker = printing.Worker("browser-test")
    deadline = time.monotonic() + timeout
    while len(printer.jobs) < count and time.monotonic() < deadline:
        if worker.run_once().action == "idle":
            time.sleep(0.1)
    db.session.rollback()  # hold no SQLite lock while the browser goes on
    return printer.wait_for_jobs(count, timeout=2)


def test_a_cash_sale_prints_and_kicks_the_drawer_and_a_card_sale_prints_without(page, live_server, live_app):
    demo.load_demo_data()
    virtual = VirtualPrinter(port=0).start()
    try:
        till = db.session.query(Till).filter_by(name="Counter").one()
        receipts_printer = db.session.query(Printer).filter_by(receipt_till_id=till.id).one()
        receipts_printer.connection_json = json.dumps(
            {"kind": "network", "host": "127.0.0.1", "port": virtual.port}
        )
        db.session.commit()
        ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
        token = pair_device(till.id, "browser", Actor(user_id=ada.id))
        cash.open_session(till.id, 5000, Actor(ada.id, till.id))
        db.session.rollback()
        page.context.add_cookies([{"name": "bakery_till", "value": token, "url": live_server}])

        page.goto(live_server + "/till/")
        page.get_by_role("link", name="Ada").click()
        for digit in "1111":
            page.locator(f'.key[data-key="{digit}"]').click()
        page.get_by_role("button", name="OK").click()
        page.wait_for_url("**/till/sell")
        page.wait_for_load_state("load")  # htmx and our JS are deferred
        page.locator("#printer-status").get_by_text("Counter receipts").wait_for()

        page.get_by_role("link", name="Viennoiserie").click()
        page.get_by_role("button", name="Croissant").click()
        page.locator("#basket").get_by_text("Croissant").wait_for()
        page.get_by_role("button", name="£5.00").click()
        page.locator("#change-due").get_by_text("£2.50").wait_for()
        page.locator("#printer-state").get_by_text("1 waiting").wait_for()  # the drawer, at once
        page.get_by_role("button", name="Print receipt").click()
        page.get_by_role("status").filter(has_text="sent to the printer").wait_for()
        assert page.get_by_role("button", name="Print receipt").count() == 0  # it cannot be tapped twice
        page.locator("#printer-state").get_by_text("2 waiting").wait_for()

        drawer, receipt = print_until(virtual, 2)
        assert drawer.drawer_kicks == 1 and drawer.text.strip() == ""
        assert receipt.drawer_kicks == 0 and "Croissant" in receipt.text and "Change" in receipt.text
        assert receipt.cut and receipt.qr_data and "/r/" in receipt.qr_data[0]
        # The till stops showing waiting jobs once they printed (it polls while something waits).
        page.locator("#printer-state").get_by_text("Ready", exact=True).wait_for(timeout=12_000)

        page.get_by_role("button", name="New order").click()
        page.get_by_text("Tap a product to start an order.").wait_for()
        page.get_by_role("button", name="Croissant").click()
        page.locator("#basket").get_by_text("Croissant").wait_for()
        page.get_by_role("button", name="Card").click()
        page.locator("#change-due").get_by_text("Paid").wait_for()
        page.get_by_role("button", name="Print receipt").click()
        page.get_by_role("status").filter(has_text="sent to the printer").wait_for()

        jobs = print_until(virtual, 3)
        card_receipt = jobs[2]
        assert "Card" in card_receipt.text and "Croissant" in card_receipt.text
        assert sum(job.drawer_kicks for job in jobs) == 1  # the card sale opened nothing

        page.get_by_role("button", name="New order").click()
        page.get_by_text("Tap a product to start an order.").wait_for()
        page.get_by_role("button", name="Croissant").click()
        page.locator("#basket").get_by_text("Croissant").wait_for()
        page.get_by_role("button", name="£5.00").click()
        page.locator("#change-due").get_by_text("£2.50").wait_for()
        page.get_by_role("button", name="No receipt").click()
        page.get_by_text("Tap a product to start an order.").wait_for()
        jobs = print_until(virtual, 4)
        assert jobs[3].drawer_kicks == 1 and jobs[3].text.strip() == ""  # the drawer, no receipt
        time.sleep(0.3)
        assert len(virtual.jobs) == 4
    finally:
        virtual.stop()

    hosts = {urlsplit(url).hostname for url in page.requested}
    assert hosts == {"127.0.0.1"}
