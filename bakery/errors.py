"""Error pages: full pages for browsers, fragments for htmx, the same words for both."""

from __future__ import annotations

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from bakery.extensions import db
from bakery.htmx import hx, is_htmx
from bakery.services.errors import ServiceError
from bakery.services.settings import current_settings

TITLES = {
    400: "That request could not be read",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    422: "That could not be done",
    500: "Something went wrong",
    503: "The database did not answer",
    507: "The disk is full",
}

DATABASE_LOST = "The till lost its connection to the database for a moment. Nothing was saved: try again."
DATABASE_BUSY = "The database is busy just now. Nothing was saved: try again in a moment."
DISK_FULL = (
    "The shop computer's disk is full, so nothing was saved. "
    "Tell a manager: it needs space before the till can take more sales."
)


def database_fault(error: OperationalError) -> tuple[int, str] | None:
    """What the person at the till should be told when the database fails under a request, or
    None when the failure is not one of the known kinds (then it is a crash like any other).

    Rule: every one of these happens before the commit succeeds, so nothing was written; the
    request's keys (basket, tender, form) make trying again safe."""
    message = str(error.orig).lower()
    if "disk is full" in message or "disk i/o error" in message or "no space left" in message:
        return 507, DISK_FULL
    if "database is locked" in message or "database is busy" in message:
        return 503, DATABASE_BUSY
    if error.connection_invalidated or db.engine.dialect.name == "postgresql":
        return 503, DATABASE_LOST
    return None


def render_error(status: int, message: str):  # type: ignore[no-untyped-def]
    """Render an error as a page, or as a fragment htmx swaps where the user is looking."""
    title = TITLES.get(status, "Error")
    if getattr(g, "shop", None) is None:
        g.shop = current_settings()  # an error raised before the request hooks ran (CSRF)
        g.device = g.till = None
    if is_htmx():
        return hx(
            render_template("errors/_error.html", status=status, title=title, message=message),
            status,
        )
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        app.logger.warning("CSRF refused: %s", error.description)
        return render_error(
            400,
            "This form has expired or was not sent from this site. Reload the page and try again.",
        )

    @app.errorhandler(ServiceError)
    def _service(error: ServiceError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        return render_error(error.status, error.message)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        status = error.code or 500
        message = (
            error.description
            if status in (403, 422)
            else {
                404: "There is nothing at this address.",
                405: "That action is not available here.",
            }.get(status, error.description or "")
        )
        return render_error(status, message)

    @app.errorhandler(OperationalError)
    def _database(error: OperationalError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        fault = database_fault(error)
        if fault is None:
            app.logger.exception("unhandled database error")
            return render_error(
                500, "Nothing was saved. Try again, and tell a manager if it keeps happening."
            )
        app.logger.warning("database fault (%s): %s", fault[0], error.orig)
        return render_error(*fault)

    @app.errorhandler(Exception)
    def _crash(error: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        app.logger.exception("unhandled error")
        return render_error(500, "Nothing was saved. Try again, and tell a manager if it keeps happening.")
