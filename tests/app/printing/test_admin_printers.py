"""Printers in the office (admins): add and change, agent token shown once, test page, jobs."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, Category, Printer, PrintJob
from bakery.services import printing
from printers import document_from_json, render_text
from tests.factories import make_till, make_user, post, sign_in

PAGES = ["/admin/printers", "/admin/print-jobs"]


def printer_form(till_id: int | None = None, **changes: str) -> dict[str, str]:
    form = {
        "name": "Counter printer",
        "location": "counter",
        "profile": "epson-tm-t20-80",
        "connection_kind": "network",
        "host": "192.168.1.50",
        "port": "9100",
        "receipt_till_id": str(till_id or ""),
        "active": "y",
    }
    form.update(changes)
    return form


@pytest.fixture
def admin_client(client):
    sign_in(client, make_user("admin"))
    return client


def test_an_admin_adds_a_receipt_printer_for_a_till_and_it_is_audited(admin_client):
    till = make_till("Counter")
    response = post(admin_client, "/admin/printers", printer_form(till.id))
    assert response.status_code == 302
    printer = db.session.scalar(select(Printer))
    assert (printer.name, printer.receipt_till_id, printer.location) == (
        "Counter printer",
        till.id,
        "counter",
    )
    assert json.loads(printer.connection_json) == {"kind": "network", "host": "192.168.1.50", "port": 9100}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "printer.created")) is not None
    page = admin_client.get("/admin/printers").get_data(as_text=True)
    assert "Counter printer" in page and "network 192.168.1.50:9100" in page and "Receipts of Counter" in page
    edit = admin_client.get(f"/admin/printers/{printer.id}").get_data(as_text=True)
    assert 'value="192.168.1.50"' in edit


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"host": ""}, "Enter the printer&#39;s address."),
        ({"port": "70000"}, "port must be a whole number"),
        ({"connection_kind": "file", "path": "/etc/cron.d/evil"}, "A file printer writes under"),
        ({"connection_kind": "usb", "vendor_id": "xyz", "product_id": "0e15"}, "hexadecimal"),
        ({"profile": "made-up"}, "Not a valid choice"),
        ({"name": ""}, "Name the printer."),
    ],
)
def test_a_bad_printer_is_refused_with_the_reason_and_nothing_is_saved(admin_client, changes, message):
    response = post(admin_client, "/admin/printers", printer_form(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Printer)) == 0


def test_a_kitchen_printer_takes_categories_and_a_usb_connection(admin_client):
    sandwiches = Category(name="Sandwiches")
    db.session.add(sandwiches)
    db.session.commit()
    form = printer_form(
        name="Kitchen",
        location="kitchen",
        profile="generic-80",
        connection_kind="usb",
        vendor_id="04b8",
        product_id="0x0e15",
    )
    form["category_ids"] = str(sandwiches.id)
    assert post(admin_client, "/admin/printers", form).status_code == 302
    printer = db.session.scalar(select(Printer))
    assert json.loads(printer.connection_json) == {"kind": "usb", "vendor_id": 0x04B8, "product_id": 0x0E15}
    assert [c.name for c in printer.categories] == ["Sandwiches"]


def test_the_agent_token_is_shown_once_stored_hashed_and_revocable(admin_client):
    post(admin_client, "/admin/printers", printer_form(via_agent="y"))
    printer = db.session.scalar(select(Printer))
    shown = post(admin_client, f"/admin/printers/{printer.id}/token")
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    body = shown.get_data(as_text=True)
    assert "shown this once" in body
    db.session.expire_all()
    stored = db.session.get(Printer, printer.id)
    token = body.split("<pre>", 1)[1].split("</pre>", 1)[0]
    assert printing.printer_for_token(token).id == printer.id and token not in stored.token_hash
    again = admin_client.get(f"/admin/printers/{printer.id}").get_data(as_text=True)
    assert token not in again and "Revoke agent token" in again
    post(admin_client, f"/admin/printers/{printer.id}/token/revoke")
    assert printing.printer_for_token(token) is None


def test_print_test_page_queues_a_test_page_for_the_printer(admin_client):
    post(admin_client, "/admin/printers", printer_form())
    printer = db.session.scalar(select(Printer))
    assert post(admin_client, f"/admin/printers/{printer.id}/test").status_code == 302
    job = db.session.scalar(select(PrintJob))
    assert (job.kind, job.printer_id, job.state) == ("test", printer.id, "queued")
    text = render_text(document_from_json(job.document_json), 48)
    assert "TEST PAGE" in text and "£" in text and "€" in text
    jobs_page = admin_client.get("/admin/print-jobs").get_data(as_text=True)
    assert "test" in jobs_page and "queued" in jobs_page
    assert post(admin_client, f"/admin/print-jobs/{job.id}/cancel").status_code == 302
    db.session.expire_all()
    assert db.session.get(PrintJob, job.id).state == "cancelled"
    refused = post(admin_client, f"/admin/print-jobs/{job.id}/retry")
    assert refused.status_code == 422


@pytest.mark.parametrize("path", PAGES)
def test_managers_cannot_open_the_printer_pages(client, path):
    sign_in(client, make_user("manager"))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_admins_open_the_printer_pages_and_the_nav_links_them(admin_client, path):
    page = admin_client.get(path)
    assert page.status_code == 200
    assert 'href="/admin/printers"' in page.get_data(as_text=True)
