"""After a period closes, every kind of write lands in the next period or is refused with a message
naming the period and the way to change it: never in the closed one (`bakery.domain.period_close`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from bakery.extensions import db
from bakery.models import AuditEvent, FinancialPeriod, Member, Sale, StoreCredit, Till, TillDevice, User
from bakery.services import dividends, periods
from bakery.services.audit import Actor
from bakery.services.dividends import patronage
from bakery.services.errors import ServiceError
from bakery.services.members import hours
from bakery.services.till import baskets, cash, checkout, order_extras, refunds, tills
from tests.app.dividends.helpers import RULES, utc, work
from tests.app.till.helpers import make_menu
from tests.factories import make_member, make_user

# The year ran to 30 November 2026; on 2 December its allocation is proposed and approved.
YEAR_START, YEAR_END = date(2026, 4, 1), date(2026, 11, 30)
IN_THE_YEAR = utc(2026, 11, 20, 10)
AFTER = utc(2026, 12, 2, 15)


@dataclass
class Shop:
    till: Till
    device: TillDevice
    staff: User
    manager: User
    admin: User
    second: User
    cat: Member
    ada: User
    ada_member: Member
    menu: dict
    year: FinancialPeriod


def sell(shop: Shop, member: Member | None, now, method: str = "cash") -> Sale:
    """A croissant (2.50, less any member discount) rung up and paid through the till's services."""
    actor = Actor(shop.staff.id, shop.till.id)
    basket = baskets.add_line(shop.till.id, shop.menu["croissant"].id, actor)
    if member is not None:
        basket = order_extras.attach_member(shop.till.id, "", actor, member_id=member.id)
    due = baskets.price(basket).totals.total
    sale = checkout.tender(shop.till.id, basket.key, method, due, actor, now=now)
    assert isinstance(sale, Sale)
    return sale


def refund_all(shop: Shop, sale: Sale, now, method: str = "cash") -> Sale:
    return refunds.refund(
        shop.till.id,
        sale.id,
        {line.id: line.qty for line in sale.lines},
        method,
        "changed mind",
        shop.manager.id,
        "4321",
        Actor(shop.staff.id, shop.till.id),
        now=now,
    )


@pytest.fixture
def shop(app) -> Shop:
    menu = make_menu()
    staff = make_user("staff", pin="1234")
    manager = make_user("manager", pin="4321")
    admin, second = make_user("admin", name="Proposer"), make_user("admin", name="Second")
    till = tills.create_till("Counter", "counter", Actor(manager.id))
    tills.pair_device(till.id, "tablet", Actor(manager.id))
    device = db.session.scalar(select(TillDevice).where(TillDevice.till_id == till.id))
    cash.open_session(till.id, 5000, Actor(staff.id, till.id), now=IN_THE_YEAR - timedelta(hours=1))
    ada = make_user("staff", name="Ada Baker", pin="2468")
    ada_member = make_member(ada, number="W-100", member_class="worker")
    cat = make_member(make_user("member", name="Cat"), number="C-100", member_class="customer")
    year = dividends.create_period("Year one", YEAR_START, YEAR_END, Actor(admin.id))
    return Shop(till, device, staff, manager, admin, second, cat, ada, ada_member, menu, year)


def close(shop: Shop, *, approve: bool = True) -> None:
    """Propose (and approve) Year one's allocation on 2 December."""
    allocation = dividends.propose(shop.year.id, RULES, Actor(shop.admin.id), now=AFTER)
    if approve:
        dividends.approve(allocation.id, "AGM-1", AFTER.date(), Actor(shop.second.id), now=AFTER)


def purchases(start: date, end: date) -> dict[int, int]:
    db.session.expire_all()
    return patronage.purchases_by_member(start, end)


def period_on(day: date) -> FinancialPeriod:
    db.session.expire_all()
    found = periods.period_for(day)
    assert found is not None
    return found


def test_a_sale_after_the_close_opens_the_next_period_and_lands_there(shop):
    sell(shop, shop.cat, IN_THE_YEAR)
    close(shop)
    frozen = purchases(YEAR_START, YEAR_END)
    sale = sell(shop, shop.cat, AFTER)
    assert purchases(YEAR_START, YEAR_END) == frozen  # the closed year is untouched
    following = period_on(AFTER.date())
    assert (following.name, following.starts_on, following.ends_on, following.status) == (
        "2026-27",
        date(2026, 12, 1),
        date(2027, 11, 30),
        "open",
    )
    assert purchases(following.starts_on, following.ends_on) == {shop.cat.id: sale.total - sale.vat_total}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "period.opened"))
    assert event is not None and event.target == f"period:{following.id}"


def test_a_second_sale_lands_in_the_same_next_period_without_opening_another(shop):
    close(shop)
    sell(shop, None, AFTER)
    sell(shop, shop.cat, AFTER + timedelta(minutes=5))
    assert db.session.scalar(select(func.count()).select_from(FinancialPeriod)) == 2


def test_a_refund_after_the_close_lowers_the_members_patronage_in_the_next_period(shop):
    sale = sell(shop, shop.cat, IN_THE_YEAR)
    close(shop)
    frozen = purchases(YEAR_START, YEAR_END)
    refund = refund_all(shop, sale, AFTER)
    assert refund.member_id == shop.cat.id
    assert purchases(YEAR_START, YEAR_END) == frozen
    following = period_on(AFTER.date())
    assert purchases(following.starts_on, following.ends_on) == {shop.cat.id: -(sale.total - sale.vat_total)}
    figures = dividends.purchases_so_far(shop.cat.id, AFTER.date())
    assert figures.earlier_refunds == -(sale.total - sale.vat_total)
    assert figures.total_net == figures.earlier_refunds


def test_a_store_credit_spend_and_a_refund_to_credit_after_the_close_land_in_the_next_period(shop):
    db.session.add(StoreCredit(member_id=shop.cat.id, amount=1000, reason="dividend"))
    db.session.commit()
    sale = sell(shop, shop.cat, IN_THE_YEAR, method="credit")
    close(shop)
    frozen = purchases(YEAR_START, YEAR_END)
    spent = sell(shop, shop.cat, AFTER, method="credit")
    back = refund_all(shop, sale, AFTER + timedelta(minutes=1), method="credit")
    following = period_on(AFTER.date())
    assert purchases(YEAR_START, YEAR_END) == frozen
    assert purchases(following.starts_on, following.ends_on) == {
        shop.cat.id: (spent.total - spent.vat_total) + (back.total - back.vat_total)
    }


def test_a_clock_in_after_the_close_lands_in_the_next_period(shop):
    close(shop)
    done = hours.clock_in(shop.ada.id, "2468", shop.device, Actor(), now=AFTER)
    following = period_on(AFTER.date())
    assert following.starts_on <= AFTER.date() <= following.ends_on and following.status == "open"
    out = hours.clock_out(shop.ada.id, "2468", shop.device, Actor(), now=AFTER + timedelta(hours=4))
    assert out.entry.id == done.entry.id and out.notice == ""


@pytest.mark.parametrize("approved", [True, False], ids=["approved", "proposed"])
def test_hours_about_a_day_of_the_closed_year_are_refused_naming_the_period_and_the_route(shop, approved):
    unapproved = work(shop.ada_member, utc(2026, 11, 10, 8), 240, approved=False)
    close(shop, approve=approved)
    route = "as an adjustment" if approved else "withdraw the proposal"
    manager = Actor(shop.manager.id)
    before = (unapproved.clock_in, unapproved.clock_out, unapproved.approved_at, unapproved.member_state)
    with pytest.raises(ServiceError, match=rf"falls in Year one, which is closed.*{route}"):
        hours.correct_entry(
            unapproved.id,
            unapproved.clock_in,
            unapproved.clock_out - timedelta(hours=1),
            0,
            "x",
            manager,
            AFTER,
        )
    db.session.rollback()
    with pytest.raises(ServiceError, match=rf"falls in Year one, which is closed.*{route}"):
        hours.approve_entry(unapproved.id, manager, now=AFTER)
    db.session.rollback()
    with pytest.raises(ServiceError, match=rf"falls in Year one, which is closed.*{route}"):
        hours.flag_entry(shop.ada_member.id, unapproved.id, "too short", Actor(shop.ada.id), now=AFTER)
    db.session.rollback()
    db.session.expire_all()
    again = hours.get_entry(unapproved.id)
    assert (again.clock_in, again.clock_out, again.approved_at, again.member_state) == before


def test_a_correction_may_not_move_hours_of_the_next_period_into_the_closed_one(shop):
    close(shop)
    later = work(shop.ada_member, utc(2026, 12, 1, 8), 240, approved=False)
    with pytest.raises(ServiceError, match="falls in Year one, which is closed"):
        hours.correct_entry(
            later.id,
            utc(2026, 11, 30, 20),
            utc(2026, 12, 1, 0),
            0,
            "night shift",
            Actor(shop.manager.id),
            AFTER,
        )
    db.session.rollback()
    hours.approve_entry(later.id, Actor(shop.manager.id), now=AFTER)  # in the next period: fine


def test_hours_of_an_ended_year_are_still_approved_until_its_allocation_is_proposed(shop):
    entry = work(shop.ada_member, utc(2026, 11, 29, 8), 240, approved=False)
    hours.approve_entry(entry.id, Actor(shop.manager.id), now=AFTER)
    assert hours.get_entry(entry.id).approved_at is not None


def test_a_proposal_waits_while_a_shift_begun_in_the_period_is_still_open(shop):
    hours.clock_in(shop.ada.id, "2468", shop.device, Actor(), now=utc(2026, 11, 30, 21))
    with pytest.raises(ServiceError, match="Ada is still clocked in since 2026-11-30, a day of Year one"):
        dividends.propose(shop.year.id, RULES, Actor(shop.admin.id), now=AFTER - timedelta(days=1, hours=14))
    db.session.rollback()
    hours.clock_out(shop.ada.id, "2468", shop.device, Actor(), now=utc(2026, 12, 1, 5))
    close(shop)
    assert db.session.get(FinancialPeriod, shop.year.id).status == "approved"


def test_a_clock_out_of_a_shift_left_open_across_the_close_is_recorded_with_a_notice(shop):
    hours.clock_in(shop.ada.id, "2468", shop.device, Actor(), now=utc(2026, 11, 30, 21))
    # As an older version allowed: the year approved while the shift was still open.
    db.session.get(FinancialPeriod, shop.year.id).status = "approved"
    db.session.commit()
    out = hours.clock_out(shop.ada.id, "2468", shop.device, Actor(), now=utc(2026, 12, 1, 5))
    assert out.entry.clock_out is not None
    assert "began in Year one, which is closed: it counts nowhere until an admin allocates it" in out.notice
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "hours.clocked_out"))
    assert event is not None and "counts_nowhere" in event.details


def test_the_clock_screen_says_when_a_shift_counts_nowhere(client, app):
    from bakery.models.types import utcnow
    from tests.app.hours.helpers import add_entry, worker
    from tests.factories import make_till, pair, post

    user, _member = worker("Bo Baker", pin="1357")
    started = utcnow() - timedelta(hours=3)
    add_entry(user, started, None)  # clocked in before the year was approved (as older versions allowed)
    dividends.create_period("Old year", started.date() - timedelta(days=300), started.date(), Actor(user.id))
    db.session.execute(update(FinancialPeriod).values(status="approved"))
    db.session.commit()
    pair(client, make_till())
    done = post(client, f"/till/clock/{user.id}", {"action": "out", "pin": "1357"}, htmx=True)
    body = done.get_data(as_text=True)
    assert done.status_code == 200 and "Bo clocked out at" in body
    assert 'role="alert">This shift began in Old year, which is closed: it counts nowhere' in body
