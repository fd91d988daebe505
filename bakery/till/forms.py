"""Till forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Regexp


class PinForm(FlaskForm):
    """A staff PIN: 4 to 6 digits."""

    pin = PasswordField(
        "PIN",
        validators=[
            DataRequired("Enter your PIN."),
            Regexp(r"^[0-9]{4,6}$", message="A PIN is 4 to 6 digits."),
        ],
    )
