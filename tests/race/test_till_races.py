"""Requests released together against a multi-worker server keep every money and security rule
(SQLite and PostgreSQL; each race repeated over many rounds)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from itertools import count

from flask import Flask
from sqlalchemy import func, select, update

from bakery.extensions import db
from bakery.models import (
    AuditEvent,
    Basket,
    BasketLine,
    CashMovement,
    Category,
    PendingPayment,
    Product,
    Sale,
    SaleLine,
    TaxCategory,
    TimeEntry,
    User,
    ZReport,
)
from bakery.models.types import utcnow
from bakery.services.audit import Actor
from bakery.services.auth import users
from bakery.services.till import baskets, cash, checkout
from tests.app.till.helpers import open_till_for
from tests.factories import make_till, make_user, pair, pin_in
from tests.race.conftest import ROUNDS, Answer, LiveServer, Tablet, release_together, tablet_for

_names = count(1)


def a_product(price: int) -> Product:
    """A cold-food product of its own (names are unique in the database every race module shares)."""
    n = f"{next(_names)}-{uuid.uuid4().hex[:8]}"
    tax = TaxCategory(code=f"cold{n}", name=f"cold {n}", takeaway_bp=0, eat_in_bp=2000, hot=False)
    product = Product(name=f"Tea {n}", category=Category(name=f"Race {n}"), tax_category=tax, price=price)
    db.session.add(product)
    db.session.commit()
    return product


def sell(till_id: int, staff_id: int, product: Product) -> Sale:
    """One of the product, paid in cash, on the till (in the test process)."""
    who = Actor(staff_id, till_id)
    baskets.add_line(till_id, product.id, who)
    key = baskets.open_basket(till_id).key
    sale = checkout.tender(till_id, key, "cash", product.price, who)
    assert isinstance(sale, Sale)
    return sale


def no_crash(live: LiveServer, answers: list[Answer]) -> None:
    """No request answered 500 and no worker logged a traceback (read first, so that a failing
    test never leaves its tracebacks to be blamed on the next test using the shared server)."""
    logged = live.errors_logged()
    assert all(a.status < 500 for a in answers), [a.status for a in answers]
    assert logged == ""


def audit_count(action: str, target: str, after_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.target == target, AuditEvent.id > after_id)
    )


def last_audit_id() -> int:
    return db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))


def test_refund_forms_sent_together_never_refund_more_than_was_sold(live: LiveServer, scene: Flask) -> None:
    client = scene.test_client()
    till, staff = open_till_for(client)
    manager = make_user("manager", pin="4321")
    tea = a_product(200)
    tablet = tablet_for(live, client)
    for _ in range(ROUNDS):
        sale = sell(till.id, staff.id, tea)
        line = sale.lines[0]
        form = {
            "method": "cash",
            "reason": "cold tea",
            "manager_id": str(manager.id),
            "manager_pin": "4321",
            f"qty-{line.id}": "1",
        }
        posts = [
            tablet.prepare(f"/till/refunds/{sale.id}", {**form, "key": f"refund-{uuid.uuid4().hex}"})
            for _ in range(4)
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        refunded = db.session.scalar(
            select(func.coalesce(func.sum(-SaleLine.qty), 0)).where(SaleLine.refund_of_line_id == line.id)
        )
        refunds = db.session.scalar(
            select(func.count()).select_from(Sale).where(Sale.refund_of_id == sale.id)
        )
        assert (refunded, refunds) == (1, 1)
        assert sum(1 for a in answers if a.status == 200) == 1


def test_paid_outs_sent_together_never_take_the_drawer_below_zero(live: LiveServer, scene: Flask) -> None:
    client = scene.test_client()
    till, staff = open_till_for(client, opening_float=10000)
    who = Actor(staff.id, till.id)
    tablet = tablet_for(live, client)
    for round_no in range(ROUNDS):
        if round_no:
            figures = cash.current_totals(till.id)
            cash.close_session(till.id, figures.expected_cash, who)
            cash.open_session(till.id, 10000, who)
        posts = [
            tablet.prepare(
                "/till/cash/moves",
                {"direction": "out", "amount": "60.00", "reason": "window cleaner", "key": uuid.uuid4().hex},
            )
            for _ in range(5)
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        figures = cash.current_totals(till.id)
        assert figures.expected_cash == 10000 - 6000
        moved = db.session.scalar(
            select(func.count())
            .select_from(CashMovement)
            .where(CashMovement.session_id == figures.session.id)
        )
        assert moved == 1


def test_a_paid_out_double_tapped_moves_the_cash_once(live: LiveServer, scene: Flask) -> None:
    client = scene.test_client()
    till, _ = open_till_for(client, opening_float=100000)
    tablet = tablet_for(live, client)
    for _ in range(ROUNDS):
        before = cash.current_totals(till.id).expected_cash
        form = {"direction": "out", "amount": "1.50", "reason": "milk", "key": uuid.uuid4().hex}
        answers = release_together([tablet.prepare("/till/cash/moves", form) for _ in range(3)])
        no_crash(live, answers)
        assert all(a.status == 200 for a in answers)
        assert cash.current_totals(till.id).expected_cash == before - 150


def test_taps_sent_together_are_all_counted_in_one_basket(live: LiveServer, scene: Flask) -> None:
    client = scene.test_client()
    till, staff = open_till_for(client)
    bun = a_product(150)
    tablet = tablet_for(live, client)
    for _ in range(ROUNDS):
        answers = release_together(
            [tablet.prepare("/till/lines", {"product_id": str(bun.id)}) for _ in range(10)]
        )
        no_crash(live, answers)
        open_ = list(
            db.session.scalars(select(Basket).where(Basket.till_id == till.id, Basket.status == "open"))
        )
        assert len(open_) == 1
        quantities = [
            line.qty
            for line in db.session.scalars(select(BasketLine).where(BasketLine.basket_id == open_[0].id))
        ]
        assert quantities == [10]
        baskets.void_basket(till.id, Actor(staff.id, till.id), reason="test order", manager_above=10**9)


def test_two_tills_recalling_one_parked_order_one_gets_it(live: LiveServer, scene: Flask) -> None:
    parker = scene.test_client()
    till_a, staff = open_till_for(parker)
    others = [scene.test_client(), scene.test_client()]
    tills = [open_till_for(c)[0] for c in others]
    tablets = [tablet_for(live, c) for c in others]
    cake = a_product(300)
    for round_no in range(ROUNDS):
        baskets.add_line(till_a.id, cake.id, Actor(staff.id, till_a.id))
        baskets.park_basket(till_a.id, f"Table {round_no}", Actor(staff.id, till_a.id))
        parked = db.session.scalar(select(Basket.id).where(Basket.status == "parked"))
        since = last_audit_id()
        answers = release_together([t.prepare(f"/till/parked/{parked}/recall", {}) for t in tablets])
        no_crash(live, answers)
        basket = db.session.get(Basket, parked, populate_existing=True)
        assert basket.status == "open" and basket.till_id in {t.id for t in tills}
        assert audit_count("till.basket_recalled", f"basket:{parked}", since) == 1
        for till in tills:
            assert (
                db.session.scalar(
                    select(func.count())
                    .select_from(Basket)
                    .where(Basket.till_id == till.id, Basket.status == "open")
                )
                <= 1
            )
        baskets.void_basket(
            basket.till_id, Actor(staff.id, basket.till_id), reason="test order", manager_above=10**9
        )


def test_wrong_pins_sent_together_lock_after_exactly_five(live: LiveServer, scene: Flask) -> None:
    client = scene.test_client()
    till, _ = open_till_for(client)
    target = make_user("staff", pin="2468")
    pair(client, till)
    tablet = tablet_for(live, client)
    admin = make_user("admin")
    for round_no in range(ROUNDS):
        since = last_audit_id()
        posts = [tablet.prepare(f"/till/staff/{target.id}/pin", {"pin": "1357"}) for _ in range(40)]
        posts.insert(17, tablet.prepare(f"/till/staff/{target.id}/pin", {"pin": "2468"}))
        answers = release_together(posts)
        no_crash(live, answers)
        who = f"user:{target.id}"
        wrong = audit_count("auth.wrong_pin", who, since)
        locks = audit_count("auth.locked", who, since)
        signed_in = db.session.scalar(
            select(func.min(AuditEvent.id)).where(
                AuditEvent.action == "auth.signed_in", AuditEvent.actor_id == target.id, AuditEvent.id > since
            )
        )
        if signed_in is None:
            assert (wrong, locks) == (5, 1)
        else:
            # The right PIN may come first; it counts only if fewer than 5 wrong came before it.
            before = db.session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action == "auth.wrong_pin",
                    AuditEvent.target == who,
                    AuditEvent.id > since,
                    AuditEvent.id < signed_in,
                )
            )
            assert before < 5 and locks == 1
        user = db.session.get(User, target.id, populate_existing=True)
        assert user.lockouts == round_no + 1
        users.unlock(target.id, Actor(admin.id))


def test_wrong_passwords_sent_together_lock_after_exactly_five(live: LiveServer, scene: Flask) -> None:
    client = scene.test_client()
    client.get("/sign-in")
    target = make_user("manager")
    admin = make_user("admin")
    tablet = tablet_for(live, client)
    for round_no in range(ROUNDS):
        since = last_audit_id()
        posts = [
            tablet.prepare("/sign-in", {"email": target.email, "password": "not the password"})
            for _ in range(20)
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        who = f"user:{target.id}"
        assert (audit_count("auth.wrong_password", who, since), audit_count("auth.locked", who, since)) == (
            5,
            1,
        )
        assert db.session.get(User, target.id, populate_existing=True).lockouts == round_no + 1
        users.unlock(target.id, Actor(admin.id))


def test_a_double_tapped_card_part_payment_is_one_payment(live: LiveServer, scene: Flask) -> None:
    client = scene.test_client()
    till, staff = open_till_for(client)
    lunch = a_product(700)
    tablet = tablet_for(live, client)
    who = Actor(staff.id, till.id)
    for _ in range(ROUNDS):
        baskets.add_line(till.id, lunch.id, who)
        basket = baskets.open_basket(till.id)
        form = {"basket_key": basket.key, "tender_key": uuid.uuid4().hex, "method": "card", "amount": "4.00"}
        answers = release_together([tablet.prepare("/till/pay", form) for _ in range(2)])
        no_crash(live, answers)
        pending = list(
            db.session.scalars(select(PendingPayment.amount).where(PendingPayment.basket_id == basket.id))
        )
        assert pending == [400]
        sale = checkout.tender(till.id, basket.key, "cash", 300, who)
        assert isinstance(sale, Sale)
        assert sorted((p.method, p.amount) for p in sale.payments) == [("card", 400), ("cash", 300)]


def test_a_double_tapped_clock_in_and_out_clock_once(live: LiveServer, scene: Flask) -> None:
    client = scene.test_client()
    till = make_till()
    pair(client, till)
    ada = make_user("staff", pin="1357")
    tablet = tablet_for(live, client)
    for _ in range(ROUNDS):
        form = {"action": "in", "pin": "1357", "key": uuid.uuid4().hex}
        answers = release_together([tablet.prepare(f"/till/clock/{ada.id}", form) for _ in range(3)])
        no_crash(live, answers)
        assert [a.status for a in answers] == [200, 200, 200]
        assert (
            db.session.scalar(
                select(func.count()).select_from(TimeEntry).where(TimeEntry.open_user_id == ada.id)
            )
            == 1
        )
        db.session.execute(  # the shift has gone on a while
            update(TimeEntry)
            .where(TimeEntry.open_user_id == ada.id)
            .values(clock_in=utcnow() - timedelta(hours=3))
        )
        db.session.commit()
        form = {"action": "out", "pin": "1357", "key": uuid.uuid4().hex, "break_minutes": "0"}
        answers = release_together([tablet.prepare(f"/till/clock/{ada.id}", form) for _ in range(3)])
        no_crash(live, answers)
        assert [a.status for a in answers] == [200, 200, 200]
        assert (
            db.session.scalar(
                select(func.count()).select_from(TimeEntry).where(TimeEntry.open_user_id == ada.id)
            )
            == 0
        )


#: Wrong secrets sent together per round in the newer lock-out races: more than twice the limit of
#: five, so a lock that let a sixth through would show, at a third of the cost of forty requests.
WRONG_TOGETHER = 12


def open_tills(live: LiveServer, scene: Flask, n: int) -> list[tuple[int, int, Tablet]]:
    """`n` tills open for trade, each with its own tablet signed in: (till id, staff id, tablet)."""
    found = []
    for _ in range(n):
        client = scene.test_client()
        till, staff = open_till_for(client)
        found.append((till.id, staff.id, tablet_for(live, client)))
    return found


def test_wrong_manager_pins_sent_together_from_four_tills_lock_after_exactly_five(
    live: LiveServer, scene: Flask
) -> None:
    """Voids of orders over the manager threshold (the till's confirm panel), each with a wrong
    manager PIN, from four tills at once: the manager's row lock counts every one."""
    manager = make_user("manager", pin="4321")
    admin = make_user("admin")
    cake = a_product(2500)  # over the default void threshold of 20.00
    tills = open_tills(live, scene, 4)
    for till_id, staff_id, _ in tills:
        baskets.add_line(till_id, cake.id, Actor(staff_id, till_id))
    wrong = {"reason": "test order", "manager_id": str(manager.id), "manager_pin": "9999"}
    who = f"user:{manager.id}"
    for round_no in range(ROUNDS):
        since = last_audit_id()
        posts = [
            tablet.prepare("/till/void", wrong) for _ in range(WRONG_TOGETHER // 4) for *_, tablet in tills
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        assert (audit_count("auth.wrong_pin", who, since), audit_count("auth.locked", who, since)) == (5, 1)
        assert db.session.get(User, manager.id, populate_existing=True).lockouts == round_no + 1
        # Locked: even the right PIN voids nothing now.
        right = {**wrong, "manager_pin": "4321"}
        no_crash(live, release_together([tills[0][2].prepare("/till/void", right)]))
        for till_id, _, _ in tills:
            assert [line.qty for line in baskets.open_basket(till_id).lines] == [1]
        assert audit_count("till.basket_voided", f"basket:{baskets.open_basket(tills[0][0]).id}", since) == 0
        users.unlock(manager.id, Actor(admin.id))


def test_wrong_pins_sent_together_at_the_clock_lock_after_exactly_five(
    live: LiveServer, scene: Flask
) -> None:
    client = scene.test_client()
    till = make_till()
    pair(client, till)
    ben = make_user("staff", pin="2468")
    admin = make_user("admin")
    tablet = tablet_for(live, client)
    who = f"user:{ben.id}"
    for round_no in range(ROUNDS):
        since = last_audit_id()
        posts = [
            tablet.prepare(f"/till/clock/{ben.id}", {"action": "in", "pin": "1357", "key": uuid.uuid4().hex})
            for _ in range(WRONG_TOGETHER)
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        assert (audit_count("auth.wrong_pin", who, since), audit_count("auth.locked", who, since)) == (5, 1)
        assert db.session.get(User, ben.id, populate_existing=True).lockouts == round_no + 1
        clocked = select(func.count()).select_from(TimeEntry).where(TimeEntry.user_id == ben.id)
        assert db.session.scalar(clocked) == 0
        users.unlock(ben.id, Actor(admin.id))


def test_a_z_close_double_tapped_on_two_tablets_beside_paid_outs_makes_one_coherent_z(
    live: LiveServer, scene: Flask
) -> None:
    """Close tapped twice on each of two tablets of one till while a paid-out and a paid-in are
    sent: one Z per session, numbered without gaps, and its expected cash is the float, the
    sales and exactly the movements that landed before it (none lands after it)."""
    first = scene.test_client()
    till, staff = open_till_for(first, opening_float=5000)
    second = scene.test_client()
    pair(second, till)
    pin_in(second, staff)
    tablets = [tablet_for(live, first), tablet_for(live, second)]
    who = Actor(staff.id, till.id)
    bun = a_product(150)
    # 51.50, whatever the drawer should hold; "yes" is the till confirm panel's answer to close
    count_form = {"n5000": "1", "n100": "1", "n50": "1", "confirmed": "yes"}
    for round_no in range(ROUNDS):
        if round_no:
            cash.open_session(till.id, 5000, who)
        session_id = checkout.require_open_session(till.id).id
        sell(till.id, staff.id, bun)
        posts = [t.prepare("/till/close", count_form) for t in tablets for _ in range(2)]
        posts.insert(1, tablets[0].prepare("/till/cash/moves", _move("out", "7.00")))
        posts.insert(3, tablets[1].prepare("/till/cash/moves", _move("in", "2.00")))
        answers = release_together(posts)
        no_crash(live, answers)
        reports = list(db.session.scalars(select(ZReport).where(ZReport.session_id == session_id)))
        assert len(reports) == 1
        z = reports[0]
        assert z.z_no == round_no + 1
        moved = db.session.scalar(
            select(func.coalesce(func.sum(CashMovement.amount), 0)).where(
                CashMovement.session_id == session_id
            )
        )
        assert z.expected_cash == 5000 + 150 + moved
        assert z.variance == 5150 - z.expected_cash
        assert checkout.open_session_for(till.id) is None


def _move(direction: str, amount: str) -> dict[str, str]:
    return {"direction": direction, "amount": amount, "reason": "window cleaner", "key": uuid.uuid4().hex}
