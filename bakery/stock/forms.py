"""Catalogue forms: what a manager types is read here (prices to pence, rates to basis points)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.fields import ColorField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from bakery.forms import MoneyField, PercentField, WholeNumberField, coerce_id, parse_id
from bakery.models import Category, ModifierGroup, TaxCategory


def chosen_id(value: Any) -> int | None:
    """A select's value as an id, or None (the service then says to choose one from the list)."""
    return parse_id(str(value).strip() if value is not None else "")


#: What the colour picker shows before a product has a colour of its own.
DEFAULT_BUTTON_COLOUR = "#f1ece4"


def _sort_order() -> WholeNumberField:
    return WholeNumberField("Sort order (lower comes first)", default=0, validators=[Optional()])


class TaxCategoryForm(FlaskForm):
    """A tax category: a code, a name, and the two rates as percentages."""

    code = StringField(
        "Code",
        validators=[
            DataRequired("Enter a code, like cold or std."),
            Length(max=30, message="At most 30 characters."),
        ],
    )
    name = StringField(
        "Name", validators=[DataRequired("Enter a name."), Length(max=60, message="At most 60 characters.")]
    )
    takeaway_bp = PercentField("Takeaway VAT rate (%)")
    eat_in_bp = PercentField("Eat-in VAT rate (%)")
    hot = BooleanField("Hot food (the eat-in rate applies to takeaway too)")

    def values(self) -> dict[str, Any]:
        """The service's arguments."""
        return {
            "code": self.code.data or "",
            "name": self.name.data or "",
            "takeaway_bp": self.takeaway_bp.data,
            "eat_in_bp": self.eat_in_bp.data,
            "hot": bool(self.hot.data),
        }


class CategoryForm(FlaskForm):
    """A category of products on the till."""

    name = StringField(
        "Name", validators=[DataRequired("Enter a name."), Length(max=60, message="At most 60 characters.")]
    )
    colour = ColorField("Colour", default="#f1ece4", validators=[DataRequired("Choose a colour.")])
    sort_order = _sort_order()
    active = BooleanField("Active (shown on the till)", default=True)

    def values(self) -> dict[str, Any]:
        """The service's arguments."""
        return {
            "name": self.name.data or "",
            "colour": self.colour.data or "",
            "sort_order": self.sort_order.data or 0,
            "active": bool(self.active.data),
        }


class ProductForm(FlaskForm):
    """A product: what it is called, where it sits on the till, its price and stock rules."""

    name = StringField(
        "Name", validators=[DataRequired("Enter a name."), Length(max=80, message="At most 80 characters.")]
    )
    category_id = SelectField("Category", coerce=chosen_id, validate_choice=False)
    tax_category_id = SelectField("Tax category", coerce=chosen_id, validate_choice=False)
    price = MoneyField("Price (VAT included)")
    plu = StringField(
        "PLU (optional)", validators=[Optional(), Length(max=20, message="At most 20 characters.")]
    )
    barcode = StringField(
        "Barcode (optional)", validators=[Optional(), Length(max=32, message="At most 32 characters.")]
    )
    own_colour = BooleanField("Its own button colour (otherwise the category's)")
    colour = ColorField("Button colour", default=DEFAULT_BUTTON_COLOUR, validators=[Optional()])
    sort_order = _sort_order()
    active = BooleanField("Active (on sale)", default=True)
    track_stock = BooleanField("Track stock")
    allow_negative = BooleanField("May go below zero on hand", default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """A product shown for editing ticks "own colour" when it has one; the picker needs a value."""
        super().__init__(*args, **kwargs)
        product = kwargs.get("obj")
        if product is not None and kwargs.get("formdata", True) is None:
            self.own_colour.data = bool(product.colour)
        if not self.colour.data:
            self.colour.data = DEFAULT_BUTTON_COLOUR

    def set_choices(self, categories: Sequence[Category], taxes: Sequence[TaxCategory]) -> None:
        """Fill the two lists from the database (inactive categories are marked)."""
        self.category_id.choices = [("", "Choose a category")] + [
            (c.id, c.name if c.active else f"{c.name} (inactive)") for c in categories
        ]
        self.tax_category_id.choices = [("", "Choose a tax category")] + [(t.id, t.name) for t in taxes]

    def values(self) -> dict[str, Any]:
        """The service's arguments."""
        return {
            "name": self.name.data or "",
            "category_id": self.category_id.data,
            "tax_category_id": self.tax_category_id.data,
            "price": self.price.data,
            "plu": self.plu.data or "",
            "barcode": self.barcode.data or "",
            "colour": (self.colour.data or "") if self.own_colour.data else "",
            "sort_order": self.sort_order.data or 0,
            "active": bool(self.active.data),
            "track_stock": bool(self.track_stock.data),
            "allow_negative": bool(self.allow_negative.data),
        }


class VariantForm(FlaskForm):
    """A size or version of a product at its own price."""

    name = StringField(
        "Variant name",
        validators=[
            DataRequired("Enter a name, like Large."),
            Length(max=40, message="At most 40 characters."),
        ],
    )
    price = MoneyField("Price")

    def values(self) -> dict[str, Any]:
        """The service's arguments."""
        return {"name": self.name.data or "", "price": self.price.data}


class ProductGroupsForm(FlaskForm):
    """Which modifier groups a product offers (checkboxes)."""

    group_ids = SelectMultipleField("Modifier groups", coerce=coerce_id, validate_choice=False)

    def set_choices(self, groups: Sequence[ModifierGroup]) -> None:
        """The groups to tick from."""
        self.group_ids.choices = [(g.id, g.name) for g in groups]


class ModifierGroupForm(FlaskForm):
    """A choice on a product: its name and how many options a customer picks."""

    name = StringField(
        "Name",
        validators=[
            DataRequired("Enter a name, like Milk."),
            Length(max=40, message="At most 40 characters."),
        ],
    )
    min_choices = WholeNumberField(
        "At least (0: optional)",
        default=0,
        validators=[InputRequired("Enter the least number of choices (0 or more).")],
    )
    max_choices = WholeNumberField(
        "At most", default=1, validators=[InputRequired("Enter the most number of choices (1 or more).")]
    )

    def values(self) -> dict[str, Any]:
        """The service's arguments."""
        return {
            "name": self.name.data or "",
            "min_choices": self.min_choices.data,
            "max_choices": self.max_choices.data,
        }


class ModifierOptionForm(FlaskForm):
    """An option of a modifier group and what it adds to (or takes off) the price."""

    name = StringField(
        "Option name",
        validators=[
            DataRequired("Enter a name, like Oat milk."),
            Length(max=40, message="At most 40 characters."),
        ],
    )
    # No numeric keypad hint: the phone keypads it brings up often have no minus key.
    price_delta = MoneyField("Price change (e.g. 0.40 or -0.10)", allow_negative=True)

    def values(self) -> dict[str, Any]:
        """The service's arguments."""
        return {"name": self.name.data or "", "price_delta": self.price_delta.data}
