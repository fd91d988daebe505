"""Migration 0011 gives the sale lines of an existing database the VAT shares the till now stores:
a sale's shares and a partial refund's (whose band VAT is the change in the cumulative VAT) add up
to what each receipt recorded, exactly as a new sale or refund would store them."""

from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Sale, SaleLine
from bakery.services.audit import Actor
from bakery.services.till import baskets, cash, checkout, refunds, tills
from tests.app.till.helpers import make_menu
from tests.factories import make_user


def _shares() -> dict[int, int]:
    return dict(db.session.execute(select(SaleLine.id, SaleLine.vat)).all())


def test_the_backfill_gives_old_lines_the_shares_the_till_stores_now(app):
    menu = make_menu()
    staff, manager = make_user("staff", pin="1234"), make_user("manager", pin="4321")
    till = tills.create_till("Counter", "counter", Actor(manager.id))
    who = Actor(staff.id, till.id)
    cash.open_session(till.id, 5000, who)
    baskets.add_line(till.id, menu["croissant"].id, who, qty=3)
    baskets.add_line(till.id, menu["latte"].id, who, variant_id=menu["latte"].variants[1].id, qty=3)
    baskets.set_eat_in(till.id, True, who)
    basket = baskets.open_basket(till.id)
    sale = checkout.tender(till.id, basket.key, "cash", baskets.price(basket).totals.total, who)
    assert isinstance(sale, Sale)
    for _ in range(3):  # a partial refund of each line, three times over: all of it in the end
        refunds.refund(till.id, sale.id, {line.id: 1 for line in sale.lines}, "cash", "x", manager.id, "4321", who)
    stored = _shares()
    sums = {
        s.id: (s.vat_total, sum(line.vat for line in s.lines)) for s in db.session.scalars(select(Sale))
    }
    assert all(recorded == lines for recorded, lines in sums.values())
    assert any(vat for vat in stored.values())
    db.session.remove()
    downgrade(revision="0010")
    upgrade()
    db.session.remove()
    assert _shares() == stored
