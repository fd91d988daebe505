"""Headers on every response, CSRF on every POST, and no GET that writes."""

from __future__ import annotations

import time

import itsdangerous
import pytest
from sqlalchemy import inspect, text

from bakery.extensions import db
from tests.conftest import csrf_token
from tests.factories import make_member, make_till, make_user, pair, pin_in, sign_in

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def assert_secure_headers(response):
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value


def test_pages_fragments_errors_and_static_files_carry_the_security_headers(client):
    ada = make_user("staff")
    pair(client, make_till())
    responses = [
        client.get("/sign-in"),
        client.get("/till/"),
        client.get(f"/till/staff/{ada.id}", headers={"HX-Request": "true"}),
        client.get("/nowhere"),
        client.get("/nowhere", headers={"HX-Request": "true"}),
        client.get("/static/css/bakery.css"),
        pin_in(client, ada, "12"),
    ]
    for response in responses:
        assert_secure_headers(response)
        response.close()


def test_an_htmx_error_is_a_fragment_not_a_page(client):
    response = client.get("/nowhere", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<html" not in body and "error-box" in body


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(client):
    from bakery.models import Till

    admin = make_user("admin")
    sign_in(client, admin)
    before = db.session.query(Till).count()
    response = client.post("/office/tills", data={"name": "Sneaky"})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert db.session.query(Till).count() == before


def test_a_post_with_a_forged_token_is_refused(client):
    sign_in(client, make_user("admin"))
    response = client.post("/office/tills", data={"name": "X"}, headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400


def test_a_till_page_open_for_hours_can_still_post(client, monkeypatch):
    ada = make_user("staff")
    pair(client, make_till())
    token = csrf_token(client)
    later = time.time() + 9 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    response = client.post(
        f"/till/staff/{ada.id}/pin",
        data={"pin": "1234"},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/till/sell"


def snapshot() -> dict[str, list[tuple]]:
    tables = inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        return {t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr) for t in tables}


def get_paths(app) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments:
            paths.append(rule.rule)
    return paths


@pytest.mark.parametrize("who", ["admin", "member", "staff"])
def test_no_get_changes_the_database(app, client, who):
    user = make_user(who)
    make_member(user)
    till = make_till()
    pair(client, till)
    if who == "staff":
        pin_in(client, user)
    else:
        sign_in(client, user)
    before = snapshot()
    for path in get_paths(app):
        client.get(path)
        client.get(path, headers={"HX-Request": "true"})
    client.get(f"/till/staff/{user.id}")
    client.get("/members/M-9999")
    assert snapshot() == before
