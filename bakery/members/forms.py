"""Membership forms: classes, members, shares, safeguarding. Text is read here (money to pence,
percentages to basis points); the rules are the services'."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from bakery.forms import MoneyField, PercentField, WholeNumberField, parse_id
from bakery.models import MemberClass, User
from bakery.services.members import MEASURES, STATUSES

_MEASURE_LABELS = {"hours": "Hours worked", "purchases": "Purchases", "none": "None"}
MEASURE_CHOICES = {m: _MEASURE_LABELS.get(m, m.title()) for m in MEASURES}


class MemberClassForm(FlaskForm):
    """A member class: name, patronage measure, till discount, sort order."""

    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=40)])
    measure = SelectField("Patronage measure", choices=MEASURE_CHOICES, validate_choice=False)
    till_discount = PercentField("Till discount (%)")
    sort_order = WholeNumberField(
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
        """The chosen login's id, or None (a non-id is refused by the service as unknown)."""
        value = (self.user_id.data or "").strip()
        if not value:
            return None
        chosen = parse_id(value)
        return -1 if chosen is None else chosen


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
    """Shares bought or withdrawn, with the form's own key (sent twice, it moves the shares once)."""

    key = HiddenField()
    amount = MoneyField("Amount", allow_zero=False)
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
