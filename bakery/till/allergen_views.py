"""A product's allergens and ingredients on the till: read only when staff open them."""

from __future__ import annotations

from flask import render_template, request

from bakery.services import stock as stock_services
from bakery.till.routes import bp


@bp.get("/products/<int:product_id>/allergens")
def show_allergens(product_id: int) -> str:
    """The product's allergens (contains, may contain) and its full ingredient list with the
    allergens in bold, as a panel where the picker opens; `?part=facts` gives only the facts,
    for the line options."""
    info = stock_services.allergen_info(product_id)
    template = "till/_allergen_facts.html" if request.args.get("part") == "facts" else "till/_allergens.html"
    return render_template(template, info=info)
