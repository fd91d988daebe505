"""The till's per-process copy of the catalogue: every catalogue change moves its version on in the
same transaction, a copy is kept only at a committed version, and a tap prices from the menu as it
was last saved (the two-worker proof is in tests/race/test_catalogue_races.py)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Basket, Product, ShopSettings
from bakery.services import catalogue
from bakery.services.audit import SYSTEM
from bakery.services.catalogue import current_catalogue
from tests.app.sql_watch import watching
from tests.app.till.helpers import make_menu, open_till_for
from tests.conftest import csrf_token


@pytest.fixture
def menu(app: Flask) -> dict[str, Product]:
    """The shop's settings row (it carries the version) and a small menu."""
    db.session.add(ShopSettings(id=1, shop_name="Snapshot Bakery"))
    db.session.commit()
    return make_menu()


def version() -> int:
    db.session.rollback()
    return int(db.session.scalar(select(ShopSettings.catalogue_version).where(ShopSettings.id == 1)))


def _product_values(product: Product, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": product.name,
        "category_id": product.category_id,
        "tax_category_id": product.tax_category_id,
        "price": product.price,
    }
    return values | changes


CHANGES: dict[str, Callable[[dict[str, Product]], object]] = {
    "tax category added": lambda m: catalogue.create_tax_category("zero", "zero rated", 0, 0, False, SYSTEM),
    "tax category changed": lambda m: catalogue.update_tax_category(
        m["croissant"].tax_category_id, "cold", "cold food", 0, 1250, False, SYSTEM
    ),
    "category added": lambda m: catalogue.create_category("Cakes", "#ffeedd", 3, True, SYSTEM),
    "category closed": lambda m: catalogue.update_category(
        m["croissant"].category_id, "Bakery", "#f1ece4", 1, False, SYSTEM
    ),
    "product added": lambda m: catalogue.create_product(
        name="Scone", category_id=m["croissant"].category_id, tax_category_id=m["croissant"].tax_category_id,
        price=180, actor=SYSTEM,
    ),
    "price changed": lambda m: catalogue.update_product(
        m["croissant"].id, **_product_values(m["croissant"], price=260), actor=SYSTEM
    ),
    "product off sale": lambda m: catalogue.update_product(
        m["croissant"].id, **_product_values(m["croissant"], active=False), actor=SYSTEM
    ),
    "size added": lambda m: catalogue.add_variant(m["latte"].id, "Small", 280, SYSTEM),
    "size removed": lambda m: catalogue.remove_variant(m["latte"].variants[1].id, SYSTEM),
    "modifier group added": lambda m: catalogue.create_modifier_group("Shots", 0, 2, SYSTEM),
    "modifier group changed": lambda m: catalogue.update_modifier_group(
        m["oat"].group_id, "Milk", 0, 2, SYSTEM
    ),
    "option added": lambda m: catalogue.add_modifier_option(m["oat"].group_id, "Soy milk", 35, SYSTEM),
    "option removed": lambda m: catalogue.remove_modifier_option(m["oat"].id, SYSTEM),
    "product's options changed": lambda m: catalogue.set_product_modifier_groups(m["latte"].id, [], SYSTEM),
}  # fmt: skip


@pytest.mark.parametrize("change", CHANGES)
def test_every_catalogue_change_moves_the_version_on(menu: dict[str, Product], change: str) -> None:
    before = version()
    CHANGES[change](menu)
    assert version() == before + 1


def test_stock_on_hand_is_not_the_catalogue(menu: dict[str, Product]) -> None:
    before = version()
    menu["loaf"].on_hand = 12
    db.session.commit()
    assert version() == before


def test_a_change_made_straight_through_the_orm_moves_the_version_too(menu: dict[str, Product]) -> None:
    before = version()
    db.session.get(Product, menu["croissant"].id).price = 999
    db.session.commit()
    assert version() == before + 1
    assert current_catalogue().products[menu["croissant"].id].price == 999


def test_the_copy_is_kept_while_the_version_stands_and_replaced_when_it_moves(
    menu: dict[str, Product],
) -> None:
    first = current_catalogue()
    db.session.rollback()
    with watching(db.engine) as watch:
        again = current_catalogue()
    assert again is first and not [s for s in watch.statements if "products" in s.sql]
    catalogue.update_product(
        menu["croissant"].id, **_product_values(menu["croissant"], price=275), actor=SYSTEM
    )
    newer = current_catalogue()
    assert newer is not first and newer.version == first.version + 1  # type: ignore[operator]
    assert newer.products[menu["croissant"].id].price == 275


def test_an_edit_rolled_back_leaves_no_copy_behind(menu: dict[str, Product]) -> None:
    committed = current_catalogue()
    db.session.get(Product, menu["croissant"].id).price = 1
    db.session.flush()
    during = current_catalogue()
    assert during.products[menu["croissant"].id].price == 1  # this transaction sees its own edit
    db.session.rollback()
    after = current_catalogue()
    assert after.products[menu["croissant"].id].price == menu["croissant"].price == 250
    assert after.version == committed.version


def test_the_copy_is_frozen_and_holds_no_rows_of_any_session(menu: dict[str, Product]) -> None:
    latte = current_catalogue().products[menu["latte"].id]
    assert not isinstance(latte, db.Model)
    assert dataclasses.is_dataclass(latte) and [v.price for v in latte.variants] == [320, 370]
    assert [g.name for g in latte.modifier_groups] == ["Milk"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        latte.price = 1  # type: ignore[misc]
    assert not hasattr(latte, "on_hand")


def test_a_tap_after_a_price_change_shows_the_new_price(
    client: FlaskClient, menu: dict[str, Product]
) -> None:
    open_till_for(client)
    token = csrf_token(client)
    croissant = {"product_id": str(menu["croissant"].id)}
    headers = {"X-CSRFToken": token, "HX-Request": "true"}
    assert "£2.50" in client.post("/till/lines", data=croissant, headers=headers).get_data(as_text=True)
    catalogue.update_product(
        menu["croissant"].id, **_product_values(menu["croissant"], price=300), actor=SYSTEM
    )
    answer = client.post("/till/lines", data=croissant, headers=headers).get_data(as_text=True)
    assert "£6.00" in answer and "£5.00" not in answer  # two at the new price


def test_a_product_taken_off_sale_cannot_be_tapped(client: FlaskClient, menu: dict[str, Product]) -> None:
    open_till_for(client)
    headers = {"X-CSRFToken": csrf_token(client), "HX-Request": "true"}
    croissant = {"product_id": str(menu["croissant"].id)}
    assert client.post("/till/lines", data=croissant, headers=headers).status_code == 200
    catalogue.update_product(
        menu["croissant"].id, **_product_values(menu["croissant"], active=False), actor=SYSTEM
    )
    refused = client.post("/till/lines", data=croissant, headers=headers)
    assert refused.status_code == 422 and "not on sale" in refused.get_data(as_text=True)


def test_a_product_added_without_a_settings_row_is_still_sold(client: FlaskClient, app: Flask) -> None:
    menu = make_menu()  # a shop without a settings row keeps no copy: each request reads the menu
    open_till_for(client)
    headers = {"X-CSRFToken": csrf_token(client), "HX-Request": "true"}
    client.post("/till/lines", data={"product_id": str(menu["croissant"].id)}, headers=headers)
    db.session.get(Product, menu["croissant"].id).price = 410
    db.session.commit()
    answer = client.post("/till/lines", data={"product_id": str(menu["croissant"].id)}, headers=headers)
    assert "£8.20" in answer.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(Basket.id).where(Basket.status == "open")) is not None
