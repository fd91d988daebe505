"""The member area: a member's own page, card and "what we hold about me"; nobody else's."""

from __future__ import annotations

import json

from bakery.services.audit import Actor
from bakery.services.members import shares
from tests.app.members.helpers import NOTES, SECRETS, audit_actions, member_with_record
from tests.factories import make_member, make_user, post, sign_in


def test_a_member_sees_their_shares_store_credit_and_card_qr(client):
    mia = make_user("member", name="Mia Brown")
    member = make_member(mia, number="M-0001")
    shares.buy_shares(member.id, 2500, "joining", Actor(user_id=make_user("admin").id))
    sign_in(client, mia)
    response = client.get("/me", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Mia Brown" in body and "M-0001" in body and "Customer" in body and "2025-01-01" in body
    assert "£25.00" in body and "joining" in body and "Store credit" in body
    assert 'src="data:image/svg+xml;base64,' in body
    assert member.card_code not in body  # only inside the QR image
    assert f"/members/{member.number}/card.pdf" in body
    assert 'class="member-links' in body


def test_a_manager_opening_a_member_page_sees_no_card(client):
    member = make_member(make_user("member", name="Noor"), number="M-0002")
    sign_in(client, make_user("manager"))
    body = client.get(f"/members/{member.number}").get_data(as_text=True)
    assert "Noor" in body and "data:image/svg+xml" not in body


def test_a_member_asking_for_another_members_page_card_or_export_gets_404(client):
    mia, noor = make_user("member", name="Mia"), make_user("member", name="Noor")
    make_member(mia, number="M-0001")
    theirs = member_with_record(noor, number="M-0002")
    sign_in(client, mia)
    for response in (
        client.get(f"/members/{theirs.number}"),
        client.get(f"/members/{theirs.number}/card.pdf"),
        post(client, f"/members/{theirs.number}/export"),
    ):
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        assert "Noor" not in body and NOTES not in body
    assert audit_actions("member.data_exported") == []


def test_a_manager_cannot_download_a_members_card_or_export_from_the_member_area(client):
    member = make_member(make_user("member"), number="M-0002")
    sign_in(client, make_user("manager"))
    assert client.get(f"/members/{member.number}/card.pdf").status_code == 403
    assert post(client, f"/members/{member.number}/export").status_code == 403


def test_what_we_hold_about_me_includes_everything_and_the_safeguarding_record_and_is_audited(client):
    mia = make_user("member", name="Mia")
    member = member_with_record(mia, number="M-0001")
    shares.buy_shares(member.id, 1000, "", Actor(user_id=make_user("admin").id))
    sign_in(client, mia)
    response = post(client, f"/members/{member.number}/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    held = json.loads(response.get_data(as_text=True))
    assert held["member"]["number"] == "M-0001" and held["member"]["name"] == "Mia"
    assert held["class"]["name"] == "customer"
    assert held["shares"]["balance_pence"] == 1000
    assert held["store_credit"]["balance_pence"] == 0
    assert held["purchases"] == {"sales": 0, "refunds": 0}
    assert held["hours"] == {"time_entries": 0}
    assert held["safeguarding"]["support_notes"] == NOTES
    assert held["safeguarding"]["justice_involvement"] is True
    [read] = audit_actions("safeguarding.read")
    assert read.target == f"member:{member.id}" and "subject access" in read.details
    assert audit_actions("member.data_exported")
    assert not any(secret in read.details for secret in SECRETS)


def test_a_member_without_a_record_is_told_so_and_the_read_is_still_audited(client):
    mia = make_user("member")
    member = make_member(mia, number="M-0001")
    sign_in(client, mia)
    held = json.loads(post(client, f"/members/{member.number}/export").get_data(as_text=True))
    assert held["safeguarding"] is None
    assert len(audit_actions("safeguarding.read")) == 1
