"""A loss year and its recovery through the office pages give the shared golden cases' figures
(c1-loss-year, c2-recovery-year), and the pages, statements and payouts say "no dividend" with the
loss instead of showing any negative dividend."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Allocation, AllocationLine, AuditEvent
from bakery.services.dividends import statements
from tests.app.dividends.golden_coop import FORM_RULES, GoldenCoop, expected_in_our_names
from tests.app.dividends.words import statement_lines, visible_text
from tests.factories import post, sign_in


@pytest.fixture
def coop(app):
    coop = GoldenCoop()
    coop.allocate_2022()
    return coop


def _allocate_through_the_pages(client, coop, year: int, surplus: str) -> Allocation:
    """Preview, propose (as the proposer) and approve (as a second admin) on the office pages."""
    period = coop.periods[year]
    sign_in(client, coop.proposer)
    query = {**FORM_RULES, "surplus": surplus, "action": "preview"}
    form_page = client.get(f"/admin/dividends/periods/{period.id}").get_data(as_text=True)
    for name in ("reserve_balance", "deficit_brought_forward"):
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', form_page)
        assert found, name
        query[name] = found.group(1)  # the balances the last approved allocation left
    preview = client.get(f"/admin/dividends/periods/{period.id}/preview", query_string=query)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    preview_hash = re.search(r'name="preview_hash" value="([0-9a-f]{64})"', page)
    assert preview_hash
    proposed = post(
        client,
        f"/admin/dividends/periods/{period.id}/allocations",
        {k: v for k, v in query.items() if k != "action"} | {"preview_hash": preview_hash.group(1)},
    )
    assert proposed.status_code == 302, proposed.get_data(as_text=True)
    allocation_id = int(proposed.headers["Location"].rsplit("/", 1)[1])
    approver = client.application.test_client()
    sign_in(approver, coop.approver)
    approved = post(
        approver,
        f"/admin/dividends/allocations/{allocation_id}/approve",
        {"resolution_ref": f"AGM-{year + 1}/2", "resolution_date": f"{year + 1}-03-01"},
    )
    assert approved.status_code == 302, approved.get_data(as_text=True)
    allocation = db.session.get(Allocation, allocation_id)
    assert allocation is not None and allocation.status == "approved"
    return allocation


def _result_by_number(coop, allocation: Allocation) -> dict:
    result = json.loads(allocation.result_json)
    numbers = {m.id: n for n, m in coop.members.items()}
    lines = db.session.scalars(select(AllocationLine).where(AllocationLine.allocation_id == allocation.id))
    stored = {
        numbers[line.member_id]: {
            "allocation": line.allocation_amount,
            "carried_in": line.carried_in,
            "payable": line.payable,
            "paid": line.paid,
            "carried_out": line.carried_out,
        }
        for line in lines
    }
    assert stored == result["members"]  # the stored lines are the engine's result
    return result


def test_the_loss_year_through_the_office_gives_c1_and_says_no_dividend(client, coop):
    sign_in(client, coop.proposer)
    page = client.get(f"/admin/dividends/periods/{coop.periods[2023].id}").get_data(as_text=True)
    assert 'value="900.00"' in page  # the reserve 2022 left
    allocation = _allocate_through_the_pages(client, coop, 2023, "-1500.00")

    assert _result_by_number(coop, allocation) == expected_in_our_names("c1-loss-year")
    assert allocation.surplus == -150_000

    admin = client.application.test_client()
    sign_in(admin, coop.proposer)
    text = visible_text(admin.get(f"/admin/dividends/allocations/{allocation.id}").get_data(as_text=True))
    assert "No dividend this year: the co-op made a loss of £1,500.00." in text
    assert "Loss for the period £1,500.00" in text
    assert "Charged to the indivisible reserve £900.00" in text
    assert "Added to the deficit carried forward £600.00" in text
    assert "-£" not in text
    payouts = visible_text(
        admin.get(f"/admin/dividends/allocations/{allocation.id}/payouts").get_data(as_text=True)
    )
    assert "No dividend this year: the co-op made a loss of £1,500.00, so nothing is paid" in payouts
    period_page = visible_text(
        admin.get(f"/admin/dividends/periods/{coop.periods[2023].id}").get_data(as_text=True)
    )
    assert "loss of £1,500.00" in period_page

    carried = statement_lines(statements.statement_document(allocation.id, coop.members["W-0017"].id))
    assert "No dividend this year: the co-op made a loss of £1,500.00." in carried
    assert "Carried forward in your name to the next allocation  £4.93" in carried
    assert "Paid to you from this allocation  £0.00" in carried
    assert "Deficit carried forward, recovered from future surpluses before any dividend  £600.00" in carried

    sentence = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "allocation.proposed", AuditEvent.target == f"allocation:{allocation.id}"
        )
    )
    assert sentence is not None and json.loads(sentence.details)["loss"] == 150_000

    member = client.application.test_client()
    sign_in(member, coop.members["W-0017"].user)
    listing = visible_text(member.get("/members/W-0017/statements").get_data(as_text=True))
    assert "2023: no dividend this year: the co-op made a loss of £1,500.00." in listing
    assert "-£" not in listing


def test_the_recovery_year_through_the_office_gives_c2_after_the_loss(client, coop):
    _allocate_through_the_pages(client, coop, 2023, "-1500.00")
    admin = client.application.test_client()
    sign_in(admin, coop.proposer)
    page = admin.get(f"/admin/dividends/periods/{coop.periods[2024].id}").get_data(as_text=True)
    assert re.search(r'name="reserve_balance"[^>]*value="0.00"', page)
    assert re.search(r'name="deficit_brought_forward"[^>]*value="600.00"', page)

    allocation = _allocate_through_the_pages(client, coop, 2024, "2000.01")

    assert _result_by_number(coop, allocation) == expected_in_our_names("c2-recovery-year")
    lines = statement_lines(statements.statement_document(allocation.id, coop.members["W-0017"].id))
    assert "Surplus for 2024  £2,000.01" in lines
    assert "Deficit from earlier years recovered first  £600.00" in lines
    assert "Payable now: your dividend plus what was carried in  £171.01" in lines
    loss_year = db.session.scalar(select(Allocation.id).where(Allocation.surplus == -150_000))
    assert f"Carried in from 2023's allocation #{loss_year}  £4.93" in lines
