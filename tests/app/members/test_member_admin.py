"""Member classes and members in the back office: bad input changes nothing, changes are audited."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Member, MemberClass
from bakery.services import members as membership
from bakery.services.audit import SYSTEM, Actor
from bakery.services.members import register, shares
from tests.app.members.helpers import admin_in, audit_actions, member_count
from tests.factories import make_member, make_user, post, sign_in


def member_data(**overrides: str) -> dict[str, str]:
    data = {
        "number": "m-0200",
        "name": "Zoë Łukasiewicz-Ó Briain",
        "email": "zoe@example.test",
        "phone": "+44 7700 900123",
        "class_name": "worker",
        "joined_on": "2025-03-01",
        "left_on": "",
        "status": "active",
        "user_id": "",
    }
    return data | overrides


def test_an_admin_adds_a_member_with_a_unicode_name_and_the_addition_is_audited(client):
    membership.ensure_default_classes()
    db.session.commit()
    admin_in(client)
    response = post(client, "/office/members", member_data())
    assert response.status_code == 302
    member = db.session.scalar(select(Member))
    assert (member.number, member.name, member.member_class.name) == (
        "M-0200",
        "Zoë Łukasiewicz-Ó Briain",
        "worker",
    )
    assert len(member.card_code) == 32
    details = json.loads(audit_actions("member.created")[0].details)
    assert details["number"] == "M-0200" and details["email"] is True
    assert "zoe@example.test" not in audit_actions("member.created")[0].details


def test_a_duplicate_membership_number_is_refused_and_nothing_changes(client):
    make_member(number="M-0200")
    admin_in(client)
    response = post(client, "/office/members", member_data(number=" m-0200 "))
    assert response.status_code == 422
    assert "Membership number M-0200 is taken" in response.get_data(as_text=True)
    assert member_count() == 1


def test_a_member_who_left_before_joining_is_refused(client):
    membership.ensure_default_classes()
    db.session.commit()
    admin_in(client)
    response = post(client, "/office/members", member_data(left_on="2025-02-01", status="left"))
    assert response.status_code == 422
    assert "cannot leave before they joined" in response.get_data(as_text=True)
    assert member_count() == 0


def test_an_unknown_class_is_refused(client):
    membership.ensure_default_classes()
    db.session.commit()
    admin_in(client)
    response = post(client, "/office/members", member_data(class_name="royalty"))
    assert response.status_code == 422
    assert "no member class called royalty" in response.get_data(as_text=True)
    assert member_count() == 0


def test_a_name_longer_than_120_characters_is_refused(client):
    membership.ensure_default_classes()
    db.session.commit()
    admin_in(client)
    response = post(client, "/office/members", member_data(name="Ø" * 121))
    assert response.status_code == 422
    assert member_count() == 0


def test_editing_a_member_records_before_and_after_but_not_contact_details(client):
    member = make_member(number="M-0300")
    admin_in(client)
    data = member_data(number="M-0300", name="Ada Byron", class_name="community", email="ada@example.test")
    response = post(client, f"/office/members/{member.id}", data)
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.name == "Ada Byron" and member.member_class.name == "community"
    event = audit_actions("member.changed")[0]
    changes = json.loads(event.details)["changes"]
    assert changes["name"] == ["Someone", "Ada Byron"]
    assert changes["class_id"] == ["customer", "community"]
    assert changes["email"] == "changed"
    assert "ada@example.test" not in event.details


def test_editing_to_a_taken_number_or_bad_dates_leaves_the_member_as_it_was(client):
    make_member(number="M-0001")
    member = make_member(number="M-0002")
    admin_in(client)
    taken = post(client, f"/office/members/{member.id}", member_data(number="M-0001", name="Changed"))
    assert taken.status_code == 422
    backwards = post(
        client,
        f"/office/members/{member.id}",
        member_data(number="M-0002", joined_on="2025-06-01", left_on="2025-05-31"),
    )
    assert backwards.status_code == 422
    db.session.refresh(member)
    assert (member.number, member.name, member.left_on) == ("M-0002", "Someone", None)
    assert audit_actions("member.changed") == []


def test_a_login_can_belong_to_only_one_member(client):
    mia = make_user("member", name="Mia")
    make_member(mia, number="M-0001")
    other = make_member(number="M-0002")
    admin_in(client)
    response = post(client, f"/office/members/{other.id}", member_data(number="M-0002", user_id=str(mia.id)))
    assert response.status_code == 422
    assert "already belongs to member M-0001" in response.get_data(as_text=True)
    db.session.refresh(other)
    assert other.user_id is None


def test_a_manager_reads_members_but_cannot_add_or_change_them(client):
    member = make_member(number="M-0001")
    sign_in(client, make_user("manager"))
    assert client.get("/office/members").status_code == 200
    assert client.get(f"/office/members/{member.id}").status_code == 200
    assert client.get("/office/members/new").status_code == 403
    assert post(client, "/office/members", member_data()).status_code == 403
    assert post(client, f"/office/members/{member.id}", member_data(number="M-0001")).status_code == 403
    assert member_count() == 1


def test_the_member_list_searches_by_number_and_name_and_filters_by_class_and_status(client):
    membership.ensure_default_classes()
    db.session.commit()
    membership.create_member("W-1", "Bea Baker", "worker", SYSTEM, joined_on=date(2024, 1, 1))
    membership.create_member("C-2", "Carl Customer", "customer", SYSTEM, joined_on=date(2024, 1, 1))
    membership.create_member(
        "C-3",
        "Cora Gone",
        "customer",
        SYSTEM,
        joined_on=date(2024, 1, 1),
        left_on=date(2025, 1, 1),
        status="left",
    )
    sign_in(client, make_user("manager"))
    by_name = client.get("/office/members?q=carl").get_data(as_text=True)
    assert "Carl Customer" in by_name and "Bea Baker" not in by_name
    by_number = client.get("/office/members?q=w-1").get_data(as_text=True)
    assert "Bea Baker" in by_number and "Carl Customer" not in by_number
    worker = db.session.scalar(select(MemberClass.id).where(MemberClass.name == "worker"))
    by_class = client.get(f"/office/members?member_class={worker}").get_data(as_text=True)
    assert "Bea Baker" in by_class and "Carl Customer" not in by_class
    gone = client.get("/office/members?status=left").get_data(as_text=True)
    assert "Cora Gone" in gone and "Carl Customer" not in gone


def test_the_member_list_is_paged(client, monkeypatch):
    for n in range(5):
        make_member(number=f"M-{n:04d}")
    monkeypatch.setattr(register, "PAGE_SIZE", 2)  # where the list reads it
    sign_in(client, make_user("manager"))
    last = client.get("/office/members?page=3").get_data(as_text=True)
    assert "M-0004" in last and "M-0000" not in last and "Page 3 of 3" in last


def test_the_member_list_and_csv_show_share_capital(client):
    admin = make_user("admin")
    member = make_member(number="M-0001")
    shares.buy_shares(member.id, 2500, "", Actor(user_id=admin.id))
    sign_in(client, admin)
    assert "£25.00" in client.get("/office/members").get_data(as_text=True)
    csv = client.get("/office/members.csv")
    assert csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).splitlines()[1] == "M-0001,Someone,customer,active,2025-01-01,,25.00"


def test_a_formula_in_a_name_is_defused_in_the_csv(client):
    membership.ensure_default_classes()
    membership.create_member("M-1", "=HYPERLINK(1)", "customer", SYSTEM)
    sign_in(client, make_user("manager"))
    assert "'=HYPERLINK(1)" in client.get("/office/members.csv").get_data(as_text=True)


def test_an_admin_adds_a_class_and_its_discount_is_kept_in_basis_points(client):
    admin_in(client)
    response = post(
        client,
        "/office/member-classes",
        {"name": "Supporter", "measure": "none", "till_discount": "12.5", "sort_order": "4"},
    )
    assert response.status_code == 302
    found = db.session.scalar(select(MemberClass).where(MemberClass.name == "Supporter"))
    assert (found.measure, found.till_discount_bp, found.sort_order) == ("none", 1250, 4)
    assert audit_actions("member_class.created")


def test_bad_class_input_is_refused_and_nothing_changes(client):
    membership.ensure_default_classes()
    db.session.commit()
    admin_in(client)
    cases = [
        {"name": "WORKER", "measure": "hours", "till_discount": "0"},
        {"name": "Friends", "measure": "vibes", "till_discount": "0"},
        {"name": "Friends", "measure": "none", "till_discount": "101"},
        {"name": "Friends", "measure": "none", "till_discount": "-5"},
        {"name": "F" * 41, "measure": "none", "till_discount": "0"},
    ]
    for data in cases:
        assert post(client, "/office/member-classes", data).status_code == 422, data
    assert len(membership.list_classes()) == 3


def test_editing_a_class_is_audited_and_a_clash_changes_nothing(client):
    classes = {c.name: c for c in membership.ensure_default_classes()}
    db.session.commit()
    admin_in(client)
    worker = classes["worker"].id
    clash = post(
        client,
        f"/office/member-classes/{worker}",
        {"name": "customer", "measure": "hours", "till_discount": "10"},
    )
    assert clash.status_code == 422
    saved = post(
        client,
        f"/office/member-classes/{worker}",
        {"name": "worker", "measure": "hours", "till_discount": "15", "sort_order": "0"},
    )
    assert saved.status_code == 302
    assert db.session.get(MemberClass, worker).till_discount_bp == 1500
    changes = json.loads(audit_actions("member_class.changed")[0].details)["changes"]
    assert changes == {"till_discount_bp": [1000, 1500]}


def test_a_manager_cannot_change_a_class(client):
    classes = {c.name: c for c in membership.ensure_default_classes()}
    db.session.commit()
    sign_in(client, make_user("manager"))
    assert client.get("/office/member-classes").status_code == 200
    worker = classes["worker"].id
    assert (
        post(
            client, f"/office/member-classes/{worker}", {"name": "w", "measure": "none", "till_discount": "0"}
        ).status_code
        == 403
    )
    assert db.session.get(MemberClass, worker).name == "worker"
