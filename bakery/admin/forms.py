"""Back-office forms: tills, users, settings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from bakery.forms import MoneyField, PercentField, WholeNumberField
from bakery.models import Role
from bakery.services.audit import FILTERS
from bakery.services.settings import RECEIPT_CHOICES, currency_choices, locale_choices, timezone_choices

ROLE_CHOICES = {r.value: r.value.title() for r in Role}


class TillForm(FlaskForm):
    """A new till."""

    name = StringField("Till name", validators=[DataRequired("Enter a till name."), Length(max=60)])
    location = StringField("Where it stands", validators=[Optional(), Length(max=60)])


class PairForm(FlaskForm):
    """Pair this tablet with a till."""

    label = StringField("Label for this tablet", validators=[Optional(), Length(max=60)])


class UserForm(FlaskForm):
    """A new user."""

    display_name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=80)])
    email = EmailField("Email (for password sign-in)", validators=[Optional(), Length(max=254)])
    role = SelectField("Role", choices=ROLE_CHOICES, default=Role.STAFF.value)
    password = PasswordField("Password (10+ characters)", validators=[Optional(), Length(min=10, max=200)])
    pin = PasswordField(
        "Till PIN (4 to 6 digits)",
        validators=[Optional(), Regexp(r"^[0-9]{4,6}$", message="A PIN is 4 to 6 digits.")],
    )


class RoleForm(FlaskForm):
    """Change a user's role and whether they are active."""

    role = SelectField("Role", choices=ROLE_CHOICES)
    active = BooleanField("Active")


class PinChangeForm(FlaskForm):
    """Set a till PIN."""

    pin = PasswordField(
        "New PIN",
        validators=[
            DataRequired("Enter a PIN."),
            Regexp(r"^[0-9]{4,6}$", message="A PIN is 4 to 6 digits."),
        ],
    )


class PasswordChangeForm(FlaskForm):
    """Set a password."""

    password = PasswordField(
        "New password", validators=[DataRequired("Enter a password."), Length(min=10, max=200)]
    )


class SettingsForm(FlaskForm):
    """The shop's settings."""

    shop_name = StringField("Shop name", validators=[DataRequired("Enter the shop's name."), Length(max=80)])
    address = TextAreaField("Address", validators=[Optional(), Length(max=400)])
    vat_number = StringField("VAT number", validators=[Optional(), Length(max=30)])
    # The lists come from the settings service, which refuses anything else (the form does not
    # check choices itself, so the service's message is the one shown).
    currency = SelectField("Currency", choices=currency_choices, validate_choice=False)
    locale = SelectField("Numbers and dates written as", choices=locale_choices, validate_choice=False)
    timezone = SelectField("Timezone", choices=timezone_choices, validate_choice=False)
    receipt_footer = TextAreaField("Receipt footer", validators=[Optional(), Length(max=400)])
    till_idle_seconds = WholeNumberField(
        "Lock an idle till after (seconds)",
        validators=[
            DataRequired(),
            NumberRange(min=30, max=3600, message="Between 30 and 3600 seconds."),
        ],
    )
    void_manager_above = MoneyField("Voiding an order over this needs a manager's PIN")
    receipt_after_pay = SelectField(
        "The receipt after Pay", choices=RECEIPT_CHOICES, default="ask", validate_choice=False
    )
    markdown_bp = PercentField("End-of-day markdown on batch-baked products (one tap on the till)")
    week_hours_limit = WholeNumberField(
        "Most hours anyone is planned on the rota in a week",
        default=48,
        validators=[
            NumberRange(min=1, max=80, message="Between 1 and 80 hours."),
        ],
    )
    impact_threshold_bp = PercentField(
        "Social impact: the share of workers from a supported-employment programme to reach"
    )


class AuditFilterForm(FlaskForm):
    """Filter the audit log (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    action = SelectField(
        "What", choices=FILTERS, validators=[Optional(), Length(max=60)], validate_choice=False
    )
    user = SelectField("By", choices={}, validators=[Optional()], validate_choice=False)
    day_from = StringField("From (YYYY-MM-DD)", validators=[Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}$")])
    day_to = StringField("To (YYYY-MM-DD)", validators=[Optional(), Regexp(r"^\d{4}-\d{2}-\d{2}$")])
