"""The print worker: real network printing into the virtual printer, backoff, leases, races."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import update

from bakery.extensions import db
from bakery.models import Printer, PrintJob
from bakery.models.types import utcnow
from bakery.services import printing
from printers import PrinterError, PrinterStatus, VirtualPrinter
from printers.document import Document, Text, document_to_json
from tests.app.printing.helpers import jobs, receipt_printer, sell
from tests.app.till.helpers import make_menu, open_till_for


def test_a_receipt_prints_end_to_end_through_the_network_transport_into_the_virtual_printer(
    client, virtual_printer
):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port)
    sale = sell(client, menu["croissant"].id, "card", "2.50")

    result = printing.Worker("w1").run_once()

    assert result.action == "printed" and result.kind == "receipt"
    [printed] = virtual_printer.wait_for_jobs(1)
    assert f"#{sale.receipt_no}" in printed.text and "Croissant" in printed.text
    assert printed.cut and printed.drawer_kicks == 0
    assert printed.qr_data and "/r/" in printed.qr_data[0]
    [job] = jobs()
    assert (job.state, job.attempts, job.kind) == ("done", 0, "receipt")
    assert db.session.get(Printer, job.printer_id).state == "ok"
    assert printing.Worker("w1").run_once().action == "idle"
    assert len(virtual_printer.jobs) == 1


def test_an_offline_printer_keeps_the_job_queued_with_backoff_and_prints_it_once_when_it_returns(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    with VirtualPrinter(port=0) as gone:
        port = gone.port  # a port nobody listens on once this printer is switched off
    receipt_printer(till, port)
    sell(client, menu["croissant"].id, "card", "2.50")
    now = utcnow()

    first = printing.Worker("w1").run_once(now)
    [job] = jobs()
    assert first.action == "retry"
    assert (job.state, job.attempts) == ("queued", 1)
    assert job.next_attempt_at > now and "offline" in (job.last_error or "").lower()
    assert db.session.get(Printer, job.printer_id).state == "offline"
    assert printing.Worker("w1").run_once(now).action == "idle"  # backing off: not tried again yet

    printing.Worker("w1").run_once(now + timedelta(seconds=3))
    [job] = jobs()
    assert job.attempts == 2 and job.next_attempt_at >= now + timedelta(seconds=3 + 4)  # doubled

    with VirtualPrinter(port=port) as back:
        result = printing.Worker("w1").run_once(now + timedelta(seconds=10))
        assert result.action == "printed"
        assert printing.Worker("w1").run_once(now + timedelta(seconds=200)).action == "idle"
        assert len(back.wait_for_jobs(1)) == 1
    [job] = jobs()
    assert job.state == "done"


def test_out_of_paper_sends_nothing_and_the_job_is_retried_later(client, virtual_printer):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port)
    sell(client, menu["croissant"].id, "card", "2.50")
    virtual_printer.out_of_paper = True
    now = utcnow()

    assert printing.Worker("w1").run_once(now).action == "retry"
    assert virtual_printer.rejected == [] and virtual_printer.jobs == []  # status asked first
    [job] = jobs()
    assert (job.state, job.attempts) == ("queued", 1)
    assert db.session.get(Printer, job.printer_id).state == "out_of_paper"
    body = client.get("/till/printer", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Out of paper: 1 waiting" in body and "Retry" in body and "Cancel" in body
    assert 'hx-trigger="every 5s' in body

    virtual_printer.out_of_paper = False
    assert printing.Worker("w1").run_once(now + timedelta(seconds=5)).action == "printed"
    assert len(virtual_printer.wait_for_jobs(1)) == 1
    body = client.get("/till/printer", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Ready" in body and "every 5s" not in body


def test_a_worker_killed_after_claiming_prints_the_job_once_after_the_lease_lapses(client, virtual_printer):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port)
    sell(client, menu["croissant"].id, "card", "2.50")
    now = utcnow()
    lease = timedelta(seconds=60)

    claimed = printing.claim_next("doomed-worker", now, lease)  # ...and the process dies here
    assert claimed is not None
    assert printing.Worker("w2").run_once(now + timedelta(seconds=30)).action == "idle"  # lease holds

    result = printing.Worker("w2").run_once(now + timedelta(seconds=61))
    assert result.action == "printed" and result.job_id == claimed.id
    assert len(virtual_printer.wait_for_jobs(1)) == 1
    assert printing.Worker("w2").run_once(now + timedelta(seconds=200)).action == "idle"
    assert len(virtual_printer.jobs) == 1
    [job] = jobs()
    assert job.state == "done"


def test_a_worker_killed_while_sending_leaves_the_job_uncertain_and_the_reprint_says_duplicate(
    client, virtual_printer
):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    now = utcnow()

    claimed = printing.claim_next("doomed-worker", now, timedelta(seconds=60))
    assert claimed is not None and printing.mark_sending(claimed, now)  # dies mid-send

    assert printing.Worker("w2").run_once(now + timedelta(seconds=61)).action == "idle"
    [job] = jobs()
    assert job.state == "uncertain"  # never resent on its own, never silently lost
    assert virtual_printer.jobs == []
    body = client.get("/till/printer", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f"Receipt {sale.receipt_no} may not have printed: the printer stopped while sending it" in body

    from tests.factories import post

    response = post(client, "/till/printer/reprint", htmx=True)
    assert "Printing DUPLICATE 1" in response.get_data(as_text=True)
    assert printing.Worker("w2").run_once().action == "printed"
    [printed] = virtual_printer.wait_for_jobs(1)
    assert "DUPLICATE 1" in printed.text
    reprint = jobs(copy_no=1)[0]
    assert (reprint.dedupe_key, reprint.state) == (f"receipt:{sale.id}:1", "done")


def test_two_workers_on_two_connections_print_a_job_once(app, client, virtual_printer):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port)
    sell(client, menu["croissant"].id, "card", "2.50")
    db.session.rollback()  # the test's own transaction must not hold SQLite's write lock
    start = threading.Barrier(2)
    results: list[printing.WorkResult] = []
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            with app.app_context():
                start.wait(timeout=5)
                results.append(printing.Worker(name).run_once())
                db.session.remove()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(r.action for r in results) == ["idle", "printed"]
    virtual_printer.wait_for_jobs(1)
    threading.Event().wait(0.3)
    assert len(virtual_printer.jobs) == 1
    [job] = jobs()
    assert job.state == "done"


def test_a_receipt_not_printed_in_time_expires_and_the_till_offers_a_reprint(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    with VirtualPrinter(port=0) as gone:
        port = gone.port
    receipt_printer(till, port)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    now = utcnow()
    printing.Worker("w1").run_once(now)

    later = now + timedelta(seconds=printing.DEFAULTS["PRINT_RECEIPT_EXPIRY_SECONDS"] + 1)
    assert printing.Worker("w1").run_once(later).action == "idle"
    [job] = jobs()
    assert job.state == "expired"
    body = client.get("/till/printer", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f"Receipt {sale.receipt_no} may not have printed (expired)" in body
    assert "Reprint last receipt" in body


def test_a_drawer_kick_that_cannot_be_sent_at_once_expires_after_ten_seconds(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    with VirtualPrinter(port=0) as gone:
        port = gone.port
    receipt_printer(till, port)
    sell(client, menu["croissant"].id, "cash", "5")
    now = utcnow()
    printing.Worker("w1").run_once(now)
    printing.Worker("w1").run_once(now + timedelta(seconds=11))
    drawer, receipt = jobs()
    assert drawer.kind == "drawer" and drawer.state == "expired"
    assert receipt.kind == "receipt" and receipt.state == "queued"


class BreaksMidJob:
    """A transport whose connection drops after part of the job went out."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, data: bytes) -> None:
        self.sent += 1
        raise PrinterError("connection reset while sending", uncertain=True)

    def status(self) -> PrinterStatus:
        return PrinterStatus(online=True, paper="ok")


def test_a_send_that_breaks_part_way_is_uncertain_and_never_resent_not_even_a_drawer_kick(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9)
    sell(client, menu["croissant"].id, "cash", "5")
    transport = BreaksMidJob()
    worker = printing.Worker("w1", transport_factory=lambda config: transport)
    now = utcnow()

    assert worker.run_once(now).action == "uncertain"  # the drawer kick
    assert worker.run_once(now).action == "uncertain"  # the receipt
    for later in (30, 90, 600):
        assert worker.run_once(now + timedelta(seconds=later)).action == "idle"
    assert transport.sent == 2
    assert [(j.kind, j.state) for j in jobs()] == [("drawer", "uncertain"), ("receipt", "uncertain")]


def test_a_job_that_cannot_be_rendered_fails_at_once_without_retries(client, virtual_printer):
    menu = make_menu()
    till, _ = open_till_for(client)
    printer = receipt_printer(till, virtual_printer.port)
    sell(client, menu["croissant"].id, "card", "2.50")
    printer = db.session.get(Printer, printer.id)
    printer.profile = "no-such-printer"
    db.session.commit()
    assert printing.Worker("w1").run_once().action == "failed"
    [job] = jobs()
    assert job.state == "failed" and "no-such-printer" in (job.last_error or "")


def test_a_receipt_longer_than_a_receipt_may_be_fails_with_its_reason_and_prints_nothing(
    client, virtual_printer
):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port)
    sale = sell(client, menu["croissant"].id, "card", "2.50")
    endless = Document("receipt", tuple(Text(f"line {n}") for n in range(20_000)))
    db.session.execute(
        update(PrintJob).where(PrintJob.sale_id == sale.id).values(document_json=document_to_json(endless))
    )
    db.session.commit()

    assert printing.Worker("w1").run_once().action == "failed"

    [job] = jobs()
    assert job.state == "failed"
    assert (
        job.last_error
        == "Cannot print this job: a receipt may have at most 400 lines; this one has 20000 blocks"
    )
    assert virtual_printer.jobs == []


def test_the_worker_leaves_agent_printers_to_their_agent(client, virtual_printer):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port, via_agent=True)
    sell(client, menu["croissant"].id, "card", "2.50")
    assert printing.Worker("w1").run_once().action == "idle"
    assert [j.state for j in jobs()] == ["queued"]


def test_the_cli_worker_prints_one_job_with_once(runner, client, virtual_printer):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port)
    sell(client, menu["croissant"].id, "card", "2.50")
    db.session.rollback()
    result = runner.invoke(args=["printers", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "printed: receipt job" in result.output
    assert len(virtual_printer.wait_for_jobs(1)) == 1
    assert "idle" in runner.invoke(args=["printers", "work", "--once"]).output
    assert db.session.query(PrintJob).one().state == "done"
