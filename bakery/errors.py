"""Error pages: full pages for browsers, fragments for htmx, the same words for both."""

from __future__ import annotations

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
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
}


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

    @app.errorhandler(Exception)
    def _crash(error: Exception):  # type: ignore[no-untyped-def]
        db.session.rollback()
        app.logger.exception("unhandled error")
        return render_error(500, "Nothing was saved. Try again, and tell a manager if it keeps happening.")
