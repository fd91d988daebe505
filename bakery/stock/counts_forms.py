"""Stock take forms: a location to count, a line's count as typed ("1.5 kg", "12"), an approval."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, Optional


class StartCountForm(FlaskForm):
    """Which location's sheet to count (the service checks it is one)."""

    location = StringField("Location", validators=[Length(max=40, message="At most 40 characters.")])


class CountLineForm(FlaskForm):
    """What was found of one thing, in its own unit (the service reads the quantity)."""

    counted = StringField(
        "Counted", validators=[Length(max=20, message="Enter a quantity like 250, 1.5 kg or 12.")]
    )


class ApproveCountForm(FlaskForm):
    """Approving a take, with an optional note."""

    note = StringField(
        "Note (optional)", validators=[Optional(), Length(max=200, message="At most 200 characters.")]
    )


class CancelCountForm(FlaskForm):
    """Throwing a take away (a button and its CSRF token)."""
