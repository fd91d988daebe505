"""Request glue for security: the paired till, the signed-in user, permissions, headers."""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, login_user, logout_user
from werkzeug.exceptions import Forbidden
from werkzeug.middleware.proxy_fix import ProxyFix

from bakery.extensions import db, login_manager
from bakery.htmx import hx, is_htmx
from bakery.models import Role, User
from bakery.permissions import PERMISSIONS, Access
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth import NewSession, session_for_token
from bakery.services.settings import current_settings
from bakery.services.till import device_for_token

DEVICE_COOKIE = "bakery_till"
SEEN_REFRESH_SECONDS = 10

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def device_cookie_name() -> str:
    """`__Host-` prefixed (and Secure) whenever the till is served over HTTPS."""
    return "__Host-" + DEVICE_COOKIE if request.is_secure else DEVICE_COOKIE


class TillSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, whose cookie is `Secure` and `__Host-` prefixed whenever the
    request came over HTTPS (directly, or through the configured proxy), whatever the config says."""

    def get_cookie_name(self, app: Flask) -> str:
        """`__Host-bakery_session` over HTTPS: only this host, path `/`, never sent in clear."""
        name = str(app.config["SESSION_COOKIE_NAME"])
        if request and request.is_secure and not name.startswith("__Host-"):
            return "__Host-" + name
        return name

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure over HTTPS, or always when `SESSION_COOKIE_SECURE` is set."""
        return bool(app.config["SESSION_COOKIE_SECURE"]) or bool(request and request.is_secure)


def trust_proxy(app: Flask) -> None:
    """Behind a reverse proxy, believe its X-Forwarded-For and X-Forwarded-Proto, and only as many
    hops as `PROXY_HOPS` says (0, the default: no forwarded header is believed at all). The proxy
    must overwrite, not append to, what the client sent; ProxyFix then reads the last values."""
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)  # type: ignore[method-assign]


def actor() -> Actor:
    """The current user, till and address, for audit records."""
    user_id = current_user.id if current_user.is_authenticated else None
    till = getattr(g, "till", None)
    return Actor(user_id, till.id if till else None, (request.remote_addr or "")[:64] or None)


def start_session(new: NewSession) -> None:
    """Replace the browser's session with a freshly issued one (a user switch is a new session)."""
    user = db.session.get(User, new.user_id)
    session.clear()
    session["sid"] = new.token
    session["kind"] = new.kind
    session["seen"] = int(time.time())
    session.permanent = new.kind == "office"
    login_user(user, remember=False)


def end_session() -> str | None:
    """Forget the session in this browser and return its token (the caller revokes it)."""
    token = session.get("sid")
    logout_user()
    session.clear()
    return token


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Trust a session only while its server-side row is live and, on a till, not idle too long."""
    found = session_for_token(session.get("sid"))
    if found is None or str(found.user_id) != user_id or not found.user.active:
        return None
    if found.kind != session.get("kind"):
        return None
    if found.kind == "till":
        device = getattr(g, "device", None)
        if device is None or device.till_id != found.till_id:
            return None
        idle = int(g.shop.till_idle_seconds or current_app.config["TILL_IDLE_SECONDS"])
        seen = int(session.get("seen", 0))
        now = int(time.time())
        if now - seen > idle:
            g.idle_locked = True
            return None
        if now - seen > SEEN_REFRESH_SECONDS:
            session["seen"] = now
    return found.user


def load_context() -> None:
    """Before each request: the shop's settings and the paired till, if this is a till."""
    if request.endpoint == "static":
        g.shop = g.device = g.till = None  # static files never touch the database
        return
    g.shop = current_settings()
    g.device = device_for_token(request.cookies.get(device_cookie_name()))
    g.till = g.device.till if g.device else None


#: The roles Access.STAFF admits when signed in with a password.
_STAFF_ROLES = frozenset({Role.STAFF, Role.MANAGER, Role.ADMIN})


def _allowed(access: Access) -> bool:
    if access is Access.PUBLIC:
        return True
    if access is Access.DEVICE:
        return g.device is not None
    if not current_user.is_authenticated:
        return False
    kind = session.get("kind")
    if access is Access.TILL:
        return kind == "till" and g.device is not None
    if access is Access.STAFF:
        if kind == "till":
            return g.device is not None
        return kind == "office" and current_user.role in _STAFF_ROLES
    if kind != "office":
        return False
    if access is Access.SIGNED_IN:
        return True
    if access is Access.MEMBER:
        return current_member_id() is not None
    if access is Access.MANAGER:
        return bool(current_user.is_manager)
    if access is Access.ADMIN:
        return bool(current_user.is_admin)
    return False  # pragma: no cover - every Access is handled above


def current_member_id() -> int | None:
    """The member record of the signed-in user, if they are a member."""
    from bakery.models import Member  # local: models import this module's dependencies

    if not current_user.is_authenticated:
        return None
    return db.session.scalar(db.select(Member.id).where(Member.user_id == current_user.id))


def enforce_permissions() -> Response | None:
    """Refuse any request the permission map does not admit; unknown endpoints are refused."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route matched: the 404 handler answers
    access = PERMISSIONS.get(endpoint)
    if access is None:
        current_app.logger.error("endpoint %s is missing from the permission map", endpoint)
        raise Forbidden("This page is not open to anyone yet.")
    if _allowed(access):
        return None
    if not current_user.is_authenticated and access is not Access.DEVICE:
        target = url_for("till.home") if access is Access.TILL else url_for("auth.sign_in", next=request.path)
        if is_htmx():
            return hx("", 200, redirect=target)
        return redirect(target)
    if access is Access.DEVICE:
        raise Forbidden("This device is not paired with a till. Ask a manager to pair it.")
    if current_user.is_authenticated and request.method not in ("GET", "HEAD"):
        # A refused write is worth a record; refused reads are audited by the areas that hold
        # sensitive data (audit on every GET would let a crawler fill the log).
        audit.record("access.denied", actor(), target=endpoint, details={"method": request.method})
        db.session.commit()
    raise Forbidden("You do not have permission to open this page.")


def security_headers(response: Response) -> Response:
    """Every response, fragments too: CSP without inline script, no framing, no sniffing."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("HX-Request")
        response.vary.add("Cookie")
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = f"max-age={int(current_app.config['HSTS_SECONDS'])}"
    return response


def init_app(app: Flask) -> None:
    """Install the request hooks in order: context, then permissions; headers on the way out."""
    trust_proxy(app)
    app.session_interface = TillSessionInterface()
    login_manager.init_app(app)
    login_manager.session_protection = None  # our server-side sessions do this job
    app.before_request(load_context)
    app.before_request(enforce_permissions)
    app.after_request(security_headers)
