"""The demo's social impact: some worker members came through a resettlement or supported-employment
programme (flagged in their safeguarding records, through the safeguarding service that audits it),
and the stockroom has given flour and eggs to partner organisations.
"""

from __future__ import annotations

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Partner, SafeguardingRecord, StockItem, TimeEntry, User
from bakery.services import members, stock
from bakery.services.audit import Actor
from bakery.services.demo.data import DEMO_MARKER_EMAIL

#: How many of the worker members who clock in came through a programme (a share near 40 %).
PROGRAMME_WORKERS = 6
PROGRAMMES = ("Resettlement: HMP Bristol through the gate", "Supported employment: Working Futures")


def load_demo_impact() -> bool:
    """Once: flag six worker members who have clocked in as coming through a programme (never any
    detail beyond the programme's name), and donate flour to the hostel and eggs to the food bank.
    True if it loaded anything."""
    if db.session.scalar(select(SafeguardingRecord.id).limit(1)) is not None:
        return False
    admin = db.session.scalar(select(User).where(User.email == DEMO_MARKER_EMAIL))
    if admin is None or not admin.can_safeguard:
        return False
    workers = list(
        db.session.scalars(
            select(TimeEntry.member_id)
            .where(TimeEntry.member_id.is_not(None))
            .group_by(TimeEntry.member_id)
            .order_by(TimeEntry.member_id)
            .limit(PROGRAMME_WORKERS)
        )
    )
    for n, member_id in enumerate(workers):
        assert member_id is not None  # noqa: S101 - filtered above
        members.change_record(
            member_id,
            members.SafeguardingInput(
                justice_involvement=n % 2 == 0,
                programme_ref=PROGRAMMES[n % len(PROGRAMMES)],
                referral_agency="",
                support_notes="",
            ),
            Actor(admin.id),
        )
    partners = {p.name: p.id for p in db.session.scalars(select(Partner))}
    flour = db.session.scalar(select(StockItem.id).where(StockItem.name == "Strong white flour"))
    eggs = db.session.scalar(select(StockItem.id).where(StockItem.name == "Free-range eggs"))
    manager = db.session.scalar(select(User.id).where(User.role == "manager").order_by(User.id))
    gifts = (
        ("St Mungo's Hostel", {"stock_item_id": flour, "qty": 4_000}, "Flour for the hostel's kitchen"),
        ("Bristol North Food Bank", {"stock_item_id": eggs, "qty": 30}, "Eggs for the Friday hampers"),
    )
    for partner, what, note in gifts:
        if partner in partners and None not in what.values():
            stock.write_off(
                kind="donation",
                partner_id=partners[partner],
                note=note,
                key=f"demo-donation-{partners[partner]}",
                actor=Actor(manager),
                **what,  # type: ignore[arg-type]
            )
    return bool(workers)
