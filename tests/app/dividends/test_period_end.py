"""A dividend approval never stops the shop: a period is allocated only once it has ended (or an
admin has closed it early), and the adjustment screen the locked-period messages promise exists."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import AuditEvent, FinancialPeriod, TimeEntry
from bakery.services import dividends
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.members import timesheets
from tests.app.dividends.helpers import RULES, Coop, make_period, utc, work
from tests.factories import make_user, post, sign_in

# 2 December 2026, noon in London: the day the 2026/27 approval locked the shop.
NOW = utc(2026, 12, 2, 12)


@pytest.fixture
def coop(app):
    return Coop()


def _running_year() -> tuple[FinancialPeriod, FinancialPeriod]:
    """2026/27 (April to March), running on NOW, and 2027/28 after it."""
    running = make_period("2026/27", date(2026, 4, 1), date(2027, 3, 31))
    following = make_period("2027/28", date(2027, 4, 1), date(2028, 3, 31))
    return running, following


def test_a_period_that_has_not_ended_cannot_be_proposed(coop):
    running, _ = _running_year()
    with pytest.raises(ServiceError, match=r"runs until 2027-03-31.*from 2027-04-01.*close the period early"):
        dividends.propose(running.id, RULES, Actor(coop.admin.id), now=NOW)
    assert db.session.get(FinancialPeriod, running.id).status == "open"


def test_a_proposal_made_before_the_end_cannot_be_approved_before_the_end(coop):
    # A proposal frozen before the period ended (as older versions allowed) still waits.
    allocation = coop.propose()
    period = db.session.get(FinancialPeriod, coop.period.id)
    period.ends_on = date(2026, 12, 31)
    db.session.commit()
    with pytest.raises(ServiceError, match="runs until 2026-12-31"):
        dividends.approve(allocation.id, "AGM", date(2026, 12, 1), Actor(coop.second.id), now=NOW)
    assert db.session.get(FinancialPeriod, coop.period.id).status == "proposed"


def test_a_period_ended_yesterday_is_proposed_and_approved_today(coop):
    period = make_period("Short", date(2026, 11, 1), date(2026, 12, 1))
    allocation = dividends.propose(period.id, RULES, Actor(coop.admin.id), now=NOW)
    approved = dividends.approve(allocation.id, "AGM", date(2026, 12, 2), Actor(coop.second.id), now=NOW)
    assert approved.status == "approved"


def test_the_shop_keeps_approving_hours_after_the_previous_period_is_approved(coop):
    coop.approve(coop.propose().id)
    ada = coop.ada
    entry = work(ada, utc(2026, 12, 1, 8), 240, approved=False)
    manager = make_user("manager")
    timesheets.approve_entry(entry.id, Actor(manager.id))
    assert db.session.get(TimeEntry, entry.id).approved_at is not None


def test_closing_early_moves_the_end_and_hands_the_rest_to_the_next_period(coop):
    running, following = _running_year()
    coop.shop.sell(coop.cat, [(500, 0)], utc(2026, 11, 30, 10))
    closed = dividends.close_early(running.id, date(2026, 12, 1), Actor(coop.admin.id), now=NOW)
    assert closed.old_end == date(2027, 3, 31)
    assert (running.ends_on, following.starts_on) == (date(2026, 12, 1), date(2026, 12, 2))
    assert closed.next_period is not None and closed.next_period.id == following.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "period.closed_early"))
    assert event is not None and event.target == f"period:{running.id}"
    # Now it can be allocated, and today's sales and hours belong to 2027/28, which stays open.
    allocation = dividends.propose(running.id, RULES, Actor(coop.admin.id), now=NOW)
    dividends.approve(allocation.id, "EGM-1", date(2026, 12, 2), Actor(coop.second.id), now=NOW)
    entry = work(coop.ben, utc(2026, 12, 2, 8), 120, approved=False)
    timesheets.approve_entry(entry.id, Actor(make_user("manager").id))
    assert db.session.get(TimeEntry, entry.id).approved_at is not None


def test_closing_early_cannot_cut_off_recorded_sales_or_approved_hours(coop):
    running, following = _running_year()
    coop.shop.sell(coop.cat, [(500, 0)], utc(2026, 11, 20, 10))
    work(coop.ada, utc(2026, 11, 25, 8), 60)
    with pytest.raises(ServiceError, match="already has sales or approved hours on 2026-11-25"):
        dividends.close_early(running.id, date(2026, 11, 24), Actor(coop.admin.id), now=NOW)
    db.session.rollback()
    assert db.session.get(FinancialPeriod, running.id).ends_on == date(2027, 3, 31)
    assert db.session.get(FinancialPeriod, following.id).starts_on == date(2027, 4, 1)


@pytest.mark.parametrize(
    ("new_end", "why"),
    [
        (date(2027, 3, 31), "sooner, never later"),  # the same end
        (date(2027, 4, 30), "sooner, never later"),
        (date(2026, 3, 31), "sooner, never later"),  # before the start
    ],
)
def test_closing_early_refuses_a_day_outside_the_period(coop, new_end, why):
    running, _ = _running_year()
    with pytest.raises(ServiceError, match=why):
        dividends.close_early(running.id, new_end, Actor(coop.admin.id), now=NOW)


def test_a_period_with_a_proposal_cannot_be_closed_early(coop):
    coop.propose()
    with pytest.raises(ServiceError, match="only an open period"):
        dividends.close_early(coop.period.id, date(2025, 6, 30), Actor(coop.admin.id))


def test_closing_early_without_a_following_period_asks_for_one(client, coop):
    running = make_period("2026/27", date(2026, 4, 1), date(2027, 3, 31))
    sign_in(client, coop.admin)
    page = client.get(f"/admin/dividends/periods/{running.id}").get_data(as_text=True)
    assert 'id="period-running"' in page and 'id="close-early"' in page
    done = post(client, f"/admin/dividends/periods/{running.id}/close-early", {"ends_on": "2026-11-30"})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Add the next period from 2026-12-01" in page
    assert db.session.get(FinancialPeriod, running.id).ends_on == date(2026, 11, 30)


@pytest.mark.parametrize("value", ["", "2026-13-01", "yesterday", "2030-01-01"])
def test_a_bad_early_close_date_is_refused_on_the_page_and_changes_nothing(client, coop, value):
    running = make_period("2026/27", date(2026, 4, 1), date(2027, 3, 31))
    sign_in(client, coop.admin)
    refused = post(client, f"/admin/dividends/periods/{running.id}/close-early", {"ends_on": value})
    assert refused.status_code == 422
    assert 'id="close-early"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(FinancialPeriod, running.id).ends_on == date(2027, 3, 31)


def test_only_admins_close_a_period_early(client, coop):
    running = make_period("2026/27", date(2026, 4, 1), date(2027, 3, 31))
    sign_in(client, make_user("manager"))
    refused = post(client, f"/admin/dividends/periods/{running.id}/close-early", {"ends_on": "2026-11-30"})
    assert refused.status_code in (302, 403)
    assert db.session.get(FinancialPeriod, running.id).ends_on == date(2027, 3, 31)


def test_the_locked_period_message_points_to_the_adjustment_which_the_approved_allocation_links(client, coop):
    allocation = coop.approve(coop.propose().id)
    entry = work(coop.ada, utc(2025, 7, 1, 8), 60, approved=False)
    with pytest.raises(ServiceError, match=r"adjustment \(Office, Dividends, 2025\)"):
        timesheets.approve_entry(entry.id, Actor(make_user("manager").id))
    db.session.rollback()
    sign_in(client, coop.admin)
    page = client.get(f"/admin/dividends/allocations/{allocation.id}").get_data(as_text=True)
    assert f'href="/admin/dividends/periods/{coop.period.id}#allocation-form"' in page
    period_page = client.get(f"/admin/dividends/periods/{coop.period.id}").get_data(as_text=True)
    assert "Adjust the approved allocation" in period_page and 'id="allocation-form"' in period_page
    assert 'id="close-early"' not in period_page
