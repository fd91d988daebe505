"""Our one wrapper around htmx-flask: fragments, out-of-band pieces and response headers."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template
from htmx_flask import make_response as htmx_make_response
from htmx_flask import request as htmx_request


def is_htmx() -> bool:
    """True when htmx made this request (and it does not want a full page)."""
    return bool(getattr(htmx_request, "htmx", False))


def fragments(*templates: str, **context: Any) -> str:
    """Render several templates into one response body (the first in band, the rest out of band)."""
    return "".join(render_template(name, **context) for name in templates)


def hx(
    body: str | Response,
    status: int = 200,
    *,
    trigger: str | dict[str, Any] | None = None,
    retarget: str | None = None,
    reswap: str | None = None,
    redirect: str | None = None,
) -> Response:
    """A response with htmx headers.

    `reswap` is set by hand: htmx-flask 0.1 rejects valid values such as `afterbegin` (a missing
    comma in its list of swaps).
    """
    response = htmx_make_response(body, status, trigger=trigger, retarget=retarget, redirect=redirect)
    if reswap:
        response.headers["HX-Reswap"] = reswap
    response.vary.add("HX-Request")
    return response
