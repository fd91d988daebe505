"""Share capital: bought, withdrawn (never more than held), a balance summed in SQL."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import ShareTransaction
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.members import shares
from tests.app.members.helpers import admin_in, audit_actions
from tests.factories import make_member, make_user, post, sign_in


def movement_count() -> int:
    return db.session.scalar(select(func.count(ShareTransaction.id))) or 0


def test_shares_bought_and_withdrawn_make_the_balance(client):
    member = make_member(number="M-0001")
    admin_in(client)
    assert (
        post(
            client, f"/office/members/{member.id}/shares/buy", {"amount": "25.00", "note": "joining"}
        ).status_code
        == 302
    )
    assert post(client, f"/office/members/{member.id}/shares/buy", {"amount": "£10"}).status_code == 302
    assert post(client, f"/office/members/{member.id}/shares/withdraw", {"amount": "5.50"}).status_code == 302
    assert shares.balance(member.id) == 2950
    amounts = sorted(db.session.scalars(select(ShareTransaction.amount)))
    assert amounts == [-550, 1000, 2500]
    bought = json.loads(audit_actions("shares.bought")[0].details)
    assert bought["amount"] == 2500 and bought["balance"] == 2500
    assert "£29.50" in client.get(f"/office/members/{member.id}").get_data(as_text=True)


def test_withdrawing_more_than_the_balance_is_refused_and_nothing_changes(client):
    admin = admin_in(client)
    member = make_member(number="M-0001")
    shares.buy_shares(member.id, 1000, "", Actor(user_id=admin.id))
    response = post(client, f"/office/members/{member.id}/shares/withdraw", {"amount": "10.01"})
    assert response.status_code == 422
    assert "holds 10.00 in shares" in response.get_data(as_text=True)
    assert shares.balance(member.id) == 1000
    assert movement_count() == 1


@pytest.mark.parametrize("amount", ["0", "0.00", "-5", "1.234", "lots", "", "100000.01"])
def test_an_amount_that_is_not_a_positive_sum_of_money_is_refused(client, amount):
    member = make_member(number="M-0001")
    admin_in(client)
    response = post(client, f"/office/members/{member.id}/shares/buy", {"amount": amount})
    assert response.status_code == 422
    assert movement_count() == 0


def test_a_member_who_left_cannot_buy_shares_but_can_withdraw(client):
    admin = admin_in(client)
    member = make_member(number="M-0001")
    shares.buy_shares(member.id, 1000, "", Actor(user_id=admin.id))
    member.status = "left"
    db.session.commit()
    assert post(client, f"/office/members/{member.id}/shares/buy", {"amount": "1"}).status_code == 422
    assert post(client, f"/office/members/{member.id}/shares/withdraw", {"amount": "10"}).status_code == 302
    assert shares.balance(member.id) == 0


def test_a_manager_cannot_record_share_movements(client):
    member = make_member(number="M-0001")
    sign_in(client, make_user("manager"))
    assert post(client, f"/office/members/{member.id}/shares/buy", {"amount": "25"}).status_code == 403
    assert movement_count() == 0


def test_a_dividend_capitalised_joins_the_callers_transaction_without_committing(app):
    admin = make_user("admin")
    member = make_member(number="M-0001")
    movement = shares.record_share_movement(
        member.id, "dividend", 1234, "2025 dividend", Actor(user_id=admin.id)
    )
    assert movement.amount == 1234 and shares.balance(member.id) == 1234
    db.session.rollback()
    assert movement_count() == 0
    assert audit_actions("shares.dividend") == []


def test_the_ledger_refuses_an_unknown_kind_and_an_overdraft(app):
    actor = Actor(user_id=make_user("admin").id)
    member = make_member(number="M-0001")
    with pytest.raises(ServiceError, match="bought, withdrawn or dividend"):
        shares.record_share_movement(member.id, "gift", 100, "", actor)
    with pytest.raises(ServiceError, match="cannot be withdrawn"):
        shares.record_share_movement(member.id, "withdrawn", 1, "", actor)
    db.session.rollback()
    assert movement_count() == 0


def test_a_share_form_sent_twice_moves_the_shares_once(client):
    member = make_member()
    admin_in(client)
    page = client.get(f"/office/members/{member.id}").get_data(as_text=True)
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page)
    assert key, "the share form carries a key of its own"
    form = {"amount": "30.00", "note": "joining", "key": key.group(1)}
    for _ in range(2):
        assert post(client, f"/office/members/{member.id}/shares/buy", form).status_code == 302
    withdraw = {"amount": "10.00", "key": "b" * 32}
    for _ in range(3):
        assert post(client, f"/office/members/{member.id}/shares/withdraw", withdraw).status_code == 302
    assert shares.balance(member.id) == 2000
    assert movement_count() == 2
    assert len(audit_actions("shares.withdrawn")) == 1
    assert client.get(f"/office/members/{member.id}").get_data(as_text=True).count(key.group(1)) == 0


def test_a_share_form_key_used_for_another_movement_or_out_of_shape_is_refused(client):
    member = make_member()
    admin_in(client)
    form = {"amount": "30.00", "key": "c" * 32}
    assert post(client, f"/office/members/{member.id}/shares/buy", form).status_code == 302
    response = post(
        client, f"/office/members/{member.id}/shares/withdraw", {"amount": "5.00", "key": "c" * 32}
    )
    assert response.status_code == 422 and "already used" in response.get_data(as_text=True)
    response = post(
        client, f"/office/members/{member.id}/shares/buy", {"amount": "5.00", "key": "not a key!"}
    )
    assert response.status_code == 422 and "out of date" in response.get_data(as_text=True)
    assert shares.balance(member.id) == 3000
