"""The till: staff tiles on a paired tablet, the PIN pad, the idle lock and the selling screen."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from bakery.extensions import db
from bakery.htmx import hx, is_htmx
from bakery.models import Role, User
from bakery.models.types import utcnow
from bakery.security import actor, end_session, start_session
from bakery.services import auth
from bakery.till.forms import PinForm

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
        new = auth.sign_in_with_pin(user.id, form.pin.data or "", g.device, who)
    except auth.SignInRefused as refused:
        return render_template(template, user=user, form=PinForm(formdata=None), error=refused.message), 401
    previous = end_session()
    if previous:
        auth.sign_out(previous, who, reason="switched")
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


@bp.get("/sell")
def sell() -> str:
    """The selling screen."""
    return render_template("till/sell.html")
