"""PIN sign-in on a paired till: pairing, lock-outs, switching users, the idle lock."""

from __future__ import annotations

import time

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import AuditEvent, User, UserSession
from tests.factories import make_till, make_user, pair, pin_in, post


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_a_paired_tablet_shows_the_staff_tiles(client):
    ada = make_user("staff", name="Ada Baker")
    pair(client, make_till("Counter"))
    page = client.get("/till/").get_data(as_text=True)
    assert "Who is serving?" in page
    assert f"/till/staff/{ada.id}" in page
    assert "Counter" in page


def test_an_unpaired_tablet_is_told_to_ask_a_manager(client):
    make_user("staff")
    page = client.get("/till/").get_data(as_text=True)
    assert "not a till yet" in page


def test_a_pin_on_an_unpaired_device_is_refused_whatever_it_is(client):
    ada = make_user("staff", pin="4321")
    response = pin_in(client, ada, "4321")
    assert response.status_code == 403
    assert "not paired" in response.get_data(as_text=True)
    assert db.session.scalar(select(UserSession.id)) is None
    assert db.session.get(User, ada.id).failed_attempts == 0


def test_a_revoked_device_no_longer_accepts_pins(client, app):
    from bakery.models import TillDevice
    from bakery.services.audit import SYSTEM
    from bakery.services.till import tills

    ada = make_user("staff")
    pair(client, make_till())
    device = db.session.scalar(select(TillDevice))
    tills.revoke_device(device.id, SYSTEM)
    assert pin_in(client, ada).status_code == 403


def test_the_right_pin_opens_a_till_session(client):
    ada = make_user("staff")
    pair(client, make_till())
    response = pin_in(client, ada)
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/till/sell"
    page = client.get("/till/sell")
    assert page.status_code == 200
    assert ada.first_name in page.get_data(as_text=True)
    assert "auth.signed_in" in _actions()


def test_a_wrong_length_pin_is_refused_without_counting(client):
    ada = make_user("staff")
    pair(client, make_till())
    response = pin_in(client, ada, "12")
    assert response.status_code == 422
    assert "4 to 6 digits" in response.get_data(as_text=True)
    assert db.session.get(User, ada.id).failed_attempts == 0


def test_five_wrong_pins_lock_the_user_and_the_sixth_is_refused_even_if_right(client):
    ada = make_user("staff", pin="1234")
    pair(client, make_till())
    for attempt in range(1, 6):
        response = pin_in(client, ada, "9999")
        assert response.status_code == 401, attempt
    assert "locked out" in response.get_data(as_text=True)
    sixth = pin_in(client, ada, "1234")
    assert sixth.status_code == 401
    assert "locked out" in sixth.get_data(as_text=True)
    assert client.get("/till/sell").status_code == 302
    actions = _actions()
    assert actions.count("auth.wrong_pin") == 5
    assert "auth.locked" in actions
    assert "auth.refused_locked" in actions
    details = " ".join(db.session.scalars(select(AuditEvent.details)))
    assert "9999" not in details and "1234" not in details


def test_the_lock_doubles_the_second_time(client):
    from datetime import timedelta

    from bakery.models.types import utcnow

    ada = make_user("staff", pin="1234")
    pair(client, make_till())
    for _ in range(5):
        pin_in(client, ada, "9999")
    first = db.session.get(User, ada.id)
    db.session.refresh(first)
    first_length = first.locked_until - utcnow()
    assert timedelta(minutes=4) < first_length <= timedelta(minutes=5)
    first.locked_until = utcnow() - timedelta(seconds=1)  # the first lock has run out
    db.session.commit()
    for _ in range(5):
        pin_in(client, ada, "9999")
    second = db.session.get(User, ada.id)
    db.session.refresh(second)
    second_length = second.locked_until - utcnow()
    assert timedelta(minutes=9) < second_length <= timedelta(minutes=10)
    assert second.lockouts == 2


def test_a_user_switch_issues_a_new_session_and_the_old_cookie_stops_working(client, app):
    ada = make_user("staff", pin="1111")
    ben = make_user("staff", pin="2222")
    pair(client, make_till())
    pin_in(client, ada, "1111")
    old_cookie = client.get_cookie("bakery_session").value
    pin_in(client, ben, "2222")
    assert client.get_cookie("bakery_session").value != old_cookie
    assert ben.first_name in client.get("/till/sell").get_data(as_text=True)
    sessions = list(db.session.scalars(select(UserSession).order_by(UserSession.id)))
    assert sessions[0].revoked_at is not None and sessions[1].revoked_at is None
    # Someone replays Ada's old cookie: the server has revoked it.
    client.set_cookie("bakery_session", old_cookie)
    assert client.get("/till/sell").status_code == 302


def test_locking_the_till_revokes_the_session(client):
    ada = make_user("staff")
    pair(client, make_till())
    pin_in(client, ada)
    cookie = client.get_cookie("bakery_session").value
    assert post(client, "/till/lock", htmx=True).headers["HX-Redirect"] == "/till/"
    client.set_cookie("bakery_session", cookie)
    assert client.get("/till/sell").status_code == 302


def test_the_till_locks_itself_after_the_idle_time(client):
    ada = make_user("staff")
    pair(client, make_till())
    pin_in(client, ada)
    assert client.get("/till/sell").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - 181
    response = client.get("/till/sell")
    assert response.status_code == 302
    assert response.headers["Location"] == "/till/"
    assert "locked itself" in client.get("/till/").get_data(as_text=True)


def test_staff_on_a_till_cannot_open_manager_pages(client):
    ada = make_user("staff")
    pair(client, make_till())
    pin_in(client, ada)
    assert client.get("/office/tills").status_code in (302, 403)


def test_a_manager_pin_session_does_not_open_the_back_office(client):
    manager = make_user("manager", pin="8080")
    pair(client, make_till())
    pin_in(client, manager, "8080")
    response = client.get("/office/tills")
    assert response.status_code == 403
