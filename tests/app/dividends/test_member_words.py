"""Pages and statements say what each figure is, in the members' own terms: a worker's patronage
is their approved hours, a customer's their purchases net of VAT and refunds, a community member's
is not measured; an adjustment's statement names its further surplus and where a carried-in
balance came from; a loss year says there is no dividend and why."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bakery.formatting import money
from bakery.services import dividends
from bakery.services.audit import Actor
from bakery.services.dividends import statements
from tests.app.dividends.helpers import RULES, Coop, net, work
from tests.app.dividends.words import statement_lines, visible_text
from tests.factories import sign_in

#: Ben's first dividend (£1,155.00) stays below this, so it is carried into the adjustment.
HIGH_MINIMUM = replace(RULES, minimum_payout=200_000)


@pytest.fixture
def today_trade(app):
    """2025 approved; this year so far (no period: the calendar year) with a purchase each and
    four approved hours for Ada."""
    coop = Coop()
    coop.approve(coop.propose().id)
    now = datetime.now(UTC)
    coop.ada_lines = [(2670, 2000)]
    coop.shop.sell(coop.ada, coop.ada_lines, now - timedelta(hours=1))
    coop.shop.sell(coop.cat, [(1200, 2000)], now - timedelta(hours=1))
    coop.shop.sell(coop.eve, [(600, 0)], now - timedelta(hours=1))
    work(coop.ada, now - timedelta(hours=6), 240)
    return coop


def test_a_workers_purchases_page_calls_purchases_purchases_and_their_patronage_approved_hours(
    client, today_trade
):
    sign_in(client, today_trade.ada.user)
    text = visible_text(client.get("/members/W-001/purchases").get_data(as_text=True))
    spent = money(net(today_trade.ada_lines))
    assert f"Your purchases so far, net of VAT and refunds {spent}" in text
    assert "Your patronage so far: approved hours 4 h 00 min" in text
    assert "As a worker member, your share of the dividend is measured by your approved hours" in text
    assert "purchases patronage" not in text
    assert "Your patronage so far: purchases" not in text


def test_a_customers_purchases_page_calls_their_purchases_their_patronage(client, today_trade):
    sign_in(client, today_trade.cat.user)
    text = visible_text(client.get("/members/C-001/purchases").get_data(as_text=True))
    so_far = net([(1200, 2000)]) + net([(5000, 2000)])  # today's and the 5 January sale
    assert f"Your patronage so far: purchases net of VAT and refunds {money(so_far)}" in text
    assert "As a customer member, your share of the dividend is measured by your purchases" in text
    assert "approved hours" not in text


def test_a_community_members_purchases_page_says_their_patronage_is_not_measured(client, today_trade):
    sign_in(client, today_trade.eve.user)
    text = visible_text(client.get("/members/X-001/purchases").get_data(as_text=True))
    assert "Your purchases so far, net of VAT and refunds £6.00" in text
    assert "Community members' patronage is not measured" in text
    assert "Your patronage so far" not in text


@pytest.mark.parametrize(
    ("number", "basis"),
    [
        ("W-001", "approved hours"),
        ("C-001", "purchases net of VAT and refunds"),
        ("X-001", "patronage (not measured)"),
    ],
)
def test_the_member_page_says_what_their_dividend_share_is_measured_by(client, today_trade, number, basis):
    member = {"W-001": today_trade.ada, "C-001": today_trade.cat, "X-001": today_trade.eve}[number]
    sign_in(client, member.user)
    text = visible_text(client.get(f"/members/{number}").get_data(as_text=True))
    assert f"Dividend share measured by {basis}" in text


def test_the_estimate_names_a_workers_figures_as_approved_hours(client, app):
    coop = Coop()
    coop.approve(coop.propose().id)
    now = datetime.now(UTC)
    dividends.create_period(
        "Current", date(2026, 1, 1), now.date() + timedelta(days=30), Actor(coop.admin.id)
    )
    work(coop.ada, now - timedelta(hours=6), 240)
    sign_in(client, coop.ada.user)
    text = visible_text(client.get("/members/W-001/dividend-estimate").get_data(as_text=True))
    assert "Your approved hours so far 4 h 00 min" in text
    assert "Approved hours of all worker members so far 4 h 00 min" in text
    assert "Your share of the worker members' approved hours 100.00 %" in text
    assert "Your patronage so far" not in text


def test_a_workers_statement_names_hours_and_a_customers_names_purchases(approved_coop):
    coop, allocation = approved_coop
    ada = statement_lines(statements.statement_document(allocation.id, coop.ada.id))
    assert "Approved hours of all worker members in 2025  20 h 00 min" in ada
    assert "Your approved hours in 2025  13 h 00 min" in ada
    assert "Your share of the worker members' approved hours  65.00 %" in ada
    assert "Surplus for 2025  £10,000.00" in ada
    assert "Carried in: nothing was held in your name  £0.00" in ada
    cat = statement_lines(statements.statement_document(allocation.id, coop.cat.id))
    cat_net = money(net(coop.cat_lines))
    assert f"Your purchases net of VAT and refunds in 2025  {cat_net}" in cat
    assert not any("hours" in line for line in cat)
    eve = statement_lines(statements.statement_document(allocation.id, coop.eve.id))
    assert "Your patronage in 2025  not measured for your class" in eve


@pytest.fixture
def approved_coop(app):
    coop = Coop()
    return coop, coop.approve(coop.propose().id)


def test_an_adjustments_statement_names_its_further_surplus_and_where_the_carried_balance_came_from(app):
    coop = Coop()
    first = coop.approve(coop.propose(HIGH_MINIMUM).id)
    ben_first = dividends.allocation_view(first)
    carried = next(m.carried_out for m in ben_first.members if m.number == "W-002")
    assert carried > 0
    adjustment = dividends.propose(
        coop.period.id, replace(HIGH_MINIMUM, surplus=12_345), Actor(coop.admin.id), adjustment=True
    )
    coop.approve(adjustment.id, "AGM-2026/9")
    lines = statement_lines(statements.statement_document(adjustment.id, coop.ben.id))
    assert "Further surplus for 2025 shared by this adjustment  £123.45" in lines
    assert f"Carried in from this period's allocation #{first.id}  {money(carried)}" in lines
    assert "Your dividend from this adjustment" in "\n".join(lines)
    assert not any(
        line.startswith(("Surplus for the period", "Carried in from earlier periods")) for line in lines
    )


def test_the_office_preview_of_an_adjustment_calls_its_surplus_a_further_surplus(client, app):
    coop = Coop()
    coop.approve(coop.propose().id)
    sign_in(client, coop.admin)
    form = visible_text(client.get(f"/admin/dividends/periods/{coop.period.id}").get_data(as_text=True))
    assert "Further surplus to share by this adjustment" in form
    query = {
        "surplus": "123.45",
        "reserve_balance": "0.00",
        "deficit_brought_forward": "0.00",
        "reserve_percent": "30",
        "funds-0-name": "Community fund",
        "funds-0-percent": "10",
        "classes-0-name": "worker",
        "classes-0-percent": "60",
        "classes-1-name": "customer",
        "classes-1-percent": "40",
        "classes-2-name": "community",
        "classes-2-percent": "0",
        "minimum_payout": "5.00",
        "include_leavers": "y",
        "action": "preview",
    }
    page = client.get(f"/admin/dividends/periods/{coop.period.id}/preview", query_string=query)
    text = visible_text(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Further surplus shared by this adjustment £123.45" in text
    assert "Carried in from earlier allocations (this period's included)" in text


def test_a_loss_years_statement_list_and_estimate_say_no_dividend_and_the_loss(client, app):
    coop = Coop()
    loss = replace(RULES, surplus=-150_000, reserve_balance=90_000, minimum_payout=500)
    allocation = coop.approve(coop.propose(loss).id)
    lines = statement_lines(statements.statement_document(allocation.id, coop.ada.id))
    assert "No dividend this year: the co-op made a loss of £1,500.00." in lines
    assert "Loss for 2025  £1,500.00" in lines
    assert "Charged to the indivisible reserve  £900.00" in lines
    assert "Added to the deficit carried forward  £600.00" in lines
    assert "Your dividend for 2025  none (a loss year)" in lines
    assert not any("-£" in line for line in lines)

    now = datetime.now(UTC)
    dividends.create_period(
        "Current", date(2026, 1, 1), now.date() + timedelta(days=30), Actor(coop.admin.id)
    )
    sign_in(client, coop.ada.user)
    listing = visible_text(client.get("/members/W-001/statements").get_data(as_text=True))
    assert "2025: no dividend this year: the co-op made a loss of £1,500.00." in listing
    estimate = visible_text(client.get("/members/W-001/dividend-estimate").get_data(as_text=True))
    assert "No dividend for 2025: the co-op made a loss of £1,500.00." in estimate
    assert "A deficit of £600.00 is carried forward" in estimate
    assert "-£" not in estimate and 'id="estimated-amount"' not in estimate
