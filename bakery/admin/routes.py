"""The back office: tills and pairing, the audit log, users and roles, settings."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from bakery.admin.forms import (
    AuditFilterForm,
    PairForm,
    PasswordChangeForm,
    PinChangeForm,
    RoleForm,
    SettingsForm,
    TillForm,
    UserForm,
)
from bakery.extensions import db
from bakery.formatting import local_time, money, rate
from bakery.forms import page_number, parse_id
from bakery.members.forms import SafeguardPermissionForm
from bakery.models import Till, TillDevice, User
from bakery.security import actor, device_cookie_name, end_session
from bakery.services import audit, auth, members, settings
from bakery.services import till as till_services
from bakery.services.audit import Formats, describe_events, verify_audit_chain
from bakery.services.errors import NotFound, ServiceError

bp = Blueprint("admin", __name__)


@bp.get("/office/")
def dashboard() -> str:
    """The manager's start page."""
    return render_template("admin/dashboard.html")


def _tills_page(form: TillForm | None = None, error: str | None = None, status: int = 200) -> tuple[str, int]:
    all_tills = list(db.session.scalars(select(Till).order_by(Till.name)))
    devices = list(db.session.scalars(select(TillDevice).order_by(TillDevice.paired_at.desc())))
    return (
        render_template(
            "admin/tills.html",
            tills=all_tills,
            devices=devices,
            form=form or TillForm(formdata=None),
            pair_form=PairForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.get("/office/tills")
def list_tills() -> tuple[str, int]:
    """Tills, the tablets paired with them, and pairing this one."""
    return _tills_page()


@bp.post("/office/tills")
def create_till() -> Response | tuple[str, int]:
    """Add a till."""
    form = TillForm()
    if not form.validate_on_submit():
        return _tills_page(form, status=422)
    try:
        till = till_services.create_till(form.name.data or "", form.location.data or "", actor())
    except ServiceError as refused:
        return _tills_page(form, refused.message, 422)
    flash(f"Till {till.name} added.")
    return redirect(url_for("admin.list_tills"))


@bp.post("/office/tills/<int:till_id>/pair")
def pair_device(till_id: int) -> Response | tuple[str, int]:
    """Pair the tablet this manager is using with a till; it then shows the staff tiles."""
    form = PairForm()
    if not form.validate_on_submit():
        return _tills_page(status=422)
    who = actor()
    token = till_services.pair_device(till_id, form.label.data or "", who)
    # The manager's office session ends here: the tablet now belongs to the till's staff.
    auth.sign_out(end_session(), who)
    flash("This tablet is now a till. Staff tap their name to start.")
    response = redirect(url_for("till.home"))
    response.set_cookie(
        device_cookie_name(),
        token,
        max_age=int(current_app.config["TILL_DEVICE_COOKIE_DAYS"]) * 24 * 3600,
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
        path="/",
    )
    return response


@bp.post("/office/devices/<int:device_id>/revoke")
def revoke_device(device_id: int) -> Response:
    """Unpair a tablet."""
    device = till_services.revoke_device(device_id, actor())
    flash(f"Tablet {device.label} unpaired from {device.till.name}.")
    return redirect(url_for("admin.list_tills"))


def _parse_day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/office/audit")
def audit_log() -> tuple[str, int]:
    """The audit log, newest first, filtered by action, person and dates."""
    form = AuditFilterForm(request.args)
    people = list(db.session.scalars(select(User).order_by(User.display_name)))
    form.user.choices = {"": "Anyone"} | {str(u.id): u.display_name for u in people}
    status = 200
    if request.args and not form.validate():
        status = 422
    page = audit.find_events(
        action_prefix=(form.action.data or "").strip() if status == 200 else "",
        actor_id=parse_id(form.user.data) if status == 200 else None,
        day_from=_parse_day(form.day_from.data) if status == 200 else None,
        day_to=_parse_day(form.day_to.data) if status == 200 else None,
        timezone=g.shop.timezone,
        page=request.args.get("page", 1, type=page_number),
    )
    told = describe_events(page.events, Formats(money, rate, lambda at: local_time(at, "d MMM HH:mm")))
    return render_template("admin/audit.html", form=form, page=page, told=told), status


@bp.get("/office/ledger")
def show_ledger() -> str:
    """Each till's hash chain and the audit log's chain, recomputed now: intact, or the first bad row."""
    states = [(state, till_services.describe_fault(state)) for state in till_services.verify_all()]
    return render_template("admin/ledger.html", states=states, audit_fault=verify_audit_chain())


@bp.route("/admin/settings", methods=["GET", "POST"])
def edit_settings() -> Response | tuple[str, int]:
    """The shop's settings (admin); every change is audited."""
    form = SettingsForm(obj=g.shop)
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("admin/settings.html", form=form), 422
        try:
            settings.update_settings({k: getattr(form, k).data for k in settings.EDITABLE}, actor())
        except ServiceError as refused:
            return render_template("admin/settings.html", form=form, error=refused.message), 422
        flash("Settings saved.")
        return redirect(url_for("admin.edit_settings"))
    return render_template("admin/settings.html", form=form), 200


def _users_page(form: UserForm | None = None, error: str | None = None, status: int = 200) -> tuple[str, int]:
    people = list(db.session.scalars(select(User).order_by(User.role, User.display_name)))
    return render_template(
        "admin/users.html", users=people, form=form or UserForm(formdata=None), error=error
    ), status


@bp.get("/admin/users")
def list_users() -> tuple[str, int]:
    """Everyone who can sign in, with their role and lock state."""
    return _users_page()


@bp.post("/admin/users")
def create_user() -> Response | tuple[str, int]:
    """Add a user."""
    form = UserForm()
    if not form.validate_on_submit():
        return _users_page(form, status=422)
    try:
        user = auth.create_user(
            form.display_name.data or "",
            form.email.data,
            form.role.data or "",
            actor(),
            password=form.password.data or None,
            pin=form.pin.data or None,
        )
    except ServiceError as refused:
        return _users_page(form, refused.message, 422)
    flash(f"{user.display_name} added.")
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("That user does not exist.")
    return user


def _user_page(user: User, error: str | None = None, status: int = 200, **forms: object) -> tuple[str, int]:
    return (
        render_template(
            "admin/user.html",
            user=user,
            role_form=forms.get("role_form") or RoleForm(formdata=None, obj=user),
            pin_form=forms.get("pin_form") or PinChangeForm(formdata=None),
            password_form=forms.get("password_form") or PasswordChangeForm(formdata=None),
            safeguard_form=SafeguardPermissionForm(formdata=None, allowed=user.can_safeguard),
            error=error,
        ),
        status,
    )


@bp.get("/admin/users/<int:user_id>")
def edit_user(user_id: int) -> tuple[str, int]:
    """One user: role, active, PIN and password."""
    return _user_page(_user_or_404(user_id))


@bp.post("/admin/users/<int:user_id>")
def update_user(user_id: int) -> Response | tuple[str, int]:
    """Change role and active flag (both audited)."""
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, status=422, role_form=form)
    try:
        auth.change_role(user.id, form.role.data or "", actor())
        auth.set_active(user.id, bool(form.active.data), actor())
    except ServiceError as refused:
        db.session.rollback()
        return _user_page(user, refused.message, 422, role_form=form)
    flash("Saved.")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/pin")
def set_user_pin(user_id: int) -> Response | tuple[str, int]:
    """Set a till PIN."""
    user = _user_or_404(user_id)
    form = PinChangeForm()
    if not form.validate_on_submit():
        return _user_page(user, status=422, pin_form=form)
    auth.set_pin(user.id, form.pin.data or "", actor())
    flash("PIN changed.")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/password")
def set_user_password(user_id: int) -> Response | tuple[str, int]:
    """Set a password."""
    user = _user_or_404(user_id)
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _user_page(user, status=422, password_form=form)
    try:
        auth.set_password(user.id, form.password.data or "", actor())
    except ServiceError as refused:
        return _user_page(user, refused.message, 422, password_form=form)
    flash("Password changed.")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/safeguarding")
def set_user_safeguarding(user_id: int) -> Response | tuple[str, int]:
    """Grant or revoke the safeguarding permission on another admin (audited)."""
    user = _user_or_404(user_id)
    form = SafeguardPermissionForm()
    if not form.validate_on_submit():
        return _user_page(user, status=422)
    try:
        members.set_permission(user.id, bool(form.allowed.data), actor())
    except ServiceError as refused:
        db.session.rollback()
        return _user_page(user, refused.message, 422)
    flash("Safeguarding permission saved.")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.post("/office/users/<int:user_id>/unlock")
def unlock_user(user_id: int) -> Response:
    """Lift a lock-out (a manager vouching for the person at the till)."""
    user = auth.unlock(user_id, actor())
    flash(f"{user.display_name} can sign in again.")
    return redirect(
        request.referrer
        if request.referrer and request.referrer.startswith(request.host_url)
        else url_for("admin.dashboard")
    )
