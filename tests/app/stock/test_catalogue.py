"""The catalogue (managers): tax categories, categories, products, variants and modifier groups."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import (
    AuditEvent,
    Basket,
    BasketLine,
    Category,
    ModifierGroup,
    ModifierOption,
    Product,
    TaxCategory,
    Variant,
)
from bakery.services import catalogue
from bakery.services.audit import SYSTEM
from tests.factories import make_member, make_till, make_user, pair, pin_in, post, sign_in

BASE = "/office/catalogue"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit_events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def as_manager(client) -> None:
    sign_in(client, make_user("manager"))


def make_tax(
    code: str = "std", takeaway_bp: int = 2000, eat_in_bp: int = 2000, hot: bool = False
) -> TaxCategory:
    return catalogue.create_tax_category(code, code.title(), takeaway_bp, eat_in_bp, hot, SYSTEM)


def make_category(name: str = "Breads", sort_order: int = 0) -> Category:
    return catalogue.create_category(name, "#f1ece4", sort_order, True, SYSTEM)


def make_product(name: str = "Sourdough", price: int = 340, **extra) -> Product:
    category = extra.pop("category", None) or make_category(f"Cat {uuid.uuid4().hex[:6]}")
    tax = extra.pop("tax", None) or make_tax(f"t{uuid.uuid4().hex[:6]}")
    return catalogue.create_product(
        name=name, category_id=category.id, tax_category_id=tax.id, price=price, actor=SYSTEM, **extra
    )


def product_form(category: Category, tax: TaxCategory, **changes: str) -> dict[str, str]:
    form = {
        "name": "Sourdough loaf",
        "category_id": str(category.id),
        "tax_category_id": str(tax.id),
        "price": "3.40",
        "plu": "",
        "barcode": "",
        "colour": "",
        "sort_order": "0",
        "active": "y",
        "allow_negative": "y",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def open_basket(
    product: Product, *, variant: Variant | None = None, options: str = "", status: str = "open"
) -> Basket:
    """A basket on a till holding one line of the product (as the till would leave it)."""
    basket = Basket(
        key=str(uuid.uuid4()), till_id=make_till().id, status=status, created_by_id=make_user("staff").id
    )
    basket.lines.append(
        BasketLine(
            product_id=product.id, variant_id=variant.id if variant else None, option_ids=options, qty=1
        )
    )
    db.session.add(basket)
    db.session.commit()
    return basket


# --- tax categories --------------------------------------------------------------------------


def test_a_manager_adds_a_tax_category_with_rates_typed_as_percentages(client):
    as_manager(client)
    response = post(
        client,
        f"{BASE}/tax-categories",
        {"code": "hot", "name": "Hot food", "takeaway_bp": "12.5", "eat_in_bp": "20", "hot": "y"},
    )
    assert response.status_code == 302
    tax = db.session.scalar(select(TaxCategory))
    assert (tax.code, tax.takeaway_bp, tax.eat_in_bp, tax.hot) == ("hot", 1250, 2000, True)
    page = client.get(f"{BASE}/tax-categories").get_data(as_text=True)
    assert "Hot food" in page and "12.5%" in page and "20%" in page
    assert json.loads(audit_events("tax_category.created")[0].details)["takeaway_bp"] == 1250


def test_a_manager_edits_a_tax_category_and_the_rates_are_shown_back_as_percentages(client):
    as_manager(client)
    tax = make_tax("std", 2000, 2000)
    assert 'value="20"' in client.get(f"{BASE}/tax-categories/{tax.id}").get_data(as_text=True)
    response = post(
        client,
        f"{BASE}/tax-categories/{tax.id}",
        {"code": "std", "name": "Standard", "takeaway_bp": "17.25", "eat_in_bp": "0"},
    )
    assert response.status_code == 302
    tax = db.session.get(TaxCategory, tax.id)
    assert (tax.name, tax.takeaway_bp, tax.eat_in_bp) == ("Standard", 1725, 0)
    changed = json.loads(audit_events("tax_category.changed")[0].details)
    assert changed["takeaway_bp"] == {"from": 2000, "to": 1725}


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        ("120", "cannot be more than 100%"),
        ("-5", "cannot be negative"),
        ("12.345", "at most two decimal places"),
        ("twenty", "like 20 or 12.5"),
        ("", "like 20 or 12.5"),
    ],
)
def test_a_bad_vat_rate_is_refused_and_nothing_is_added(client, rate, message):
    as_manager(client)
    response = post(
        client, f"{BASE}/tax-categories", {"code": "x", "name": "X", "takeaway_bp": rate, "eat_in_bp": "20"}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(TaxCategory) == 0
    assert audit_events("tax_category.created") == []


def test_a_bad_rate_on_edit_changes_nothing(client):
    as_manager(client)
    tax = make_tax("std", 2000, 2000)
    response = post(
        client,
        f"{BASE}/tax-categories/{tax.id}",
        {"code": "std", "name": "Std", "takeaway_bp": "20", "eat_in_bp": "120"},
    )
    assert response.status_code == 422
    assert "cannot be more than 100%" in response.get_data(as_text=True)
    assert db.session.get(TaxCategory, tax.id).eat_in_bp == 2000
    assert audit_events("tax_category.changed") == []


def test_a_duplicate_tax_category_code_is_refused_whatever_its_case(client):
    as_manager(client)
    make_tax("std")
    response = post(
        client,
        f"{BASE}/tax-categories",
        {"code": "STD", "name": "Again", "takeaway_bp": "0", "eat_in_bp": "0"},
    )
    assert response.status_code == 422
    assert "already a tax category with the code STD" in response.get_data(as_text=True)
    assert count(TaxCategory) == 1


# --- categories ------------------------------------------------------------------------------


def test_a_manager_adds_categories_and_they_are_listed_in_sort_order(client):
    as_manager(client)
    for name, order in (("Pastries", "2"), ("Breads", "1"), ("Hot drinks", "3")):
        response = post(
            client,
            f"{BASE}/categories",
            {"name": name, "colour": "#AABBCC", "sort_order": order, "active": "y"},
        )
        assert response.status_code == 302
    page = client.get(f"{BASE}/categories").get_data(as_text=True)
    assert page.index(">Breads</a>") < page.index(">Pastries</a>") < page.index(">Hot drinks</a>")
    assert db.session.scalar(select(Category.colour).where(Category.name == "Breads")) == "#aabbcc"
    assert len(audit_events("category.created")) == 3


def test_a_manager_renames_and_deactivates_a_category(client):
    as_manager(client)
    category = make_category("Breads")
    response = post(
        client, f"{BASE}/categories/{category.id}", {"name": "Loaves", "colour": "#112233", "sort_order": "5"}
    )
    assert response.status_code == 302
    category = db.session.get(Category, category.id)
    assert (category.name, category.colour, category.sort_order, category.active) == (
        "Loaves",
        "#112233",
        5,
        False,
    )
    changed = json.loads(audit_events("category.changed")[0].details)
    assert changed["name"] == {"from": "Breads", "to": "Loaves"} and changed["active"]["to"] is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"colour": "red"}, "written like #f1ece4"),
        ({"colour": "#12345g"}, "written like #f1ece4"),
        ({"name": "breads"}, "already a category called breads"),
        ({"name": "   "}, "Enter a name"),
        ({"name": "x" * 61}, "At most 60 characters"),
        ({"sort_order": "first"}, "Enter a whole number"),
        ({"sort_order": "\u0661"}, "Enter a whole number"),
        ({"sort_order": "9" * 30}, "Enter a whole number"),
    ],
)
def test_bad_category_input_is_refused_and_nothing_is_added(client, changes, message):
    as_manager(client)
    make_category("Breads")
    response = post(
        client, f"{BASE}/categories", {"name": "Cakes", "colour": "#aabbcc", "sort_order": "1", **changes}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Category) == 1


def test_a_bad_colour_on_edit_changes_nothing(client):
    as_manager(client)
    category = make_category("Breads")
    response = post(
        client, f"{BASE}/categories/{category.id}", {"name": "Loaves", "colour": "blue", "sort_order": "0"}
    )
    assert response.status_code == 422
    assert db.session.get(Category, category.id).name == "Breads"


# --- products --------------------------------------------------------------------------------


def test_a_manager_adds_a_product_and_it_is_listed_under_its_category_with_its_price(client):
    as_manager(client)
    make_category("Breads", 1)
    cakes = make_category("Cakes", 2)
    tax = make_tax("cold", 0, 2000)
    response = post(
        client,
        f"{BASE}/products",
        product_form(cakes, tax, name="Pão de queijo ☕", price="£3.40", plu="101"),
    )
    assert response.status_code == 302
    product = db.session.scalar(select(Product))
    assert (product.name, product.price, product.plu, product.barcode, product.colour) == (
        "Pão de queijo ☕",
        340,
        "101",
        None,
        None,
    )
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Pão de queijo ☕" in page and "£3.40" in page
    assert page.index("<h2>Cakes") < page.index(">Pão de queijo ☕</a>")
    assert "<h2>Cakes" in page and "<h2>Breads" not in page  # only categories with products
    assert audit_events("product.created")[0].target == f"product:{product.id}"


def test_a_free_product_is_allowed(client):
    as_manager(client)
    response = post(
        client, f"{BASE}/products", product_form(make_category(), make_tax(), name="Tap water", price="0")
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Product.price)) == 0


def test_the_product_list_says_so_when_there_are_no_products(client):
    as_manager(client)
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "No products yet" in page and "add at least one" in page
    make_category(), make_tax()
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "No products yet" in page and "Add product" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": "-1.00"}, "cannot be negative"),
        ({"price": "1.005"}, "whole pence"),
        ({"price": "100000.01"}, "cannot be more than 100000.00"),
        ({"price": "three"}, "like 3.40"),
        ({"price": ""}, "Enter an amount"),
        ({"name": ""}, "Enter a name"),
        ({"name": "x" * 81}, "At most 80 characters"),
        ({"name": "bad\x00name"}, "control character"),
        ({"name": "bad\u200ename"}, "cannot be printed"),
        ({"category_id": "9999"}, "Choose a category from the list"),
        ({"category_id": "abc"}, "Choose a category from the list"),
        ({"tax_category_id": "9999"}, "Choose a tax category from the list"),
        ({"own_colour": "y", "colour": "#abc"}, "written like #f1ece4"),
        ({"own_colour": "y", "colour": "red"}, "written like #f1ece4"),
        ({"plu": "12 34"}, "without spaces"),
    ],
)
def test_bad_product_input_is_refused_and_nothing_is_added(client, changes, message):
    as_manager(client)
    response = post(client, f"{BASE}/products", product_form(make_category(), make_tax(), **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Product) == 0
    assert audit_events("product.created") == []


@pytest.mark.parametrize(("field", "label"), [("plu", "PLU"), ("barcode", "barcode")])
def test_a_duplicate_plu_or_barcode_names_the_product_that_has_it(client, field, label):
    as_manager(client)
    make_product("Croissant", **{field: "5012345678900"})
    response = post(
        client, f"{BASE}/products", product_form(make_category(), make_tax(), **{field: "5012345678900"})
    )
    assert response.status_code == 422
    assert f"The {label} 5012345678900 is already used by Croissant" in response.get_data(as_text=True)
    assert count(Product) == 1


def test_a_manager_edits_a_product_and_the_price_change_is_audited_from_and_to(client):
    as_manager(client)
    product = make_product("Sourdough", 340, plu="7")
    form = product_form(
        product.category,
        product.tax_category,
        name="Sourdough loaf",
        price="3.60",
        plu="7",
        barcode="5012345678900",
    )
    assert 'value="3.40"' in client.get(f"{BASE}/products/{product.id}").get_data(as_text=True)
    assert post(client, f"{BASE}/products/{product.id}", form).status_code == 302
    product = db.session.get(Product, product.id)
    assert (product.name, product.price, product.barcode) == ("Sourdough loaf", 360, "5012345678900")
    changed = json.loads(audit_events("product.changed")[0].details)
    assert changed["price"] == {"from": 340, "to": 360}
    assert "plu" not in changed


def test_a_product_is_deactivated_not_deleted(client):
    as_manager(client)
    product = make_product()
    form = product_form(product.category, product.tax_category, active=None)
    assert post(client, f"{BASE}/products/{product.id}", form).status_code == 302
    assert db.session.get(Product, product.id).active is False
    assert "Inactive" in client.get(f"{BASE}/").get_data(as_text=True)


def test_a_bad_product_edit_is_refused_and_changes_nothing(client):
    as_manager(client)
    product = make_product("Sourdough", 340)
    make_product("Bagel", 150, plu="42")
    for changes, message in [
        ({"price": "-3.40"}, "cannot be negative"),
        ({"plu": "42"}, "already used by Bagel"),
        ({"category_id": "9999"}, "Choose a category"),
    ]:
        form = product_form(product.category, product.tax_category, name="Renamed", **changes)
        response = post(client, f"{BASE}/products/{product.id}", form)
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True), changes
    product = db.session.get(Product, product.id)
    assert (product.name, product.price, product.plu) == ("Sourdough", 340, None)
    assert audit_events("product.changed") == []


def test_forbidding_negative_stock_is_refused_while_the_product_is_below_zero(client):
    as_manager(client)
    product = make_product("Flapjack", track_stock=True)
    product.on_hand = -3
    db.session.commit()
    form = product_form(
        product.category, product.tax_category, name="Flapjack", track_stock="y", allow_negative=None
    )
    response = post(client, f"{BASE}/products/{product.id}", form)
    assert response.status_code == 422
    assert "has -3 on hand" in response.get_data(as_text=True)
    assert db.session.get(Product, product.id).allow_negative is True


def test_a_missing_product_is_a_404(client):
    as_manager(client)
    assert client.get(f"{BASE}/products/999").status_code == 404


# --- variants --------------------------------------------------------------------------------


def test_a_manager_adds_and_removes_variants(client):
    as_manager(client)
    product = make_product("Latte", 300)
    assert (
        post(client, f"{BASE}/products/{product.id}/variants", {"name": "Small", "price": "2.80"}).status_code
        == 302
    )
    assert (
        post(client, f"{BASE}/products/{product.id}/variants", {"name": "Large", "price": "3.50"}).status_code
        == 302
    )
    page = client.get(f"{BASE}/products/{product.id}").get_data(as_text=True)
    assert "Small" in page and "£2.80" in page and "£3.50" in page and "data-confirm=" in page
    small = db.session.scalar(select(Variant).where(Variant.name == "Small"))
    assert post(client, f"{BASE}/variants/{small.id}/remove").status_code == 302
    assert [v.name for v in db.session.scalars(select(Variant))] == ["Large"]
    assert len(audit_events("product.variant_added")) == 2
    assert json.loads(audit_events("product.variant_removed")[0].details)["name"] == "Small"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Large", "price": "-1"}, "cannot be negative"),
        ({"name": "Large", "price": "1.005"}, "whole pence"),
        ({"name": "", "price": "1"}, "Enter a name"),
        ({"name": "small", "price": "1"}, "already has a variant called small"),
    ],
)
def test_bad_variants_are_refused_and_nothing_is_added(client, data, message):
    as_manager(client)
    product = make_product("Latte", 300)
    catalogue.add_variant(product.id, "Small", 280, SYSTEM)
    response = post(client, f"{BASE}/products/{product.id}/variants", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Variant) == 1


def test_a_variant_in_an_open_basket_cannot_be_removed(client):
    as_manager(client)
    product = make_product("Latte", 300)
    large = catalogue.add_variant(product.id, "Large", 350, SYSTEM)
    open_basket(product, variant=large, status="parked")
    response = post(client, f"{BASE}/variants/{large.id}/remove")
    assert response.status_code == 422
    assert "still open or parked" in response.get_data(as_text=True)
    assert count(Variant) == 1
    assert audit_events("product.variant_removed") == []


def test_a_variant_sold_in_a_finished_basket_can_be_removed(client):
    as_manager(client)
    product = make_product("Latte", 300)
    large = catalogue.add_variant(product.id, "Large", 350, SYSTEM)
    basket = open_basket(product, variant=large, status="paid")
    assert post(client, f"{BASE}/variants/{large.id}/remove").status_code == 302
    assert count(Variant) == 0
    line = db.session.scalar(select(BasketLine).where(BasketLine.basket_id == basket.id))
    assert (line.product_id, line.variant_id) == (product.id, None)


# --- modifier groups -------------------------------------------------------------------------


def test_a_manager_adds_a_modifier_group_with_options_including_a_discount(client):
    as_manager(client)
    response = post(
        client, f"{BASE}/modifier-groups", {"name": "Milk", "min_choices": "0", "max_choices": "1"}
    )
    assert response.status_code == 302
    group = db.session.scalar(select(ModifierGroup))
    assert response.headers["Location"] == f"{BASE}/modifier-groups/{group.id}"
    for name, delta in (("Oat milk", "0.40"), ("No milk", "-0.10")):
        assert (
            post(
                client, f"{BASE}/modifier-groups/{group.id}/options", {"name": name, "price_delta": delta}
            ).status_code
            == 302
        )
    assert [
        (o.name, o.price_delta)
        for o in db.session.scalars(select(ModifierOption).order_by(ModifierOption.sort_order))
    ] == [
        ("Oat milk", 40),
        ("No milk", -10),
    ]
    page = client.get(f"{BASE}/modifier-groups/{group.id}").get_data(as_text=True)
    assert "£0.40" in page and "-£0.10" in page
    assert "Oat milk, No milk" in client.get(f"{BASE}/modifier-groups").get_data(as_text=True)
    assert len(audit_events("modifier_group.option_added")) == 2


def test_a_manager_edits_a_modifier_group(client):
    as_manager(client)
    group = catalogue.create_modifier_group("Shots", 0, 1, SYSTEM)
    response = post(
        client,
        f"{BASE}/modifier-groups/{group.id}",
        {"name": "Extra shots", "min_choices": "0", "max_choices": "3"},
    )
    assert response.status_code == 302
    group = db.session.get(ModifierGroup, group.id)
    assert (group.name, group.max_choices) == ("Extra shots", 3)
    assert json.loads(audit_events("modifier_group.changed")[0].details)["max_choices"] == {
        "from": 1,
        "to": 3,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"min_choices": "2", "max_choices": "1"}, "cannot be more than the most"),
        ({"min_choices": "0", "max_choices": "0"}, "between 1 and 20"),
        ({"min_choices": "-1", "max_choices": "1"}, "between 0 and 20"),
        ({"min_choices": "0", "max_choices": ""}, "Enter the most number of choices"),
        ({"name": "milk"}, "already a modifier group called milk"),
    ],
)
def test_bad_modifier_groups_are_refused_and_nothing_is_added(client, data, message):
    as_manager(client)
    catalogue.create_modifier_group("Milk", 0, 1, SYSTEM)
    response = post(
        client, f"{BASE}/modifier-groups", {"name": "Syrups", "min_choices": "0", "max_choices": "2", **data}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(ModifierGroup) == 1


def test_min_above_max_on_edit_changes_nothing(client):
    as_manager(client)
    group = catalogue.create_modifier_group("Milk", 0, 1, SYSTEM)
    response = post(
        client, f"{BASE}/modifier-groups/{group.id}", {"name": "Milk", "min_choices": "3", "max_choices": "2"}
    )
    assert response.status_code == 422
    assert "cannot be more than the most" in response.get_data(as_text=True)
    assert db.session.get(ModifierGroup, group.id).min_choices == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Oat", "price_delta": "0.405"}, "whole pence"),
        ({"name": "oat milk", "price_delta": "1"}, "already has an option"),
    ],
)
def test_bad_options_are_refused_and_nothing_is_added(client, data, message):
    as_manager(client)
    group = catalogue.create_modifier_group("Milk", 0, 1, SYSTEM)
    catalogue.add_modifier_option(group.id, "Oat milk", 40, SYSTEM)
    response = post(client, f"{BASE}/modifier-groups/{group.id}/options", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(ModifierOption) == 1


def test_an_option_is_removed_unless_an_open_basket_has_it_chosen(client):
    as_manager(client)
    group = catalogue.create_modifier_group("Milk", 0, 1, SYSTEM)
    oat = catalogue.add_modifier_option(group.id, "Oat milk", 40, SYSTEM)
    soya = catalogue.add_modifier_option(group.id, "Soya milk", 40, SYSTEM)
    open_basket(make_product("Latte"), options=f"{oat.id + 100},{oat.id}")
    response = post(client, f"{BASE}/modifier-options/{oat.id}/remove")
    assert response.status_code == 422
    assert "still open or parked" in response.get_data(as_text=True)
    assert post(client, f"{BASE}/modifier-options/{soya.id}/remove").status_code == 302
    assert [o.name for o in db.session.scalars(select(ModifierOption))] == ["Oat milk"]
    assert len(audit_events("modifier_group.option_removed")) == 1


def test_a_manager_chooses_the_modifier_groups_a_product_offers(client):
    as_manager(client)
    product = make_product("Latte")
    milk = catalogue.create_modifier_group("Milk", 0, 1, SYSTEM)
    shots = catalogue.create_modifier_group("Shots", 0, 2, SYSTEM)
    url = f"{BASE}/products/{product.id}/modifier-groups"
    response = post(client, url, {"group_ids": [str(milk.id), str(shots.id)]})  # two ticked boxes
    assert response.status_code == 302
    assert sorted(g.name for g in db.session.get(Product, product.id).modifier_groups) == ["Milk", "Shots"]
    page = client.get(f"{BASE}/products/{product.id}").get_data(as_text=True)
    assert f'value="{milk.id}" checked' in page
    assert post(client, url, {}).status_code == 302
    assert db.session.get(Product, product.id).modifier_groups == []
    assert [json.loads(e.details)["to"] for e in audit_events("product.modifier_groups_set")] == [
        sorted([milk.id, shots.id]),
        [],
    ]


def test_an_unknown_modifier_group_is_refused_and_the_choice_is_unchanged(client):
    as_manager(client)
    product = make_product("Latte")
    milk = catalogue.create_modifier_group("Milk", 0, 1, SYSTEM)
    catalogue.set_product_modifier_groups(product.id, [milk.id], SYSTEM)
    response = post(client, f"{BASE}/products/{product.id}/modifier-groups", {"group_ids": "9999"})
    assert response.status_code == 422
    assert "one of them does not exist" in response.get_data(as_text=True)
    assert [g.id for g in db.session.get(Product, product.id).modifier_groups] == [milk.id]


# --- who may use it --------------------------------------------------------------------------

PAGES = [f"{BASE}/", f"{BASE}/categories", f"{BASE}/tax-categories", f"{BASE}/modifier-groups"]


@pytest.mark.parametrize("path", PAGES)
def test_a_manager_opens_every_catalogue_page_and_each_has_an_empty_state(client, path):
    as_manager(client)
    response = client.get(path)
    assert response.status_code == 200
    assert "yet" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("path", PAGES)
def test_members_and_staff_signed_in_with_a_password_get_403(client, path):
    mia = make_user("member")
    make_member(mia)
    sign_in(client, mia)
    assert client.get(path).status_code == 403
    sign_in(client, make_user("staff", password="staff password 1"))
    assert client.get(path).status_code == 403


def test_staff_on_a_till_cannot_open_the_catalogue(client):
    pair(client, make_till())
    pin_in(client, make_user("staff"))
    assert client.get(f"{BASE}/").status_code == 403


def test_a_member_cannot_add_a_product_and_the_refusal_is_audited(client):
    category, tax = make_category(), make_tax()
    mia = make_user("member")
    make_member(mia)
    sign_in(client, mia)
    response = post(client, f"{BASE}/products", product_form(category, tax))
    assert response.status_code == 403
    assert count(Product) == 0
    assert audit_events("access.denied")[0].target == "stock.create_product"


def test_a_post_without_a_csrf_token_is_refused(client):
    as_manager(client)
    response = client.post(
        f"{BASE}/categories", data={"name": "Cakes", "colour": "#aabbcc", "sort_order": "0"}
    )
    assert response.status_code == 400
    assert count(Category) == 0


def test_a_products_own_colour_is_chosen_with_a_picker_and_kept_only_when_ticked(client):
    as_manager(client)
    breads = make_category("Breads", 1)
    tax = make_tax("cold", 0, 2000)
    form = product_form(breads, tax, colour="#C0FFEE", own_colour="y")
    assert post(client, f"{BASE}/products", form).status_code == 302
    product = db.session.scalar(select(Product))
    assert product.colour == "#c0ffee"
    page = client.get(f"{BASE}/products/{product.id}").get_data(as_text=True)
    assert 'type="color"' in page and 'value="#c0ffee"' in page
    assert re.search(r'<input checked id="own_colour"', page)
    # Unticked, the picker's value is ignored: the button takes its category's colour again.
    edit = product_form(breads, tax, colour="#c0ffee")
    assert post(client, f"{BASE}/products/{product.id}", edit).status_code == 302
    assert db.session.get(Product, product.id).colour is None


def test_tax_categories_are_chosen_and_listed_by_name_not_code(client):
    as_manager(client)
    make_category("Breads", 1)
    catalogue.create_tax_category("zero-cold-ta", "Cold takeaway food", 0, 2000, False, SYSTEM)
    products_page = client.get(f"{BASE}/").get_data(as_text=True)
    assert re.search(r'<option value="\d+">Cold takeaway food</option>', products_page)
    assert "zero-cold-ta" not in products_page
    listed = client.get(f"{BASE}/tax-categories").get_data(as_text=True)
    table = listed[listed.index("<table") : listed.index("</table>")]
    assert "Cold takeaway food" in table and "zero-cold-ta" not in table
