"""Every endpoint is in the permission map, and the map is enforced."""

from __future__ import annotations

import pytest

from bakery.permissions import PERMISSIONS, Access
from tests.factories import make_member, make_till, make_user, pair, pin_in, sign_in

MANAGER_PAGES = ["/office/", "/office/tills", "/office/audit"]
ADMIN_PAGES = ["/admin/settings", "/admin/users"]


def test_every_endpoint_in_the_url_map_is_in_the_permission_map(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - PERMISSIONS.keys())
    assert missing == [], f"add these endpoints to bakery/permissions.py: {missing}"


def test_the_permission_map_names_no_endpoint_that_does_not_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(PERMISSIONS.keys() - endpoints) == []


def test_an_endpoint_missing_from_the_map_is_refused(app, client):
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert client.get("/forgotten").status_code == 403


@pytest.mark.parametrize("path", MANAGER_PAGES + ADMIN_PAGES + ["/me"])
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_htmx_requests_when_signed_out_are_redirected_by_header(client):
    response = client.get("/office/tills", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/sign-in")


@pytest.mark.parametrize("path", MANAGER_PAGES + ADMIN_PAGES)
def test_a_member_cannot_open_office_pages(client, path):
    mia = make_user("member")
    make_member(mia)
    sign_in(client, mia)
    response = client.get(path)
    assert response.status_code == 403
    assert "permission" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_a_manager_cannot_open_admin_pages(client, path):
    sign_in(client, make_user("manager"))
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", MANAGER_PAGES + ADMIN_PAGES)
def test_an_admin_opens_every_office_page(client, path):
    sign_in(client, make_user("admin"))
    assert client.get(path).status_code == 200


def test_staff_signed_in_on_a_till_get_403_on_manager_pages(client):
    ada = make_user("staff")
    pair(client, make_till())
    pin_in(client, ada)
    assert client.get("/office/tills").status_code == 403


def test_till_endpoints_need_a_paired_device(client):
    ada = make_user("staff")
    assert client.get(f"/till/staff/{ada.id}").status_code == 403


def test_access_levels_are_all_used():
    assert set(PERMISSIONS.values()) == set(Access)
