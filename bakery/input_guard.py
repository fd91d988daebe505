"""Input no field may carry, refused in one place before any view runs; ids in URLs within range.

A NUL byte cannot be stored in a PostgreSQL text column (the driver raises, the request would
answer 500) and SQLite would store it silently; no person types control characters, and no field
of ours holds 10,000 characters. An id in a URL beyond the database's integer range would reach a
query and fail there, so the `int` converter does not match it and the address answers 404.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import UnprocessableEntity
from werkzeug.routing import IntegerConverter, ValidationError

from bakery.forms import MAX_ID

#: The longest value any one field, query argument or URL part may hold.
MAX_FIELD_CHARS = 10_000

#: C0 control characters other than tab, line feed and carriage return, and DEL.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

CONTROL_MESSAGE = (
    "Something sent with this form contains a control character (such as a NUL byte) that "
    "cannot be typed or stored. Nothing was saved: retype it and try again."
)
LENGTH_MESSAGE = (
    f"Something sent with this form is longer than {MAX_FIELD_CHARS:,} characters. "
    "Nothing was saved: shorten it and try again."
)


class IdConverter(IntegerConverter):
    """`<int:…>` in a route: ASCII digits naming an id from 1 to `MAX_ID`; anything else is 404."""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValidationError()
        return number


def _sent_text() -> Iterator[str]:
    """Every name and value the request carries: query arguments, form fields, URL parts, JSON."""
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            yield name
            yield value
    if request.is_json:
        yield from _json_text(request.get_json(silent=True))
    for value in (request.view_args or {}).values():
        if isinstance(value, str):
            yield value


def _json_text(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from _json_text(value)
    elif isinstance(data, list):
        for item in data:
            yield from _json_text(item)


def refusal() -> str | None:
    """Why this request's input is refused, or None when every value may be read.

    Rule: no value (nor field name) holds a C0 control character other than tab, CR and LF, or
    DEL, and none is longer than `MAX_FIELD_CHARS`.
    """
    for text in _sent_text():
        if len(text) > MAX_FIELD_CHARS:
            return LENGTH_MESSAGE
        if CONTROL_CHARS.search(text):
            return CONTROL_MESSAGE
    return None


def refuse_unreadable_input() -> Response | None:
    """Before each request: answer 422 with the reason when the input cannot be read."""
    message = refusal()
    if message is None:
        return None
    if request.is_json:
        response = jsonify(error=message)
        response.status_code = 422
        return response
    raise UnprocessableEntity(message)


def init_app(app: Flask) -> None:
    """Install the id converter (before the blueprints add their routes) and the input check."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_unreadable_input)
