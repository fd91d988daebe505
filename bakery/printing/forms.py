"""Printing forms: a printer, the till's reprint and no-sale drawer open."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from bakery.forms import IdField, coerce_id
from bakery.services.printing import CONNECTION_KINDS, LOCATIONS
from printers import PROFILES

PROFILE_CHOICES = {
    name: f"{name} ({profile.paper_mm} mm, {profile.columns} columns)" for name, profile in PROFILES.items()
}
# The service reads these with int(), which also takes other scripts' digits and underscores.
DIGITS = "Type a whole number in the digits 0 to 9."
WHOLE = r"\A\s*[0-9]*\s*\Z"
HEX = "Type four hexadecimal digits (0-9, a-f), e.g. 04b8."
HEX_ID = r"\A\s*(0[xX])?[0-9a-fA-F]{1,4}\s*\Z"
CONNECTION_FIELDS = ("host", "port", "path", "vendor_id", "product_id", "device", "baudrate", "printer_name")


class PrinterForm(FlaskForm):
    """A printer: where it stands, its model, how it is reached, what it prints."""

    name = StringField("Name", validators=[DataRequired("Name the printer."), Length(max=60)])
    location = SelectField("Where it stands", choices=LOCATIONS, default="counter")
    profile = SelectField("Model (profile)", choices=PROFILE_CHOICES)
    connection_kind = SelectField("Connected by", choices=CONNECTION_KINDS, default="network")
    host = StringField("Network: address", validators=[Optional(), Length(max=253)])
    port = StringField("Network: port", validators=[Optional(), Length(max=5), Regexp(WHOLE, message=DIGITS)])
    path = StringField(
        "File: path (under the instance folder, or /dev/…)", validators=[Optional(), Length(max=200)]
    )
    vendor_id = StringField(
        "USB: vendor id (hex, e.g. 04b8)", validators=[Optional(), Length(max=6), Regexp(HEX_ID, message=HEX)]
    )
    product_id = StringField(
        "USB: product id (hex)", validators=[Optional(), Length(max=6), Regexp(HEX_ID, message=HEX)]
    )
    device = StringField("Serial: device (e.g. /dev/ttyUSB0)", validators=[Optional(), Length(max=200)])
    baudrate = StringField(
        "Serial: baud rate", validators=[Optional(), Length(max=6), Regexp(WHOLE, message=DIGITS)]
    )
    printer_name = StringField("CUPS: queue name", validators=[Optional(), Length(max=127)])
    receipt_till_id = SelectField("Prints the receipts of", choices={}, validate_choice=False)
    category_ids = SelectMultipleField(
        "Kitchen: categories sent here", choices=[], coerce=coerce_id, validate_choice=False
    )
    via_agent = BooleanField("Printed by an agent beside the printer (not by this server)")
    active = BooleanField("In use", default=True)

    def connection_input(self) -> dict[str, str]:
        """The connection fields as text, for the service to check."""
        return {name: (getattr(self, name).data or "") for name in CONNECTION_FIELDS}


class ReprintForm(FlaskForm):
    """Reprint a receipt of this till (the last one when no sale is named)."""

    sale_id = IdField("Sale", validators=[Optional(), NumberRange(min=1)])


class NoSaleForm(FlaskForm):
    """Open the drawer without a sale: a manager's PIN and a reason."""

    manager_id = SelectField("Manager", choices=[], coerce=coerce_id, validate_choice=False)
    manager_pin = PasswordField(
        "Manager PIN",
        validators=[
            DataRequired("Enter the manager's PIN."),
            Regexp(r"^[0-9]{4,6}$", message="A PIN is 4 to 6 digits."),
        ],
    )
    reason = StringField("Reason", validators=[DataRequired("Give a reason."), Length(max=120)])
