"""Allocation in the app: preview from the database, propose (freeze), approve (lock), withdraw,
adjust."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select, update

from bakery.domain.allocation import allocate, result_to_dict, scenario_from_dict
from bakery.extensions import db
from bakery.models import Allocation, AllocationLine, AuditEvent, FinancialPeriod
from bakery.services import dividends, periods
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.members import hours
from tests.app.dividends.helpers import RULES, Coop, net, utc, work
from tests.factories import make_member, make_user


@pytest.fixture
def coop(app):
    return Coop()


def expected_scenario(coop: Coop, inp=RULES) -> dict:
    """The scenario worked out by hand from the rows the Coop wrote."""
    return {
        "rules": {
            "reserve_bp": inp.reserve_bp,
            "funds": [{"name": n, "bp": bp} for n, bp in inp.funds],
            "classes": [
                {"name": "worker", "weight_bp": 6000, "measure": "minutes"},
                {"name": "customer", "weight_bp": 4000, "measure": "net_purchases"},
                {"name": "community", "weight_bp": 0, "measure": "none"},
            ],
            "minimum_payout": inp.minimum_payout,
        },
        "period": {
            "surplus": inp.surplus,
            "reserve_balance": inp.reserve_balance,
            "deficit_brought_forward": inp.deficit_brought_forward,
        },
        "members": [
            {"number": "C-001", "class": "customer", "patronage": net(coop.cat_lines)},
            {"number": "C-002", "class": "customer", "patronage": net(coop.dan_lines) + net(coop.dan_refund)},
            {"number": "W-001", "class": "worker", "patronage": 780},
            {"number": "W-002", "class": "worker", "patronage": 420},
            {"number": "X-001", "class": "community", "patronage": 0},
        ],
    }


def test_the_preview_from_the_database_gives_the_engines_result_for_the_same_figures(coop):
    view = dividends.preview(coop.period.id, RULES)
    assert result_to_dict(view.result) == result_to_dict(
        allocate(*scenario_from_dict(expected_scenario(coop)))
    )
    rows = {r.number: r for r in view.members}
    assert rows["W-001"].allocation > rows["W-002"].allocation > 0
    assert rows["X-001"].allocation == 0


def test_the_amounts_reserve_and_funds_sum_exactly_to_the_surplus(coop):
    for surplus in (1_000_000, 999_999, 12_345, 7):
        view = dividends.preview(coop.period.id, replace(RULES, surplus=surplus))
        r = view.result
        members = sum(m.allocation for m in view.members)
        assert (
            r.deficit_recovered + r.reserve + sum(r.funds.values()) + r.unallocated_to_reserve + members
            == surplus
        )
        assert view.balanced


def test_a_loss_is_charged_to_the_reserve_and_nothing_is_allocated(coop):
    view = dividends.preview(coop.period.id, replace(RULES, surplus=-80_000))
    assert view.result.reserve == -50_000 and view.result.deficit_after == 30_000
    assert all(m.allocation == 0 and m.paid == 0 for m in view.members)
    assert view.balanced


def test_leavers_are_paid_in_full_or_left_out_as_the_rules_say(coop):
    coop.ben.left_on = date(2025, 9, 30)
    db.session.commit()
    small = replace(RULES, surplus=3_000, minimum_payout=100_000)
    with_leavers = {r.number: r for r in dividends.preview(coop.period.id, small).members}
    assert with_leavers["W-002"].left and with_leavers["W-002"].paid == with_leavers["W-002"].allocation > 0
    assert with_leavers["W-001"].paid == 0  # below the minimum: carried forward
    without = {
        r.number: r for r in dividends.preview(coop.period.id, replace(small, include_leavers=False)).members
    }
    assert "W-002" not in without


def test_the_preview_page_shows_the_table_class_totals_and_an_svg_chart_without_inline_styles(client, coop):
    from tests.factories import sign_in

    sign_in(client, coop.admin)
    query = {
        "surplus": "10000.00",
        "reserve_balance": "500.00",
        "deficit_brought_forward": "0",
        "reserve_percent": "30",
        "funds-0-name": "Community fund",
        "funds-0-percent": "10",
        "funds-1-name": "Education",
        "funds-1-percent": "5",
        "classes-0-name": "worker",
        "classes-0-percent": "60",
        "classes-1-name": "customer",
        "classes-1-percent": "40",
        "classes-2-name": "community",
        "classes-2-percent": "0",
        "minimum_payout": "5.00",
        "include_leavers": "y",
    }
    response = client.get(f"/admin/dividends/periods/{coop.period.id}/preview", query_string=query)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="member-lines"' in page and "W-001" in page
    chart = page.split('class="split-chart" src="', 1)[1].split('"', 1)[0]
    assert chart.startswith("data:image/svg+xml") and "%3Crect" in chart  # pygal's SVG as an image
    assert "style=" not in page.replace(chart, ""), "no inline style in the page (the image's own is its own)"
    assert "every penny" in page
    assert db.session.scalar(select(func.count()).select_from(Allocation)) == 0  # a preview writes nothing


def test_a_split_between_classes_that_is_not_100_percent_is_refused_with_a_message(client, coop):
    from tests.factories import sign_in

    sign_in(client, coop.admin)
    query = {
        "surplus": "100",
        "reserve_percent": "30",
        "classes-0-name": "worker",
        "classes-0-percent": "60",
        "classes-1-name": "customer",
        "classes-1-percent": "30",
        "minimum_payout": "5",
    }
    response = client.get(f"/admin/dividends/periods/{coop.period.id}/preview", query_string=query)
    assert response.status_code == 422
    assert "must add up to 100 %" in response.get_data(as_text=True)


def test_proposing_freezes_the_inputs_so_a_later_sale_does_not_change_the_approved_result(coop):
    allocation = coop.propose()
    frozen = json.loads(allocation.result_json)
    assert db.session.get(FinancialPeriod, coop.period.id).status == "proposed"
    coop.shop.sell(coop.dan, [(50_000, 2000)], utc(2025, 12, 30))  # recorded late, after the proposal
    assert (
        dividends.preview(coop.period.id, RULES).result.members["C-002"].allocation
        != frozen["members"]["C-002"]["allocation"]
    )
    approved = coop.approve(allocation.id)
    lines = {
        line.member_id: line.allocation_amount
        for line in db.session.scalars(
            select(AllocationLine).where(AllocationLine.allocation_id == approved.id)
        )
    }
    assert lines[coop.dan.id] == frozen["members"]["C-002"]["allocation"]
    assert sum(lines.values()) == frozen["pool"] - frozen["unallocated_to_reserve"]


def test_a_changed_frozen_scenario_is_refused_at_approval_and_the_attempt_is_audited(coop):
    allocation = coop.propose()
    tampered = json.loads(allocation.scenario_json)
    tampered["members"][0]["patronage"] += 1000
    db.session.execute(
        update(Allocation)
        .where(Allocation.id == allocation.id)
        .values(scenario_json=dividends.canonical(tampered))
    )
    db.session.commit()
    with pytest.raises(ServiceError, match="hash no longer matches"):
        coop.approve(allocation.id)
    db.session.rollback()
    assert db.session.get(Allocation, allocation.id).status == "proposed"
    assert db.session.scalar(select(func.count()).select_from(AllocationLine)) == 0
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "allocation.integrity_failed"))


def test_the_proposer_cannot_approve_their_own_allocation(client, coop):
    from tests.factories import post, sign_in

    allocation = coop.propose()
    sign_in(client, coop.admin)
    response = post(
        client,
        f"/admin/dividends/allocations/{allocation.id}/approve",
        {"resolution_ref": "AGM-1", "resolution_date": "2026-03-14"},
    )
    assert response.status_code == 422
    assert "never the proposer" in response.get_data(as_text=True)
    assert db.session.get(Allocation, allocation.id).status == "proposed"


def test_a_second_admin_approves_through_the_page_and_the_period_locks(client, coop):
    from tests.factories import post, sign_in

    allocation = coop.propose()
    sign_in(client, coop.second)
    response = post(
        client,
        f"/admin/dividends/allocations/{allocation.id}/approve",
        {"resolution_ref": "AGM-2026/3", "resolution_date": "2026-03-14"},
    )
    assert response.status_code == 302
    approved = db.session.get(Allocation, allocation.id)
    assert (approved.status, approved.resolution_ref, approved.approved_by_id) == (
        "approved",
        "AGM-2026/3",
        coop.second.id,
    )
    assert db.session.get(FinancialPeriod, coop.period.id).status == "approved"
    assert db.session.scalar(select(func.count()).where(AllocationLine.allocation_id == allocation.id)) == 5


def test_approval_locks_the_period_against_hours_corrections_new_allocations_and_withdrawal(coop):
    entry = work(coop.ada, utc(2025, 11, 3, 8), 60)
    allocation = coop.propose()
    coop.approve(allocation.id)
    with pytest.raises(ServiceError, match="closed"):
        periods.refuse_if_locked(date(2025, 11, 3))
    with pytest.raises(ServiceError, match="closed"):
        hours.correct_entry(
            entry.id,
            utc(2025, 11, 3, 8),
            utc(2025, 11, 3, 10),
            0,
            "forgot to clock out",
            Actor(coop.admin.id),
        )
    db.session.rollback()
    with pytest.raises(ServiceError, match="approved and locked"):
        coop.propose()
    with pytest.raises(ServiceError, match="only a proposed allocation can be approved"):
        coop.approve(allocation.id)
    with pytest.raises(ServiceError, match="adjustment"):
        dividends.withdraw(allocation.id, Actor(coop.admin.id))


def test_a_withdrawn_proposal_reopens_the_period_and_only_one_proposal_is_live_at_a_time(coop):
    allocation = coop.propose()
    with pytest.raises(ServiceError, match="already has a proposed allocation"):
        coop.propose()
    dividends.withdraw(allocation.id, Actor(coop.second.id))
    assert db.session.get(FinancialPeriod, coop.period.id).status == "open"
    again = coop.propose()
    assert again.status == "proposed"


def test_an_adjustment_of_an_approved_period_is_linked_allocated_by_the_same_rules_and_approved(coop):
    first = coop.approve(coop.propose().id)
    extra = replace(RULES, surplus=20_000)
    adjustment = dividends.propose(coop.period.id, extra, Actor(coop.admin.id), adjustment=True)
    assert adjustment.adjusts_id == first.id
    assert json.loads(adjustment.scenario_json)["rules"]["reserve_bp"] == RULES.reserve_bp
    coop.approve(adjustment.id, "EGM-2026/1")
    assert db.session.get(FinancialPeriod, coop.period.id).status == "approved"
    assert db.session.scalar(select(func.count()).where(AllocationLine.allocation_id == adjustment.id)) == 5


def test_small_amounts_are_carried_into_the_next_periods_allocation(coop):
    tiny = replace(RULES, surplus=1_000, minimum_payout=50_000)
    approved = coop.approve(coop.propose(tiny).id)
    carried = {
        line.member_id: line.carried_out
        for line in db.session.scalars(
            select(AllocationLine).where(AllocationLine.allocation_id == approved.id)
        )
    }
    assert carried[coop.ada.id] > 0
    next_year = dividends.create_period("2026", date(2026, 1, 1), date(2026, 12, 31), Actor(coop.admin.id))
    view = dividends.preview(next_year.id, replace(RULES, surplus=0))
    rows = {r.member_id: r for r in view.members}
    assert rows[coop.ada.id].carried_in == carried[coop.ada.id]
    assert rows[coop.ada.id].carried_out == carried[coop.ada.id]  # nothing to share: still carried


def test_a_leaver_excluded_from_the_pool_still_receives_their_carried_balance(coop):
    tiny = replace(RULES, surplus=1_000, minimum_payout=50_000)
    coop.approve(coop.propose(tiny).id)
    coop.ada.left_on = date(2026, 2, 1)
    db.session.commit()
    next_year = dividends.create_period("2026", date(2026, 1, 1), date(2026, 12, 31), Actor(coop.admin.id))
    view = dividends.preview(next_year.id, replace(RULES, include_leavers=False))
    ada = next(r for r in view.members if r.member_id == coop.ada.id)
    assert ada.excluded and ada.allocation == 0 and ada.paid == ada.carried_in > 0


def test_a_member_who_joined_after_the_period_takes_no_part(coop):
    late = make_member(make_user("member"), number="C-900", member_class="customer")
    late.joined_on = date(2026, 2, 1)
    db.session.commit()
    assert "C-900" not in {r.number for r in dividends.preview(coop.period.id, RULES).members}


def test_periods_may_not_overlap_or_end_before_they_start(coop):
    actor = Actor(coop.admin.id)
    with pytest.raises(ServiceError, match="overlap"):
        dividends.create_period("Half", date(2025, 6, 1), date(2026, 5, 31), actor)
    with pytest.raises(ServiceError, match="end before"):
        dividends.create_period("Back", date(2027, 6, 1), date(2027, 5, 31), actor)


def test_the_propose_button_refuses_a_preview_whose_figures_changed_meanwhile(client, coop):
    from tests.factories import post, sign_in

    sign_in(client, coop.admin)
    stale = dividends.preview(coop.period.id, RULES).inputs_hash
    coop.shop.sell(coop.cat, [(1000, 0)], utc(2025, 8, 8))
    form = {
        "surplus": "10000.00",
        "reserve_balance": "500.00",
        "deficit_brought_forward": "0",
        "reserve_percent": "30",
        "funds-0-name": "Community fund",
        "funds-0-percent": "10",
        "funds-1-name": "Education",
        "funds-1-percent": "5",
        "classes-0-name": "worker",
        "classes-0-percent": "60",
        "classes-1-name": "customer",
        "classes-1-percent": "40",
        "classes-2-name": "community",
        "classes-2-percent": "0",
        "minimum_payout": "5.00",
        "include_leavers": "y",
        "preview_hash": stale,
    }
    response = post(client, f"/admin/dividends/periods/{coop.period.id}/allocations", form)
    assert response.status_code == 409
    assert "figures changed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Allocation)) == 0
    form["preview_hash"] = ""
    response = post(client, f"/admin/dividends/periods/{coop.period.id}/allocations", form)
    assert response.status_code == 302
    assert db.session.scalar(select(Allocation.status)) == "proposed"


def test_the_preview_pages_propose_form_carries_the_previewed_figures_and_freezes_that_very_scenario(
    client, coop
):
    import re

    from tests.factories import post, sign_in

    sign_in(client, coop.admin)
    page = client.get(f"/admin/dividends/periods/{coop.period.id}").get_data(as_text=True)
    fields = re.findall(r'name="([a-z_]+(?:-\d+-[a-z]+)?)"[^>]*value="([^"]*)"', page)
    form = {name: value for name, value in fields if not name.endswith("-remove")}  # unticked boxes
    form.update({"surplus": "10000.00", "include_leavers": "y", "action": "preview"})
    preview = client.get(f"/admin/dividends/periods/{coop.period.id}/preview", query_string=form).get_data(
        as_text=True
    )
    propose_form = preview[preview.index('id="allocation-preview"') :]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', propose_form))
    assert hidden["funds-0-name"] == "Community fund" and hidden["surplus"] == "10000.00"
    response = post(client, f"/admin/dividends/periods/{coop.period.id}/allocations", hidden)
    assert response.status_code == 302
    allocation = db.session.scalar(select(Allocation))
    assert allocation.inputs_hash == hidden["preview_hash"]
    assert json.loads(allocation.scenario_json)["period"]["surplus"] == 1_000_000
