"""Till forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp


class PinForm(FlaskForm):
    """A staff PIN: 4 to 6 digits."""

    pin = PasswordField(
        "PIN",
        validators=[
            DataRequired("Enter your PIN."),
            Regexp(r"^[0-9]{4,6}$", message="A PIN is 4 to 6 digits."),
        ],
    )


class OpenTillForm(FlaskForm):
    """The counted float that opens a till."""

    opening_float = StringField("Float counted in the drawer", validators=[DataRequired("Count the float.")])


class AddLineForm(FlaskForm):
    """A product tapped on the grid, with any size and options chosen in the picker."""

    product_id = IntegerField(validators=[DataRequired("Choose a product.")])
    variant_id = IntegerField(validators=[Optional()])
    option_ids = SelectMultipleField(choices=[], validate_choice=False, coerce=int)


class QtyForm(FlaskForm):
    """Step a line up or down."""

    delta = IntegerField(validators=[InputRequired(), NumberRange(min=-999, max=999)])


class EatInForm(FlaskForm):
    """Eat-in or takeaway."""

    eat_in = BooleanField()


class PayForm(FlaskForm):
    """A tender: cash or card, an amount, and for card an optional terminal reference."""

    basket_key = HiddenField(validators=[DataRequired()])
    method = RadioField(
        choices={"cash": "Cash", "card": "Card"}, validators=[DataRequired("Choose cash or card.")]
    )
    amount = StringField("Amount", validators=[DataRequired("Enter the amount.")])
    reference = StringField("Card reference", validators=[Optional(), Length(max=40)])


class CloseForm(FlaskForm):
    """The cash counted at close."""

    counted_cash = StringField("Cash counted in the drawer", validators=[DataRequired("Count the drawer.")])
