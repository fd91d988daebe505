"""The order beyond its lines: a line's options and note, discounts, the member, parked orders,
search and barcode scans."""

from __future__ import annotations

from flask import current_app, g, render_template, request
from werkzeug.wrappers import Response

from bakery.domain.money import MoneyError, parse_pence
from bakery.domain.vat import parse_rate_bp
from bakery.extensions import db
from bakery.forms import parse_id
from bakery.htmx import hx
from bakery.security import actor
from bakery.services import auth
from bakery.services import till as till_services
from bakery.services.errors import NotFound, ServiceError
from bakery.till import cash_views, clock_views, refund_views  # noqa: F401  (routes on this blueprint)
from bakery.till.forms import (
    DiscountForm,
    LineNoteForm,
    MemberForm,
    ParkForm,
    ScanForm,
)
from bakery.till.routes import _basket_response, _categories, _products, _refused, bp


def _discount_form_context(form: DiscountForm) -> dict[str, object]:
    form.reason.choices = {"": "Choose a reason"} | {
        r: r.capitalize() for r in till_services.DISCOUNT_REASONS
    }
    return {
        "form": form,
        "managers": auth.managers(),
        "threshold": current_app.config["DISCOUNT_MANAGER_BP"],
    }


def _picker_error(template: str, status: int, message: str, **context: object) -> Response:
    return hx(render_template(template, error=message, **context), status)


@bp.get("/lines/<int:line_id>/options")
def show_line_options(line_id: int) -> str:
    """A line's note, eat-in choice and discount (opens where the picker opens)."""
    priced = till_services.price(till_services.open_basket(g.till.id))
    found = next((p for p in priced.lines if p.line.id == line_id), None)
    if found is None:
        raise NotFound("That line is no longer in the basket.")
    note_form = LineNoteForm(
        formdata=None,
        note=found.line.note,
        eat_in="" if found.line.eat_in is None else str(int(found.line.eat_in)),
    )
    return render_template(
        "till/_line_options.html",
        p=found,
        note_form=note_form,
        **_discount_form_context(DiscountForm(formdata=None)),
    )


@bp.post("/lines/<int:line_id>/note")
def update_line(line_id: int) -> Response:
    """Save a line's kitchen note and its own eat-in/takeaway choice."""
    form = LineNoteForm()
    if not form.validate_on_submit():
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)),
            422,
            "A note can be at most 140 characters.",
        )
    try:
        till_services.set_line_note(g.till.id, line_id, form.note.data or "")
        choice = form.eat_in.data
        basket = till_services.set_line_eat_in(g.till.id, line_id, None if not choice else choice == "1")
    except ServiceError as refused:
        return _refused(refused)
    return _basket_response(till_services.price(basket), close_picker=True)


def _read_discount(form: DiscountForm) -> tuple[str, int]:
    kind = form.kind.data or ""
    text = form.value.data or ""
    if kind == "percent":
        return kind, parse_rate_bp(text)
    return kind, parse_pence(text, allow_zero=True)


@bp.post("/lines/<int:line_id>/discount")
def discount_line(line_id: int) -> Response:
    """Take money off one line with a reason (a manager's PIN above the threshold)."""
    form = DiscountForm()
    context = _discount_form_context(form)
    priced = till_services.price(till_services.open_basket(g.till.id))
    found = next((p for p in priced.lines if p.line.id == line_id), None)
    if found is None:
        raise NotFound("That line is no longer in the basket.")
    note_form = LineNoteForm(formdata=None, note=found.line.note)
    if not form.validate_on_submit():
        return _picker_error(
            "till/_line_options.html", 422, "Check the discount.", p=found, note_form=note_form, **context
        )
    try:
        kind, value = _read_discount(form)
        basket = till_services.set_line_discount(
            g.till.id,
            line_id,
            kind,
            value,
            form.reason.data or "",
            actor(),
            threshold_bp=current_app.config["DISCOUNT_MANAGER_BP"],
            manager_id=form.manager_id.data,
            manager_pin=form.manager_pin.data or "",
        )
    except (MoneyError, ValueError, ServiceError) as refused:
        db.session.rollback()
        status = getattr(refused, "status", 422)
        return _picker_error(
            "till/_line_options.html", status, str(refused), p=found, note_form=note_form, **context
        )
    return _basket_response(till_services.price(basket), close_picker=True)


@bp.get("/discount")
def show_basket_discount() -> str:
    """The whole-order discount form."""
    return render_template(
        "till/_basket_discount.html", **_discount_form_context(DiscountForm(formdata=None))
    )


@bp.post("/discount")
def discount_basket() -> Response:
    """Take money off the whole order with a reason (a manager's PIN above the threshold)."""
    form = DiscountForm()
    context = _discount_form_context(form)
    if not form.validate_on_submit():
        return _picker_error("till/_basket_discount.html", 422, "Check the discount.", **context)
    try:
        kind, value = _read_discount(form)
        basket = till_services.set_basket_discount(
            g.till.id,
            kind,
            value,
            form.reason.data or "",
            actor(),
            threshold_bp=current_app.config["DISCOUNT_MANAGER_BP"],
            manager_id=form.manager_id.data,
            manager_pin=form.manager_pin.data or "",
        )
    except (MoneyError, ValueError, ServiceError) as refused:
        db.session.rollback()
        return _picker_error(
            "till/_basket_discount.html", getattr(refused, "status", 422), str(refused), **context
        )
    return _basket_response(till_services.price(basket), close_picker=True)


@bp.post("/member")
def attach_member() -> Response:
    """Attribute the order to a member: by number or card (typed or scanned), or picked from the
    members whose name matches what was typed; the matches or the reason show by the field."""
    form = MemberForm()
    code = form.code.data or ""
    if not form.validate_on_submit() or not (code.strip() or form.member_id.data):
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)),
            422,
            "Type or scan a membership number, or three letters of a name.",
            beside="member",
            code=code[:64],
        )
    try:
        basket = till_services.attach_member(g.till.id, code, actor(), member_id=form.member_id.data)
    except till_services.ChooseMember as choose:
        db.session.rollback()
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)),
            beside="member",
            code=code,
            matches=choose.matches,
        )
    except ServiceError as refused:
        db.session.rollback()
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)),
            refused.status,
            refused.message,
            beside="member",
            code=code,
        )
    return _basket_response(till_services.price(basket))


@bp.post("/member/remove")
def detach_member() -> Response:
    """Take the member off the order."""
    try:
        basket = till_services.detach_member(g.till.id)
    except ServiceError as refused:
        db.session.rollback()
        return _refused(refused)
    return _basket_response(till_services.price(basket))


@bp.post("/park")
def park_basket() -> Response:
    """Park the order under a name; the till is free for the next customer."""
    form = ParkForm()
    if not form.validate_on_submit():
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)),
            422,
            "Give the order a name to park it.",
        )
    try:
        till_services.park_basket(g.till.id, form.name.data or "", actor())
    except ServiceError as refused:
        db.session.rollback()
        return _refused(refused)
    return _basket_response(till_services.price(None))


@bp.get("/parked")
def show_parked() -> str:
    """Orders parked on any till."""
    return render_template(
        "till/_parked.html", parked=[(b, till_services.price(b)) for b in till_services.parked_baskets()]
    )


@bp.post("/parked/<int:basket_id>/recall")
def recall_basket(basket_id: int) -> Response:
    """Bring a parked order to this till."""
    try:
        basket = till_services.recall_basket(g.till.id, basket_id, actor())
    except ServiceError as refused:
        db.session.rollback()
        return _refused(refused)
    return _basket_response(till_services.price(basket), close_picker=True)


@bp.get("/search")
def search_products() -> str:
    """Products by name, PLU or barcode (swapped into the product grid); an empty search brings
    back the category that was showing."""
    query = request.args.get("q", "").strip()
    if not query:
        category_id = request.args.get("category", type=parse_id) or next((c.id for c in _categories()), None)
        return render_template("till/_products.html", products=_products(category_id), chosen=category_id)
    return render_template("till/_products.html", products=till_services.find_products(query), query=query)


@bp.post("/scan")
def scan_code() -> Response:
    """A scanner (or a typed PLU) adds the product with that exact code."""
    form = ScanForm()
    if not form.validate_on_submit():
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)), 422, "Scan or type a code."
        )
    try:
        product = till_services.product_for_code(form.code.data or "")
        if product.needs_picker:
            raise ServiceError(f"{product.name} needs a size or options: tap it on the grid.")
        basket = till_services.add_line(g.till.id, product.id, actor())
    except ServiceError as refused:
        db.session.rollback()
        return _refused(refused)
    return _basket_response(till_services.price(basket))
