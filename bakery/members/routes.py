"""The member area (phone-first): a member sees only their own records."""

from __future__ import annotations

import base64
import json

import qrcode
from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user
from qrcode.image.svg import SvgPathFillImage
from sqlalchemy import select
from werkzeug.wrappers import Response

from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.members.forms import ConfirmForm
from bakery.models import Member
from bakery.models.types import utcnow
from bakery.security import actor
from bakery.services import members as membership
from bakery.services import rota
from bakery.services.errors import NotFound, ServiceError

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


def own_member(number: str) -> Member:
    """The signed-in user's own member record under this number; anyone else's answers 404.

    Rule: the card and the "what we hold about me" export are the member's alone (a manager
    prints cards from the office instead).
    """
    member = db.session.scalar(select(Member).where(Member.number == number))
    if member is None or member.user_id != current_user.id:
        raise NotFound("There is no such member page.")
    return member


def qr_data_uri(text: str) -> str:
    """A QR code of the text as an SVG data URI, made on the server (no script, CSP-safe)."""
    image = qrcode.make(text, image_factory=SvgPathFillImage, box_size=10, border=2)
    svg: bytes = image.to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@bp.get("/me")
def me() -> Response:
    """A member's own page."""
    member = db.session.scalar(select(Member).where(Member.user_id == current_user.id))
    if member is None:
        raise NotFound("There is no member record for this sign-in.")
    return redirect(url_for("members.show_member", number=member.number))


@bp.get("/members/<number>")
def show_member(number: str) -> str:
    """A member's page: who they are, their shares and store credit, and (their own) card's QR."""
    member = member_in_scope(number)
    own = member.user_id == current_user.id
    return render_template(
        "members/member.html",
        member=member,
        own=own,
        share_balance=membership.balance(member.id),
        movements=membership.movements(member.id),
        store_credit=membership.store_credit_balance(member.id),
        card_qr=qr_data_uri(member.card_code) if own else None,
        export_form=ConfirmForm(formdata=None),
        rota_news=own and rota.has_rota_news(current_user.id, business_date(utcnow(), g.shop.timezone)),
    )


@bp.get("/members/<number>/card.pdf")
def download_card(number: str) -> Response:
    """The member's own card as a PDF (bank-card size) to print or keep on the phone."""
    member = own_member(number)
    return Response(
        membership.card_pdf(member, g.shop.shop_name),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="member-card-{member.number}.pdf"'},
    )


@bp.post("/members/<number>/export")
def export_member_data(number: str) -> Response:
    """Everything we hold about the member, as JSON to download (audited; a POST, as it writes)."""
    member = own_member(number)
    if not ConfirmForm().validate_on_submit():
        raise ServiceError("Reload the page and try again.")
    held = membership.subject_access_export(member.id, actor())
    return Response(
        json.dumps(held, indent=2, ensure_ascii=False, sort_keys=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="what-we-hold-{member.number}.json"'},
    )


from bakery.members import admin_views  # noqa: E402, F401, I001  (routes on this blueprint)
from bakery.members import hours_views  # noqa: E402, F401  (routes on this blueprint)
from bakery.members import dividend_views  # noqa: E402, F401  (routes on this blueprint)
from bakery.members import rota_views  # noqa: E402, F401  (routes on this blueprint)
