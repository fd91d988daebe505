"""Confirms of an opening import sent together against a multi-worker server import it once, and a
period never has two active imports (SQLite and PostgreSQL; repeated over many rounds)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, OpeningImport, OpeningPatronage
from bakery.services import dividends
from bakery.services.audit import Actor
from tests.app.dividends.helpers import Coop
from tests.factories import sign_in
from tests.race.conftest import ROUNDS, LiveServer, release_together, tablet_for

FILE = (
    b"member_number,date,purchases_net_of_vat,approved_hours\n"
    b"C-001,2025-03-31,123.45,0\nW-002,2025-03-31,0,10:30\nTOTAL,,123.45,10:30\n"
)


def test_confirms_sent_together_import_once_and_leave_one_active_import(
    live: LiveServer, scene: Flask
) -> None:
    coop = Coop()
    client = scene.test_client()
    sign_in(client, coop.admin)
    tablet = tablet_for(live, client)
    period_id = coop.period.id
    for round_no in range(ROUNDS):
        staged = [
            dividends.stage_opening(period_id, FILE, f"round-{round_no}-{n}.csv", Actor(coop.second.id))
            for n in range(1)
        ]
        path = f"/admin/dividends/periods/{period_id}/opening-balances/{staged[0].id}/confirm"
        answers = release_together([tablet.prepare(path, {"replace": "y"}) for _ in range(3)])
        assert all(a.status in (200, 302) for a in answers), [(a.status, a.body[:200]) for a in answers]
        assert live.errors_logged() == ""
        active = db.session.scalars(
            select(OpeningImport).where(
                OpeningImport.period_id == period_id, OpeningImport.status == "active"
            )
        ).all()
        assert [a.id for a in active] == [staged[0].id]
        assert db.session.scalar(select(func.count(OpeningPatronage.id))) == 2 * (round_no + 1)
        assert (
            db.session.scalar(
                select(func.count(AuditEvent.id)).where(AuditEvent.action == "opening.imported")
            )
            == round_no + 1
        )
