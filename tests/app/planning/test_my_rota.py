"""A person's own rota on their phone: published shifts only, changes marked until seen, swaps
between qualified colleagues approved by a manager, time off, stated hours, and the calendar feed."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from bakery.domain.clock import business_date
from bakery.domain.rota_times import monday_of
from bakery.extensions import db
from bakery.models import AuditEvent, RotaAvailability, RotaShift, RotaSwap, RotaTimeOff
from bakery.models.types import utcnow
from bakery.services import rota
from bakery.services.audit import SYSTEM, Actor
from tests.app.planning.helpers import setup_roles, shift
from tests.factories import make_user, post, sign_in

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def today() -> date:
    return business_date(utcnow(), "Europe/London")


def next_monday() -> date:
    return monday_of(today()) + timedelta(days=7)


def worker(name: str):
    """Someone who clocks in at the till and signs in on their phone."""
    return make_user("staff", name=name, password="a phone password 1")


def publish(monday: date) -> None:
    week = rota.week_plan(monday)
    rota.publish_week(monday, week.version, SYSTEM)


def page(client) -> str:
    response = client.get("/me/rota")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def roles(app):
    return setup_roles()


@pytest.fixture
def ada(client, roles):
    person = worker("Ada Lovelace")
    sign_in(client, person, "a phone password 1")
    return person


def test_a_draft_week_is_private_until_published(client, roles, ada):
    monday = next_monday()
    shift(monday + timedelta(days=1), "07:00", "15:00", roles["counter"], ada, note="Open up")
    assert "Open up" not in page(client)
    assert "No published rota yet" in page(client)
    publish(monday)
    body = page(client)
    assert "Open up" in body and "07:00\u201315:00" in body and "Counter" in body


def test_someone_elses_shifts_do_not_show_and_cannot_be_swapped(client, roles, ada):
    monday = next_monday()
    other = worker("Ben Other")
    theirs = shift(monday + timedelta(days=2), "08:00", "12:00", roles["counter"], other, note="Ben's note")
    publish(monday)
    assert "Ben's note" not in page(client)
    assert post(client, f"/me/rota/shifts/{theirs.id}/swap", {}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(RotaSwap)) == 0


def test_changes_after_publishing_are_marked_until_seen_and_reading_writes_nothing(client, roles, ada):
    monday = next_monday()
    mine = shift(monday + timedelta(days=3), "07:00", "15:00", roles["counter"], ada)
    publish(monday)
    assert "is new or has changed" in page(client)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    page(client)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events
    week_id = db.session.get(RotaShift, mine.id).week_id
    assert post(client, "/me/rota/seen", {"week": str(week_id)}).status_code == 302
    body = page(client)
    assert "is new or has changed" not in body and "changed-mark" not in body.split('id="my-shifts"')[1]
    db.session.expire_all()
    moved = db.session.get(RotaShift, mine.id)
    data = rota.ShiftIn(
        day=moved.day, start_minute=9 * 60, end_minute=17 * 60, role_id=moved.role_id, user_id=ada.id
    )
    rota.change_shift(mine.id, moved.version, data, SYSTEM)
    body = page(client)
    assert "is new or has changed" in body
    assert re.search(r"09:00\u201317:00\s*<span class=\"changed-mark\">Changed", body)


def test_a_shift_cancelled_after_publishing_shows_as_cancelled(client, roles, ada):
    monday = next_monday()
    mine = shift(monday + timedelta(days=4), "10:00", "14:00", roles["counter"], ada)
    publish(monday)
    week_id = db.session.get(RotaShift, mine.id).week_id
    post(client, "/me/rota/seen", {"week": str(week_id)})
    db.session.expire_all()
    rota.remove_shift(mine.id, db.session.get(RotaShift, mine.id).version, SYSTEM)
    assert re.search(r"10:00\u201314:00\s*<span class=\"changed-mark\">Cancelled", page(client))


def test_a_swap_goes_to_a_qualified_colleague_and_a_manager_approves(client, app, roles, ada):
    monday = next_monday()
    day = monday + timedelta(days=2)
    rota.grant_skill(ada.id, roles["bread"], today() - timedelta(days=30), SYSTEM)
    bea = worker("Bea Baker")
    rota.grant_skill(bea.id, roles["bread"], today() - timedelta(days=30), SYSTEM)
    cal = worker("Cal NoBread")
    dee = worker("Dee Expired")
    rota.grant_skill(
        dee.id, roles["bread"], today() - timedelta(days=400), SYSTEM, expires_on=day - timedelta(days=1)
    )
    bake = shift(day, "05:00", "11:00", roles["baker"], ada)
    publish(monday)
    assert post(client, f"/me/rota/shifts/{bake.id}/swap", {}).status_code == 302
    assert "waiting for a colleague" in page(client)
    response = post(client, f"/me/rota/shifts/{bake.id}/swap", {})
    assert response.status_code == 422 and "already asked" in response.get_data(as_text=True)
    swap = db.session.scalar(select(RotaSwap))

    others = {name: app.test_client() for name in ("bea", "cal", "dee")}
    for name, person in (("bea", bea), ("cal", cal), ("dee", dee)):
        sign_in(others[name], person, "a phone password 1")
    assert "from Ada Lovelace" in page(others["bea"])
    assert "from Ada Lovelace" not in page(others["cal"])  # lacks the Bread skill
    assert "from Ada Lovelace" not in page(others["dee"])  # certificate expired before the day
    refused = post(others["cal"], f"/me/rota/swaps/{swap.id}/accept", {})
    assert refused.status_code == 422 and "skill or certificate" in refused.get_data(as_text=True)
    refused = post(others["dee"], f"/me/rota/swaps/{swap.id}/accept", {})
    assert refused.status_code == 422
    assert post(others["bea"], f"/me/rota/swaps/{swap.id}/accept", {}).status_code == 302
    assert "Bea Baker offered to take it" in page(client)

    manager = app.test_client()
    sign_in(manager, make_user("manager"))
    listed = manager.get("/office/rota/requests").get_data(as_text=True)
    assert "Ada Lovelace" in listed and "Bea Baker" in listed
    assert post(manager, f"/office/rota/requests/swaps/{swap.id}", {"decision": "approve"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RotaShift, bake.id).user_id == bea.id
    assert db.session.get(RotaSwap, swap.id).state == "approved"
    again = post(manager, f"/office/rota/requests/swaps/{swap.id}", {"decision": "refuse"})
    assert again.status_code == 422 and "already approved" in again.get_data(as_text=True)
    assert "05:00\u201311:00" in page(others["bea"])
    assert "Changed" in page(others["bea"])
    assert "05:00\u201311:00" not in page(client).split('id="swaps"')[0]


def test_a_swap_is_withdrawn_by_its_asker_only(client, app, roles, ada):
    monday = next_monday()
    mine = shift(monday + timedelta(days=1), "07:00", "11:00", roles["counter"], ada)
    publish(monday)
    post(client, f"/me/rota/shifts/{mine.id}/swap", {})
    swap = db.session.scalar(select(RotaSwap))
    other = app.test_client()
    sign_in(other, worker("Eve Else"), "a phone password 1")
    assert post(other, f"/me/rota/swaps/{swap.id}/withdraw", {}).status_code == 404
    assert post(client, f"/me/rota/swaps/{swap.id}/withdraw", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RotaSwap, swap.id).state == "withdrawn"
    assert post(client, f"/me/rota/swaps/{swap.id}/withdraw", {}).status_code == 404


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"first": "", "last": ""}, "Give the first day off"),
        ({"first": "2026-13-01", "last": ""}, "Give the first day off"),
        (
            {"first": "\u0662\u0660\u0662\u0666-\u0661\u0662-\u0660\u0661", "last": ""},
            "Give the first day off",
        ),
        ({"first": "next", "last": "2099-01-01"}, "Give the first day off"),
        ({"first": "2020-01-01", "last": ""}, "cannot start in the past"),
    ],
)
def test_bad_time_off_is_refused_and_nothing_is_kept(client, ada, form, message):
    response = post(client, "/me/rota/time-off", form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(RotaTimeOff)) == 0


def test_time_off_is_asked_once_withdrawn_and_decided_once(client, app, ada):
    first = today() + timedelta(days=10)
    form = {"first": first.isoformat(), "last": (first + timedelta(days=2)).isoformat()}
    assert post(client, "/me/rota/time-off", form).status_code == 302
    overlap = post(
        client, "/me/rota/time-off", {"first": (first + timedelta(days=1)).isoformat(), "last": ""}
    )
    assert overlap.status_code == 422 and "already asked" in overlap.get_data(as_text=True)
    backwards = post(
        client,
        "/me/rota/time-off",
        {"first": (first + timedelta(days=9)).isoformat(), "last": first.isoformat()},
    )
    assert backwards.status_code == 422 and "on or after the first" in backwards.get_data(as_text=True)
    request_id = db.session.scalar(select(RotaTimeOff.id))
    manager = app.test_client()
    sign_in(manager, make_user("manager"))
    assert "Ada Lovelace" in manager.get("/office/rota/requests").get_data(as_text=True)
    assert (
        post(manager, f"/office/rota/requests/time-off/{request_id}", {"decision": "approve"}).status_code
        == 302
    )
    again = post(manager, f"/office/rota/requests/time-off/{request_id}", {"decision": "refuse"})
    assert again.status_code == 422 and "already been decided" in again.get_data(as_text=True)
    bad = post(manager, f"/office/rota/requests/time-off/{request_id}", {"decision": "maybe"})
    assert bad.status_code == 422
    db.session.expire_all()
    assert db.session.get(RotaTimeOff, request_id).state == "approved"
    assert "approved" in page(client)
    assert post(client, f"/me/rota/time-off/{request_id}/withdraw", {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(RotaTimeOff, request_id).state == "withdrawn"


def test_approved_time_off_warns_the_planner(client, app, roles, ada):
    monday = next_monday()
    day = monday + timedelta(days=3)
    rota.request_time_off(ada.id, day, day, today(), Actor(ada.id))
    rota.decide_time_off(db.session.scalar(select(RotaTimeOff.id)), True, SYSTEM)
    shift(day, "07:00", "15:00", roles["counter"], ada)
    texts = [w.message for w in rota.week_warnings(monday)]
    assert any("Ada Lovelace" in t and "not available" in t for t in texts), texts


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"kind": "unavailable", "repeat": "weekly", "weekday": "7", "start": "18:00", "end": "23:00"},
            "day of the week",
        ),
        (
            {
                "kind": "unavailable",
                "repeat": "weekly",
                "weekday": "\u0663",
                "start": "18:00",
                "end": "23:00",
            },
            "day of the week",
        ),
        (
            {"kind": "unavailable", "repeat": "weekly", "weekday": "1", "start": "25:00", "end": "23:00"},
            "not a time of day",
        ),
        (
            {
                "kind": "unavailable",
                "repeat": "weekly",
                "weekday": "1",
                "start": "\u0661\u0668:\u0660\u0660",
                "end": "23:00",
            },
            "in digits",
        ),
        (
            {"kind": "unavailable", "repeat": "weekly", "weekday": "1", "start": "20:00", "end": "18:00"},
            "after the start",
        ),
        (
            {
                "kind": "unavailable",
                "repeat": "date",
                "on_date": "2020-01-01",
                "start": "18:00",
                "end": "23:00",
            },
            "has passed",
        ),
        (
            {"kind": "unavailable", "repeat": "date", "on_date": "soon", "start": "18:00", "end": "23:00"},
            "Give the date",
        ),
        (
            {"kind": "curfew", "repeat": "weekly", "weekday": "1", "start": "18:00", "end": "23:00"},
            "can or cannot work",
        ),
        (
            {"kind": "unavailable", "repeat": "", "weekday": "1", "start": "18:00", "end": "23:00"},
            "every week or one date",
        ),
    ],
)
def test_bad_windows_are_refused_with_the_typed_values_kept(client, ada, form, message):
    response = post(client, "/me/rota/availability", form)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body
    assert db.session.scalar(select(func.count()).select_from(RotaAvailability)) == 0


def test_a_curfew_is_stated_without_a_reason_and_warns_the_planner(client, roles, ada):
    monday = next_monday()
    form = {"kind": "unavailable", "repeat": "weekly", "weekday": "2", "start": "19:00", "end": "24:00"}
    assert post(client, "/me/rota/availability", form).status_code == 302
    body = page(client)
    assert "Every Wednesday" in body and "19:00\u201324:00" in body and "not available" in body
    window_id = db.session.scalar(select(RotaAvailability.id))
    assert not any("reason" in c.name for c in RotaAvailability.__table__.columns)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rota.availability_added"))
    assert "19:00" not in str(event.details) and "Wednesday" not in str(event.details)
    shift(monday + timedelta(days=2), "16:00", "21:00", roles["counter"], ada)
    assert any("Ada Lovelace" in w.message for w in rota.week_warnings(monday))
    assert post(client, f"/me/rota/availability/{window_id}/remove", {}).status_code == 302
    assert post(client, f"/me/rota/availability/{window_id}/remove", {}).status_code == 404


def test_someone_elses_window_cannot_be_removed(client, app, ada):
    other = worker("Fay Far")
    rota.add_window(other.id, rota.WindowRequest(18 * 60, 22 * 60, False, weekday=1), today(), SYSTEM)
    window = db.session.scalar(select(RotaAvailability))
    assert post(client, f"/me/rota/availability/{window.id}/remove", {}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(RotaAvailability)) == 1


def feed_url(body: str) -> str:
    found = re.search(r'value="(http://[^"]+/rota/feed/[A-Za-z0-9_-]{43}\.ics)"', body)
    assert found, body[:2000]
    return found.group(1).removeprefix("http://localhost")


def test_the_calendar_feed_is_valid_private_and_revocable(client, app, roles, ada):
    monday = next_monday()
    day = monday + timedelta(days=1)
    published = shift(day, "07:00", "15:00", roles["counter"], ada, note="Keys; till 2")
    shift(monday + timedelta(days=8), "07:00", "15:00", roles["counter"], ada, note="draft week")
    publish(monday)
    made = post(client, "/me/rota/calendar", {})
    assert made.status_code == 200
    url = feed_url(made.get_data(as_text=True))
    assert url not in page(client)  # shown once only
    reader = app.test_client()  # a phone's calendar: no sign-in
    response = reader.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "Set-Cookie" not in response.headers
    calendar = icalendar.Calendar.from_ical(response.get_data(as_text=True))
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    db.session.expire_all()
    stored = db.session.get(RotaShift, published.id)
    assert events[0].decoded("DTSTART") == stored.starts_at.astimezone(UTC)
    assert events[0].decoded("DTEND") - events[0].decoded("DTSTART") == timedelta(hours=8)
    assert str(events[0]["DESCRIPTION"]) == "Keys; till 2"

    renewed = feed_url(post(client, "/me/rota/calendar", {}).get_data(as_text=True))
    assert renewed != url
    assert reader.get(url).status_code == 404
    assert reader.get(renewed).status_code == 200
    assert post(client, "/me/rota/calendar/stop", {}).status_code == 302
    assert reader.get(renewed).status_code == 404


@pytest.mark.parametrize("token", ["short", "x" * 43 + "y", "%00" * 10, "A" * 43])
def test_a_wrong_calendar_address_is_not_found(client, token):
    assert client.get(f"/rota/feed/{token}.ics").status_code in (404, 422)


def test_each_persons_feed_has_only_their_shifts(client, app, roles, ada):
    monday = next_monday()
    other = worker("Gus Gone")
    shift(monday + timedelta(days=1), "07:00", "15:00", roles["counter"], ada)
    shift(monday + timedelta(days=1), "09:00", "13:00", roles["counter"], other)
    publish(monday)
    token = rota.new_feed_token(other.id, SYSTEM)
    calendar = icalendar.Calendar.from_ical(
        app.test_client().get(f"/rota/feed/{token}.ics").get_data(as_text=True)
    )
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    start = events[0].decoded("DTSTART")
    assert isinstance(start, datetime)
