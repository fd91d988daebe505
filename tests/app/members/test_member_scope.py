"""A member reaches only their own records."""

from __future__ import annotations

from tests.factories import make_member, make_user, sign_in


def test_a_member_cannot_open_another_members_page(client):
    mia, noor = make_user("member", name="Mia"), make_user("member", name="Noor")
    make_member(mia, number="M-0001")
    theirs = make_member(noor, number="M-0002")
    sign_in(client, mia)
    response = client.get(f"/members/{theirs.number}")
    assert response.status_code == 404
    assert "Noor" not in response.get_data(as_text=True)


def test_an_unknown_member_number_is_the_same_404(client):
    mia = make_user("member")
    make_member(mia, number="M-0001")
    sign_in(client, mia)
    assert client.get("/members/M-4040").status_code == 404


def test_a_manager_can_open_any_member(client):
    theirs = make_member(make_user("member", name="Noor"), number="M-0002")
    sign_in(client, make_user("manager"))
    assert "Noor" in client.get(f"/members/{theirs.number}").get_data(as_text=True)


def test_a_user_without_a_member_record_has_no_member_area(client):
    sign_in(client, make_user("manager"))
    assert client.get("/me").status_code == 403
