"""The till: staff tiles on a paired tablet, the PIN pad, the idle lock and the selling screen."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from bakery.domain.money import MoneyError, parse_pence
from bakery.errors import database_fault
from bakery.extensions import db
from bakery.forms import parse_id
from bakery.htmx import fragments, hx, is_htmx
from bakery.models import Category, Product, Role, Sale, User
from bakery.models.types import utcnow
from bakery.security import actor, end_session, start_session
from bakery.services import auth, printing
from bakery.services import till as till_services
from bakery.services.errors import NotFound, ServiceError
from bakery.services.till import PricedBasket
from bakery.till.forms import (
    AddLineForm,
    EatInForm,
    OpenTillForm,
    PayForm,
    PinForm,
    QtyForm,
    VoidForm,
)

bp = Blueprint("till", __name__, url_prefix="/till")


def _staff() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.pin_hash.is_not(None),
                User.role.in_([Role.STAFF, Role.MANAGER, Role.ADMIN]),
            )
            .order_by(User.display_name)
        )
    )


def _till_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.active or not user.works_till:
        abort(404)
    return user


@bp.get("/")
def home() -> Response | str:
    """Unpaired: say so. Paired: the staff tiles, or the till when someone is signed in."""
    if g.device is None:
        return render_template("till/unpaired.html")
    if current_user.is_authenticated and session.get("kind") == "till":
        return redirect(url_for("till.sell"))
    return render_template(
        "till/tiles.html",
        staff=_staff(),
        now=utcnow(),
        idle_locked=getattr(g, "idle_locked", False),
    )


@bp.get("/staff/<int:user_id>")
def pin_pad(user_id: int) -> str:
    """The PIN pad for the person whose tile was tapped."""
    user = _till_user(user_id)
    template = "till/_pin_pad.html" if is_htmx() else "till/pin.html"
    return render_template(template, user=user, form=PinForm())


@bp.post("/staff/<int:user_id>/pin")
def enter_pin(user_id: int) -> Response | tuple[str, int]:
    """Check the PIN; a right one starts a new till session (the previous one is revoked)."""
    user = _till_user(user_id)
    form = PinForm()
    template = "till/_pin_pad.html" if is_htmx() else "till/pin.html"
    if not form.validate_on_submit():
        return render_template(template, user=user, form=form), 422
    who = actor()
    try:
        new = auth.sign_in_with_pin(user.id, form.pin.data or "", g.device, who, replaces=session.get("sid"))
    except auth.SignInRefused as refused:
        return render_template(template, user=user, form=PinForm(formdata=None), error=refused.message), 401
    end_session()
    start_session(new)
    if is_htmx():
        return hx("", 200, redirect=url_for("till.sell"))
    return redirect(url_for("till.sell"))


@bp.post("/lock")
def lock() -> Response:
    """Lock the till: the session is revoked and the staff tiles come back."""
    who = actor()
    auth.sign_out(end_session(), who, reason="till_locked")
    if is_htmx():
        return hx("", 200, redirect=url_for("till.home"))
    return redirect(url_for("till.home"))


def _categories() -> list[Category]:
    return list(
        db.session.scalars(
            select(Category).where(Category.active.is_(True)).order_by(Category.sort_order, Category.name)
        )
    )


def _products(category_id: int | None) -> list[Product]:
    query = select(Product).where(Product.active.is_(True)).order_by(Product.sort_order, Product.name)
    if category_id is not None:
        query = query.where(Product.category_id == category_id)
    return list(db.session.scalars(query))


def _basket_response(
    priced: PricedBasket,
    status: int = 200,
    error: str | None = None,
    *,
    close_picker: bool = False,
    beside: str | None = None,
    **typed: object,
) -> Response:
    """The basket (and its total out of band). An error `beside` "pay" or "member" shows next to
    the form that caused it, which keeps what was typed (`typed`) and is scrolled into view."""
    templates = ["till/_basket.html", "till/_basket_total.html"] + (
        ["till/_picker_closed.html"] if close_picker else []
    )
    body = fragments(
        *templates,
        priced=priced,
        pay_form=PayForm(formdata=None),
        error=None if beside else error,
        pay_error=error if beside == "pay" else None,
        member_error=error if beside == "member" else None,
        typed=typed,
        oob=True,
    )
    if close_picker and status == 200:
        # Forms in the picker target it; on success the basket is what changes.
        return hx(body, status, trigger="basket-changed", retarget="#basket", reswap="outerHTML")
    # A long order puts the form far below the basket's top: bring what answers into view.
    reswap = f"outerHTML show:#{beside}-answer:bottom" if beside else None
    return hx(body, status, trigger="basket-changed" if status == 200 else None, reswap=reswap)


def _refused(refused: ServiceError) -> Response:
    """The till's current basket with the reason a request was refused, where staff are looking."""
    return _basket_response(
        till_services.price(till_services.open_basket(g.till.id)), refused.status, refused.message
    )


@bp.get("/sell")
def sell() -> str:
    """The selling screen: categories, the product grid and the basket (or the float to open)."""
    session = till_services.open_session_for(g.till.id)
    if session is None:
        return render_template("till/open.html", form=OpenTillForm(formdata=None))
    categories = _categories()
    chosen = request.args.get("category", type=parse_id) or (categories[0].id if categories else None)
    return render_template(
        "till/sell.html",
        categories=categories,
        chosen=chosen,
        products=_products(chosen),
        priced=till_services.price(till_services.open_basket(g.till.id)),
        pay_form=PayForm(formdata=None),
    )


@bp.post("/open")
def open_till() -> Response | tuple[str, int]:
    """Open the till with the counted float."""
    form = OpenTillForm()
    error = None
    if form.validate_on_submit():
        try:
            till_services.open_session(g.till.id, parse_pence(form.opening_float.data or ""), actor())
            return redirect(url_for("till.sell"))
        except (MoneyError, ServiceError) as refused:
            error = str(refused)
    return render_template("till/open.html", form=form, error=error), 422


@bp.get("/categories/<int:category_id>")
def show_category(category_id: int) -> str:
    """The product grid of one category (swapped into #products); the tabs follow out of band."""
    return fragments(
        "till/_products.html",
        "till/_categories.html",
        products=_products(category_id),
        chosen=category_id,
        categories=_categories(),
        oob=True,
    )


@bp.get("/products/<int:product_id>/picker")
def show_picker(product_id: int) -> str:
    """Sizes and options for a product before it goes in the basket."""
    product = db.session.get(Product, product_id)
    if product is None or not product.active:
        raise NotFound("That product is not on sale.")
    return render_template("till/_picker.html", product=product, form=AddLineForm(formdata=None))


@bp.post("/lines")
def add_line() -> Response:
    """Add a product to the basket; the basket swaps and the total updates out of band."""
    form = AddLineForm()
    if not form.validate_on_submit():
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)), 422, "Choose a product."
        )
    try:
        basket = till_services.add_line(
            g.till.id,
            form.product_id.data,
            actor(),
            variant_id=form.variant_id.data,
            option_ids=[i for i in form.option_ids.data or [] if i],  # 0 is "none of these"
        )
    except ServiceError as refused:
        db.session.rollback()
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)), 422, refused.message
        )
    return _basket_response(till_services.price(basket))


@bp.post("/lines/<int:line_id>/qty")
def change_qty(line_id: int) -> Response:
    """Quantity up or down; below one the line goes."""
    form = QtyForm()
    if not form.validate_on_submit():
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)), 422, "That quantity is not possible."
        )
    try:
        basket = till_services.change_qty(g.till.id, line_id, form.delta.data or 0)
    except ServiceError as refused:
        db.session.rollback()
        return _refused(refused)
    return _basket_response(till_services.price(basket))


@bp.post("/lines/<int:line_id>/remove")
def remove_line(line_id: int) -> Response:
    """Take a line out of the basket."""
    try:
        basket = till_services.remove_line(g.till.id, line_id)
    except ServiceError as refused:
        return _refused(refused)
    return _basket_response(till_services.price(basket))


@bp.post("/eat-in")
def set_eat_in() -> Response:
    """Switch the basket between eat-in and takeaway."""
    form = EatInForm()
    form.validate_on_submit()
    basket = till_services.set_eat_in(g.till.id, bool(form.eat_in.data), actor())
    return _basket_response(till_services.price(basket))


def _void_panel(form: VoidForm, status: int = 200, error: str | None = None) -> Response:
    form.reason.choices = {"": "Choose a reason"} | {r: r.capitalize() for r in till_services.VOID_REASONS}
    priced = till_services.price(till_services.open_basket(g.till.id))
    return hx(
        render_template(
            "till/_void_confirm.html",
            form=form,
            priced=priced,
            needs_manager=priced.totals.total > g.shop.void_manager_above,
            threshold=g.shop.void_manager_above,
            managers=auth.managers(),
            error=error,
        ),
        status,
    )


@bp.get("/void")
def show_void() -> Response:
    """The confirm panel for voiding the order: a reason, and a manager's PIN above the threshold."""
    return _void_panel(VoidForm(formdata=None))


@bp.post("/void")
def void_basket() -> Response:
    """Void the unpaid basket with a reason (audited); a refusal re-renders the confirm panel."""
    form = VoidForm()
    if not form.validate_on_submit():
        return _void_panel(form, 422, "Check the reason and the manager's PIN.")
    try:
        till_services.void_basket(
            g.till.id,
            actor(),
            reason=form.reason.data or "",
            note=form.note.data or "",
            manager_above=g.shop.void_manager_above,
            manager_id=form.manager_id.data,
            manager_pin=form.manager_pin.data or "",
        )
    except ServiceError as refused:
        db.session.rollback()
        return _void_panel(form, refused.status, refused.message)
    return _basket_response(till_services.price(None), close_picker=True)


@bp.post("/pay")
def pay() -> Response:
    """Take cash, card or the member's store credit; when the basket is paid, show the change due
    and the receipt."""
    form = PayForm()
    typed = {"amount": form.amount.data or "", "reference": form.reference.data or ""}
    if not form.validate_on_submit():
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)),
            422,
            "Choose cash or card and enter the amount.",
            beside="pay",
            **typed,
        )
    try:
        amount = parse_pence(form.amount.data or "", allow_zero=False)
        result = till_services.tender(
            g.till.id,
            form.basket_key.data or "",
            form.method.data or "",
            amount,
            actor(),
            reference=form.reference.data,
            key=form.tender_key.data or None,
        )
    except (MoneyError, ServiceError) as refused:
        db.session.rollback()
        status = getattr(refused, "status", 422)
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)),
            status,
            str(refused),
            beside="pay",
            **typed,
        )
    except OperationalError as failed:
        # The database went away or the disk filled up before the commit: nothing was saved, and
        # the basket is still there to pay again (the tender key makes the retry count once).
        db.session.rollback()
        fault = database_fault(failed)
        if fault is None:
            raise
        current_app.logger.warning("pay refused, database fault: %s", failed.orig)
        return _basket_response(
            till_services.price(till_services.open_basket(g.till.id)),
            fault[0],
            fault[1],
            beside="pay",
            **typed,
        )
    if isinstance(result, Sale):
        body = fragments(
            "till/_paid.html",
            "till/_basket_total.html",
            sale=result,
            receipt=printing.for_sale(result),
            priced=till_services.price(None),
            oob=True,
            **receipt_choice(result),
        )
        return hx(body, trigger="sale-completed")
    return _basket_response(result)


def receipt_choice(sale: Sale, *, printed: bool | None = None, error: str | None = None) -> dict[str, object]:
    """What the change-due screen offers for the receipt: the shop's setting, whether this till
    has a receipt printer (and how it is), and whether the receipt is already on its way."""
    printer = printing.receipt_printer_for(g.till.id)
    mode = g.shop.receipt_after_pay
    return {
        "receipt_mode": mode,
        "receipt_printer": printer,
        "printer_label": printing.STATE_LABELS.get(printer.state, printer.state) if printer else "",
        "printer_problem": printer is not None and printer.state in ("offline", "out_of_paper", "error"),
        "receipt_printed": (mode == "always" and printer is not None) if printed is None else printed,
        "choice_error": error,
    }


@bp.post("/payments/cancel")
def cancel_payments() -> Response:
    """Cancel the tenders entered so far (a payment in progress)."""
    form = PayForm()
    try:
        priced = till_services.cancel_payments(g.till.id, form.basket_key.data or "")
    except ServiceError as refused:
        return _refused(refused)
    return _basket_response(priced)


@bp.get("/basket")
def show_basket() -> Response:
    """The basket fragment (a fresh one after a sale)."""
    return _basket_response(till_services.price(till_services.open_basket(g.till.id)))


@bp.get("/receipts/<int:sale_id>")
def show_receipt(sale_id: int) -> str:
    """A receipt from this till, as text (the printed document's preview)."""
    sale = db.session.get(Sale, sale_id)
    if sale is None or sale.till_id != g.till.id:
        raise NotFound("No such receipt on this till.")
    template = "till/_receipt.html" if is_htmx() else "till/receipt.html"
    return render_template(template, sale=sale, receipt=printing.for_sale(sale))


from bakery.till import (  # noqa: E402, F401  (routes on this blueprint)
    allergen_views,
    cash_views,
    clock_views,
    markdown_views,
    order_views,
    receipt_views,
    refund_views,
)
