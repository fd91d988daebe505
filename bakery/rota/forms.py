"""Hours forms: clocking at the till, a manager's correction and approval, a member's flag."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, PasswordField, StringField, TextAreaField, TimeField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from bakery.domain.hours import MAX_BREAK_MINUTES, MAX_COMMENT, MAX_REASON
from bakery.forms import WholeNumberField

BREAK_CHOICES = (0, 15, 20, 30, 45, 60)


class ClockForm(FlaskForm):
    """A clock-in or clock-out on the till: the PIN, what the person meant to do, and breaks."""

    action = HiddenField(validators=[DataRequired(), AnyOf(["in", "out"])])
    key = HiddenField()
    pin = PasswordField(
        "PIN",
        validators=[
            DataRequired("Enter your PIN."),
            Regexp(r"^[0-9]{4,6}$", message="A PIN is 4 to 6 digits."),
        ],
    )
    break_minutes = WholeNumberField(
        "Breaks (minutes)",
        default=0,
        validators=[
            Optional(),
            NumberRange(
                min=0, max=MAX_BREAK_MINUTES, message=f"A break is 0 to {MAX_BREAK_MINUTES} minutes."
            ),
        ],
    )


class CorrectionForm(FlaskForm):
    """A manager's correction of a time entry: the shift as it should be, and why."""

    day = DateField("Day", validators=[InputRequired("Give the day the shift started.")])
    clock_in = TimeField("In", validators=[InputRequired("Give the clock-in time.")])
    clock_out = TimeField("Out (blank while still in)", validators=[Optional()])
    break_minutes = WholeNumberField(
        "Breaks (minutes)",
        default=0,
        validators=[
            InputRequired("Give the breaks in minutes (0 for none)."),
            NumberRange(
                min=0, max=MAX_BREAK_MINUTES, message=f"A break is 0 to {MAX_BREAK_MINUTES} minutes."
            ),
        ],
    )
    reason = StringField(
        "Reason",
        validators=[
            DataRequired("Give a reason for the correction."),
            Length(max=MAX_REASON, message=f"A reason can be at most {MAX_REASON} characters."),
        ],
    )


class ApproveForm(FlaskForm):
    """Approve an entry or a person's week (the week is the Monday's date)."""

    week = HiddenField(validators=[Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}$")])


class ConfirmForm(FlaskForm):
    """A member confirms one of their entries."""


class FlagForm(FlaskForm):
    """A member flags one of their entries as wrong, saying what is wrong."""

    comment = TextAreaField(
        "What is wrong?",
        validators=[
            DataRequired("Say what is wrong with this entry."),
            Length(max=MAX_COMMENT, message=f"A comment can be at most {MAX_COMMENT} characters."),
        ],
    )
