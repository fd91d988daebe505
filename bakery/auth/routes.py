"""Signing in and out with email and password (the office and the member area)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from bakery.auth.forms import SignInForm
from bakery.security import actor, current_member_id, end_session, start_session
from bakery.services import auth

bp = Blueprint("auth", __name__)


def _landing() -> str:
    if current_user.is_authenticated and current_user.is_manager:
        return url_for("admin.dashboard")
    if current_member_id() is not None:
        return url_for("members.me")
    return url_for("auth.sign_in")


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/")
def home() -> Response:
    """Send each person where they work: a paired tablet to the till, others to their area."""
    if g.device is not None:
        return redirect(url_for("till.home"))
    if current_user.is_authenticated:
        return redirect(_landing())
    return redirect(url_for("auth.sign_in"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | tuple[str, int] | str:
    """Email and password; a wrong pair is counted towards a lock-out."""
    form = SignInForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("auth/sign_in.html", form=form), 422
        try:
            new = auth.sign_in_with_password(form.email.data or "", form.password.data or "", actor())
        except auth.SignInRefused as refused:
            return render_template("auth/sign_in.html", form=form, error=refused.message), 401
        start_session(new)
        return redirect(_safe_next(request.args.get("next")) or _landing())
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
def sign_out() -> Response:
    """Revoke the session on the server and forget it here."""
    who = actor()
    token = end_session()
    auth.sign_out(token, who)
    return redirect(url_for("till.home") if g.device is not None else url_for("auth.sign_in"))
