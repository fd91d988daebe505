"""Drawer kicks: a real-time pulse sent while it is still useful, dropped (with a reason) once late."""

from __future__ import annotations

from datetime import timedelta

from bakery.models.types import utcnow
from bakery.services import printing
from printers import PrinterStatus, VirtualPrinter
from tests.app.printing.helpers import jobs, receipt_printer, sell
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_user, sign_in

SILENT_PROFILE = "generic-80"  # never answers DLE EOT: the worker cannot know it is out of paper
VALID = timedelta(seconds=printing.DRAWER_KICK_VALID_SECONDS)
REAL_TIME_PULSE = b"\x10\x14\x01"


class Recording:
    """A transport that keeps what it was sent and answers no status."""

    def __init__(self) -> None:
        self.sent: list[bytes] = []

    def send(self, data: bytes) -> None:
        self.sent.append(data)

    def status(self) -> PrinterStatus:
        return PrinterStatus()


class SlowToConnect:
    """A clock for the worker, moved on by `delay` seconds each time a transport is made."""

    def __init__(self, delay: float) -> None:
        self.now = 0.0
        self.delay = delay
        self.transport = Recording()

    def monotonic(self) -> float:
        return self.now

    def factory(self, config) -> Recording:
        self.now += self.delay
        return self.transport


def test_drawer_kicks_are_valid_for_ten_seconds_by_default():
    assert printing.DRAWER_KICK_VALID_SECONDS == 10
    assert printing.DEFAULTS["PRINT_DRAWER_EXPIRY_SECONDS"] == printing.DRAWER_KICK_VALID_SECONDS


def test_a_fresh_kick_reaches_a_printer_that_reports_no_status_as_a_real_time_pulse(client, virtual_printer):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, virtual_printer.port, profile=SILENT_PROFILE)
    sell(client, menu["croissant"].id, "cash", "5")
    kicked_at = jobs()[0].created_at  # not the test's clock: a slow machine may take a second to get here

    result = printing.Worker("w1").run_once(kicked_at + VALID - timedelta(seconds=1))

    assert (result.action, result.kind) == ("printed", "drawer")
    [kick] = virtual_printer.wait_for_jobs(1)
    assert kick.drawer_kicks == 1 and REAL_TIME_PULSE in kick.raw and b"\x1bp" not in kick.raw
    assert [(j.kind, j.state) for j in jobs()] == [("drawer", "done"), ("receipt", "queued")]


def test_a_kick_older_than_its_validity_is_never_sent_and_the_printer_page_says_why(
    app, client, virtual_printer
):
    menu = make_menu()
    till, _ = open_till_for(client)
    printer = receipt_printer(till, virtual_printer.port, profile=SILENT_PROFILE)
    sell(client, menu["croissant"].id, "cash", "5")
    now = utcnow()

    result = printing.Worker("w1").run_once(now + VALID)

    assert (result.action, result.kind) == ("printed", "receipt")  # the receipt still prints
    [receipt] = virtual_printer.wait_for_jobs(1)
    assert receipt.drawer_kicks == 0 and REAL_TIME_PULSE not in receipt.raw
    drawer, _ = jobs()
    assert (drawer.kind, drawer.state) == ("drawer", "expired")
    assert drawer.last_error == (
        "Not sent within 10 s of the cash payment: a drawer kick is dropped, never sent late."
    )
    assert printing.Worker("w1").run_once(now + VALID * 10).action == "idle"
    assert len(virtual_printer.jobs) == 1

    office = app.test_client()
    sign_in(office, make_user("admin"))
    page = office.get(f"/admin/printers/{printer.id}").get_data(as_text=True)
    assert "a drawer kick is dropped, never sent late" in page


def test_a_kick_claimed_in_time_but_ready_to_leave_only_after_its_validity_is_dropped_unsent(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9, profile=SILENT_PROFILE)
    sell(client, menu["croissant"].id, "cash", "5")
    slow = SlowToConnect(delay=VALID.total_seconds())
    worker = printing.Worker("w1", transport_factory=slow.factory, monotonic=slow.monotonic)

    result = worker.run_once(utcnow())

    assert (result.action, result.kind) == ("expired", "drawer")
    assert slow.transport.sent == []
    drawer, _ = jobs()
    assert drawer.state == "expired" and "never sent late" in (drawer.last_error or "")
    assert drawer.sending_at is None
    slow.delay = 0
    assert worker.run_once(utcnow()).action == "printed"  # the receipt has minutes, not seconds
    assert len(slow.transport.sent) == 1 and REAL_TIME_PULSE not in slow.transport.sent[0]


def test_a_kick_whose_next_try_would_come_after_its_validity_expires_at_once(client):
    menu = make_menu()
    till, _ = open_till_for(client)
    with VirtualPrinter(port=0, out_of_paper=True, idle_timeout=2.0) as empty:
        receipt_printer(till, empty.port)  # answers status: nothing is sent while out of paper
        sell(client, menu["croissant"].id, "cash", "5")
        now = utcnow()
        worker = printing.Worker("w1")

        tries = [worker.run_once(now + timedelta(seconds=at)) for at in (0, 2, 6)]

        assert [(r.action, r.kind) for r in tries] == [
            ("retry", "drawer"),  # next try at +2 s
            ("retry", "drawer"),  # next try at +6 s
            ("expired", "drawer"),  # the next would be at +14 s, past the 10 s
        ]
        assert empty.rejected == []
    drawer, receipt = jobs()
    assert drawer.state == "expired"
    assert drawer.last_error == (
        "Not sent within 10 s of the cash payment: a drawer kick is dropped, never sent late. "
        "Last try: Out of paper: nothing was sent."
    )
    assert receipt.state == "queued"
