"""Safeguarding data: only admins holding the permission, every read and change audited without
the data, and the data nowhere else (lists, search, CSV, pages, the audit log, the session)."""

from __future__ import annotations

import json

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import SafeguardingRecord, User
from tests.app.members.helpers import (
    NOTES,
    SECRETS,
    admin_in,
    all_audit_details,
    audit_actions,
    member_with_record,
)
from tests.factories import make_member, make_user, post, sign_in


def test_a_manager_is_refused_and_the_attempt_is_audited(client):
    member = member_with_record()
    manager = make_user("manager")
    sign_in(client, manager)
    response = client.get(f"/office/members/{member.id}/safeguarding")
    assert response.status_code == 403
    denied = audit_actions("safeguarding.denied")
    assert [(e.actor_id, e.target) for e in denied] == [(manager.id, f"member:{member.id}")]
    read = post(client, f"/office/members/{member.id}/safeguarding/read", {"reason": "curious, really"})
    assert read.status_code == 403
    assert NOTES not in read.get_data(as_text=True)
    assert len(audit_actions("safeguarding.denied")) == 2


def test_an_admin_without_the_permission_is_refused_and_audited(client):
    member = member_with_record()
    admin = admin_in(client)
    page = client.get(f"/office/members/{member.id}/safeguarding")
    assert page.status_code == 403
    change = post(
        client,
        f"/office/members/{member.id}/safeguarding",
        {"programme_ref": "X", "referral_agency": "", "support_notes": "overwritten"},
    )
    assert change.status_code == 403
    assert db.session.scalar(select(SafeguardingRecord.support_notes)) == NOTES
    denied = audit_actions("safeguarding.denied")
    assert [json.loads(e.details)["attempted"] for e in denied] == ["open", "change"]
    assert all(e.actor_id == admin.id for e in denied)


def test_a_holder_gives_a_reason_then_sees_the_data_and_the_audit_row_holds_no_data(client):
    member = member_with_record()
    admin = admin_in(client, can_safeguard=True)
    ask = client.get(f"/office/members/{member.id}/safeguarding")
    assert ask.status_code == 200
    assert NOTES not in ask.get_data(as_text=True)
    assert audit_actions("safeguarding.read") == []
    response = post(
        client, f"/office/members/{member.id}/safeguarding/read", {"reason": "support review meeting"}
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert all(secret in body for secret in SECRETS)
    assert response.headers["Cache-Control"] == "no-store"
    [read] = audit_actions("safeguarding.read")
    assert (read.actor_id, read.target) == (admin.id, f"member:{member.id}")
    assert json.loads(read.details) == {"reason": "support review meeting"}
    assert not any(secret in all_audit_details() for secret in SECRETS)


def test_a_read_without_a_reason_shows_nothing_and_is_not_a_read(client):
    member = member_with_record()
    admin_in(client, can_safeguard=True)
    response = post(client, f"/office/members/{member.id}/safeguarding/read", {"reason": "  "})
    assert response.status_code == 422
    assert NOTES not in response.get_data(as_text=True)
    assert audit_actions("safeguarding.read") == []


def test_a_change_is_audited_with_the_fields_changed_and_never_their_contents(client):
    member = make_member(number="M-0100")
    admin_in(client, can_safeguard=True)
    created = post(
        client,
        f"/office/members/{member.id}/safeguarding",
        {"justice_involvement": "y", "programme_ref": "PRG-1", "referral_agency": "", "support_notes": NOTES},
    )
    assert created.status_code == 302
    changed = post(
        client,
        f"/office/members/{member.id}/safeguarding",
        {"justice_involvement": "y", "programme_ref": "PRG-2", "referral_agency": "", "support_notes": NOTES},
    )
    assert changed.status_code == 302
    record = db.session.scalar(select(SafeguardingRecord))
    assert (record.justice_involvement, record.programme_ref, record.support_notes) == (True, "PRG-2", NOTES)
    first, second = audit_actions("safeguarding.changed")
    assert json.loads(first.details) == {
        "fields": ["justice_involvement", "programme_ref", "support_notes"],
        "created": True,
    }
    assert json.loads(second.details) == {"fields": ["programme_ref"], "created": False}
    assert NOTES not in all_audit_details() and "PRG-2" not in all_audit_details()


def test_over_long_notes_are_refused_and_nothing_changes(client):
    member = member_with_record()
    admin_in(client, can_safeguard=True)
    response = post(
        client,
        f"/office/members/{member.id}/safeguarding",
        {"programme_ref": "P", "referral_agency": "", "support_notes": "x" * 4001},
    )
    assert response.status_code == 422
    assert db.session.scalar(select(SafeguardingRecord.support_notes)) == NOTES


def test_the_data_appears_in_no_list_search_csv_page_or_audit_log(client):
    mia = make_user("member", name="Mia")
    member = member_with_record(mia)
    admin_in(client, can_safeguard=True)
    post(client, f"/office/members/{member.id}/safeguarding/read", {"reason": "support review meeting"})
    pages = [
        client.get("/office/members"),
        client.get("/office/members?q=Riverside"),
        client.get("/office/members?q=" + NOTES[:12]),
        client.get("/office/members.csv"),
        client.get(f"/office/members/{member.id}"),
        client.get(f"/office/members/{member.id}/edit"),
        client.get(f"/members/{member.number}"),
        client.get("/office/audit"),
        client.get("/office/audit?action=safeguarding"),
    ]
    for response in pages:
        assert response.status_code == 200, response.request.path
        body = response.get_data(as_text=True)
        assert not any(secret in body for secret in SECRETS), response.request.path
    assert "No members match" in pages[1].get_data(as_text=True)
    own = client.application.test_client()
    sign_in(own, mia)
    mine = own.get(f"/members/{member.number}").get_data(as_text=True)
    assert "Mia" in mine and not any(secret in mine for secret in SECRETS)


def test_the_data_never_enters_the_session_cookie(app, client):
    member = member_with_record()
    admin_in(client, can_safeguard=True)
    post(client, f"/office/members/{member.id}/safeguarding/read", {"reason": "support review meeting"})
    post(
        client,
        f"/office/members/{member.id}/safeguarding",
        {
            "justice_involvement": "y",
            "programme_ref": "PRG-9",
            "referral_agency": "",
            "support_notes": NOTES + "!",
        },
    )
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert not any(secret in json.dumps(session) for secret in SECRETS)
    assert "PRG-9" not in json.dumps(session)


def test_an_admin_grants_the_permission_to_another_admin_and_it_is_audited(client):
    granter = admin_in(client)
    other = make_user("admin")
    response = post(client, f"/admin/users/{other.id}/safeguarding", {"allowed": "y"})
    assert response.status_code == 302
    assert db.session.get(User, other.id).can_safeguard is True
    [event] = audit_actions("user.safeguarding_granted")
    assert (event.actor_id, event.target) == (granter.id, f"user:{other.id}")
    post(client, f"/admin/users/{other.id}/safeguarding", {})
    assert db.session.get(User, other.id).can_safeguard is False
    assert audit_actions("user.safeguarding_revoked")


def test_nobody_grants_the_permission_to_themself_or_to_a_manager(client):
    admin = admin_in(client)
    manager = make_user("manager")
    assert post(client, f"/admin/users/{admin.id}/safeguarding", {"allowed": "y"}).status_code == 422
    assert post(client, f"/admin/users/{manager.id}/safeguarding", {"allowed": "y"}).status_code == 422
    assert db.session.get(User, admin.id).can_safeguard is False
    assert db.session.get(User, manager.id).can_safeguard is False
