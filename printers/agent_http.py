"""How the print agent talks to the server: JSON over HTTPS with the printer's token, to that one
address only (no redirect is followed, no proxy is used), with the shop's own CA where it has one,
and never reading more of an answer than a print job can need."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import IO, Any, Protocol

from printers.limits import MAX_ANSWER_BYTES

# The header naming the job a claim's answer carries, readable before its (maybe too big) body.
JOB_HEADER = "X-Print-Job"


class AgentError(Exception):
    """The server could not be talked to (unreachable, 5xx, a redirect, nonsense); worth retrying."""


class AgentAuthError(AgentError):
    """The server refused the token (401/403): retrying will not help."""


class AgentRefused(AgentError):
    """The server refused this one request (404, 409, 400…): sending it again will not help."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class AnswerTooLarge(AgentError):
    """The answer is bigger than any print job may be; ``job_id`` is the job it named, if any."""

    def __init__(self, message: str, job_id: int | None) -> None:
        super().__init__(message)
        self.job_id = job_id


class Opener(Protocol):
    """Anything with urllib's ``OpenerDirector.open`` shape; tests pass a fake one."""

    def open(self, fullurl: urllib.request.Request, data: None = None, timeout: float = ...) -> Any:
        """Send the request; raise urllib.error.HTTPError for error statuses."""
        ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Follow no redirect: the token must never travel to an address the shop did not give."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> None:
        """Refuse; urllib then raises the 3xx as an HTTPError."""
        return None


def check_server(server: str, insecure_http: bool) -> str:
    """The server's base URL without a trailing slash; ValueError unless it is https (or http
    with ``insecure_http``, for a test bench) with a host."""
    parts = urllib.parse.urlsplit(server)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"server must be an https:// URL, not {server!r}")
    if parts.scheme == "http" and not insecure_http:
        raise ValueError(
            f"refusing {server}: the token would cross the network in clear. "
            "Use https:// (with --cafile for the shop's own CA), or --insecure-http on a test bench"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"server must be a plain address like https://till.shop.lan, not {server!r}")
    return server.rstrip("/")


def build_opener(cafile: str | None = None) -> urllib.request.OpenerDirector:
    """An opener that follows no redirect, ignores proxy settings and, with ``cafile``, trusts
    only that CA (the shop's own) for HTTPS."""
    context = ssl.create_default_context(cafile=cafile)
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _NoRedirect(),
        urllib.request.HTTPSHandler(context=context),
    )


def _job_named(headers: Any) -> int | None:
    get = getattr(headers, "get", None)
    text = str(get(JOB_HEADER) or "").strip() if get is not None else ""
    return int(text) if text.isdigit() and len(text) < 19 else None


def _read_capped(response: Any, limit: int) -> bytes:
    headers = getattr(response, "headers", None)
    declared = headers.get("Content-Length") if headers is not None else None
    if declared is not None and str(declared).strip().isdigit() and int(declared) > limit:
        raise AnswerTooLarge(
            f"the server's answer is {int(declared)} bytes, over {limit}", _job_named(headers)
        )
    body: bytes = response.read(limit + 1)
    if len(body) > limit:
        raise AnswerTooLarge(f"the server's answer is over {limit} bytes", _job_named(headers))
    return body


def post_json(
    opener: Opener,
    url: str,
    token: str,
    body: Mapping[str, Any],
    timeout: float,
    limit: int = MAX_ANSWER_BYTES,
) -> Any:
    """POST ``body`` as JSON with the Bearer token and return the parsed answer.

    Raises AgentAuthError (401/403), AgentRefused (other 4xx), AnswerTooLarge, or AgentError
    (unreachable, 3xx, 5xx, not JSON).
    """
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked by check_server
        url,
        data=json.dumps(body).encode("utf-8"),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    path = urllib.parse.urlsplit(url).path
    try:
        with opener.open(request, timeout=timeout) as response:
            payload = _read_capped(response, limit)
    except urllib.error.HTTPError as error:
        error.close()
        if error.code in (401, 403):
            raise AgentAuthError(
                f"the server refused this printer's token ({error.code}): "
                "check the token, or whether the printer was removed"
            ) from None
        if 300 <= error.code < 400:
            where = error.headers.get("Location", "?") if error.headers is not None else "?"
            raise AgentError(
                f"the server answered {error.code} to {path}, redirecting to {where}; not followed "
                "(give the server's own address)"
            ) from None
        if 400 <= error.code < 500 and error.code not in (408, 425, 429):
            raise AgentRefused(f"the server refused {path} ({error.code})", error.code) from None
        raise AgentError(f"server answered {error.code} to {path}") from None
    except AgentError:
        raise
    except (urllib.error.URLError, OSError) as error:
        raise AgentError(f"server unreachable at {url}: {error}") from None
    try:
        return json.loads(payload or b"{}")
    except ValueError:
        raise AgentError(f"server sent something that is not JSON for {path}") from None
