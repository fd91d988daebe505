"""PPDS labels for a bake batch: the page, printing through the queue to a label printer (Font A,
allergens in bold), the A4 sheet, who may use them and bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, PrintJob
from bakery.services import printing, stock
from bakery.services.audit import SYSTEM
from bakery.services.printing import PrinterInput
from printers import VirtualPrinter
from printers.escpos_decode import PaperLine
from tests.app.stock.kitchen import key, make_kitchen
from tests.factories import make_member, make_till, make_user, pair, pin_in, post, sign_in


@pytest.fixture
def virtual_printer() -> Iterator[VirtualPrinter]:
    with VirtualPrinter(port=0, idle_timeout=2.0) as printer:
        yield printer


@pytest.fixture
def batch(app):
    kitchen = make_kitchen(make_user("manager").id)
    return stock.record_bake(kitchen.loaf.id, 12, key=key(), actor=kitchen.actor)


def label_printer(port: int):
    return printing.save_printer(
        None,
        PrinterInput(
            name="Labels",
            location="labels",
            profile="generic-58",
            connection={"kind": "network", "host": "127.0.0.1", "port": port, "timeout": 2.0},
        ),
        SYSTEM,
    )


def job_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PrintJob))


def test_the_page_shows_the_label_with_its_allergens_in_bold(client, batch):
    sign_in(client, make_user("manager"))
    html = client.get(f"/office/catalogue/batches/{batch.id}/labels").get_data(as_text=True)

    assert "Labels: Sourdough" in html
    assert "Sourdough dough (Strong white flour (<strong>gluten</strong>), Water, Sea salt)" in html
    assert f"Batch: {batch.code}" in html
    assert "Best before:" in html
    assert "No printer is set up yet" in html and "Download PDF" in html


def test_the_list_of_recent_batches_links_to_their_labels(client, batch):
    sign_in(client, make_user("manager"))
    html = client.get("/office/catalogue/labels").get_data(as_text=True)
    assert batch.code in html
    assert f"/office/catalogue/batches/{batch.id}/labels" in html


def test_printed_labels_go_through_the_queue_in_font_a_with_allergens_emphasised(
    client, batch, virtual_printer
):
    printer = label_printer(virtual_printer.port)
    sign_in(client, make_user("manager"))

    response = post(
        client,
        f"/office/catalogue/batches/{batch.id}/labels",
        {"printer_id": str(printer.id), "count": "2", "key": "labels-form-0001"},
    )
    assert response.status_code == 302
    again = post(
        client,
        f"/office/catalogue/batches/{batch.id}/labels",
        {"printer_id": str(printer.id), "count": "2", "key": "labels-form-0001"},
    )
    assert again.status_code == 302
    assert job_count() == 2  # the same form sent twice queues its labels once
    assert "2 labels sent to the printer." in client.get(response.headers["Location"]).get_data(as_text=True)

    worker = printing.Worker("w1")
    assert [worker.run_once().action for _ in range(2)] == ["printed", "printed"]
    received = virtual_printer.wait_for_jobs(2)
    for job in received:
        lines = [item for item in job.decoded.items if isinstance(item, PaperLine)]
        assert all(line.fonts == {"A"} for line in lines)
        bold = {text.strip(" ,():").lower() for line in lines for text, is_bold in line.spans if is_bold}
        assert "flour" not in bold  # "Strong white flour" names no allergen word; gluten is added
        assert "gluten" in bold
        assert "Sourdough" in job.text and f"Batch: {batch.code}" in job.text
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "stock.labels_printed"))
    assert json.loads(event.details)["labels"] == 2


def test_an_a4_sheet_of_labels_downloads_as_a_pdf(client, batch):
    sign_in(client, make_user("manager"))
    response = client.get(f"/office/catalogue/batches/{batch.id}/labels.pdf?count=9")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert f"labels-{batch.code}.pdf" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize("count", ["0", "201", "-1", "lots", "99999"])
def test_a_wrong_count_is_refused_and_nothing_is_queued(client, batch, count, virtual_printer):
    printer = label_printer(virtual_printer.port)
    sign_in(client, make_user("manager"))
    response = post(
        client,
        f"/office/catalogue/batches/{batch.id}/labels",
        {"printer_id": str(printer.id), "count": count, "key": "labels-form-0002"},
    )
    assert response.status_code == 422
    assert job_count() == 0
    pdf = client.get(f"/office/catalogue/batches/{batch.id}/labels.pdf?count={count}")
    assert pdf.status_code == 422
    assert "how many labels" in pdf.get_data(as_text=True).lower()


def test_an_unknown_printer_or_an_old_form_is_refused(client, batch):
    sign_in(client, make_user("manager"))
    for data in (
        {"printer_id": "999", "count": "2", "key": "labels-form-0003"},
        {"printer_id": "abc", "count": "2", "key": "labels-form-0003"},
        {"printer_id": "1", "count": "2", "key": "x"},
    ):
        response = post(client, f"/office/catalogue/batches/{batch.id}/labels", data)
        assert response.status_code == 422
    assert job_count() == 0


def test_an_unknown_batch_is_not_found(client, batch):
    sign_in(client, make_user("manager"))
    assert client.get("/office/catalogue/batches/99999/labels").status_code == 404
    assert client.get("/office/catalogue/batches/99999/labels.pdf").status_code == 404


def test_staff_on_a_till_may_open_labels_and_a_member_may_not(client, batch):
    pair(client, make_till())
    pin_in(client, make_user("staff"))
    assert client.get(f"/office/catalogue/batches/{batch.id}/labels").status_code == 200


def test_a_member_signed_in_may_not_open_labels(client, batch):
    mia = make_user("member")
    make_member(mia)
    sign_in(client, mia)
    assert client.get(f"/office/catalogue/batches/{batch.id}/labels").status_code == 403
    assert client.get("/office/catalogue/labels").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, batch):
    response = client.get(f"/office/catalogue/batches/{batch.id}/labels")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
