"""Swaps and time off under requests released together against a multi-worker server (SQLite and
PostgreSQL): two colleagues taking the same shift, two managers deciding the same swap, and a
request decided twice."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from bakery.domain.clock import business_date
from bakery.domain.rota_times import monday_of
from bakery.extensions import db
from bakery.models import AuditEvent, RotaShift, RotaSwap, RotaTimeOff
from bakery.models.types import utcnow
from bakery.services import rota
from bakery.services.audit import SYSTEM, Actor
from tests.factories import make_user, sign_in
from tests.race.conftest import LiveServer, release_together, tablet_for
from tests.race.test_member_races import office
from tests.race.test_till_races import no_crash

ROUNDS = 6
PHONE_PASSWORD = "a phone password 1"


def phone(live: LiveServer, scene: Flask, name: str):
    """A person on the rota signed in on their phone: (user, tablet)."""
    person = make_user("staff", name=name, password=PHONE_PASSWORD)
    client = scene.test_client()
    sign_in(client, person, PHONE_PASSWORD)
    return person, tablet_for(live, client)


def counter_role() -> int:
    roles = rota.active_roles()
    if roles:
        return roles[0].id
    return rota.save_role("Counter", SYSTEM, colour="#2a9d8f").id


def published_shift(person_id: int, round_no: int) -> int:
    """A shift of the person's next week, published (each round on its own week and day)."""
    today = business_date(utcnow(), "Europe/London")
    monday = monday_of(today) + timedelta(weeks=2 + round_no // 7)
    day = monday + timedelta(days=round_no % 7)
    data = rota.ShiftIn(
        day=day, start_minute=7 * 60, end_minute=11 * 60, role_id=counter_role(), user_id=person_id
    )
    shift = rota.add_shift(data, SYSTEM)
    plan = rota.week_plan(monday)
    if plan.published_at is None:
        rota.publish_week(monday, plan.version, SYSTEM)
    return shift.id


def test_two_colleagues_taking_the_same_shift_at_once_one_gets_it(live: LiveServer, scene: Flask) -> None:
    asker, _ = phone(live, scene, "Asha Asker")
    takers = [phone(live, scene, f"Taker {n}") for n in range(3)]
    for n in range(ROUNDS):
        shift_id = published_shift(asker.id, n)
        swap = rota.request_swap(asker.id, shift_id, Actor(asker.id))
        url = f"/me/rota/swaps/{swap.id}/accept"
        answers = release_together([tablet.prepare(url, {}) for _, tablet in takers])
        no_crash(live, answers)
        assert sorted(a.status for a in answers) == [302, 422, 422], [a.body[:200] for a in answers]
        db.session.expire_all()
        taken = db.session.get(RotaSwap, swap.id)
        assert taken.state == "accepted" and taken.to_user_id in {person.id for person, _ in takers}
        assert sum("already offered" in a.body for a in answers) == 2


def test_two_managers_deciding_one_swap_at_once_decide_it_once(live: LiveServer, scene: Flask) -> None:
    asker, _ = phone(live, scene, "Bo Asker")
    taker, _ = phone(live, scene, "Cy Taker")
    managers = [office(live, scene, "manager")[1] for _ in range(2)]
    for n in range(ROUNDS):
        shift_id = published_shift(asker.id, 20 + n)
        swap = rota.request_swap(asker.id, shift_id, Actor(asker.id))
        rota.accept_swap(taker.id, swap.id, Actor(taker.id))
        url = f"/office/rota/requests/swaps/{swap.id}"
        decisions = ["approve", "refuse", "approve", "refuse"]
        answers = release_together(
            [managers[i % 2].prepare(url, {"decision": decision}) for i, decision in enumerate(decisions)]
        )
        no_crash(live, answers)
        assert sorted(a.status for a in answers) == [302, 422, 422, 422], [a.body[:200] for a in answers]
        db.session.expire_all()
        decided = db.session.get(RotaSwap, swap.id)
        owner = db.session.get(RotaShift, shift_id).user_id
        assert (decided.state, owner) in {("approved", taker.id), ("refused", asker.id)}
        events = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(("rota.swap_approved", "rota.swap_refused")))
        )
        assert events == n + 1


def test_a_time_off_request_decided_twice_at_once_is_decided_once(live: LiveServer, scene: Flask) -> None:
    person, _ = phone(live, scene, "Di Away")
    managers = [office(live, scene, "manager")[1] for _ in range(2)]
    today = business_date(utcnow(), "Europe/London")
    for n in range(ROUNDS):
        first = today + timedelta(days=30 + 3 * n)
        asked = rota.request_time_off(person.id, first, first, today, Actor(person.id))
        url = f"/office/rota/requests/time-off/{asked.id}"
        answers = release_together(
            [managers[i % 2].prepare(url, {"decision": ("approve", "refuse")[i % 2]}) for i in range(4)]
        )
        no_crash(live, answers)
        assert sorted(a.status for a in answers) == [302, 422, 422, 422]
        db.session.expire_all()
        assert db.session.get(RotaTimeOff, asked.id).state in ("approved", "refused")


def test_asking_twice_at_once_for_the_same_days_off_keeps_one_request(live: LiveServer, scene: Flask) -> None:
    person, tablet = phone(live, scene, "Ed Twice")
    today = business_date(utcnow(), "Europe/London")
    for n in range(ROUNDS):
        first = today + timedelta(days=100 + 3 * n)
        form = {"first": first.isoformat(), "last": (first + timedelta(days=1)).isoformat()}
        answers = release_together([tablet.prepare("/me/rota/time-off", form) for _ in range(3)])
        no_crash(live, answers)
        assert sorted(a.status for a in answers) == [302, 422, 422]
        db.session.expire_all()
        kept = db.session.scalar(
            select(func.count())
            .select_from(RotaTimeOff)
            .where(RotaTimeOff.user_id == person.id, RotaTimeOff.from_date == first)
        )
        assert kept == 1
