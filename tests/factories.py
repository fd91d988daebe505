"""Plain functions that make the rows tests need, through the services where one exists."""

from __future__ import annotations

from itertools import count

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bakery.models import Member, Till, User
from bakery.services.audit import SYSTEM
from bakery.services.auth import users
from bakery.services.till import tills
from tests.conftest import csrf_token

_numbers = count(1)
PASSWORD = "correct horse battery"


def make_user(
    role: str = "staff",
    *,
    name: str | None = None,
    pin: str | None = "1234",
    password: str | None = None,
) -> User:
    """A user; office roles get an email and password, till roles a PIN."""
    n = next(_numbers)
    email = None
    if role in ("admin", "manager", "member") or password:
        email = f"{role}{n}@example.test"
        password = password or PASSWORD
    return users.create_user(
        name or f"{role.title()} Person{n}",
        email,
        role,
        SYSTEM,
        password=password,
        pin=pin if role != "member" else None,
    )


def make_till(name: str | None = None) -> Till:
    """An active till."""
    return tills.create_till(name or f"Till {next(_numbers)}", "counter", SYSTEM)


def make_member(
    user: User | None = None, number: str | None = None, member_class: str = "customer"
) -> Member:
    """A member, linked to a login if given."""
    from datetime import date

    from bakery.services import members

    members.ensure_default_classes()
    return members.create_member(
        number or f"M-{next(_numbers):04d}",
        user.display_name if user else "Someone",
        member_class,
        SYSTEM,
        joined_on=date(2025, 1, 1),
        user_id=user.id if user else None,
    )


def post(
    client: FlaskClient, url: str, data: dict[str, str] | None = None, *, htmx: bool = False
) -> TestResponse:
    """POST as the page would: the CSRF token in the header htmx sends."""
    headers = {"X-CSRFToken": csrf_token(client)}
    if htmx:
        headers["HX-Request"] = "true"
    return client.post(url, data=data or {}, headers=headers)


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> TestResponse:
    """Sign in with email and password."""
    return post(client, "/sign-in", {"email": user.email or "", "password": password})


def pair(client: FlaskClient, till: Till, manager: User | None = None) -> None:
    """Pair the client's 'tablet' with a till, as a manager would."""
    from bakery.services.audit import Actor

    token = tills.pair_device(till.id, "test tablet", Actor(user_id=(manager or make_user("manager")).id))
    client.set_cookie("bakery_till", token)


def pin_in(client: FlaskClient, user: User, pin: str = "1234", *, htmx: bool = True) -> TestResponse:
    """Tap a tile and enter a PIN on a paired till."""
    return post(client, f"/till/staff/{user.id}/pin", {"pin": pin}, htmx=htmx)
