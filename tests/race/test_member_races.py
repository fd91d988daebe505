"""Members' money under requests released together against a multi-worker server (SQLite and
PostgreSQL): share capital withdrawals and store credit spent or refunded on several tills."""

from __future__ import annotations

import uuid

from flask import Flask
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Payment, Sale, ShareTransaction, StoreCredit
from bakery.services.audit import Actor
from bakery.services.members import shares, store_credit_balance
from bakery.services.till import baskets, checkout
from tests.factories import make_member, make_user, sign_in
from tests.race.conftest import ROUNDS, LiveServer, Tablet, release_together, tablet_for
from tests.race.test_till_races import a_product, no_crash, open_tills


def office(live: LiveServer, scene: Flask, role: str = "admin") -> tuple[int, Tablet]:
    """A signed-in office user's browser: (user id, tablet)."""
    user = make_user(role)
    client = scene.test_client()
    sign_in(client, user)
    return user.id, tablet_for(live, client)


def test_share_withdrawals_sent_together_never_take_the_balance_below_zero(
    live: LiveServer, scene: Flask
) -> None:
    """Four withdrawals of 40.00 from 100.00, from two admins' browsers at once: two are paid."""
    member = make_member()
    admins = [office(live, scene), office(live, scene)]
    me = Actor(admins[0][0])
    url = f"/office/members/{member.id}/shares/withdraw"
    for _ in range(ROUNDS):
        held = shares.balance(member.id)
        if held < 10000:
            shares.buy_shares(member.id, 10000 - held, "top up", me)
        since = db.session.scalar(select(func.coalesce(func.max(ShareTransaction.id), 0)))
        posts = [
            tablet.prepare(url, {"amount": "40.00", "note": "moving away", "key": uuid.uuid4().hex})
            for _, tablet in admins
            for _ in range(2)
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        assert shares.balance(member.id) == 2000
        withdrawn = db.session.scalar(
            select(func.count())
            .select_from(ShareTransaction)
            .where(ShareTransaction.member_id == member.id, ShareTransaction.id > since)
        )
        assert withdrawn == 2
        assert sorted(a.status for a in answers) == [302, 302, 422, 422]


def test_a_share_withdrawal_double_tapped_pays_once(live: LiveServer, scene: Flask) -> None:
    member = make_member()
    admin_id, tablet = office(live, scene)
    shares.buy_shares(member.id, 100000, "joining", Actor(admin_id))
    url = f"/office/members/{member.id}/shares/withdraw"
    for round_no in range(ROUNDS):
        form = {"amount": "10.00", "note": "part withdrawal", "key": uuid.uuid4().hex}
        answers = release_together([tablet.prepare(url, form) for _ in range(3)])
        no_crash(live, answers)
        assert [a.status for a in answers] == [302, 302, 302]
        assert shares.balance(member.id) == 100000 - 1000 * (round_no + 1)


def test_store_credit_spent_on_three_tills_together_never_spends_more_than_the_balance(
    live: LiveServer, scene: Flask
) -> None:
    """The same member's card on three tills, each paying its whole order by store credit at once,
    with credit for one and a half orders: one sale is paid by credit, the others are refused."""
    member = make_member()
    admin = make_user("admin")
    lunch = a_product(400)
    tills = open_tills(live, scene, 3)
    for round_no in range(ROUNDS):
        totals = []
        for till_id, staff_id, _ in tills:
            who = Actor(staff_id, till_id)
            baskets.add_line(till_id, lunch.id, who)
            baskets.attach_member(till_id, "", who, member_id=member.id)
            totals.append(baskets.price(baskets.open_basket(till_id)).totals.total)
        total = totals[0]
        assert total > 0 and set(totals) == {total}
        grant = total + total // 2 - store_credit_balance(member.id)
        db.session.add(StoreCredit(member_id=member.id, amount=grant, reason="dividend", by_id=admin.id))
        db.session.commit()
        keys = [baskets.open_basket(till_id).key for till_id, _, _ in tills]
        posts = [
            tablet.prepare(
                "/till/pay",
                {
                    "basket_key": key,
                    "tender_key": uuid.uuid4().hex,
                    "method": "credit",
                    "amount": f"{total / 100:.2f}",
                },
            )
            for key, (_, _, tablet) in zip(keys, tills, strict=True)
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        assert store_credit_balance(member.id) == total // 2
        paid = db.session.scalars(
            select(Sale.id).join(Payment).where(Sale.idempotency_key.in_(keys), Payment.method == "credit")
        ).all()
        assert len(paid) == 1, f"round {round_no}: {len(paid)} sales paid by credit"
        for till_id, staff_id, _ in tills:
            if baskets.open_basket(till_id) is not None:
                baskets.void_basket(
                    till_id, Actor(staff_id, till_id), reason="test order", manager_above=10**9
                )


def test_a_refund_to_store_credit_double_tapped_credits_once(live: LiveServer, scene: Flask) -> None:
    """A refund form sent three times (one key) beside two more forms for the same line: the
    member gets back once what the sale took from their credit."""
    member = make_member()
    admin = make_user("admin")
    manager = make_user("manager", pin="4321")
    cake = a_product(350)
    ((till_id, staff_id, tablet),) = open_tills(live, scene, 1)
    who = Actor(staff_id, till_id)
    for _ in range(ROUNDS):
        baskets.add_line(till_id, cake.id, who)
        baskets.attach_member(till_id, "", who, member_id=member.id)
        basket = baskets.open_basket(till_id)
        total = baskets.price(basket).totals.total
        db.session.add(StoreCredit(member_id=member.id, amount=total, reason="dividend", by_id=admin.id))
        db.session.commit()
        sale = checkout.tender(till_id, basket.key, "credit", total, who)
        assert isinstance(sale, Sale)
        before = store_credit_balance(member.id)
        form = {
            "method": "credit",
            "reason": "dropped it",
            "manager_id": str(manager.id),
            "manager_pin": "4321",
            f"qty-{sale.lines[0].id}": "1",
        }
        one = {**form, "key": f"refund-{uuid.uuid4().hex}"}
        sent = [one, one, one] + [{**form, "key": f"refund-{uuid.uuid4().hex}"} for _ in range(2)]
        answers = release_together([tablet.prepare(f"/till/refunds/{sale.id}", data) for data in sent])
        no_crash(live, answers)
        assert store_credit_balance(member.id) == before + total
        refunds = list(db.session.scalars(select(Sale.idempotency_key).where(Sale.refund_of_id == sale.id)))
        assert len(refunds) == 1
        # Every copy of the winning form answers with its refund; the other forms are refused.
        assert [a.status for a in answers] == [200 if data["key"] == refunds[0] else 422 for data in sent]
