"""What the till shows of a product's allergens: contains, may contain and the full ingredient list,
derived through its recipes (or its stock item), read only when someone asks."""

from __future__ import annotations

from dataclasses import dataclass

from bakery.domain import allergens as allergen_rules
from bakery.domain.recipes import Segments
from bakery.extensions import db
from bakery.models import Product
from bakery.services.errors import NotFound
from bakery.services.stock.recipes import product_facts


@dataclass(frozen=True)
class AllergenInfo:
    """A product's allergens as the till shows them; `known` is False when nothing links the
    product to stock (then nothing may be said either way: staff must ask)."""

    product_id: int
    name: str
    known: bool
    contains: tuple[str, ...]
    may_contain: tuple[str, ...]
    ingredients: Segments


def allergen_info(product_id: int) -> AllergenInfo:
    """The product's allergens and ingredients, in a fixed few queries whatever its recipe's depth.

    Rule: only what the recipes and stock items say; a product that is not linked to stock, or
    whose recipe cannot be read, is "not recorded" (never "no allergens").
    """
    product = db.session.get(Product, product_id)
    if product is None or not product.active:
        raise NotFound("That product is not on sale.")
    facts = product_facts(product)
    known = product.make != "" and bool(facts.ingredients)
    return AllergenInfo(
        product.id,
        product.name,
        known,
        tuple(allergen_rules.names(facts.allergens)) if known else (),
        tuple(allergen_rules.names(facts.may_contain)) if known else (),
        facts.ingredients if known else [],
    )
