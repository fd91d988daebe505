"""Swaps and time off waiting for a manager: approve or refuse each, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bakery.domain.clock import business_date
from bakery.members.forms import ConfirmForm
from bakery.models.types import utcnow
from bakery.planning.routes import bp
from bakery.security import actor
from bakery.services import rota
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError

DECISIONS = {"approve": True, "refuse": False}


def _today() -> date:
    return business_date(utcnow(), g.shop.timezone)


def _page(status: int = 200, error: str | None = None) -> tuple[str, int]:
    return render_template("planning/requests.html", asked=rota.open_requests(_today()), error=error), status


@bp.get("/requests")
def show_requests() -> tuple[str, int]:
    """Swaps colleagues have accepted (to approve or refuse), swaps still asked, and time off asked for."""
    return _page()


def _decision() -> bool | None:
    if not ConfirmForm().validate_on_submit():
        return None
    return DECISIONS.get(request.form.get("decision", ""))


def _decide(
    decide: Callable[[int, bool, Actor], object], item_id: int, approved: str, refused: str
) -> Response | tuple[str, int]:
    """Send a manager's Approve or Refuse to `decide`; a refusal by the rules re-renders the page
    with its reason, an unknown request answers 404."""
    approve = _decision()
    if approve is None:
        return _page(422, "Choose Approve or Refuse.")
    try:
        decide(item_id, approve, actor())
    except ServiceError as refusal:
        if refusal.status == 404:
            raise
        return _page(refusal.status, refusal.message)
    flash(approved if approve else refused)
    return redirect(url_for("planning.show_requests"))


@bp.post("/requests/swaps/<int:swap_id>")
def decide_swap(swap_id: int) -> Response | tuple[str, int]:
    """Approve a swap (the shift passes to the colleague who accepted) or refuse it."""
    return _decide(
        rota.decide_swap, swap_id, "Swap approved: both are told on their next visit.", "Swap refused."
    )


@bp.post("/requests/time-off/<int:request_id>")
def decide_time_off(request_id: int) -> Response | tuple[str, int]:
    """Approve or refuse a time-off request (approved days warn the planner)."""
    return _decide(rota.decide_time_off, request_id, "Time off approved.", "Time off refused.")
