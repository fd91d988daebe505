"""The member area (phone-first): a member sees only their own records."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from bakery.extensions import db
from bakery.models import Member
from bakery.services.errors import NotFound

bp = Blueprint("members", __name__)


def member_in_scope(number: str) -> Member:
    """The member with this number, if the signed-in user may see them; otherwise 404.

    Rule: a member reaches only their own record; managers reach every member. Someone else's
    record answers 404, not 403, so membership numbers cannot be probed.
    """
    member = db.session.scalar(select(Member).where(Member.number == number))
    if member is None:
        raise NotFound("There is no such member page.")
    if current_user.is_manager or member.user_id == current_user.id:
        return member
    raise NotFound("There is no such member page.")


@bp.get("/me")
def me() -> Response:
    """A member's own page."""
    member = db.session.scalar(select(Member).where(Member.user_id == current_user.id))
    if member is None:
        raise NotFound("There is no member record for this sign-in.")
    return redirect(url_for("members.show_member", number=member.number))


@bp.get("/members/<number>")
def show_member(number: str) -> str:
    """A member's page: who they are, their class and membership."""
    return render_template("members/member.html", member=member_in_scope(number))
