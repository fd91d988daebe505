"""Rows the dividends tests need: sales and refunds with lines, approved time entries, a period,
rules, and a proposed or approved allocation.

Sales are written directly (not through the till): patronage reads only sales, lines and members.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from itertools import count

from bakery.domain.vat import line_nets, line_vat_shares, vat_bands
from bakery.extensions import db
from bakery.models import (
    CashSession,
    Category,
    Member,
    Product,
    Sale,
    SaleLine,
    TaxCategory,
    TimeEntry,
    User,
)
from bakery.services import dividends
from bakery.services.audit import Actor
from bakery.services.dividends import AllocationInput
from tests.factories import make_member, make_till, make_user

_receipts = count(1)

RULES = AllocationInput(
    surplus=1_000_000,
    reserve_balance=50_000,
    deficit_brought_forward=0,
    reserve_bp=3000,
    funds=(("Community fund", 1000), ("Education", 500)),
    class_weights=(("worker", 6000), ("customer", 4000), ("community", 0)),
    minimum_payout=500,
    include_leavers=True,
)


class Shop:
    """A till with an open cash session and a product, to hang sales on."""

    def __init__(self) -> None:
        self.staff = make_user("staff")
        self.till = make_till()
        tax = TaxCategory(code=f"t{uuid.uuid4().hex[:6]}", name="food", takeaway_bp=0, eat_in_bp=2000)
        category = Category(name=f"Cat {uuid.uuid4().hex[:6]}")
        self.product = Product(name="Loaf", category=category, tax_category=tax, price=450)
        self.session = CashSession(till_id=self.till.id, opened_by_id=self.staff.id, opening_float=0)
        db.session.add_all([self.product, self.session])
        db.session.commit()

    def sell(
        self,
        member: Member | None,
        lines: list[tuple[int, int]],
        at: datetime,
        *,
        kind: str = "sale",
    ) -> Sale:
        """A completed sale (or refund, with negative grosses) of `(gross, rate_bp)` lines."""
        total = sum(gross for gross, _ in lines)
        sale = Sale(
            till_id=self.till.id,
            receipt_no=next(_receipts),
            idempotency_key=uuid.uuid4().hex,
            kind=kind,
            cash_session_id=self.session.id,
            staff_id=self.staff.id,
            member_id=member.id if member else None,
            eat_in=False,
            subtotal=total,
            total=total,
            vat_total=sum(band.vat for band in vat_bands((rate, gross) for gross, rate in lines)),
            created_at=at,
        )
        db.session.add(sale)
        db.session.flush()
        shares = line_vat_shares([(rate, gross) for gross, rate in lines])
        db.session.add_all(
            SaleLine(
                sale_id=sale.id,
                product_id=self.product.id,
                description="Loaf",
                qty=1 if gross >= 0 else -1,
                unit_price=abs(gross),
                gross=gross,
                rate_bp=rate,
                vat=share,
                vat_reason="test",
                eat_in=False,
            )
            for (gross, rate), share in zip(lines, shares, strict=True)
        )
        db.session.commit()
        return sale


def net(lines: list[tuple[int, int]]) -> int:
    """The Python rule the SQL must match: each line's gross less its share of its band's VAT."""
    return sum(line_nets([(rate, gross) for gross, rate in lines]))


def work(member: Member, clock_in: datetime, minutes: int, *, approved: bool = True) -> TimeEntry:
    """A closed time entry for a member's user, approved by a manager unless told otherwise."""
    manager = db.session.query(User).filter_by(role="manager").first() or make_user("manager")
    entry = TimeEntry(
        user_id=member.user_id or manager.id,
        member_id=member.id,
        clock_in=clock_in,
        clock_out=clock_in + timedelta(minutes=minutes),
        break_minutes=0,
        approved_by_id=manager.id if approved else None,
        approved_at=clock_in + timedelta(days=1) if approved else None,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """An aware UTC time."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def make_period(name: str = "2025", start: date = date(2025, 1, 1), end: date = date(2025, 12, 31)):
    """A financial period."""
    return dividends.create_period(name, start, end, Actor(make_user("admin").id))


class Coop:
    """A small co-op with trade in 2025: two workers with hours, two customers with purchases
    (one with a refund), a community member, and one sale outside the period."""

    def __init__(self) -> None:
        self.shop = Shop()
        self.period = make_period()
        self.ada = make_member(make_user("member", name="Ada"), number="W-001", member_class="worker")
        self.ben = make_member(make_user("member", name="Ben"), number="W-002", member_class="worker")
        self.cat = make_member(make_user("member", name="Cat"), number="C-001", member_class="customer")
        self.dan = make_member(make_user("member", name="Dan"), number="C-002", member_class="customer")
        self.eve = make_member(make_user("member", name="Eve"), number="X-001", member_class="community")
        work(self.ada, utc(2025, 3, 3, 8), 480)
        work(self.ada, utc(2025, 3, 4, 8), 300)
        work(self.ben, utc(2025, 3, 3, 8), 420)
        work(self.ben, utc(2025, 3, 5, 8), 240, approved=False)
        self.cat_lines = [(1234, 2000), (450, 0), (2001, 2000)]
        self.dan_lines = [(999, 2000), (310, 500)]
        self.dan_refund = [(-999, 2000)]
        self.shop.sell(self.cat, self.cat_lines, utc(2025, 5, 1))
        self.shop.sell(self.dan, self.dan_lines, utc(2025, 6, 1))
        self.shop.sell(self.dan, self.dan_refund, utc(2025, 6, 2), kind="refund")
        self.shop.sell(self.cat, [(5000, 2000)], utc(2026, 1, 5))  # the next year
        self.shop.sell(None, [(777, 2000)], utc(2025, 5, 1))  # no member card
        self.admin = make_user("admin", name="Proposer")
        self.second = make_user("admin", name="Second")

    def members(self) -> list[Member]:
        """Everyone, by number."""
        return [self.cat, self.dan, self.ada, self.ben, self.eve]

    def propose(self, inp: AllocationInput = RULES):
        """Propose the 2025 allocation as the first admin."""
        return dividends.propose(self.period.id, inp, Actor(self.admin.id))

    def approve(self, allocation_id: int, ref: str = "AGM-2026/3"):
        """Approve as the second admin."""
        return dividends.approve(allocation_id, ref, date(2026, 3, 14), Actor(self.second.id))
