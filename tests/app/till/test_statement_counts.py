"""How many SQL statements a tap and a pay send, on a till with a receipt printer.

Counts are deterministic (timings are not, so those live in `make bench`): every statement the
driver is given counts, SQLite's BEGIN included. Ceilings from issue 16: a tap ≤ 12, a pay ≤ 28.
"""

from __future__ import annotations

import uuid

from flask.testing import FlaskClient
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Basket, ShopSettings
from tests.app.printing.helpers import receipt_printer
from tests.app.sql_watch import Watch, watching
from tests.app.till.helpers import make_menu, open_till_for
from tests.conftest import csrf_token

TAP_CEILING = 12
PAY_CEILING = 28


def _send(client: FlaskClient, token: str, url: str, data: dict[str, str]) -> Watch:
    db.session.rollback()
    with watching(db.engine) as watch:
        reply = client.post(url, data=data, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert reply.status_code == 200, reply.get_data(as_text=True)
    return watch


def _open_key() -> str:
    db.session.rollback()
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    assert key is not None
    return key


def test_a_tap_and_a_pay_stay_within_their_statement_ceilings(client: FlaskClient) -> None:
    db.session.add(ShopSettings(id=1, shop_name="Counts Bakery", address="1 High St"))  # as every shop has
    menu = make_menu()
    till, _ = open_till_for(client)
    receipt_printer(till, 9)
    token = csrf_token(client)
    croissant = {"product_id": str(menu["croissant"].id)}
    for sale in range(2):  # the second sale: the till's chain and counters exist, as on any day
        first = _send(client, token, "/till/lines", croissant)
        again = _send(client, token, "/till/lines", croissant)
        pay = _send(
            client,
            token,
            "/till/pay",
            {"basket_key": _open_key(), "method": "cash", "amount": "5.00", "tender_key": uuid.uuid4().hex},
        )
        if sale == 1:
            assert first.count <= TAP_CEILING, f"first tap: {first.count}\n{first.listing()}"
            assert again.count <= TAP_CEILING, f"second tap: {again.count}\n{again.listing()}"
            assert pay.count <= PAY_CEILING, f"pay: {pay.count}\n{pay.listing()}"
