"""The print agent's API: the real `printers.Agent` pulling jobs through the app with its token."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bakery.extensions import db
from bakery.models import Printer
from bakery.models.types import utcnow
from bakery.services import printing
from bakery.services.audit import SYSTEM
from printers import Agent, AgentAuthError, transport_from_config
from printers.agent import TOO_LATE
from tests.app.printing.conftest import SERVER, ClientOpener
from tests.app.printing.helpers import jobs, receipt_printer, sell
from tests.app.till.helpers import open_till_for


def test_the_agent_pulls_a_job_with_a_valid_token_prints_it_and_reports_it_done(
    client, agent_printer, virtual_printer
):
    sale = sell(client, agent_printer["menu"]["croissant"].id, "cash", "5")
    opener = ClientOpener(client)
    agent = Agent(SERVER, agent_printer["token"], agent_printer["local"], opener=opener)

    drawer = agent.run_once()
    receipt = agent.run_once()
    assert (drawer.action, receipt.action) == ("printed", "printed")
    assert agent.run_once().action == "idle"
    printed = virtual_printer.wait_for_jobs(2)
    assert printed[0].drawer_kicks == 1
    assert f"#{sale.receipt_no}" in printed[1].text
    assert [j.state for j in jobs()] == ["done", "done"]
    assert opener.requests[:2] == ["/printers/agent/claim", f"/printers/agent/jobs/{drawer.job_id}/done"]
    db.session.expire_all()
    assert db.session.get(Printer, agent_printer["printer"].id).agent_seen_at is not None


@pytest.mark.parametrize("authorization", [None, "Bearer not-the-token", "Basic abc", "Bearer "])
def test_the_agent_api_refuses_a_missing_or_wrong_token_with_401(client, agent_printer, authorization):
    sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    headers = {"Authorization": authorization} if authorization else {}
    for path in ("/printers/agent/claim", "/printers/agent/jobs/1/done", "/printers/agent/jobs/1/failed"):
        response = client.post(path, json={"error": "x", "uncertain": False}, headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert [j.state for j in jobs()] == ["queued"]


def test_the_agent_gives_up_on_a_refused_token(client, agent_printer):
    with pytest.raises(AgentAuthError):
        Agent(SERVER, "wrong", agent_printer["local"], opener=ClientOpener(client)).run_once()


def test_a_revoked_token_stops_the_agent_and_a_rotated_one_replaces_it(client, agent_printer):
    old = agent_printer["token"]
    ok = client.post("/printers/agent/claim", json={}, headers={"Authorization": f"Bearer {old}"})
    assert ok.status_code == 200 and ok.get_json() == {"job": None}
    _, new = printing.issue_token(agent_printer["printer"].id, SYSTEM)
    assert client.post("/printers/agent/claim", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert client.post("/printers/agent/claim", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    printing.revoke_token(agent_printer["printer"].id, SYSTEM)
    assert client.post("/printers/agent/claim", headers={"Authorization": f"Bearer {new}"}).status_code == 401
    stored = db.session.get(Printer, agent_printer["printer"].id)
    assert stored.token_hash is None


def test_the_token_is_stored_only_as_a_hash(client, agent_printer):
    stored = db.session.get(Printer, agent_printer["printer"].id)
    assert stored.token_hash and agent_printer["token"] not in stored.token_hash
    assert printing.printer_for_token(agent_printer["token"]).id == stored.id


def test_an_agent_cannot_see_or_settle_another_printers_jobs(client, agent_printer):
    other_till, _ = open_till_for(client)
    receipt_printer(other_till, 9, via_agent=True, name="Other")
    sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")  # on the other till now
    [job] = jobs()
    assert job.printer_id != agent_printer["printer"].id
    headers = {"Authorization": f"Bearer {agent_printer['token']}"}
    assert client.post("/printers/agent/claim", json={}, headers=headers).get_json() == {"job": None}
    done = client.post(f"/printers/agent/jobs/{job.id}/done", json={}, headers=headers)
    assert done.status_code == 200 and done.get_json() == {"ok": False}
    assert [j.state for j in jobs()] == ["queued"]


def test_an_uncertain_failure_reported_by_the_agent_is_never_handed_out_again(client, agent_printer):
    sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    headers = {"Authorization": f"Bearer {agent_printer['token']}"}
    job = client.post("/printers/agent/claim", json={}, headers=headers).get_json()["job"]
    assert job["profile"] == "epson-tm-t20-80" and "transport" not in job
    assert job["document"]["kind"] == "receipt" and job["document"]["version"] == 1
    failed = client.post(
        f"/printers/agent/jobs/{job['id']}/failed",
        json={"error": "connection broke while sending", "uncertain": True},
        headers=headers,
    )
    assert failed.get_json() == {"ok": True}
    assert [j.state for j in jobs()] == ["uncertain"]
    assert client.post("/printers/agent/claim", json={}, headers=headers).get_json() == {"job": None}


def test_a_printer_offline_at_the_agent_is_retried_with_backoff(client, agent_printer):
    sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    headers = {"Authorization": f"Bearer {agent_printer['token']}"}
    job = client.post("/printers/agent/claim", json={}, headers=headers).get_json()["job"]
    client.post(
        f"/printers/agent/jobs/{job['id']}/failed",
        json={"error": "printer is out of paper; nothing was sent", "uncertain": False},
        headers=headers,
    )
    [stored] = jobs()
    assert (stored.state, stored.attempts, stored.sending_at) == ("queued", 1, None)
    assert db.session.get(Printer, stored.printer_id).state == "out_of_paper"
    assert client.post("/printers/agent/claim", json={}, headers=headers).get_json() == {"job": None}


def test_an_agent_claim_that_is_never_reported_becomes_uncertain_after_the_lease(client, agent_printer):
    sell(client, agent_printer["menu"]["croissant"].id, "card", "2.50")
    printer = db.session.get(Printer, agent_printer["printer"].id)
    now = utcnow()
    assert printing.agent_claim(printer, now) is not None
    printer = db.session.get(Printer, agent_printer["printer"].id)
    assert printing.agent_claim(printer, now + timedelta(seconds=121)) is None
    assert [j.state for j in jobs()] == ["uncertain"]
    printer = db.session.get(Printer, agent_printer["printer"].id)
    assert printing.agent_done(printer, jobs()[0].id)  # a late report settles it
    assert [j.state for j in jobs()] == ["done"]


def test_other_posts_still_need_a_csrf_token(client, agent_printer):
    response = client.post("/till/printer/reprint", headers={"HX-Request": "true"})
    assert response.status_code == 400


class SlowClock:
    """The agent's clock, moved on by `delay` seconds whenever it connects to the printer."""

    def __init__(self, delay: float) -> None:
        self.now = 0.0
        self.delay = delay

    def monotonic(self) -> float:
        return self.now

    def factory(self, config):
        self.now += self.delay
        return transport_from_config(config)


def test_a_drawer_kick_is_handed_out_with_the_seconds_it_has_left(client, agent_printer):
    sell(client, agent_printer["menu"]["croissant"].id, "cash", "5")
    printer = db.session.get(Printer, agent_printer["printer"].id)
    drawer, _ = jobs()

    job = printing.agent_claim(printer, drawer.created_at + timedelta(seconds=4))

    assert job is not None and job["document"]["kind"] == "drawer"
    assert job["send_within"] == pytest.approx(printing.DRAWER_KICK_VALID_SECONDS - 4)


def test_a_kick_the_agent_could_not_send_in_time_is_expired_never_sent_and_the_receipt_prints(
    client, agent_printer, virtual_printer
):
    sale = sell(client, agent_printer["menu"]["croissant"].id, "cash", "5")
    slow = SlowClock(delay=printing.DRAWER_KICK_VALID_SECONDS)
    agent = Agent(
        SERVER,
        agent_printer["token"],
        agent_printer["local"],
        opener=ClientOpener(client),
        transport_factory=slow.factory,
        monotonic=slow.monotonic,
    )

    kick = agent.run_once()

    assert kick.action == "failed" and (kick.error or "").startswith(TOO_LATE) and kick.reported
    drawer, _ = jobs()
    assert (drawer.kind, drawer.state) == ("drawer", "expired")
    assert (drawer.last_error or "").startswith(
        "Not sent within 10 s of the cash payment: a drawer kick is dropped, never sent late. The agent: too late"
    )
    slow.delay = 0
    assert agent.run_once().action == "printed"
    [printed] = virtual_printer.wait_for_jobs(1)
    assert f"#{sale.receipt_no}" in printed.text and printed.drawer_kicks == 0
    assert agent.run_once().action == "idle"
