"""The print queue when claimers arrive together (SQLite and PostgreSQL): agents of one printer
over HTTP against the multi-worker server, and print workers, each on its own database connection,
claiming the same jobs. No job is ever handed to two claimers."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import PrintJob
from bakery.models.types import utcnow
from bakery.services import printing
from bakery.services.audit import SYSTEM
from bakery.services.printing import PrinterInput
from tests.race.conftest import ROUNDS, LiveServer, Tablet, release_together
from tests.race.test_till_races import no_crash

JOBS = 6


def a_printer(*, via_agent: bool) -> int:
    """A network printer nobody listens on: jobs wait in the queue until claimed."""
    printer = printing.save_printer(
        None,
        PrinterInput(
            name=f"Race printer {uuid.uuid4().hex[:8]}",
            location="kitchen",
            profile="epson-tm-t20-80",
            connection={"kind": "network", "host": "127.0.0.1", "port": 9, "timeout": 1.0},
            via_agent=via_agent,
        ),
        SYSTEM,
    )
    return printer.id


def queue(printer_id: int) -> set[int]:
    """`JOBS` test pages waiting for the printer."""
    return {printing.queue_test_page(printer_id, SYSTEM).id for _ in range(JOBS)}


def test_agents_of_one_printer_claiming_together_never_get_the_same_job(
    live: LiveServer, scene: Flask
) -> None:
    """Eight claims with the printer's token at once for six waiting jobs: six distinct jobs are
    handed out, each once, and every job handed out is claimed by the agent."""
    printer_id = a_printer(via_agent=True)
    _, token = printing.issue_token(printer_id, SYSTEM)
    agent = Tablet(live.port, {}, "", {"Authorization": f"Bearer {token}"})
    for _ in range(ROUNDS):
        waiting = queue(printer_id)
        answers = release_together([agent.prepare("/printers/agent/claim", {}) for _ in range(JOBS + 2)])
        no_crash(live, answers)
        assert all(a.status == 200 for a in answers)
        handed = [json.loads(a.body)["job"] for a in answers]
        ids = [job["id"] for job in handed if job is not None]
        assert sorted(ids) == sorted(waiting)
        states = dict(
            db.session.execute(select(PrintJob.id, PrintJob.state).where(PrintJob.id.in_(waiting))).all()
        )
        assert set(states.values()) == {"claimed"}


def test_print_workers_claiming_together_on_their_own_connections_never_share_a_job(scene: Flask) -> None:
    """Four workers (threads, each with its own app context and database connection, as separate
    worker processes have) claim until the queue is empty: every job is claimed exactly once.
    The queue has no HTTP route for workers, so this race runs at the service."""
    printer_id = a_printer(via_agent=False)
    for _ in range(ROUNDS):
        waiting = queue(printer_id)
        db.session.rollback()
        barrier = threading.Barrier(4)
        claims: list[tuple[str, int]] = []
        errors: list[BaseException] = []
        threads = [
            threading.Thread(target=_claim_all, args=(scene, f"worker:{n}", barrier, claims, errors))
            for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors[0]
        assert Counter(job for _, job in claims) == Counter(waiting)
        owners = dict(
            db.session.execute(select(PrintJob.id, PrintJob.claimed_by).where(PrintJob.id.in_(waiting))).all()
        )
        assert owners == {job: name for name, job in claims}


def _claim_all(
    app: Flask,
    name: str,
    barrier: threading.Barrier,
    claims: list[tuple[str, int]],
    errors: list[BaseException],
) -> None:
    """One worker: its own app context (so its own session and connection), claiming until none."""
    try:
        with app.app_context():
            barrier.wait(timeout=30)
            while (job := printing.claim_next(name, utcnow(), timedelta(seconds=60))) is not None:
                claims.append((name, job.id))
            db.session.remove()
    except BaseException as exc:  # re-raised in the test body
        errors.append(exc)
