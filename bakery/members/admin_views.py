"""Membership in the back office: classes, members, cards, share capital, members.

Managers read the member list and records; admins create and change them; only admins holding
the safeguarding permission reach safeguarding data (checked and audited in the service).
"""

from __future__ import annotations

import csv
import io

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from bakery.domain.money import format_plain
from bakery.extensions import db
from bakery.forms import page_number, parse_id
from bakery.members.forms import (
    ConfirmForm,
    MemberClassForm,
    MemberForm,
    MemberSearchForm,
    ReasonForm,
    SafeguardingForm,
    ShareForm,
)
from bakery.members.routes import bp
from bakery.models import Member, MemberClass, SafeguardingRecord
from bakery.security import actor
from bakery.services import members as membership
from bakery.services.errors import NotFound, ServiceError
from bakery.services.members import ClassInput, MemberInput

Page = tuple[str, int]


def _refused(refused: ServiceError) -> str:
    """A refusal shown on the page: nothing was changed, so drop any half-done work."""
    if isinstance(refused, NotFound) or refused.status == 403:
        raise refused
    db.session.rollback()
    return refused.message


# --- member classes --------------------------------------------------------------------------


def _classes_page(form: MemberClassForm | None = None, error: str | None = None, status: int = 200) -> Page:
    return (
        render_template(
            "members/classes.html",
            classes=membership.list_classes(),
            form=form or MemberClassForm(formdata=None, till_discount=0, measure="none"),
            error=error,
        ),
        status,
    )


def _class_input(form: MemberClassForm) -> ClassInput:
    return ClassInput(
        name=form.name.data or "",
        measure=form.measure.data or "",
        till_discount_bp=form.till_discount.data if isinstance(form.till_discount.data, int) else -1,
        sort_order=form.sort_order.data or 0,
    )


@bp.get("/office/member-classes")
def list_member_classes() -> Page:
    """The member classes with their patronage measure and till discount."""
    return _classes_page()


@bp.post("/office/member-classes")
def create_member_class() -> Response | Page:
    """Add a member class."""
    form = MemberClassForm()
    if not form.validate_on_submit():
        return _classes_page(form, status=422)
    try:
        member_class = membership.create_class(_class_input(form), actor())
    except ServiceError as refused:
        return _classes_page(form, _refused(refused), 422)
    flash(f"Class {member_class.name} added.")
    return redirect(url_for("members.list_member_classes"))


def _class_or_404(class_id: int) -> MemberClass:
    member_class = db.session.get(MemberClass, class_id)
    if member_class is None:
        raise NotFound("That member class does not exist.")
    return member_class


def _class_page(
    member_class: MemberClass,
    form: MemberClassForm | None = None,
    error: str | None = None,
    status: int = 200,
) -> Page:
    if form is None:
        form = MemberClassForm(formdata=None, obj=member_class, till_discount=member_class.till_discount_bp)
    return render_template("members/class.html", member_class=member_class, form=form, error=error), status


@bp.get("/office/member-classes/<int:class_id>")
def edit_member_class(class_id: int) -> Page:
    """One member class, to change."""
    return _class_page(_class_or_404(class_id))


@bp.post("/office/member-classes/<int:class_id>")
def update_member_class(class_id: int) -> Response | Page:
    """Change a member class (audited with before and after)."""
    member_class = _class_or_404(class_id)
    form = MemberClassForm()
    if not form.validate_on_submit():
        return _class_page(member_class, form, status=422)
    try:
        membership.update_class(class_id, _class_input(form), actor())
    except ServiceError as refused:
        return _class_page(member_class, form, _refused(refused), 422)
    flash("Class saved.")
    return redirect(url_for("members.list_member_classes"))


# --- the member list -------------------------------------------------------------------------


def _search() -> tuple[MemberSearchForm, dict[str, object], int]:
    form = MemberSearchForm(request.args)
    classes = membership.list_classes()
    form.member_class.choices = {"": "Any"} | {str(c.id): c.name.title() for c in classes}
    status = 200
    if request.args and not form.validate():
        status = 422
    filters: dict[str, object] = {"query": "", "class_id": None, "status": ""}
    if status == 200:
        class_id = (form.member_class.data or "").strip()
        filters = {
            "query": (form.q.data or "").strip(),
            "class_id": parse_id(class_id),
            "status": form.status.data if form.status.data in membership.STATUSES else "",
        }
    return form, filters, status


@bp.get("/office/members")
def list_members() -> Page:
    """Members by number, searched by number or name and filtered by class and status.

    Shows no contact details and never anything from the safeguarding table.
    """
    form, filters, status = _search()
    page = membership.find_members(
        str(filters["query"]),
        filters["class_id"] if isinstance(filters["class_id"], int) else None,
        str(filters["status"]),
        page=request.args.get("page", 1, type=page_number),
    )
    return render_template("members/list.html", form=form, page=page), status


def _csv_cell(value: object) -> str:
    """Text for a spreadsheet cell; a leading = + - @ is defused so a name cannot run a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/office/members.csv")
def export_members() -> Response:
    """The member list (same filters) as CSV: no contact details, no safeguarding data."""
    _, filters, _ = _search()
    rows = membership.member_rows(
        str(filters["query"]),
        filters["class_id"] if isinstance(filters["class_id"], int) else None,
        str(filters["status"]),
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "name", "class", "status", "joined_on", "left_on", "share_capital"])
    for row in rows:
        writer.writerow(
            [
                _csv_cell(row.number),
                _csv_cell(row.name),
                _csv_cell(row.class_name),
                row.status,
                row.joined_on.isoformat(),
                row.left_on.isoformat() if row.left_on else "",
                format_plain(row.share_balance),
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="members.csv"'},
    )


# --- one member ------------------------------------------------------------------------------


def _member_form(member: Member | None = None, form: MemberForm | None = None) -> MemberForm:
    if form is None:
        if member is None:
            form = MemberForm(formdata=None, status="active", class_name="customer")
        else:
            form = MemberForm(
                formdata=None,
                obj=member,
                class_name=member.member_class.name,
                user_id=str(member.user_id or ""),
            )
    return form.set_choices(
        membership.list_classes(), membership.linkable_users(member.id if member else None)
    )


def _member_input(form: MemberForm) -> MemberInput:
    return MemberInput(
        number=form.number.data or "",
        name=form.name.data or "",
        class_name=form.class_name.data or "",
        email=form.email.data,
        phone=form.phone.data,
        joined_on=form.joined_on.data,
        left_on=form.left_on.data,
        status=form.status.data or "",
        user_id=form.chosen_user_id(),
    )


def _form_page(member: Member | None, form: MemberForm, error: str | None = None, status: int = 200) -> Page:
    return (
        render_template(
            "members/member_form.html", member=member, form=_member_form(member, form), error=error
        ),
        status,
    )


@bp.get("/office/members/new")
def new_member() -> Page:
    """The form for a new member."""
    return _form_page(None, _member_form())


@bp.post("/office/members")
def create_member() -> Response | Page:
    """Add a member (audited); the card code is generated."""
    form = MemberForm()
    _member_form(None, form)
    if not form.validate_on_submit():
        return _form_page(None, form, status=422)
    try:
        member = membership.add_member(_member_input(form), actor())
    except ServiceError as refused:
        return _form_page(None, form, _refused(refused), 422)
    flash(f"Member {member.number} added.")
    return redirect(url_for("members.view_member", member_id=member.id))


def _record_page(
    member: Member,
    error: str | None = None,
    status: int = 200,
    share_form: ShareForm | None = None,
) -> Page:
    return (
        render_template(
            "members/record.html",
            member=member,
            balance=membership.balance(member.id),
            movements=membership.movements(member.id),
            share_form=share_form or ShareForm(formdata=None),
            confirm_form=ConfirmForm(formdata=None),
            may_safeguard=membership.may_safeguard(actor().user_id),
            error=error,
        ),
        status,
    )


@bp.get("/office/members/<int:member_id>")
def view_member(member_id: int) -> Page:
    """A member's record in the office: details, share capital, card (no safeguarding data)."""
    return _record_page(membership.get_member(member_id))


@bp.get("/office/members/<int:member_id>/edit")
def edit_member(member_id: int) -> Page:
    """The form to change a member's record."""
    member = membership.get_member(member_id)
    return _form_page(member, _member_form(member))


@bp.post("/office/members/<int:member_id>")
def update_member(member_id: int) -> Response | Page:
    """Change a member's record (audited with before and after; contact details masked)."""
    member = membership.get_member(member_id)
    form = MemberForm()
    _member_form(member, form)
    if not form.validate_on_submit():
        return _form_page(member, form, status=422)
    try:
        membership.update_member(member_id, _member_input(form), actor())
    except ServiceError as refused:
        return _form_page(membership.get_member(member_id), form, _refused(refused), 422)
    flash("Member saved.")
    return redirect(url_for("members.view_member", member_id=member_id))


def _share_movement(member_id: int, kind: str) -> Response | Page:
    member = membership.get_member(member_id)
    form = ShareForm()
    if not form.validate_on_submit():
        return _record_page(member, status=422, share_form=form)
    amount = form.amount.data if isinstance(form.amount.data, int) else 0
    try:
        key = form.key.data or None
        if kind == "bought":
            membership.buy_shares(member_id, amount, form.note.data or "", actor(), key=key)
        else:
            membership.withdraw_shares(member_id, amount, form.note.data or "", actor(), key=key)
    except ServiceError as refused:
        db.session.rollback()
        message = _refused(refused)
        return _record_page(membership.get_member(member_id), message, 422, form)
    flash("Shares bought." if kind == "bought" else "Shares withdrawn.")
    return redirect(url_for("members.view_member", member_id=member_id))


@bp.post("/office/members/<int:member_id>/shares/buy")
def buy_shares(member_id: int) -> Response | Page:
    """Record shares bought."""
    return _share_movement(member_id, "bought")


@bp.post("/office/members/<int:member_id>/shares/withdraw")
def withdraw_shares(member_id: int) -> Response | Page:
    """Record shares withdrawn (never more than the balance)."""
    return _share_movement(member_id, "withdrawn")


@bp.post("/office/members/<int:member_id>/card")
def reissue_card(member_id: int) -> Response | Page:
    """Issue a new card code; the old card stops working at the till (audited)."""
    member = membership.get_member(member_id)
    if not ConfirmForm().validate_on_submit():
        return _record_page(member, "Reload the page and try again.", 422)
    membership.reissue_card(member_id, actor())
    flash("A new card was issued: the old card no longer works. Print the new one.")
    return redirect(url_for("members.view_member", member_id=member_id))


@bp.get("/office/members/<int:member_id>/card.pdf")
def print_card(member_id: int) -> Response:
    """The member's card as a PDF, to print."""
    member = membership.get_member(member_id)
    return Response(
        membership.card_pdf(member, g.shop.shop_name),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="member-card-{member.number}.pdf"'},
    )


# --- safeguarding ----------------------------------------------------------------------------


def _no_store(body: str, status: int = 200) -> Response:
    """Safeguarding pages are never cached by the browser, a proxy or htmx's history."""
    response = Response(body, status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/office/members/<int:member_id>/safeguarding")
def show_safeguarding(member_id: int) -> Response:
    """Ask why before showing anything; refused (and audited) without the permission."""
    member = membership.check_access(member_id, actor(), "open")
    return _no_store(render_template("members/safeguarding_reason.html", member=member, form=ReasonForm()))


@bp.post("/office/members/<int:member_id>/safeguarding/read")
def read_safeguarding(member_id: int) -> Response:
    """Show the record for the reason given; the read is audited with the reason, not the data."""
    member = membership.check_access(member_id, actor(), "read")
    form = ReasonForm()
    if not form.validate_on_submit():
        return _no_store(render_template("members/safeguarding_reason.html", member=member, form=form), 422)
    try:
        member, record = membership.read_record(member_id, form.reason.data or "", actor())
    except ServiceError as refused:
        message = _refused(refused)
        return _no_store(
            render_template("members/safeguarding_reason.html", member=member, form=form, error=message), 422
        )
    return _no_store(_safeguarding_page(member, record))


def _safeguarding_page(
    member: Member,
    record: SafeguardingRecord | None,
    form: SafeguardingForm | None = None,
    error: str | None = None,
) -> str:
    return render_template(
        "members/safeguarding.html",
        member=member,
        record=record,
        form=form or SafeguardingForm(formdata=None, obj=record),
        error=error,
    )


@bp.post("/office/members/<int:member_id>/safeguarding")
def update_safeguarding(member_id: int) -> Response:
    """Save the record; the audit row names the fields that changed, never their contents."""
    member = membership.check_access(member_id, actor(), "change")
    form = SafeguardingForm()
    if not form.validate_on_submit():
        return _no_store(_safeguarding_page(member, membership.record_for(member_id), form), 422)
    data = membership.SafeguardingInput(
        justice_involvement=bool(form.justice_involvement.data),
        programme_ref=form.programme_ref.data or "",
        referral_agency=form.referral_agency.data or "",
        support_notes=form.support_notes.data or "",
    )
    try:
        membership.change_record(member_id, data, actor())
    except ServiceError as refused:
        message = _refused(refused)
        return _no_store(_safeguarding_page(member, membership.record_for(member_id), form, message), 422)
    flash("Safeguarding record saved.")
    return redirect(url_for("members.view_member", member_id=member_id))
