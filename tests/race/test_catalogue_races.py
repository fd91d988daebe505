"""A price changed or a product taken off sale in the office reaches every worker's copy of the
catalogue at once: two gunicorn workers, each holding the old menu, never sell at the old price
after the change has committed (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import select

from bakery.extensions import db
from bakery.formatting import money
from bakery.models import Basket, Sale, SaleLine, ShopSettings, User
from bakery.services import catalogue
from bakery.services.audit import Actor
from tests.app.till.helpers import open_till_for
from tests.race.conftest import Answer, LiveServer, Tablet, release_together, serving, tablet_for
from tests.race.test_till_races import a_product

WORKERS = 2
MAX_ROUNDS = 30
QTY = re.compile(r'class="qty-n">(\d+)<')
GROSS = re.compile(r'class="line-gross">([^<]+)<')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """Two workers: each keeps its own copy of the catalogue."""
    with serving(request.param, request, workers=WORKERS) as server:
        yield server


@pytest.fixture(autouse=True)
def settings_row(scene: Flask) -> None:
    """The shop's settings row, as every shop has: it carries the catalogue's version."""
    if db.session.get(ShopSettings, 1) is None:
        db.session.add(ShopSettings(id=1, shop_name="Race Bakery"))
        db.session.commit()


def tap_together(live: LiveServer, tablets: list[Tablet], product_id: int) -> list[tuple[str, Answer]]:
    """Each tablet taps the product at the same moment; each answer with the worker that gave it."""
    probes = [uuid.uuid4().hex for _ in tablets]
    posts = [
        replace(t, extra_headers={"X-Probe": p}).prepare("/till/lines", {"product_id": str(product_id)})
        for t, p in zip(tablets, probes, strict=True)
    ]
    answers = release_together(posts)
    workers = live.workers_of(set(probes))
    assert workers.keys() == set(probes), "gunicorn did not log every tap"
    return [(workers[p], a) for p, a in zip(probes, answers, strict=True)]


def two_tablets(live: LiveServer, scene: Flask) -> list[tuple[Tablet, int]]:
    """Two tills, each with its tablet signed in and its drawer open."""
    paired = []
    for _ in range(2):
        client = scene.test_client()
        till, _ = open_till_for(client)
        paired.append((tablet_for(live, client), till.id))
    return paired


def unit_price(answer: Answer) -> int:
    """The basket's one line: its gross divided by its quantity, as the till shows them."""
    assert answer.status == 200, answer.body[:500]
    qty = int(QTY.findall(answer.body)[0])
    gross = GROSS.findall(answer.body)[0]
    for pence in range(0, 100_000):
        if money(pence * qty) == gross:
            return pence
    raise AssertionError(f"{gross} for {qty} is not a whole price")


def until_every_worker(live: LiveServer, tablets: list[Tablet], product_id: int) -> list[tuple[str, Answer]]:
    """Tap together until every worker has answered at least one tap."""
    seen: list[tuple[str, Answer]] = []
    for _ in range(MAX_ROUNDS):
        seen += tap_together(live, tablets, product_id)
        if len({worker for worker, _ in seen}) == live.workers:
            return seen
    raise AssertionError(f"only {len({w for w, _ in seen})} of {live.workers} workers answered")


def test_a_new_price_is_sold_on_every_worker_once_it_is_saved(live: LiveServer, scene: Flask) -> None:
    product = a_product(250)
    tablets = two_tablets(live, scene)
    admin = db.session.scalar(select(User.id).order_by(User.id))
    before = until_every_worker(live, [t for t, _ in tablets], product.id)
    assert {unit_price(a) for _, a in before} == {250}  # each worker now holds the menu at £2.50

    catalogue.update_product(
        product.id,
        name=product.name,
        category_id=product.category_id,
        tax_category_id=product.tax_category_id,
        price=275,
        actor=Actor(admin),
    )
    after = until_every_worker(live, [t for t, _ in tablets], product.id)
    assert {unit_price(a) for _, a in after} == {275}, [(w, unit_price(a)) for w, a in after]
    logged = live.errors_logged()
    assert logged == ""

    for tablet, till_id in tablets:  # and each sale is made at the new price
        key = db.session.scalar(select(Basket.key).where(Basket.till_id == till_id, Basket.status == "open"))
        assert key is not None
        db.session.rollback()  # the test body must not hold SQLite's write lock meanwhile
        pay = tablet.prepare("/till/pay", {"basket_key": key, "method": "cash", "amount": "100.00"}).send()
        assert pay.status == 200, pay.body[:500]
    prices = db.session.scalars(
        select(SaleLine.unit_price).join(Sale).where(SaleLine.product_id == product.id)
    ).all()
    assert len(prices) == 2 and set(prices) == {275}


def test_a_product_taken_off_sale_is_refused_on_every_worker(live: LiveServer, scene: Flask) -> None:
    product = a_product(180)
    tablets = two_tablets(live, scene)
    admin = db.session.scalar(select(User.id).order_by(User.id))
    until_every_worker(live, [t for t, _ in tablets], product.id)

    catalogue.update_product(
        product.id,
        name=product.name,
        category_id=product.category_id,
        tax_category_id=product.tax_category_id,
        price=product.price,
        active=False,
        actor=Actor(admin),
    )
    after = until_every_worker(live, [t for t, _ in tablets], product.id)
    assert all(a.status == 422 and "not on sale" in a.body for _, a in after), [a.status for _, a in after]
    assert live.errors_logged() == ""
