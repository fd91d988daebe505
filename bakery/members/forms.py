"""Membership forms: classes, members, shares, safeguarding. Text is read here (money to pence,
percentages to basis points); the rules are the services'."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from bakery.domain.money import MoneyError, format_plain, parse_pence
from bakery.domain.vat import format_rate, parse_rate_bp
from bakery.models import MemberClass, User
from bakery.services.members import MEASURES, STATUSES

_MEASURE_LABELS = {"hours": "Hours worked", "purchases": "Purchases", "none": "None"}
MEASURE_CHOICES = {m: _MEASURE_LABELS.get(m, m.title()) for m in MEASURES}


class _ParsedField(StringField):
    """A text box whose data is a number read from the text; what was typed is shown back."""

    empty_message = "Enter a value."

    def parse(self, text: str) -> int:  # pragma: no cover - subclasses say how
        raise NotImplementedError

    def show(self, value: int) -> str:  # pragma: no cover - subclasses say how
        raise NotImplementedError

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = None
            self.data = self.parse(str(valuelist[0]))

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.process_errors:
            raise StopValidation(self.empty_message)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.show(self.data) if isinstance(self.data, int) else ""


class PercentField(_ParsedField):
    """A percentage from 0 to 100 with at most two decimals; data in basis points."""

    empty_message = "Enter a percentage like 10 or 12.5 (0 for none)."

    def parse(self, text: str) -> int:
        try:
            return parse_rate_bp(text)
        except ValueError as refused:
            raise ValueError(str(refused).replace("rate", "discount")) from refused

    def show(self, value: int) -> str:
        return format_rate(value).removesuffix("%")


class AmountField(_ParsedField):
    """An amount of money more than zero, typed as "25.00"; data in pence."""

    empty_message = "Enter an amount like 25.00."

    def parse(self, text: str) -> int:
        try:
            return parse_pence(text, allow_zero=False)
        except MoneyError as refused:
            raise ValueError(str(refused)) from refused

    def show(self, value: int) -> str:
        return format_plain(value)


class MemberClassForm(FlaskForm):
    """A member class: name, patronage measure, till discount, sort order."""

    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=40)])
    measure = SelectField("Patronage measure", choices=MEASURE_CHOICES, validate_choice=False)
    till_discount = PercentField("Till discount (%)")
    sort_order = IntegerField(
        "Sort order", default=0, validators=[Optional(), NumberRange(min=0, max=9999, message="0 to 9999.")]
    )


class MemberForm(FlaskForm):
    """A member's record. Choices are offered, but the service decides what is valid."""

    number = StringField("Membership number", validators=[DataRequired("Enter a number."), Length(max=20)])
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=120)])
    email = StringField("Email", validators=[Optional(), Length(max=254)])
    phone = StringField("Phone", validators=[Optional(), Length(max=30)])
    class_name = SelectField("Class", choices={}, validate_choice=False)
    joined_on = DateField("Joined", validators=[Optional()])
    left_on = DateField("Left", validators=[Optional()])
    status = SelectField("Status", choices={s: s.title() for s in STATUSES}, validate_choice=False)
    user_id = SelectField("Sign-in", choices={}, validate_choice=False)

    def set_choices(self, classes: list[MemberClass], users: list[User]) -> MemberForm:
        """Offer the classes and the logins not linked to another member."""
        self.class_name.choices = {c.name: c.name.title() for c in classes}
        self.user_id.choices = {"": "No sign-in"} | {
            str(u.id): f"{u.display_name} ({u.email or u.role})" for u in users
        }
        return self

    def chosen_user_id(self) -> int | None:
        """The chosen login's id, or None (a non-number is refused by the service as unknown)."""
        value = (self.user_id.data or "").strip()
        if not value:
            return None
        return int(value) if value.isdigit() else -1


class MemberSearchForm(FlaskForm):
    """Search and filter the member list (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Number or name", validators=[Optional(), Length(max=120)])
    member_class = SelectField("Class", choices={}, validate_choice=False, validators=[Optional()])
    status = SelectField(
        "Status", choices={"": "Any"} | {s: s.title() for s in STATUSES}, validate_choice=False
    )


class ShareForm(FlaskForm):
    """Shares bought or withdrawn."""

    amount = AmountField("Amount")
    note = StringField("Note", validators=[Optional(), Length(max=200)])


class ReasonForm(FlaskForm):
    """Why someone needs to read a safeguarding record (kept in the audit log)."""

    reason = StringField(
        "Why do you need to read this?",
        validators=[
            DataRequired("Say why you need to read this."),
            Length(min=5, max=200, message="5 to 200 characters."),
        ],
    )


class SafeguardingForm(FlaskForm):
    """The safeguarding record: a flag, a programme reference, the agency, support notes."""

    justice_involvement = BooleanField("Involved with the justice system")
    programme_ref = StringField("Support-programme reference", validators=[Optional(), Length(max=60)])
    referral_agency = StringField("Referral agency", validators=[Optional(), Length(max=120)])
    support_notes = TextAreaField(
        "Support notes (never offence details)", validators=[Optional(), Length(max=4000)]
    )


class SafeguardPermissionForm(FlaskForm):
    """Grant or revoke the safeguarding permission on an admin."""

    allowed = BooleanField("Holds the safeguarding permission")


class ConfirmForm(FlaskForm):
    """A button that posts (reissue a card, download what we hold): only the CSRF token."""
