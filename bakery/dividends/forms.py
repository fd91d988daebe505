"""Dividends forms: financial periods, the allocation's figures and rules, approval, payouts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from bakery.domain.money import MAX_AMOUNT, MoneyError, format_plain, parse_pence
from bakery.domain.vat import parse_rate_bp
from bakery.services.dividends import PAYOUT_METHODS, AllocationInput

#: A co-op's surplus or loss can be far larger than one till payment (£100,000,000 at most).
MAX_FIGURE = 1000 * MAX_AMOUNT


def percent_text(bp: int) -> str:
    """Basis points as the percentage an admin types: 3000 → "30", 1250 → "12.5"."""
    whole, part = divmod(bp, 100)
    return f"{whole}.{part:02d}".rstrip("0").rstrip(".") if part else str(whole)


class PeriodForm(FlaskForm):
    """A new financial period."""

    name = StringField("Name", validators=[DataRequired("Give the period a name."), Length(max=40)])
    starts_on = DateField("First day", validators=[InputRequired("Give the first day.")])
    ends_on = DateField("Last day", validators=[InputRequired("Give the last day.")])


class CloseEarlyForm(FlaskForm):
    """Ending an open period on an earlier day."""

    ends_on = DateField("New last day", validators=[InputRequired("Give the new last day.")])


class FundForm(Form):
    """A named fund and its percentage of the distributable surplus (a blank row is ignored)."""

    name = StringField("Fund", validators=[Optional(), Length(max=40)])
    percent = StringField("% of the surplus", validators=[Optional()])
    remove = BooleanField("Remove")


class ClassWeightForm(Form):
    """A member class's share of the dividend pool."""

    name = HiddenField()
    percent = StringField("% of the pool", validators=[Optional()])


def _money(field: Field, *, negative: bool = False) -> int:
    try:
        return parse_pence(field.data or "", allow_negative=negative, maximum=MAX_FIGURE)
    except MoneyError as wrong:
        raise ValidationError(str(wrong)) from wrong


def _rate(text: str | None) -> int:
    try:
        return parse_rate_bp(text or "0")
    except ValueError as wrong:
        raise ValidationError(str(wrong)) from wrong


class AllocationForm(FlaskForm):
    """The period's figures and the co-op's rules. Previewed with GET (no CSRF: it writes nothing),
    proposed with POST (the same fields as hidden inputs, and the CSRF token)."""

    surplus = StringField(
        "Surplus for the period (a loss as -1234.56)",
        validators=[DataRequired("Enter the surplus (or the loss).")],
    )
    reserve_balance = StringField("Reserve balance before this period", default="0.00")
    deficit_brought_forward = StringField("Deficit brought forward", default="0.00")
    reserve_percent = StringField("To the indivisible reserve (%)", default="30")
    funds = FieldList(FormField(FundForm))
    classes = FieldList(FormField(ClassWeightForm))
    minimum_payout = StringField("Minimum payout", default="5.00")
    include_leavers = BooleanField("Members who left during the period take part")
    preview_hash = HiddenField()

    def validate_surplus(self, field: Field) -> None:
        """A sum of money, negative for a loss."""
        _money(field, negative=True)

    def validate_reserve_balance(self, field: Field) -> None:
        """Not negative."""
        _money(field)

    def validate_deficit_brought_forward(self, field: Field) -> None:
        """Not negative."""
        _money(field)

    def validate_minimum_payout(self, field: Field) -> None:
        """Not negative."""
        _money(field)

    def validate_reserve_percent(self, field: Field) -> None:
        """0 to 100 %."""
        _rate(field.data)

    def validate_funds(self, field: Field) -> None:
        """Every row with a percentage has a name, and every named row a valid percentage."""
        for entry in field.entries:
            if entry.form.remove.data:
                continue
            name = (entry.form.name.data or "").strip()
            percent = (entry.form.percent.data or "").strip()
            if percent and not name:
                raise ValidationError("Give every fund with a percentage a name.")
            if name:
                _rate(percent)

    def validate_classes(self, field: Field) -> None:
        """Each 0 to 100 %, together exactly 100 %."""
        total = sum(_rate(entry.form.percent.data) for entry in field.entries)
        if total != 10_000:
            raise ValidationError(f"The split adds up to {percent_text(total)} %; it must add up to 100 %.")

    def to_input(self) -> AllocationInput:
        """The validated form as the service's input (call after `validate`)."""
        funds = tuple(
            ((e.form.name.data or "").strip(), _rate(e.form.percent.data))
            for e in self.funds.entries
            if (e.form.name.data or "").strip() and not e.form.remove.data
        )
        return AllocationInput(
            surplus=_money(self.surplus, negative=True),
            reserve_balance=_money(self.reserve_balance),
            deficit_brought_forward=_money(self.deficit_brought_forward),
            reserve_bp=_rate(self.reserve_percent.data),
            funds=funds,
            class_weights=tuple(
                (e.form.name.data or "", _rate(e.form.percent.data)) for e in self.classes.entries
            ),
            minimum_payout=_money(self.minimum_payout),
            include_leavers=bool(self.include_leavers.data),
        )

    def fill(self, inp: AllocationInput) -> None:
        """Set every field from an input (the form's starting values)."""
        self.surplus.data = format_plain(inp.surplus) if inp.surplus else ""
        self.reserve_balance.data = format_plain(inp.reserve_balance)
        self.deficit_brought_forward.data = format_plain(inp.deficit_brought_forward)
        self.reserve_percent.data = percent_text(inp.reserve_bp)
        self.minimum_payout.data = format_plain(inp.minimum_payout)
        self.include_leavers.data = inp.include_leavers
        while self.funds.entries:
            self.funds.pop_entry()
        for name, bp in inp.funds:
            self.funds.append_entry({"name": name, "percent": percent_text(bp)})
        while self.classes.entries:
            self.classes.pop_entry()
        for name, bp in inp.class_weights:
            self.classes.append_entry({"name": name, "percent": percent_text(bp)})

    def drop_removed_funds(self) -> None:
        """Take out the fund rows ticked "Remove" (and blank rows beyond the first two)."""
        kept = [
            ((e.form.name.data or ""), (e.form.percent.data or ""))
            for e in self.funds.entries
            if not e.form.remove.data
        ]
        while self.funds.entries:
            self.funds.pop_entry()
        for name, percent in kept:
            self.funds.append_entry({"name": name, "percent": percent})

    def hidden_values(self) -> list[tuple[str, str]]:
        """Every field's name and value as sent, to carry the previewed figures into the propose form."""
        values: list[tuple[str, str]] = []
        fields: list[Field] = []
        for field in self:
            if field.name in ("csrf_token", "preview_hash"):
                continue
            if isinstance(field, FieldList):
                fields += [sub for entry in field.entries for sub in entry.form]
            else:
                fields.append(field)
        for field in fields:
            if isinstance(field, BooleanField):
                if field.data:
                    values.append((field.name, "y"))
            else:
                values.append((field.name, str(field.data or "")))
        return values


class ApproveForm(FlaskForm):
    """The general meeting's approval of a proposed allocation."""

    resolution_ref = StringField(
        "General meeting resolution reference",
        validators=[DataRequired("Enter the resolution reference."), Length(max=60)],
    )
    resolution_date = DateField("Date of the resolution", validators=[InputRequired("Give the date.")])


class PayoutForm(FlaskForm):
    """How to pay a dividend."""

    method = SelectField("Pay as", choices=PAYOUT_METHODS)


class OpeningUploadForm(FlaskForm):
    """A CSV file of opening patronage from the old till or spreadsheet."""

    file = FileField(
        "CSV file from the old system", validators=[FileRequired("Choose the CSV file to upload.")]
    )


class OpeningConfirmForm(FlaskForm):
    """Confirming a previewed opening import (and, if the period has one, replacing it)."""

    replace = BooleanField("Replace the earlier import")
