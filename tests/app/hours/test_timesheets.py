"""Managers' timesheets: who is in, a week per person, corrections with a reason, approval, CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from bakery.extensions import db
from bakery.models import TimeEntry
from tests.app.hours.helpers import (
    add_entry,
    audit_events,
    corrections,
    entries,
    fresh,
    hours_ago,
    lock_period,
    worker,
)
from tests.factories import make_member, make_till, make_user, pair, pin_in, post, sign_in

WEEK = "2025-11-10"  # a Monday in winter: London time is UTC


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def manager(client):
    boss = make_user("manager", name="Marek Manager")
    sign_in(client, boss)
    return boss


def test_the_week_shows_each_persons_entries_and_totals(client, manager):
    ada, _ = worker("Ada Baker")
    ben, _ = worker("Ben Barista", pin="2222")
    add_entry(ada, at(10, 6), at(10, 14), 30, approved_by=manager)
    add_entry(ada, at(11, 5, 58), at(11, 14, 2), 30)
    add_entry(ben, at(16, 22), at(17, 6), 0)  # Sunday night into Monday: still this week
    add_entry(ben, at(17, 8), at(17, 16), 0)  # next week
    response = client.get(f"/office/timesheets/?week={WEEK}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Ada Baker" in page and "Ben Barista" in page
    assert "15 h 4 min worked (15.07 h)" in page  # Ada's two shifts
    assert "7 h 30 min approved" in page
    assert "(next day)" in page  # Ben's night shift
    assert "8 h worked" in page and "16:00" not in page  # Ben: only the night shift this week
    assert page.index("Ada Baker") < page.index("Ben Barista")


def test_any_day_of_the_week_shows_that_week(client, manager):
    ada, _ = worker()
    add_entry(ada, at(12, 9), at(12, 17))
    page = client.get("/office/timesheets/?week=2025-11-16").get_data(as_text=True)
    assert "Mon 10 Nov 2025" in page and "Ada Baker" in page


def test_an_unreadable_week_is_refused_with_a_message(client, manager):
    response = client.get("/office/timesheets/?week=soon")
    assert response.status_code == 422
    assert "Choose a week" in response.get_data(as_text=True)
    assert client.get("/office/timesheets/export.csv?week=soon").status_code == 422


def test_who_is_in_lists_the_people_clocked_in_now_and_polls(client, manager):
    ada, _ = worker("Ada Baker")
    ben, _ = worker("Ben Barista", pin="2222")
    add_entry(ada, hours_ago(2), None)
    add_entry(ben, hours_ago(20), hours_ago(12))
    fragment = client.get("/office/timesheets/who-is-in", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body
    assert 'hx-trigger="every 30s"' in body
    assert "Ada Baker" in body and "Ben Barista" not in body
    assert "Ada Baker" in client.get("/office/timesheets/").get_data(as_text=True)


def test_who_is_in_warns_of_a_shift_left_open_too_long(client, manager):
    ada, _ = worker()
    add_entry(ada, hours_ago(18), None)
    body = client.get("/office/timesheets/who-is-in").get_data(as_text=True)
    assert "over 16 h" in body


def correct(client, entry: TimeEntry, htmx: bool = True, **fields: str):
    data = {
        "day": "2025-11-11",
        "clock_in": "06:00",
        "clock_out": "14:00",
        "break_minutes": "30",
        "reason": "Forgot to clock out; rota says 14:00",
    } | fields
    return post(client, f"/office/timesheets/entries/{entry.id}/correct", data, htmx=htmx)


def test_the_correction_form_is_filled_with_the_entry_as_it_stands(client, manager):
    ada, _ = worker()
    entry = add_entry(ada, at(11, 5, 58), at(11, 16, 40), 20)
    fragment = client.get(
        f"/office/timesheets/entries/{entry.id}/correct", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert f'id="person-{ada.id}"' in fragment and "Correct this entry" in fragment
    assert 'value="2025-11-11"' in fragment and 'value="05:58"' in fragment and 'value="16:40"' in fragment
    page = client.get(f"/office/timesheets/entries/{entry.id}/correct").get_data(as_text=True)
    assert "<html" in page and "Correct this entry" in page


def test_a_correction_keeps_the_original_and_is_audited(client, manager):
    ada, _ = worker()
    entry = add_entry(ada, at(11, 5, 58), at(11, 16, 40), 20, state="confirmed")
    response = correct(client, entry)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Entry corrected." in body and f'id="person-{ada.id}"' in body and "corrected (1)" in body
    now = fresh(entry)
    assert (now.clock_in, now.clock_out, now.break_minutes) == (at(11, 6), at(11, 14), 30)
    assert now.member_state == ""  # the worker is asked to check it again
    [kept] = corrections()
    assert (kept.old_clock_in, kept.old_clock_out, kept.old_break_minutes) == (
        at(11, 5, 58),
        at(11, 16, 40),
        20,
    )
    assert (kept.new_clock_in, kept.new_clock_out, kept.new_break_minutes) == (at(11, 6), at(11, 14), 30)
    assert kept.reason == "Forgot to clock out; rota says 14:00" and kept.by_id == manager.id
    [event] = audit_events("hours.corrected")
    details = json.loads(event.details)
    assert event.actor_id == manager.id and event.target == f"time_entry:{entry.id}"
    assert details["old"]["break"] == 20 and details["new"]["break"] == 30
    assert details["reason"] == kept.reason and details["member_state_was"] == "confirmed"


def test_a_correction_without_a_reason_is_refused_and_changes_nothing(client, manager):
    ada, _ = worker()
    entry = add_entry(ada, at(11, 6), at(11, 16))
    response = correct(client, entry, reason="   ")
    assert response.status_code == 422
    assert "Give a reason" in response.get_data(as_text=True)
    assert fresh(entry).clock_out == at(11, 16)
    assert corrections() == [] and audit_events("hours.") == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"clock_out": "06:30", "break_minutes": "45"}, "does not fit"),
        ({"clock_in": "06:00", "clock_out": "05:00"}, "at most 16 hours"),
        ({"break_minutes": "300"}, "0 to 240"),
        ({"day": "2025-11-14"}, "at most a day"),
        ({"day": "2999-11-11"}, "future"),
        ({"clock_in": "25:00"}, "Not a valid time"),
        ({"reason": "x" * 201}, "at most 200"),
    ],
)
def test_an_impossible_correction_is_refused_with_the_reason(client, manager, fields, message):
    ada, _ = worker()
    entry = add_entry(ada, at(11, 6), at(11, 16))
    response = correct(client, entry, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert fresh(entry).clock_out == at(11, 16) and corrections() == []


def test_correcting_an_approved_entry_unapproves_it(client, manager):
    ada, _ = worker()
    entry = add_entry(ada, at(11, 6), at(11, 16), approved_by=manager)
    response = correct(client, entry)
    assert "approve it again" in response.get_data(as_text=True)
    assert fresh(entry).approved_at is None and fresh(entry).approved_by_id is None
    assert json.loads(audit_events("hours.corrected")[0].details)["unapproved"] is True


def test_a_correction_puts_in_the_clock_out_of_a_shift_left_open(client, manager):
    ada, _ = worker()
    entry = add_entry(ada, at(11, 6), None)
    assert correct(client, entry).status_code == 200
    closed = fresh(entry)
    assert closed.clock_out == at(11, 14) and closed.open_user_id is None
    assert corrections()[0].old_clock_out is None


def test_corrections_and_approvals_are_refused_in_a_closed_period(client, manager):
    ada, _ = worker()
    entry = add_entry(ada, at(11, 6), at(11, 16))
    lock_period(date(2025, 4, 1), date(2026, 3, 31))
    response = correct(client, entry)
    assert response.status_code == 422
    assert "closed" in response.get_data(as_text=True)
    refused = post(client, f"/office/timesheets/entries/{entry.id}/approve", htmx=True)
    assert refused.status_code == 422 and "closed" in refused.get_data(as_text=True)
    week = post(client, f"/office/timesheets/people/{ada.id}/approve", {"week": WEEK}, htmx=True)
    assert week.status_code == 422
    assert fresh(entry).approved_at is None and corrections() == []


def test_approving_an_entry_records_who_and_when(client, manager):
    ada, _ = worker()
    entry = add_entry(ada, at(11, 6), at(11, 16), 30)
    response = post(client, f"/office/timesheets/entries/{entry.id}/approve", htmx=True)
    assert response.status_code == 200 and "Entry approved." in response.get_data(as_text=True)
    approved = fresh(entry)
    assert approved.approved_by_id == manager.id and approved.approved_at is not None
    [event] = audit_events("hours.approved")
    assert json.loads(event.details) == {"minutes": 570}
    again = post(client, f"/office/timesheets/entries/{entry.id}/approve", htmx=True)
    assert again.status_code == 422 and "already" in again.get_data(as_text=True)


def test_an_open_entry_cannot_be_approved(client, manager):
    ada, _ = worker()
    entry = add_entry(ada, hours_ago(1), None)
    response = post(client, f"/office/timesheets/entries/{entry.id}/approve", htmx=True)
    assert response.status_code == 422 and "still open" in response.get_data(as_text=True)


def test_approving_a_week_leaves_the_entries_the_worker_flagged(client, manager):
    ada, _ = worker()
    ben, _ = worker("Ben Barista", pin="2222")
    first = add_entry(ada, at(10, 6), at(10, 14))
    second = add_entry(ada, at(11, 6), at(11, 14))
    flagged = add_entry(ada, at(12, 6), at(12, 14), state="flagged")
    other_week = add_entry(ada, at(17, 6), at(17, 14))
    bens = add_entry(ben, at(10, 6), at(10, 14))
    response = post(client, f"/office/timesheets/people/{ada.id}/approve", {"week": WEEK}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 entries approved." in body and "1 flagged" in body
    assert fresh(first).approved_at and fresh(second).approved_at
    assert (
        not fresh(flagged).approved_at and not fresh(other_week).approved_at and not fresh(bens).approved_at
    )
    assert len(audit_events("hours.approved")) == 2


def test_without_htmx_approval_redirects_back_to_the_week(client, manager):
    ada, _ = worker()
    entry = add_entry(ada, at(11, 6), at(11, 14))
    response = post(client, f"/office/timesheets/entries/{entry.id}/approve")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/office/timesheets/?week={WEEK}"
    assert "Entry approved." in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_payroll_csv_has_the_weeks_approved_entries_per_person(client, manager):
    ada, ada_member = worker("Ada Baker")
    ben, _ = worker("=Ben Barista", pin="2222")
    ada_member.email = "ada@example.test"
    db.session.commit()
    add_entry(ada, at(11, 6), at(11, 13, 30), 30, approved_by=manager)
    add_entry(ada, at(10, 5, 58), at(10, 14, 2), 30, approved_by=manager)
    add_entry(ada, at(12, 6), at(12, 14))  # not approved
    add_entry(ada, at(17, 6), at(17, 14), approved_by=manager)  # next week
    add_entry(ben, at(16, 22), at(17, 6, 20), 20, approved_by=manager)
    response = client.get(f"/office/timesheets/export.csv?week={WEEK}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="hours-2025-11-10.csv"'
    text = response.get_data(as_text=True)
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "date", "in", "out", "break", "minutes", "hours"],
        ["'=Ben Barista", "2025-11-16", "22:00", "06:20", "20", "480", "8.00"],
        ["Ada Baker", "2025-11-10", "05:58", "14:02", "30", "454", "7.57"],
        ["Ada Baker", "2025-11-11", "06:00", "13:30", "30", "420", "7.00"],
    ]
    assert "ada@example.test" not in text and "W-" not in text


def test_staff_on_a_till_cannot_open_timesheets(client):
    ada, _ = worker()
    pair(client, make_till())
    pin_in(client, ada)
    entry = add_entry(ada, at(11, 6), at(11, 14))
    assert client.get("/office/timesheets/").status_code == 403
    assert client.get("/office/timesheets/export.csv").status_code == 403
    assert post(client, f"/office/timesheets/entries/{entry.id}/approve").status_code == 403
    assert fresh(entry).approved_at is None


def test_a_member_cannot_open_timesheets_or_approve_their_own_hours(client):
    ada, _ = worker()
    sign_in(client, ada)
    entry = add_entry(ada, at(11, 6), at(11, 14))
    for path in ["/office/timesheets/", "/office/timesheets/who-is-in", "/office/timesheets/export.csv"]:
        assert client.get(path).status_code == 403, path
    assert post(client, f"/office/timesheets/entries/{entry.id}/approve").status_code == 403
    assert correct(client, entry).status_code == 403
    assert fresh(entry).approved_at is None and corrections() == []
    assert "access.denied" in [e.action for e in audit_events("access.")]


def test_the_office_menu_links_to_timesheets(client, manager):
    make_member(make_user("member"))
    assert 'href="/office/timesheets/"' in client.get("/office/").get_data(as_text=True)


def test_an_unknown_entry_is_not_found(client, manager):
    assert client.get("/office/timesheets/entries/999/correct").status_code == 404
    assert post(client, "/office/timesheets/entries/999/approve", htmx=True).status_code == 404
    assert entries() == []
