"""Behind the shop's TLS proxy: forwarded headers believed only from the configured hops, cookies
`Secure` and `__Host-` prefixed and HSTS sent over HTTPS, and nothing of the kind over plain HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bakery import create_app
from bakery.extensions import db
from bakery.models import AuditEvent
from tests.conftest import CSRF_IN_PAGE, RequestIsolatedClient, base_config
from tests.factories import PASSWORD, make_till, make_user

FORWARDED_HTTPS = {
    "HTTP_X_FORWARDED_PROTO": "https",
    # A client's own X-Forwarded-For, then the address the proxy saw (the proxy overwrites it in
    # deploy/nginx; a proxy that appends would send both).
    "HTTP_X_FORWARDED_FOR": "6.6.6.6, 192.168.1.23",
    "HTTP_REFERER": "https://localhost/",
    "REMOTE_ADDR": "127.0.0.1",
}


def app_with(database_url: str, tmp_path: Path, **extra: object) -> Iterator[Flask]:
    app = create_app(base_config(database_url, tmp_path) | extra)
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def proxied(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app as deploy/ runs it: one proxy hop believed."""
    yield from app_with(database_url, tmp_path, PROXY_HOPS=1)


@pytest.fixture
def direct(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with the default: no proxy believed."""
    yield from app_with(database_url, tmp_path)


def set_cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each Set-Cookie header by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def sign_in_and_pair(client: FlaskClient) -> tuple[dict[str, str], dict[str, str]]:
    """A manager signs in with a password and pairs this tablet; the Set-Cookie headers of both."""
    manager = make_user("manager")
    till = make_till()
    token = CSRF_IN_PAGE.search(client.get("/sign-in").get_data(as_text=True))
    assert token
    headers = {"X-CSRFToken": token.group(1)}
    signed_in = client.post("/sign-in", data={"email": manager.email, "password": PASSWORD}, headers=headers)
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)
    page = client.get("/office/tills").get_data(as_text=True)
    token = CSRF_IN_PAGE.search(page)
    assert token
    paired = client.post(
        f"/office/tills/{till.id}/pair",
        data={"label": "Counter tablet"},
        headers={"X-CSRFToken": token.group(1)},
    )
    assert paired.status_code == 302, paired.get_data(as_text=True)
    return set_cookies(signed_in), set_cookies(paired)


def test_behind_the_proxy_over_https_cookies_are_secure_host_prefixed_and_hsts_is_sent(proxied):
    client = proxied.test_client()
    client.environ_base.update(FORWARDED_HTTPS)
    page = client.get("/sign-in")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
    session_cookies, pair_cookies = sign_in_and_pair(client)

    session = session_cookies["__Host-bakery_session"]
    assert "; Secure" in session and "; HttpOnly" in session and "; Path=/" in session
    assert "SameSite=Strict" in session and "Domain=" not in session
    device = pair_cookies["__Host-bakery_till"]
    assert "; Secure" in device and "; HttpOnly" in device and "; Path=/" in device
    assert "SameSite=Strict" in device and "Domain=" not in device
    assert "bakery_session" not in session_cookies and "bakery_till" not in pair_cookies

    # The paired tablet, still over HTTPS, is a till: its staff tiles show.
    assert "Who is serving?" in client.get("/till/").get_data(as_text=True)


def test_behind_the_proxy_only_the_address_the_proxy_saw_is_believed(proxied):
    client = proxied.test_client()
    client.environ_base.update(FORWARDED_HTTPS)
    sign_in_and_pair(client)
    addresses = {e.address for e in db.session.query(AuditEvent).all()}
    assert "192.168.1.23" in addresses
    assert "6.6.6.6" not in addresses and "127.0.0.1" not in addresses


def test_without_a_configured_proxy_forwarded_headers_are_ignored(direct):
    client = direct.test_client()
    client.environ_base.update(FORWARDED_HTTPS)
    page = client.get("/sign-in")
    assert "Strict-Transport-Security" not in page.headers
    session_cookies, pair_cookies = sign_in_and_pair(client)
    assert "; Secure" not in session_cookies["bakery_session"]
    assert "; Secure" not in pair_cookies["bakery_till"]
    addresses = {e.address for e in db.session.query(AuditEvent).all()}
    assert addresses <= {"127.0.0.1", None}


def test_over_plain_http_behind_the_proxy_cookies_are_not_secure_and_no_hsts(proxied):
    client = proxied.test_client()
    client.environ_base.update(FORWARDED_HTTPS | {"HTTP_X_FORWARDED_PROTO": "http", "HTTP_REFERER": ""})
    page = client.get("/sign-in")
    assert "Strict-Transport-Security" not in page.headers
    session_cookies, _ = sign_in_and_pair(client)
    assert "; Secure" not in session_cookies["bakery_session"]


def test_served_over_https_directly_the_cookies_are_secure_too(direct):
    direct.config["PREFERRED_URL_SCHEME"] = "https"  # the test client's requests are https://localhost/
    client = direct.test_client()
    client.environ_base.update({"HTTP_REFERER": "https://localhost/"})
    assert client.get("/sign-in").headers["Strict-Transport-Security"].startswith("max-age=")
    session_cookies, pair_cookies = sign_in_and_pair(client)
    assert "; Secure" in session_cookies["__Host-bakery_session"]
    assert "; Secure" in pair_cookies["__Host-bakery_till"]
