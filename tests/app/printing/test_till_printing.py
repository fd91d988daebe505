"""On the till: the printer's state, Retry and Cancel, reprints as DUPLICATE n, the no-sale drawer."""

from __future__ import annotations

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import AuditEvent, Printer
from bakery.models.types import utcnow
from bakery.services import printing
from printers import document_from_json, render_text
from tests.app.printing.helpers import jobs, receipt_printer, sell
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_user, post

HX = {"HX-Request": "true"}


def test_the_selling_screen_loads_the_printer_status_which_polls_only_while_jobs_wait(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    page = client.get("/till/sell").get_data(as_text=True)
    assert 'id="printer-status"' in page and 'hx-trigger="load"' in page
    assert "No receipt printer" in client.get("/till/printer", headers=HX).get_data(as_text=True)

    printer = receipt_printer(till, 9)
    sell(client, menu["croissant"].id, "cash", "5")
    body = client.get("/till/printer", headers=HX).get_data(as_text=True)
    assert "<html" not in body and printer.name in body
    assert "Ready: 2 waiting" in body and 'hx-trigger="every 5s, sale-completed from:body' in body


def test_the_status_poll_needs_only_the_paired_tablet_and_does_not_refresh_the_staff_session(client):
    open_till_for(client)
    with client.session_transaction() as session:
        seen = session["seen"] = session["seen"] - 60
    assert client.get("/till/printer", headers=HX).status_code == 200
    with client.session_transaction() as session:
        assert session["seen"] == seen
    unpaired = client.application.test_client()
    assert unpaired.get("/till/printer").status_code == 403


def test_retry_tries_waiting_jobs_now_and_cancel_cancels_them_with_an_audit_row(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9)
    sell(client, menu["croissant"].id, "card", "2.50")
    sell(client, menu["croissant"].id, "card", "2.50")
    printing.Worker("w").run_once()  # port 9 refuses: offline, everything backs off
    assert all(j.next_attempt_at > utcnow() for j in jobs())

    body = post(client, "/till/printer/retry", htmx=True).get_data(as_text=True)
    assert "Trying 2 again." in body
    assert all(j.next_attempt_at <= utcnow() for j in jobs())

    body = post(client, "/till/printer/cancel", htmx=True).get_data(as_text=True)
    assert "Cancelled 2." in body
    assert [j.state for j in jobs()] == ["cancelled", "cancelled"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "print.cancelled")) is not None


def test_reprints_say_duplicate_and_are_numbered_one_two(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    assert "Printing DUPLICATE 1." in post(client, "/till/printer/reprint", htmx=True).get_data(as_text=True)
    assert "Printing DUPLICATE 2." in post(client, "/till/printer/reprint", htmx=True).get_data(as_text=True)
    receipts = jobs(kind="receipt")
    assert [j.dedupe_key for j in receipts] == [f"receipt:{sale.id}:{n}" for n in (0, 1, 2)]
    texts = [render_text(document_from_json(j.document_json), 42) for j in receipts]
    assert "DUPLICATE" not in texts[0]
    assert "DUPLICATE 1" in texts[1] and "DUPLICATE 2" in texts[2]
    assert all(j.kind != "drawer" for j in jobs()[1:] if j.copy_no)  # a reprint never opens the drawer


def test_a_reprint_needs_a_receipt_printer_and_a_sale_of_this_till(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    response = post(client, "/till/printer/reprint", htmx=True)
    assert response.status_code == 422 and "no receipt printer" in response.get_data(as_text=True)
    receipt_printer(till, 9)
    response = post(client, "/till/printer/reprint", htmx=True)
    assert response.status_code == 404 and "no receipt to reprint" in response.get_data(as_text=True)
    sell(client, menu["croissant"].id, "card", "2.50")
    assert post(client, "/till/printer/reprint", {"sale_id": "99999"}, htmx=True).status_code == 404


def test_no_sale_opens_the_drawer_only_with_a_manager_pin_and_a_reason_and_is_audited(client):
    till, staff = open_till_for(client)
    printer = receipt_printer(till, 9)
    manager = make_user("manager", pin="8080")
    form = client.get("/till/drawer", headers=HX).get_data(as_text=True)
    assert "Manager PIN" in form and manager.display_name in form

    no_reason = post(
        client, "/till/drawer", {"manager_id": str(manager.id), "manager_pin": "8080"}, htmx=True
    )
    assert no_reason.status_code == 422 and jobs() == []
    wrong = post(
        client,
        "/till/drawer",
        {"manager_id": str(manager.id), "manager_pin": "1111", "reason": "change for the float"},
        htmx=True,
    )
    assert wrong.status_code == 401 and "drawer stays shut" in wrong.get_data(as_text=True)
    assert jobs() == []
    staff_pin = post(
        client, "/till/drawer", {"manager_id": str(staff.id), "manager_pin": "1234", "reason": "x"}, htmx=True
    )
    assert staff_pin.status_code == 401 and jobs() == []

    ok = post(
        client,
        "/till/drawer",
        {"manager_id": str(manager.id), "manager_pin": "8080", "reason": "change for the float"},
        htmx=True,
    )
    assert ok.status_code == 200 and "Drawer opening" in ok.get_data(as_text=True)
    assert ok.headers["HX-Trigger"] == "printing-changed"
    [kick] = jobs()
    assert (kick.kind, kick.printer_id, kick.sale_id) == ("drawer", printer.id, None)
    assert kick.expires_at is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "till.no_sale"))
    assert event is not None and "change for the float" in event.details and event.actor_id == staff.id


def test_retry_and_cancel_need_a_staff_session(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9)
    sell(client, menu["croissant"].id, "card", "2.50")
    post(client, "/till/lock", htmx=True)
    response = post(client, "/till/printer/cancel", htmx=True)
    assert response.headers.get("HX-Redirect") == "/till/"
    assert [j.state for j in jobs()] == ["queued"]
    assert db.session.get(Printer, jobs()[0].printer_id) is not None
