"""Till forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
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


class DiscountForm(FlaskForm):
    """A discount on a line or the whole order: a percentage or an amount, a reason, maybe a manager."""

    kind = RadioField(choices={"percent": "%", "amount": "£"}, default="percent", validators=[DataRequired()])
    value = StringField("Discount", validators=[DataRequired("Enter the discount.")])
    reason = SelectField("Reason", choices={}, validate_choice=False, validators=[Optional()])
    manager_id = IntegerField(validators=[Optional()])
    manager_pin = PasswordField(
        validators=[Optional(), Regexp(r"^[0-9]{4,6}$", message="A PIN is 4 to 6 digits.")]
    )


class LineNoteForm(FlaskForm):
    """A note for the kitchen and the line's own eat-in/takeaway choice."""

    note = StringField("Note for the kitchen", validators=[Optional(), Length(max=140)])
    eat_in = SelectField(
        "Eat in or take away",
        choices={"": "As the order", "1": "Eat in", "0": "Take away"},
        validators=[Optional()],
    )


class MemberForm(FlaskForm):
    """A membership number, typed or scanned."""

    code = StringField(
        "Member number", validators=[DataRequired("Type or scan the member's number."), Length(max=64)]
    )


class ParkForm(FlaskForm):
    """A name for a parked order."""

    name = StringField(
        "Name for the order", validators=[DataRequired("Give the order a name."), Length(max=40)]
    )


class ScanForm(FlaskForm):
    """A PLU typed or a barcode scanned."""

    code = StringField("Code", validators=[DataRequired("Scan or type a code."), Length(max=64)])


class CloseForm(FlaskForm):
    """The cash counted at close."""

    counted_cash = StringField("Cash counted in the drawer", validators=[DataRequired("Count the drawer.")])
