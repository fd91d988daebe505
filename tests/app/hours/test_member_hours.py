"""The member area: a member sees their own entries, confirms or flags them, and nobody else's."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bakery.domain.clock import business_date
from bakery.domain.hours import week_start
from bakery.extensions import db
from bakery.models import FinancialPeriod
from bakery.models.types import utcnow
from tests.app.hours.helpers import add_entry, audit_events, fresh, hours_ago, lock_period, worker
from tests.factories import make_member, make_user, post, sign_in


@pytest.fixture
def ada(client):
    user, member = worker("Ada Baker")
    sign_in(client, user)
    return user, member


def test_a_member_sees_their_own_entries_with_minutes_and_state(client, ada):
    user, member = ada
    ben, ben_member = worker("Ben Barista", pin="2222")
    boss = make_user("manager")
    add_entry(user, hours_ago(30), hours_ago(22), 30, member=member, approved_by=boss)
    add_entry(user, hours_ago(3), None, member=member)
    add_entry(ben, hours_ago(30), hours_ago(20), member=ben_member)
    add_entry(user, hours_ago(24 * 7 * 9), hours_ago(24 * 7 * 9 - 8), member=member)  # older than 8 weeks
    page = client.get("/me/hours").get_data(as_text=True)
    assert "My hours" in page and "The last 8 weeks" in page
    assert "7 h 30 min" in page and "approved" in page and "still in" in page
    assert page.count('class="card hours-entry"') == 2
    assert "10 h" not in page  # Ben's shift


def test_with_a_financial_period_the_member_sees_this_period(client, ada):
    user, member = ada
    today = business_date(utcnow(), "Europe/London")
    db.session.add(
        FinancialPeriod(
            name="Year 2", starts_on=today - timedelta(days=400), ends_on=today + timedelta(days=30)
        )
    )
    db.session.commit()
    add_entry(user, hours_ago(24 * 7 * 20), hours_ago(24 * 7 * 20 - 8), member=member)
    page = client.get("/me/hours").get_data(as_text=True)
    assert "Year 2:" in page and page.count('class="card hours-entry"') == 1


def test_the_member_page_links_to_their_hours(client, ada):
    _, member = ada
    assert 'href="/me/hours"' in client.get(f"/members/{member.number}").get_data(as_text=True)


def test_a_member_confirms_an_entry(client, ada):
    user, member = ada
    entry = add_entry(user, hours_ago(10), hours_ago(2), member=member)
    response = post(client, f"/me/hours/{entry.id}/confirm", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and f'id="hours-entry-{entry.id}"' in body and "you confirmed it" in body
    assert fresh(entry).member_state == "confirmed"
    [event] = audit_events("hours.member_confirmed")
    assert event.actor_id == user.id


def test_a_member_flags_an_entry_as_wrong_with_a_comment(client, ada):
    user, member = ada
    entry = add_entry(user, hours_ago(10), hours_ago(2), member=member)
    comment = "I left at 15:30, not 16:00 — Zoë covered the end."
    response = post(client, f"/me/hours/{entry.id}/flag", {"comment": comment}, htmx=True)
    assert response.status_code == 200 and "you flagged it" in response.get_data(as_text=True)
    flagged = fresh(entry)
    assert flagged.member_state == "flagged" and flagged.member_comment == comment
    assert json.loads(audit_events("hours.member_flagged")[0].details) == {"comment": comment}


@pytest.mark.parametrize(("comment", "message"), [("", "Say what is wrong"), ("x" * 281, "at most 280")])
def test_a_flag_needs_a_short_comment(client, ada, comment, message):
    user, member = ada
    entry = add_entry(user, hours_ago(10), hours_ago(2), member=member)
    response = post(client, f"/me/hours/{entry.id}/flag", {"comment": comment}, htmx=True)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert fresh(entry).member_state == ""


def test_an_open_shift_cannot_be_confirmed_yet(client, ada):
    user, member = ada
    entry = add_entry(user, hours_ago(2), None, member=member)
    response = post(client, f"/me/hours/{entry.id}/confirm", htmx=True)
    assert response.status_code == 422 and "still open" in response.get_data(as_text=True)


def test_entries_in_a_closed_period_cannot_be_flagged(client, ada):
    user, member = ada
    entry = add_entry(user, hours_ago(10), hours_ago(2), member=member)
    today = business_date(utcnow(), "Europe/London")
    lock_period(week_start(today) - timedelta(days=30), today + timedelta(days=30))
    response = post(client, f"/me/hours/{entry.id}/flag", {"comment": "wrong"}, htmx=True)
    assert response.status_code == 422 and "closed" in response.get_data(as_text=True)
    assert fresh(entry).member_state == ""


def test_a_member_asking_for_another_members_entry_gets_404(client, ada):
    ben, ben_member = worker("Ben Barista", pin="2222")
    theirs = add_entry(ben, hours_ago(10), hours_ago(2), 15, member=ben_member)
    for response in [
        client.get(f"/me/hours/{theirs.id}"),
        client.get(f"/me/hours/{theirs.id}", headers={"HX-Request": "true"}),
        post(client, f"/me/hours/{theirs.id}/confirm", htmx=True),
        post(client, f"/me/hours/{theirs.id}/flag", {"comment": "mine now"}, htmx=True),
        client.get("/me/hours/99999", headers={"HX-Request": "true"}),
    ]:
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        assert "Ben" not in body and "15 min" not in body
    untouched = fresh(theirs)
    assert untouched.member_state == "" and untouched.member_comment == ""


def test_a_member_opens_their_own_entry_as_a_page_or_fragment(client, ada):
    user, member = ada
    entry = add_entry(user, hours_ago(10), hours_ago(2), member=member)
    assert "<html" in client.get(f"/me/hours/{entry.id}").get_data(as_text=True)
    fragment = client.get(f"/me/hours/{entry.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and f'id="hours-entry-{entry.id}"' in fragment


def test_someone_without_a_member_record_has_no_hours_page(client):
    sign_in(client, make_user("manager"))
    assert client.get("/me/hours").status_code == 403


def test_a_customer_member_sees_an_empty_hours_page(client):
    mia = make_user("member")
    make_member(mia)
    sign_in(client, mia)
    assert "No clocked hours" in client.get("/me/hours").get_data(as_text=True)
