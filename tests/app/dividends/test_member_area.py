"""The member's own purchases, dividend estimate and statements pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bakery.services import dividends
from bakery.services.audit import Actor
from tests.app.dividends.helpers import Coop, net, work
from tests.factories import sign_in


@pytest.fixture
def this_year(app):
    """2025 allocated and approved; a current period (to a month from today) with trade so far."""
    coop = Coop()
    coop.approve(coop.propose().id)
    today = datetime.now(UTC)
    coop.current = dividends.create_period(
        "Current", date(2026, 1, 1), today.date() + timedelta(days=30), Actor(coop.admin.id)
    )
    coop.current_lines = [(2400, 2000), (350, 0)]
    coop.shop.sell(coop.cat, coop.current_lines, today - timedelta(hours=1))
    coop.shop.sell(coop.dan, [(1200, 2000)], today - timedelta(days=2))
    work(coop.ada, today - timedelta(days=3), 240)
    return coop


def test_the_estimate_is_clearly_marked_as_an_estimate_and_uses_the_period_so_far(client, this_year):
    sign_in(client, this_year.cat.user)
    response = client.get("/members/C-001/dividend-estimate")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Estimate only" in page and "not a promise" in page
    assert 'id="estimated-amount"' in page
    estimate = dividends.estimate_for(this_year.cat.id)
    # Cat's share of the customers' patronage so far, from the 2026-01-05 sale and today's.
    cat_so_far = net([(5000, 2000)]) + net(this_year.current_lines)
    assert estimate.row is not None and estimate.row.patronage == cat_so_far
    assert estimate.class_row is not None and estimate.class_row.patronage == cat_so_far + net([(1200, 2000)])
    assert estimate.row.allocation > 0


def test_without_an_approved_allocation_the_estimate_says_there_are_no_rules_yet(client, app):
    coop = Coop()
    dividends.create_period(
        "Current", date(2026, 1, 1), datetime.now(UTC).date() + timedelta(days=30), Actor(coop.admin.id)
    )
    sign_in(client, coop.ada.user)
    page = client.get("/members/W-001/dividend-estimate").get_data(as_text=True)
    assert "no approved allocation yet" in page
    assert 'id="estimated-amount"' not in page


def test_the_purchases_page_lists_this_periods_sales_and_their_net_total(client, this_year):
    sign_in(client, this_year.cat.user)
    page = client.get("/members/C-001/purchases").get_data(as_text=True)
    total = net([(5000, 2000)]) + net(this_year.current_lines)
    assert f"£{total // 100}.{total % 100:02d}" in page
    assert "Current" in page


@pytest.mark.parametrize("page", ["purchases", "dividend-estimate", "statements"])
def test_another_members_pages_answer_404(client, this_year, page):
    sign_in(client, this_year.dan.user)
    assert client.get(f"/members/C-001/{page}").status_code == 404


def test_the_member_page_links_to_purchases_estimate_and_statements(client, this_year):
    sign_in(client, this_year.cat.user)
    page = client.get("/members/C-001").get_data(as_text=True)
    for path in ("/members/C-001/purchases", "/members/C-001/dividend-estimate", "/members/C-001/statements"):
        assert path in page


def test_an_admin_without_a_member_record_has_no_member_pages_but_has_the_dividends_office(client, this_year):
    sign_in(client, this_year.admin)
    assert client.get("/members/C-001/purchases").status_code == 403
    page = client.get("/admin/dividends").get_data(as_text=True)
    assert "Current" in page and "Approved · locked" in page
