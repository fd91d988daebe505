"""Email and password sign-in for the office and the member area."""

from __future__ import annotations

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import AuditEvent, User, UserSession
from tests.factories import PASSWORD, make_member, make_user, post, sign_in


def test_the_sign_in_page_is_served(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert "Sign in" in response.get_data(as_text=True)


def test_a_manager_signs_in_and_lands_in_the_office(client):
    manager = make_user("manager")
    response = sign_in(client, manager)
    assert response.status_code == 302
    assert response.headers["Location"] == "/office/"
    assert client.get("/office/").status_code == 200


def test_a_member_signs_in_and_lands_on_their_page(client):
    mia = make_user("member", name="Mia Member")
    member = make_member(mia, number="M-0101")
    response = sign_in(client, mia)
    assert response.headers["Location"] == "/me"
    assert client.get("/me").headers["Location"] == f"/members/{member.number}"
    assert "Mia Member" in client.get(f"/members/{member.number}").get_data(as_text=True)


def test_a_wrong_password_is_refused_counted_and_audited_without_the_password(client):
    manager = make_user("manager")
    response = sign_in(client, manager, "wrong password!")
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert db.session.get(User, manager.id).failed_attempts == 1
    assert db.session.scalar(select(UserSession.id)) is None
    details = " ".join(db.session.scalars(select(AuditEvent.details)))
    assert "wrong password!" not in details
    assert "auth.wrong_password" in db.session.scalars(select(AuditEvent.action)).all()


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client):
    response = post(client, "/sign-in", {"email": "nobody@example.test", "password": "whatever123"})
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)


def test_an_empty_form_is_refused_with_a_message(client):
    response = post(client, "/sign-in", {"email": "", "password": ""})
    assert response.status_code == 422
    assert "Enter your email" in response.get_data(as_text=True)


def test_five_wrong_passwords_lock_the_account(client):
    manager = make_user("manager")
    for _ in range(5):
        sign_in(client, manager, "not the password")
    response = sign_in(client, manager, PASSWORD)
    assert response.status_code == 401
    assert "locked out" in response.get_data(as_text=True)


def test_signing_out_revokes_the_session_on_the_server(client):
    manager = make_user("manager")
    sign_in(client, manager)
    cookie = client.get_cookie("bakery_session").value
    post(client, "/sign-out")
    assert client.get("/office/").status_code == 302
    client.set_cookie("bakery_session", cookie)
    assert client.get("/office/").status_code == 302
    assert db.session.scalar(select(UserSession.revoked_at)) is not None


def test_a_deactivated_user_is_signed_out_at_once(client):
    from bakery.services.audit import SYSTEM
    from bakery.services.auth import users

    manager = make_user("manager")
    sign_in(client, manager)
    users.set_active(manager.id, False, SYSTEM)
    assert client.get("/office/").status_code == 302


def test_next_never_leads_off_site(client):
    manager = make_user("manager")
    response = post(
        client, "/sign-in?next=https://evil.example/x", {"email": manager.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/office/"
