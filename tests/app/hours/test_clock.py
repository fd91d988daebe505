"""Clocking in and out at the till with the staff PIN."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bakery.domain.clock import to_local
from bakery.extensions import db
from bakery.models import TillDevice, User
from bakery.services import auth
from bakery.services.audit import Actor
from bakery.services.members import hours
from bakery.services.till import tills
from tests.app.hours.helpers import add_entry, audit_events, entries, fresh, hours_ago, worker
from tests.factories import make_till, make_user, pair, post


def clock(client, user: User, action: str, pin: str = "1234", break_minutes: str | None = None, htmx=True):
    data = {"action": action, "pin": pin}
    if break_minutes is not None:
        data["break_minutes"] = break_minutes
    return post(client, f"/till/clock/{user.id}", data, htmx=htmx)


def local_hhmm(moment) -> str:
    return to_local(moment, "Europe/London").strftime("%H:%M")


def test_the_tiles_page_has_a_clock_in_and_out_button(client):
    make_user("staff")
    pair(client, make_till())
    page = client.get("/till/").get_data(as_text=True)
    assert 'href="/till/clock"' in page
    assert "Clock in / out" in page


def test_clocking_in_then_out_with_the_pin_on_a_paired_till_records_the_shift(client):
    ada, member = worker("Ada Baker")
    pair(client, make_till("Counter"))
    tiles = client.get("/till/clock").get_data(as_text=True)
    assert f"/till/clock/{ada.id}" in tiles and "not in" in tiles
    pad = client.get(f"/till/clock/{ada.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Ada, clock in" in pad and 'value="in"' in pad

    response = clock(client, ada, "in")
    assert response.status_code == 200
    [entry] = entries()
    assert entry.user_id == ada.id and entry.member_id == member.id and entry.open_user_id == ada.id
    body = response.get_data(as_text=True)
    assert f"Ada clocked in at {local_hhmm(entry.clock_in)}" in body
    assert "<html" not in body and "Clock in or out someone else" in body
    assert "in since" in client.get("/till/clock").get_data(as_text=True)

    entry.clock_in = hours_ago(8)  # the shift has gone on a while
    db.session.commit()
    pad = client.get(f"/till/clock/{ada.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Ada, clock out" in pad and "Breaks taken" in pad
    response = clock(client, ada, "out", break_minutes="30")
    assert response.status_code == 200
    closed = fresh(entry)
    assert closed.clock_out is not None and closed.open_user_id is None
    assert closed.break_minutes == 30 and closed.minutes == 8 * 60 - 30
    body = response.get_data(as_text=True)
    assert f"Ada clocked out at {local_hhmm(closed.clock_out)}" in body
    assert "7 h 30 min worked" in body
    events = audit_events("hours.")
    assert [e.action for e in events] == ["hours.clocked_in", "hours.clocked_out"]
    assert all(e.actor_id == ada.id and e.till_id is not None for e in events)
    assert "1234" not in " ".join(e.details for e in audit_events())


def test_a_staff_member_without_a_member_record_clocks_in_without_one(client):
    chloe = make_user("staff", name="Chloé Counter")
    pair(client, make_till())
    assert clock(client, chloe, "in").status_code == 200
    assert entries()[0].member_id is None


def test_a_wrong_pin_is_refused_and_counted_towards_the_lock_out(client):
    ada, _ = worker()
    pair(client, make_till())
    response = clock(client, ada, "in", pin="9999")
    assert response.status_code == 401
    assert "Wrong PIN. 4 more wrong" in response.get_data(as_text=True)
    assert entries() == []
    assert db.session.get(User, ada.id).failed_attempts == 1
    assert [e.action for e in audit_events("auth.")] == ["auth.wrong_pin"]


def test_five_wrong_pins_lock_the_user_out_of_clocking_even_with_the_right_one(client):
    ada, _ = worker()
    pair(client, make_till())
    for _ in range(5):
        response = clock(client, ada, "in", pin="9999")
    assert "locked out" in response.get_data(as_text=True)
    right = clock(client, ada, "in", pin="1234")
    assert right.status_code == 401
    assert "locked out" in right.get_data(as_text=True)
    assert entries() == []
    assert "auth.refused_locked" in [e.action for e in audit_events("auth.")]


def test_a_right_pin_clears_the_run_of_wrong_ones(client):
    ada, _ = worker()
    pair(client, make_till())
    clock(client, ada, "in", pin="9999")
    assert clock(client, ada, "in").status_code == 200
    assert db.session.get(User, ada.id).failed_attempts == 0


def test_an_unpaired_device_is_refused_and_nothing_is_clocked(client):
    ada, _ = worker()
    assert client.get("/till/clock").status_code == 403
    assert client.get(f"/till/clock/{ada.id}").status_code == 403
    response = clock(client, ada, "in")
    assert response.status_code == 403
    assert "not paired" in response.get_data(as_text=True)
    assert entries() == []
    assert db.session.get(User, ada.id).failed_attempts == 0


def test_the_service_refuses_a_missing_or_revoked_device_without_checking_the_pin(app):
    ada, _ = worker()
    with pytest.raises(auth.SignInRefused, match="not paired"):
        hours.clock_in(ada.id, "9999", None, Actor())
    assert db.session.get(User, ada.id).failed_attempts == 0
    assert [e.action for e in audit_events("hours.")] == ["hours.clock_unpaired_device"]


def test_clocking_in_twice_is_impossible(client):
    ada, _ = worker()
    pair(client, make_till())
    assert clock(client, ada, "in").status_code == 200
    again = clock(client, ada, "in")
    assert again.status_code == 409
    assert "Ada is already clocked in" in again.get_data(as_text=True)
    assert len(entries()) == 1


def test_a_clock_in_that_loses_a_race_is_refused_by_the_unique_key(client, monkeypatch):
    ada, _ = worker()
    pair(client, make_till())
    add_entry(ada, hours_ago(1), None)  # another till clocked Ada in a moment ago
    monkeypatch.setattr(hours, "open_entry", lambda user_id: None)  # ...after this request looked
    response = clock(client, ada, "in")
    assert response.status_code == 409
    assert "already clocked in" in response.get_data(as_text=True)
    assert len(entries()) == 1


def test_clocking_out_when_not_clocked_in_is_refused(client):
    ada, _ = worker()
    pair(client, make_till())
    response = clock(client, ada, "out", break_minutes="0")
    assert response.status_code == 409
    assert "not clocked in" in response.get_data(as_text=True)
    assert entries() == []


@pytest.mark.parametrize(("pause", "message"), [("241", "0 to 240"), ("-1", "0 to 240"), ("lots", "Breaks")])
def test_an_impossible_break_is_refused_and_the_shift_stays_open(client, pause, message):
    ada, _ = worker()
    pair(client, make_till())
    entry = add_entry(ada, hours_ago(8), None)
    response = clock(client, ada, "out", break_minutes=pause)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert fresh(entry).open_user_id == ada.id


def test_a_break_longer_than_the_shift_is_refused(client):
    ada, _ = worker()
    pair(client, make_till())
    entry = add_entry(ada, hours_ago(0.25), None)
    response = clock(client, ada, "out", break_minutes="30")
    assert response.status_code == 422
    assert "does not fit" in response.get_data(as_text=True)
    assert fresh(entry).clock_out is None


def test_a_shift_left_open_for_over_16_hours_is_for_a_manager_to_close(client):
    ada, _ = worker()
    pair(client, make_till())
    entry = add_entry(ada, hours_ago(17), None)
    response = clock(client, ada, "out", break_minutes="0")
    assert response.status_code == 422
    assert "Ask a manager" in response.get_data(as_text=True)
    assert fresh(entry).clock_out is None


def test_without_htmx_the_till_shows_a_whole_page(client):
    ada, _ = worker()
    pair(client, make_till())
    assert "Ada, clock in" in client.get(f"/till/clock/{ada.id}").get_data(as_text=True)
    response = clock(client, ada, "in", htmx=False)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in body and "Ada clocked in at" in body


def test_a_wrong_length_pin_is_refused_without_counting(client):
    ada, _ = worker()
    pair(client, make_till())
    response = clock(client, ada, "in", pin="12")
    assert response.status_code == 422
    assert "4 to 6 digits" in response.get_data(as_text=True)
    assert db.session.get(User, ada.id).failed_attempts == 0


def test_clock_times_are_kept_to_the_second(app):
    ada, _ = worker()
    tills.pair_device(make_till().id, "tablet", Actor(user_id=make_user("manager").id))
    device = db.session.scalar(select(TillDevice))
    done = hours.clock_in(ada.id, "1234", device, Actor())
    assert done.at.microsecond == 0
    assert done.entry.clock_in == done.at
    later = done.at + timedelta(hours=4, seconds=30)
    out = hours.clock_out(ada.id, "1234", device, Actor(), break_minutes=15, now=later)
    assert out.minutes == 4 * 60 - 15
