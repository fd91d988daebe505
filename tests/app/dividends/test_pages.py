"""The dividends office pages: periods, the allocation form, an allocation, admins only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import FinancialPeriod
from tests.app.dividends.helpers import Coop
from tests.factories import make_user, post, sign_in


@pytest.fixture
def coop(app):
    return Coop()


def test_an_admin_adds_a_period_and_an_overlapping_one_is_refused_with_the_reason(client, coop):
    sign_in(client, coop.admin)
    added = post(
        client,
        "/admin/dividends/periods",
        {"name": "2026", "starts_on": "2026-01-01", "ends_on": "2026-12-31"},
    )
    assert added.status_code == 302
    refused = post(
        client,
        "/admin/dividends/periods",
        {"name": "Odd", "starts_on": "2026-06-01", "ends_on": "2027-05-31"},
    )
    assert refused.status_code == 422 and "overlap" in refused.get_data(as_text=True)
    assert db.session.scalar(select(FinancialPeriod.id).where(FinancialPeriod.name == "Odd")) is None


def test_the_allocation_form_starts_with_the_community_fund_and_education_and_rows_can_be_added_and_removed(
    client, coop
):
    sign_in(client, coop.admin)
    page = client.get(f"/admin/dividends/periods/{coop.period.id}").get_data(as_text=True)
    assert 'value="Community fund"' in page and 'value="Education"' in page
    assert 'name="classes-0-percent"' in page and "approved hours" in page
    query = {
        "surplus": "100",
        "funds-0-name": "Community fund",
        "funds-0-percent": "10",
        "funds-1-name": "Education",
        "funds-1-percent": "5",
        "funds-1-remove": "y",
        "action": "add_fund",
    }
    page = client.get(f"/admin/dividends/periods/{coop.period.id}/preview", query_string=query).get_data(
        as_text=True
    )
    assert 'value="Education"' not in page
    assert 'name="funds-1-name"' in page  # the new, empty row


def test_the_allocation_page_offers_approval_while_proposed_and_payouts_and_statements_once_approved(
    client, coop
):
    allocation = coop.propose()
    sign_in(client, coop.second)
    page = client.get(f"/admin/dividends/allocations/{allocation.id}").get_data(as_text=True)
    assert 'id="approve-form"' in page and "Withdraw" in page
    coop.approve(allocation.id)
    page = client.get(f"/admin/dividends/allocations/{allocation.id}").get_data(as_text=True)
    assert 'id="approve-form"' not in page and "AGM-2026/3" in page
    assert f"/admin/dividends/allocations/{allocation.id}/payouts" in page
    assert f"/admin/dividends/allocations/{allocation.id}/statements/{coop.ada.id}.pdf" in page


def test_the_period_page_of_an_approved_period_offers_an_adjustment(client, coop):
    coop.approve(coop.propose().id)
    sign_in(client, coop.admin)
    page = client.get(f"/admin/dividends/periods/{coop.period.id}").get_data(as_text=True)
    assert "Adjust the approved allocation" in page


@pytest.mark.parametrize("role", ["manager", "staff"])
def test_only_admins_open_the_dividends_office(client, coop, role):
    user = make_user(role, password="correct horse battery")
    sign_in(client, user)
    assert client.get("/admin/dividends").status_code == 403
    assert client.get(f"/admin/dividends/periods/{coop.period.id}").status_code == 403
