"""The menu the till sells from: tax categories, categories, products with variants and modifier
groups. Managers change it; every change is audited and moves the catalogue's version on, so the
till's per-process copy of it (`current_catalogue`) is never older than the last change.
"""

from bakery.services.catalogue.menu import (
    CLOSED_BASKETS,
    CODE,
    HEX_COLOUR,
    MAX_CHOICES,
    MAX_RATE_BP,
    MAX_SORT_ORDER,
    SCAN_CODE,
    M,
    create_category,
    create_tax_category,
    update_category,
    update_tax_category,
)
from bakery.services.catalogue.modifiers import (
    add_modifier_option,
    create_modifier_group,
    remove_modifier_option,
    set_product_modifier_groups,
    update_modifier_group,
)
from bakery.services.catalogue.products import (
    CODE_CLASH,
    add_variant,
    create_product,
    remove_variant,
    update_product,
)
from bakery.services.catalogue.snapshot import (
    Catalogue,
    CategoryView,
    GroupView,
    OptionView,
    ProductView,
    TaxView,
    VariantView,
    current_catalogue,
    fresh_catalogue,
)

__all__ = [
    "CLOSED_BASKETS",
    "CODE",
    "CODE_CLASH",
    "HEX_COLOUR",
    "MAX_CHOICES",
    "MAX_RATE_BP",
    "MAX_SORT_ORDER",
    "SCAN_CODE",
    "Catalogue",
    "CategoryView",
    "GroupView",
    "M",
    "OptionView",
    "ProductView",
    "TaxView",
    "VariantView",
    "add_modifier_option",
    "add_variant",
    "create_category",
    "create_modifier_group",
    "create_product",
    "create_tax_category",
    "current_catalogue",
    "fresh_catalogue",
    "remove_modifier_option",
    "remove_variant",
    "set_product_modifier_groups",
    "update_category",
    "update_modifier_group",
    "update_product",
    "update_tax_category",
]
