"""A receipt left uncertain (sending was cut off) stays on the till until Reprint or Dismiss; the
X report says when it waits for an offline printer."""

from __future__ import annotations

from sqlalchemy import select, update

from bakery.extensions import db
from bakery.models import AuditEvent, PrintJob
from tests.app.printing.helpers import jobs, receipt_printer, sell
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_till, make_user, pair, pin_in, post

HX = {"HX-Request": "true"}


def _make_uncertain(sale_id: int) -> PrintJob:
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.sale_id == sale_id, PrintJob.kind == "receipt")
        .values(state="uncertain", last_error="Sending failed part-way")
    )
    db.session.commit()
    [job] = jobs(sale_id=sale_id, kind="receipt")
    return job


def test_an_uncertain_receipt_stays_on_the_till_after_later_sales_until_dismissed(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9)
    first = sell(client, menu["croissant"].id, "card", "2.50")
    job = _make_uncertain(first.id)
    sell(client, menu["croissant"].id, "card", "2.50")  # a later sale does not hide it

    body = client.get("/till/printer", headers=HX).get_data(as_text=True)
    assert f"Receipt {first.receipt_no} may not have printed" in body
    assert f"/till/printer/uncertain/{job.id}/dismiss" in body and f'value="{first.id}"' in body

    dismissed = post(client, f"/till/printer/uncertain/{job.id}/dismiss", htmx=True)
    assert dismissed.status_code == 200
    assert "may not have printed" not in dismissed.get_data(as_text=True)
    assert jobs(id=job.id)[0].state == "dismissed"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "print.uncertain_dismissed"))
    assert event is not None and event.target == f"sale:{first.id}"

    again = post(client, f"/till/printer/uncertain/{job.id}/dismiss", htmx=True)
    assert again.status_code == 422 and "already" in again.get_data(as_text=True)
    assert db.session.query(AuditEvent).filter_by(action="print.uncertain_dismissed").count() == 1


def test_a_reprint_settles_an_uncertain_receipt(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    _make_uncertain(sale.id)
    sell(client, menu["croissant"].id, "card", "2.50")
    reprinted = post(client, "/till/printer/reprint", {"sale_id": str(sale.id)}, htmx=True)
    assert reprinted.status_code == 200
    assert f"Receipt {sale.receipt_no} may not have printed" not in reprinted.get_data(as_text=True)
    assert [j.copy_no for j in jobs(sale_id=sale.id, kind="receipt")] == [0, 1]


def test_another_tills_uncertain_receipt_cannot_be_dismissed_here(app, client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    job = _make_uncertain(sale.id)

    other = app.test_client()
    pair(other, make_till(name="Window"))
    pin_in(other, make_user("staff", pin="5678"), "5678")
    refused = post(other, f"/till/printer/uncertain/{job.id}/dismiss", htmx=True)
    assert refused.status_code == 404
    assert jobs(id=job.id)[0].state == "uncertain"


def test_the_x_report_says_it_waits_for_an_offline_printer(client):
    till, _ = open_till_for(client)
    printer = receipt_printer(till, 9)
    printer.state = "offline"
    db.session.commit()
    response = post(client, "/till/cash/x-report")
    assert response.status_code == 302
    page = client.get("/till/cash").get_data(as_text=True)
    assert "The receipt printer is offline: the X report is waiting for the printer" in page
    assert "X report sent to the printer." not in page

    printer.state = "ok"
    db.session.commit()
    post(client, "/till/cash/x-report")
    assert "X report sent to the printer." in client.get("/till/cash").get_data(as_text=True)
