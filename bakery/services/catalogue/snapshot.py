"""The catalogue as the till reads it: one frozen copy per process, rebuilt when the catalogue's
version has moved.

Rule: any flush that adds, changes or removes a tax category, category, product (other than its
stock on hand), variant, modifier group or option, or a product's modifier groups, moves
`shop_settings.catalogue_version` on by one in the same transaction (an UPDATE … RETURNING, so two
editors never both write the same number). A request takes the version from the settings row it
reads first anyway (no statement of its own) and uses the process's copy only when the copy was
built at that version; otherwise it builds a new one. So once an edit has committed, no request
that starts after it, on any worker, prices or sells from the old menu.

The copy holds frozen dataclasses, never ORM rows: nothing in it is attached to a request's
session, and a request cannot change it. Stock on hand is not in it (every sale changes it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from bakery.extensions import db
from bakery.models import (
    Category,
    ModifierGroup,
    ModifierOption,
    Product,
    ShopSettings,
    TaxCategory,
    Variant,
)
from bakery.models.catalogue import product_modifier_groups
from bakery.services.settings import current_settings

CATALOGUE_MODELS = (TaxCategory, Category, Product, Variant, ModifierGroup, ModifierOption)
#: A product's attributes that are not the catalogue's: changing only these keeps the version.
NOT_CATALOGUE = frozenset({"on_hand"})
_CHANGED = "catalogue_changed"
_EXTENSION = "bakery.catalogue"


@dataclass(frozen=True, slots=True)
class TaxView:
    """A tax category: its takeaway and eat-in rates in basis points, and whether it is hot."""

    id: int
    code: str
    name: str
    takeaway_bp: int
    eat_in_bp: int
    hot: bool


@dataclass(frozen=True, slots=True)
class CategoryView:
    """A category of the menu."""

    id: int
    name: str
    colour: str
    sort_order: int
    active: bool


@dataclass(frozen=True, slots=True)
class VariantView:
    """A size of a product at its own price."""

    id: int
    product_id: int
    name: str
    price: int
    sort_order: int


@dataclass(frozen=True, slots=True)
class OptionView:
    """An option of a modifier group and what it adds to the unit price."""

    id: int
    group_id: int
    name: str
    price_delta: int
    sort_order: int


@dataclass(frozen=True, slots=True)
class GroupView:
    """A modifier group with its options in order."""

    id: int
    name: str
    min_choices: int
    max_choices: int
    options: tuple[OptionView, ...]


@dataclass(frozen=True, slots=True)
class ProductView:
    """A product as the till prices and sells it (its stock on hand is read where it is moved)."""

    id: int
    name: str
    category: CategoryView
    tax_category: TaxView
    price: int
    plu: str | None
    barcode: str | None
    colour: str | None
    active: bool
    sort_order: int
    track_stock: bool
    allow_negative: bool
    variants: tuple[VariantView, ...]
    modifier_groups: tuple[GroupView, ...]
    #: How it comes to be on the shelf ("", "bought", "batch", "to_order"; see models.Product).
    make: str = ""
    recipe_id: int | None = None
    stock_item_id: int | None = None
    stock_qty: int = 1
    shelf_life_days: int | None = None

    @property
    def category_id(self) -> int:
        """The product's category."""
        return self.category.id

    @property
    def needs_picker(self) -> bool:
        """A tap opens the picker when there is a size or an option to choose."""
        return bool(self.variants) or bool(self.modifier_groups)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every product (active or not) and every modifier option, at one catalogue version."""

    version: int | None
    products: Mapping[int, ProductView]
    options: Mapping[int, OptionView]


def current_catalogue() -> Catalogue:
    """The catalogue at the version this request read: the process's copy when it is at that
    version, else a new copy (kept for the next request unless this transaction has changed the
    catalogue and not yet committed). One copy per request, however often it is asked for."""
    if has_request_context():
        found = g.get("_catalogue")
        if found is not None:
            return found  # type: ignore[no-any-return]
    catalogue = _at_version(_version())
    if has_request_context():
        g._catalogue = catalogue
    return catalogue


def fresh_catalogue() -> Catalogue:
    """A copy read from the database now (for a product the request's copy does not know yet)."""
    catalogue = _build(_version())
    _keep(catalogue)
    if has_request_context():
        g._catalogue = catalogue
    return catalogue


def _version() -> int | None:
    """The version on the settings row, or None when the shop has no row yet (nothing is kept)."""
    shop = current_settings()
    if not inspect(shop).persistent:
        return None
    return int(shop.catalogue_version)


def _at_version(version: int | None) -> Catalogue:
    kept = current_app.extensions.get(_EXTENSION) if has_app_context() else None
    unchanged = version is not None and not db.session().info.get(_CHANGED)
    if isinstance(kept, Catalogue) and unchanged and kept.version == version:
        return kept
    catalogue = _build(version)
    _keep(catalogue)
    return catalogue


def _keep(catalogue: Catalogue) -> None:
    """Keep a copy for the process, unless it may hold this transaction's uncommitted edits."""
    if catalogue.version is None or db.session().info.get(_CHANGED) or not has_app_context():
        return
    current_app.extensions[_EXTENSION] = catalogue


def _build(version: int | None) -> Catalogue:
    """Read the whole catalogue in a few plain selects (no ORM rows), after the version was read:
    what it holds is at least as new as `version`."""
    session = db.session
    taxes = {
        row.id: TaxView(row.id, row.code, row.name, row.takeaway_bp, row.eat_in_bp, bool(row.hot))
        for row in session.execute(
            select(
                TaxCategory.id,
                TaxCategory.code,
                TaxCategory.name,
                TaxCategory.takeaway_bp,
                TaxCategory.eat_in_bp,
                TaxCategory.hot,
            )
        )
    }
    categories = {
        row.id: CategoryView(row.id, row.name, row.colour, row.sort_order, bool(row.active))
        for row in session.execute(
            select(Category.id, Category.name, Category.colour, Category.sort_order, Category.active)
        )
    }
    options_by_group: dict[int, list[OptionView]] = defaultdict(list)
    options: dict[int, OptionView] = {}
    for row in session.execute(
        select(
            ModifierOption.id,
            ModifierOption.group_id,
            ModifierOption.name,
            ModifierOption.price_delta,
            ModifierOption.sort_order,
        ).order_by(ModifierOption.sort_order, ModifierOption.id)
    ):
        option = OptionView(row.id, row.group_id, row.name, row.price_delta, row.sort_order)
        options[option.id] = option
        options_by_group[option.group_id].append(option)
    groups = {
        row.id: GroupView(row.id, row.name, row.min_choices, row.max_choices, tuple(options_by_group[row.id]))
        for row in session.execute(
            select(ModifierGroup.id, ModifierGroup.name, ModifierGroup.min_choices, ModifierGroup.max_choices)
        )
    }
    groups_of: dict[int, list[GroupView]] = defaultdict(list)
    for product_id, group_id in session.execute(
        select(product_modifier_groups.c.product_id, product_modifier_groups.c.group_id).order_by(
            product_modifier_groups.c.group_id
        )
    ):
        groups_of[product_id].append(groups[group_id])
    variants_of: dict[int, list[VariantView]] = defaultdict(list)
    for row in session.execute(
        select(Variant.id, Variant.product_id, Variant.name, Variant.price, Variant.sort_order).order_by(
            Variant.sort_order, Variant.id
        )
    ):
        variants_of[row.product_id].append(
            VariantView(row.id, row.product_id, row.name, row.price, row.sort_order)
        )
    products = {
        row.id: ProductView(
            id=row.id,
            name=row.name,
            category=categories[row.category_id],
            tax_category=taxes[row.tax_category_id],
            price=row.price,
            plu=row.plu,
            barcode=row.barcode,
            colour=row.colour,
            active=bool(row.active),
            sort_order=row.sort_order,
            track_stock=bool(row.track_stock),
            allow_negative=bool(row.allow_negative),
            variants=tuple(variants_of[row.id]),
            modifier_groups=tuple(groups_of[row.id]),
            make=row.make,
            recipe_id=row.recipe_id,
            stock_item_id=row.stock_item_id,
            stock_qty=row.stock_qty,
            shelf_life_days=row.shelf_life_days,
        )
        for row in session.execute(
            select(
                Product.id,
                Product.name,
                Product.category_id,
                Product.tax_category_id,
                Product.price,
                Product.plu,
                Product.barcode,
                Product.colour,
                Product.active,
                Product.sort_order,
                Product.track_stock,
                Product.allow_negative,
                Product.make,
                Product.recipe_id,
                Product.stock_item_id,
                Product.stock_qty,
                Product.shelf_life_days,
            )
        )
    }
    return Catalogue(version, products, options)


def _changes_catalogue(session: Session) -> bool:
    for obj in session.new:
        if isinstance(obj, CATALOGUE_MODELS):
            return True
    for obj in session.deleted:
        if isinstance(obj, CATALOGUE_MODELS):
            return True
    for obj in session.dirty:
        if not isinstance(obj, CATALOGUE_MODELS):
            continue
        changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
        if isinstance(obj, Product):
            changed -= NOT_CATALOGUE
        if changed:
            return True
    return False


def bump_catalogue_version(session: Session, _context: Any = None) -> None:
    """After a flush that changed the catalogue: move its version on in the same transaction.

    The settings row already in the session gets the new number too, so the rest of this unit of
    work reads it; the request's copy is dropped. Without a settings row nothing is kept anyway.
    """
    if not _changes_catalogue(session):
        return
    table = ShopSettings.__table__
    row = (
        session.connection()
        .execute(
            table.update()
            .where(table.c.id == 1)
            .values(catalogue_version=table.c.catalogue_version + 1)
            .returning(table.c.catalogue_version)
        )
        .first()
    )
    session.info[_CHANGED] = True
    if row is not None:
        shop = session.identity_map.get(identity_key(ShopSettings, 1))
        if shop is not None:
            set_committed_value(shop, "catalogue_version", int(row[0]))
    if has_request_context():
        g.pop("_catalogue", None)


def _transaction_over(session: Session) -> None:
    session.info.pop(_CHANGED, None)


event.listen(Session, "after_flush", bump_catalogue_version)
event.listen(Session, "after_commit", _transaction_over)
event.listen(Session, "after_rollback", _transaction_over)
