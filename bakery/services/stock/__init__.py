"""Stock: items in base units and their suppliers, deliveries and corrections, recipes, bake batches,
waste and donations, and what a sale takes from stock beyond the product itself.
"""

from bakery.services.stock.at_sale import consume_for_sale
from bakery.services.stock.bakes import MAX_BATCH, record_bake
from bakery.services.stock.deliveries import LineIn, correct_delivery, delivered, record_delivery
from bakery.services.stock.items import (
    PARTNER_KINDS,
    add_purchase_unit,
    create_item,
    save_partner,
    save_supplier,
    update_item,
)
from bakery.services.stock.movements import (
    OutOfStock,
    item_on_hand_from_movements,
    move_item,
    move_product,
    product_on_hand_from_movements,
)
from bakery.services.stock.recipes import (
    MAKES,
    Facts,
    ProductFacts,
    RecipeSummary,
    create_recipe,
    load_facts,
    product_facts,
    recipe_summary,
    recipe_unit_cost,
    set_making,
    update_recipe,
)
from bakery.services.stock.write_offs import DONATED, WASTE_REASONS, write_off

__all__ = [
    "DONATED",
    "MAKES",
    "MAX_BATCH",
    "PARTNER_KINDS",
    "WASTE_REASONS",
    "Facts",
    "LineIn",
    "OutOfStock",
    "ProductFacts",
    "RecipeSummary",
    "add_purchase_unit",
    "consume_for_sale",
    "correct_delivery",
    "create_item",
    "create_recipe",
    "delivered",
    "item_on_hand_from_movements",
    "load_facts",
    "move_item",
    "move_product",
    "product_facts",
    "product_on_hand_from_movements",
    "recipe_summary",
    "recipe_unit_cost",
    "record_bake",
    "record_delivery",
    "save_partner",
    "save_supplier",
    "set_making",
    "update_item",
    "update_recipe",
    "write_off",
]
