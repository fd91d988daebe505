"""The member card: a QR of an unguessable code, reissued when lost, printable as a PDF."""

from __future__ import annotations

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Basket, Member
from tests.app.members.helpers import admin_in, audit_actions
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_member, make_user, post, sign_in


def scan_member(till_client, code: str):
    return post(till_client, "/till/member", {"code": code}, htmx=True)


def open_basket_member() -> int | None:
    return db.session.scalar(select(Basket.member_id).where(Basket.status == "open"))


def test_scanning_a_card_attaches_its_member_at_the_till(client):
    menu = make_menu()
    open_till_for(client)
    member = make_member(number="M-0101")
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    response = scan_member(client, member.card_code)
    assert response.status_code == 200
    assert open_basket_member() == member.id


def test_a_reissued_card_stops_working_at_the_till_and_the_new_one_attaches(app, client):
    menu = make_menu()
    open_till_for(client)
    member = make_member(number="M-0101")
    old_code = member.card_code
    office = app.test_client()
    admin_in(office)
    assert post(office, f"/office/members/{member.id}/card").status_code == 302
    new_code = db.session.scalar(select(Member.card_code).where(Member.id == member.id))
    assert new_code != old_code
    assert audit_actions("member.card_reissued")
    assert old_code not in audit_actions("member.card_reissued")[0].details
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    refused = scan_member(client, old_code)
    assert refused.status_code == 422
    assert "No active member" in refused.get_data(as_text=True)
    assert open_basket_member() is None
    assert scan_member(client, new_code).status_code == 200
    assert open_basket_member() == member.id


def test_a_suspended_members_card_is_refused_at_the_till(client):
    make_menu()
    open_till_for(client)
    member = make_member(number="M-0101")
    member.status = "suspended"
    db.session.commit()
    assert scan_member(client, member.card_code).status_code == 422


def test_an_admin_prints_a_members_card_as_a_pdf(client):
    member = make_member(number="M-0101")
    admin_in(client)
    response = client.get(f"/office/members/{member.id}/card.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_a_member_downloads_their_own_card_with_a_unicode_name(client):
    mia = make_user("member", name="Małgorzata Ñúñez")
    member = make_member(mia, number="M-0101")
    sign_in(client, mia)
    response = client.get(f"/members/{member.number}/card.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_a_manager_cannot_print_or_reissue_cards(client):
    member = make_member(number="M-0101")
    code = member.card_code
    sign_in(client, make_user("manager"))
    assert client.get(f"/office/members/{member.id}/card.pdf").status_code == 403
    assert post(client, f"/office/members/{member.id}/card").status_code == 403
    assert db.session.scalar(select(Member.card_code).where(Member.id == member.id)) == code
