"""X and Z reports print on the till's receipt printer; paid in/out opens the drawer."""

from __future__ import annotations

from bakery.services import printing
from tests.app.printing.helpers import jobs, receipt_printer, sell
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import post


def test_the_x_report_prints_on_request_and_reads_back_from_the_printer(client, virtual_printer):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port)
    sell(client, menu["croissant"].id, "card", "2.50")
    printing.Worker("w").run_once()  # the receipt
    response = post(client, "/till/cash/x-report")
    assert response.status_code == 302
    assert len(jobs(kind="x_report")) == 1
    printing.Worker("w").run_once()
    printed = virtual_printer.wait_for_jobs(2)[-1]
    assert "X REPORT" in printed.text and "Gross sales" in printed.text and "£2.50" in printed.text


def test_closing_the_till_prints_the_z_report_with_its_chain_tag(client, virtual_printer):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port)
    sell(client, menu["croissant"].id, "cash", "2.50")
    response = post(client, "/till/close", {"n1000": "10", "n200": "1", "n50": "1", "confirmed": "yes"})
    assert response.status_code in (200, 302), response.get_data(as_text=True)
    [z] = jobs(kind="z_report")
    assert "Z REPORT 1" in z.document_json and "Chain " in z.document_json and "Variance" in z.document_json


def test_paying_cash_out_queues_a_drawer_kick_and_without_a_printer_nothing(client):
    till, _ = open_till_for(client)
    post(
        client,
        "/till/cash/moves",
        {"direction": "out", "amount": "5.00", "reason": "milk from the shop"},
        htmx=True,
    )
    assert jobs(kind="drawer") == []
    receipt_printer(till, 9)
    post(
        client,
        "/till/cash/moves",
        {"direction": "in", "amount": "2.00", "reason": "change from the bank"},
        htmx=True,
    )
    [kick] = jobs(kind="drawer")
    assert kick.expires_at is not None
