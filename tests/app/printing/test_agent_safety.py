"""What the server does so an agent prints only its own printer's jobs, never a job it cannot
read, and gets back a job it claimed but never began; and what a shop sees when one may not
have printed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest
from sqlalchemy import update

from bakery.extensions import db
from bakery.models import Printer, PrintJob
from bakery.models.types import utcnow
from bakery.services import printing
from bakery.services.audit import SYSTEM
from bakery.services.errors import ServiceError
from bakery.services.printing import PrinterInput
from printers import Agent, transport_from_config
from printers.agent_state import STOPPED_WHILE_SENDING, AgentState
from printers.document import Document, Text, document_to_json
from tests.app.printing.conftest import SERVER, ClientOpener
from tests.app.printing.helpers import jobs, sell
from tests.factories import make_user, post, sign_in

HX = {"HX-Request": "true"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _claim(client, token: str, **body):
    return client.post("/printers/agent/claim", json=body, headers=_bearer(token))


def _kitchen_printer(tmp_path: Path) -> Printer:
    return printing.save_printer(
        None,
        PrinterInput(
            name="Kitchen",
            location="kitchen",
            profile="generic-80",
            connection={"kind": "file", "path": str(tmp_path / "kitchen.prn")},
        ),
        SYSTEM,
    )


def test_a_token_is_issued_only_for_a_printer_printed_by_an_agent(client, tmp_path):
    kitchen = _kitchen_printer(tmp_path)

    with pytest.raises(ServiceError, match="Only a printer printed by an agent has a token"):
        printing.issue_token(kitchen.id, SYSTEM)

    db.session.rollback()
    assert db.session.get(Printer, kitchen.id).token_hash is None


def test_the_admin_page_offers_no_token_for_a_printer_this_server_prints(app, client, tmp_path):
    kitchen = _kitchen_printer(tmp_path)
    sign_in(client, make_user("admin"))

    page = client.get(f"/admin/printers/{kitchen.id}").get_data(as_text=True)
    refused = post(client, f"/admin/printers/{kitchen.id}/token")

    assert "Issue agent token" not in page and "this server prints it" in page
    assert refused.status_code == 422
    assert "Only a printer printed by an agent has a token" in refused.get_data(as_text=True)
    assert db.session.get(Printer, kitchen.id).token_hash is None


def test_a_token_left_on_a_printer_the_server_prints_claims_nothing_and_sees_no_server_path(
    client, agent_printer, tmp_path
):
    kitchen = _kitchen_printer(tmp_path)
    printing.queue_test_page(kitchen.id, SYSTEM)
    # A token from before the rule, or from when the kitchen printer still had an agent.
    token_hash = agent_printer["printer"].token_hash
    db.session.execute(
        update(Printer).where(Printer.id == agent_printer["printer"].id).values(token_hash=None)
    )
    db.session.execute(update(Printer).where(Printer.id == kitchen.id).values(token_hash=token_hash))
    db.session.commit()

    answer = _claim(client, agent_printer["token"])

    assert answer.status_code == 401
    assert "kitchen.prn" not in answer.get_data(as_text=True)
    assert [j.state for j in jobs(printer_id=kitchen.id)] == ["queued"]


def test_unticking_printed_by_an_agent_revokes_the_token(client, agent_printer):
    printer = agent_printer["printer"]
    printing.save_printer(
        printer.id,
        PrinterInput(
            name=printer.name,
            location="counter",
            profile=printer.profile,
            connection=printing.connection_of(printer),
            receipt_till_id=printer.receipt_till_id,
            via_agent=False,
        ),
        SYSTEM,
    )

    assert db.session.get(Printer, printer.id).token_hash is None
    assert _claim(client, agent_printer["token"]).status_code == 401


def test_the_claim_answer_names_no_connection_and_carries_the_job_id_in_a_header(client, agent_printer):
    sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")

    answer = _claim(client, agent_printer["token"], agent="box1")

    job = answer.get_json()["job"]
    assert set(job) == {"id", "document", "profile", "send_within"}  # a receipt expires
    assert answer.headers["X-Print-Job"] == str(job["id"])
    assert "127.0.0.1" not in answer.get_data(as_text=True)


def _store(job_id: int, document_json: str) -> None:
    db.session.execute(update(PrintJob).where(PrintJob.id == job_id).values(document_json=document_json))
    db.session.commit()


def test_a_job_whose_stored_document_is_not_json_fails_with_its_reason_at_claim(client, agent_printer):
    first = sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    second = sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    [broken] = jobs(sale_id=first.id)
    _store(broken.id, '{"version": 1, "kind": "receipt", "blocks": [')

    answer = _claim(client, agent_printer["token"], agent="box1")

    assert answer.status_code == 200
    assert answer.get_json()["job"]["id"] == jobs(sale_id=second.id)[0].id
    [failed] = jobs(id=broken.id)
    assert failed.state == "failed"
    assert (failed.last_error or "").startswith("Cannot print this job: document is not valid JSON")
    assert failed.sending_at is not None and failed.lease_until is None
    printing.housekeeping(utcnow())
    assert jobs(id=broken.id)[0].state == "failed"  # never "uncertain": nothing was sent


def test_a_document_longer_than_its_kind_may_be_fails_at_claim_with_its_reason(client, agent_printer):
    sale = sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    [job] = jobs(sale_id=sale.id)
    _store(job.id, document_to_json(Document("receipt", tuple(Text(f"line {n}") for n in range(20_000)))))

    answer = _claim(client, agent_printer["token"], agent="box1")

    assert answer.get_json() == {"job": None}
    [failed] = jobs(id=job.id)
    assert failed.state == "failed"
    assert failed.last_error == (
        "Cannot print this job: its answer would be over the 1000000 bytes an agent reads."
    )


def test_a_receipt_of_too_many_lines_fails_at_claim_with_its_reason(client, agent_printer):
    sale = sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    [job] = jobs(sale_id=sale.id)
    _store(job.id, document_to_json(Document("receipt", tuple(Text(f"line {n}") for n in range(401)))))

    _claim(client, agent_printer["token"], agent="box1")

    assert jobs(id=job.id)[0].last_error == (
        "Cannot print this job: a receipt may have at most 400 lines; this one has 401 blocks"
    )


def test_the_same_agent_gets_back_a_job_it_claimed_and_never_began(client, agent_printer):
    sale = sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    token = agent_printer["token"]

    lost = _claim(client, token, agent="box1").get_json()["job"]  # this answer never arrives
    other_agent = _claim(client, token, agent="box2").get_json()
    again = _claim(client, token, agent="box1").get_json()["job"]
    held = _claim(client, token, agent="box1", holding=[lost["id"]]).get_json()

    assert lost["id"] == jobs(sale_id=sale.id)[0].id
    assert other_agent == {"job": None}
    assert again["id"] == lost["id"] and again["document"] == lost["document"]
    assert held == {"job": None}
    [job] = jobs(sale_id=sale.id)
    assert (job.state, job.claimed_by, job.attempts) == ("claimed", f"agent:{job.printer_id}:box1", 1)


def test_a_job_handed_back_again_and_again_fails_instead_of_blocking_the_printer(client, agent_printer):
    sale = sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    token = agent_printer["token"]

    limit = printing.DEFAULTS["PRINT_MAX_ATTEMPTS"]

    answers = [_claim(client, token, agent="box1").get_json()["job"] for _ in range(limit + 1)]

    assert answers[-1] is None and all(a is not None for a in answers[:-1])
    [job] = jobs(sale_id=sale.id)
    assert job.state == "failed" and "Handed to its agent 5 times" in (job.last_error or "")


@pytest.mark.parametrize(
    "body",
    [{"agent": ""}, {"agent": "x" * 41}, {"agent": "a b"}, {"agent": 7}, {"holding": "7"}, {"holding": [0]},
     {"holding": [True]}, {"holding": list(range(1, 202))}],
)  # fmt: skip
def test_a_claim_with_a_malformed_agent_name_or_holding_list_is_refused(client, agent_printer, body):
    sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")

    answer = _claim(client, agent_printer["token"], **body)

    assert answer.status_code == 400
    assert [j.state for j in jobs()] == ["queued"]


class DiesWhile:
    """The agent's box dies while connecting to its printer, or half-way through sending."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.calls = 0

    def factory(self, config: Mapping[str, object]):
        self.calls += 1
        if self.calls == 1:
            return transport_from_config(config)
        if self.where == "connect":
            raise KeyboardInterrupt
        return self

    def send(self, data: bytes) -> None:
        raise KeyboardInterrupt

    def status(self):
        raise AssertionError("not asked")


def _agent(client, agent_printer, state_file: Path, **options) -> Agent:
    return Agent(
        SERVER,
        agent_printer["token"],
        agent_printer["local"],
        opener=ClientOpener(client),
        state=AgentState(state_file),
        profile="generic-80",
        **options,
    )


def test_an_agent_killed_before_printing_prints_the_receipt_once_when_it_restarts(
    client, agent_printer, virtual_printer, tmp_path
):
    sale = sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    state_file = tmp_path / "state.json"
    with pytest.raises(KeyboardInterrupt):
        _agent(client, agent_printer, state_file, transport_factory=DiesWhile("connect").factory).run_once()
    assert [j.state for j in jobs()] == ["claimed"]

    restarted = _agent(client, agent_printer, state_file)
    printed, idle = restarted.run_once(), restarted.run_once()

    assert (printed.action, idle.action) == ("printed", "idle")
    [receipt] = virtual_printer.wait_for_jobs(1)
    assert f"#{sale.receipt_no}" in receipt.text and "DUPLICATE" not in receipt.text
    assert [j.state for j in jobs()] == ["done"]
    assert virtual_printer.jobs == [receipt]


def test_an_agent_killed_while_sending_leaves_the_receipt_uncertain_on_the_till_and_a_reprint_says_duplicate(
    client, agent_printer, virtual_printer, tmp_path
):
    sale = sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    state_file = tmp_path / "state.json"
    with pytest.raises(KeyboardInterrupt):
        _agent(client, agent_printer, state_file, transport_factory=DiesWhile("send").factory).run_once()

    restarted = _agent(client, agent_printer, state_file)
    assert restarted.run_once().action == "idle"  # reports the job uncertain, then finds nothing new
    [job] = jobs(sale_id=sale.id)
    assert (job.state, job.last_error) == ("uncertain", STOPPED_WHILE_SENDING)

    panel = client.get("/till/printer", headers=HX).get_data(as_text=True)
    assert f"Receipt {sale.receipt_no} may not have printed" in panel
    reprint = post(client, "/till/printer/reprint", {"sale_id": str(sale.id)}, htmx=True)
    assert reprint.status_code == 200
    assert "may not have printed" not in reprint.get_data(as_text=True)

    assert restarted.run_once().action == "printed"
    [duplicate] = virtual_printer.wait_for_jobs(1)
    assert "DUPLICATE 1" in duplicate.text and f"#{sale.receipt_no}" in duplicate.text
    assert [(j.copy_no, j.state) for j in jobs(sale_id=sale.id)] == [(0, "uncertain"), (1, "done")]
    assert json.loads(state_file.read_text())["jobs"] == {}
