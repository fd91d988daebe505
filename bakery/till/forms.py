"""Till forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from bakery.forms import IdField, WholeNumberField, coerce_id


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

    product_id = IdField(validators=[DataRequired("Choose a product.")])
    variant_id = IdField(validators=[Optional()])
    option_ids = SelectMultipleField(choices=[], validate_choice=False, coerce=coerce_id)


class QtyForm(FlaskForm):
    """Step a line up or down."""

    delta = WholeNumberField(validators=[InputRequired(), NumberRange(min=-999, max=999)])


class EatInForm(FlaskForm):
    """Eat-in or takeaway."""

    eat_in = BooleanField()


class PayForm(FlaskForm):
    """A tender: cash, card or a member's store credit, an amount, and for card an optional
    terminal reference."""

    basket_key = HiddenField(validators=[DataRequired()])
    tender_key = HiddenField()
    method = RadioField(
        choices={"cash": "Cash", "card": "Card", "credit": "Store credit"},
        validators=[DataRequired("Choose cash or card.")],
    )
    amount = StringField("Amount", validators=[DataRequired("Enter the amount.")])
    reference = StringField("Card reference", validators=[Optional(), Length(max=40)])


class DiscountForm(FlaskForm):
    """A discount on a line or the whole order: a percentage or an amount, a reason, maybe a manager."""

    kind = RadioField(choices={"percent": "%", "amount": "£"}, default="percent", validators=[DataRequired()])
    value = StringField("Discount", validators=[DataRequired("Enter the discount.")])
    reason = SelectField("Reason", choices={}, validate_choice=False, validators=[Optional()])
    manager_id = IdField(validators=[Optional()])
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
    """A membership number or part of a name, typed; a card's code, scanned; or a member picked
    from the matches."""

    code = StringField("Member", validators=[Optional(), Length(max=64)])
    member_id = IdField(validators=[Optional()])


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


# Cash (X/Z, paid in/out) and refunds.
from collections.abc import Mapping  # noqa: E402  (imports of the cash and refund forms below)

from bakery.domain.cash_count import DENOMINATIONS, Denomination  # noqa: E402

MAX_REFUND_QTY = 9_999


class PayInOutForm(FlaskForm):
    """Cash paid into or out of the drawer outside a sale: direction, amount and a reason."""

    key = HiddenField()
    direction = RadioField(
        "Cash", choices={"in": "Paid in", "out": "Paid out"}, validators=[DataRequired("Choose in or out.")]
    )
    amount = StringField("Amount", validators=[DataRequired("Enter the amount.")])
    reason = StringField(
        "Reason",
        validators=[DataRequired("Give a reason."), Length(max=120, message="At most 120 characters.")],
    )


class CashCountForm(FlaskForm):
    """The close-of-day count: how many of each note and coin are in the drawer (blank is none).

    Only whole numbers are read here; what counts as a possible count is the domain's rule
    (`bakery.domain.cash_count.count_total`). `confirmed` comes only from the confirm panel's
    button: without it the count is totalled and the panel asks before the till closes.
    """

    confirmed = HiddenField()

    def denominations(self) -> list[tuple[Denomination, WholeNumberField]]:
        """Each denomination with its count field, in count-sheet order."""
        return [(d, self[f"n{d.value}"]) for d in DENOMINATIONS]

    def counts(self) -> dict[int, int]:
        """The counts typed, by denomination value in pence."""
        return {d.value: int(f.data or 0) for d, f in self.denominations()}


for _denomination in DENOMINATIONS:
    setattr(
        CashCountForm,
        f"n{_denomination.value}",
        WholeNumberField(
            _denomination.label,
            validators=[Optional()],
            render_kw={"inputmode": "numeric", "autocomplete": "off"},
        ),
    )


class RefundForm(FlaskForm):
    """A refund: where the money goes, why, and the manager who authorises it with their PIN.

    The quantities per line are read with `refund_quantities`, since the lines are the sale's.
    """

    key = HiddenField(validators=[DataRequired(), Regexp(r"^refund-[0-9a-f]{32}$")])
    method = RadioField(
        "Refund to",
        choices={"cash": "Cash", "card": "Card", "credit": "Store credit"},
        validators=[DataRequired("Cash or card?")],
    )
    reason = StringField(
        "Reason",
        validators=[
            DataRequired("Give a reason for the refund."),
            Length(max=120, message="At most 120 characters."),
        ],
    )
    manager_id = SelectField(
        "Authorised by", coerce=coerce_id, validators=[DataRequired("Choose the manager who authorises it.")]
    )
    manager_pin = PasswordField(
        "Manager PIN",
        validators=[
            DataRequired("The manager enters their PIN."),
            Regexp(r"^[0-9]{4,6}$", message="A PIN is 4 to 6 digits."),
        ],
    )


def refund_quantities(formdata: Mapping[str, str], line_ids: list[int]) -> dict[int, int]:
    """Read the quantity chosen for each line (`qty-<line id>`; blank is none).

    Raises ValueError for anything but a whole number from 0 to 9,999.
    """
    chosen = {}
    for line_id in line_ids:
        text = (formdata.get(f"qty-{line_id}") or "0").strip() or "0"
        if not text.isascii() or not text.isdigit() or int(text) > MAX_REFUND_QTY:
            raise ValueError("Choose how many of each item come back: a whole number, 0 or more.")
        chosen[line_id] = int(text)
    return chosen


class VoidForm(FlaskForm):
    """Voiding an order: why (a short list and a note), and a manager above the shop's threshold."""

    reason = SelectField("Reason", choices={}, validate_choice=False, validators=[Optional()])
    note = StringField("Note", validators=[Optional(), Length(max=120, message="At most 120 characters.")])
    manager_id = IdField(validators=[Optional()])
    manager_pin = PasswordField(
        validators=[Optional(), Regexp(r"^[0-9]{4,6}$", message="A PIN is 4 to 6 digits.")]
    )
