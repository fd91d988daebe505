"""The rota under requests released together against a multi-worker server (SQLite and PostgreSQL):
two managers planning the same week at once lose nothing, and a change from a stale grid is refused."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select

from bakery.domain.rota import monday_of
from bakery.extensions import db
from bakery.models import RotaRole, RotaShift, RotaWeek
from tests.app.planning.helpers import person, setup_roles, shift
from tests.app.stock.kitchen import shop_today
from tests.race.conftest import LiveServer, release_together
from tests.race.test_member_races import office
from tests.race.test_till_races import no_crash

#: Each round sends four rota writes at once.
ROTA_ROUNDS = 8


def counter_role() -> int:
    found = db.session.scalar(select(RotaRole.id).where(RotaRole.name == "Counter"))
    return found if found is not None else setup_roles()["counter"]


def week_of(monday: date) -> RotaWeek | None:
    db.session.expire_all()
    return db.session.scalar(select(RotaWeek).where(RotaWeek.monday == monday))


def shifts_in(monday: date) -> int:
    db.session.expire_all()
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(RotaShift)
            .join(RotaWeek, RotaWeek.id == RotaShift.week_id)
            .where(RotaWeek.monday == monday)
        )
        or 0
    )


def form(day: date, role: int, start: str, person_id: int | None = None, **extra: str) -> dict[str, str]:
    return {
        "day": day.isoformat(),
        "start": start,
        "end": "23:00",
        "role": str(role),
        "person": str(person_id or ""),
        "break_minutes": "0",
        "view": "people",
        **extra,
    }


def test_two_managers_adding_shifts_to_a_new_week_at_once_lose_none(live: LiveServer, scene: Flask) -> None:
    """Four shifts sent at once by two managers into a week nobody has opened yet, every round:
    one week row, all four shifts, and the week's version counts each of them."""
    role = counter_role()
    _, first = office(live, scene, "manager")
    _, second = office(live, scene, "manager")
    start = monday_of(shop_today()) + timedelta(days=7 * 20)
    for n in range(ROTA_ROUNDS):
        monday = start + timedelta(days=7 * n)
        posts = [
            tablet.prepare("/office/rota/shifts", form(monday + timedelta(days=i), role, f"0{i + 6}:00"))
            for i, tablet in enumerate((first, second, first, second))
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        assert [a.status for a in answers] == [200] * 4, [a.body[:300] for a in answers if a.status != 200]
        assert shifts_in(monday) == 4
        assert week_of(monday).version == 4


def test_the_same_shift_changed_by_two_managers_at_once_is_changed_once(
    live: LiveServer, scene: Flask
) -> None:
    """Four changes of one shift from grids showing the same version: exactly one is saved, the
    others are told someone else changed it and see the week reloaded."""
    role = counter_role()
    ada = person("Ada Race")
    _, first = office(live, scene, "manager")
    _, second = office(live, scene, "manager")
    monday = monday_of(shop_today()) + timedelta(days=7 * 40)
    planned = shift(monday, "07:00", "15:00", role, ada)
    for _ in range(ROTA_ROUNDS):
        db.session.expire_all()
        version = db.session.get(RotaShift, planned.id).version
        posts = [
            tablet.prepare(
                f"/office/rota/shifts/{planned.id}",
                form(monday + timedelta(days=i), role, f"0{i + 5}:00", ada.id, version=str(version)),
            )
            for i, tablet in enumerate((first, second, first, second))
        ]
        answers = release_together(posts)
        no_crash(live, answers)
        statuses = sorted(a.status for a in answers)
        assert statuses == [200, 409, 409, 409], [a.body[:200] for a in answers]
        assert all("Someone else changed that shift meanwhile" in a.body for a in answers if a.status == 409)
        db.session.expire_all()
        saved = db.session.get(RotaShift, planned.id)
        assert saved.version == version + 1
        winner = next(a for a in answers if a.status == 200)
        assert f"{saved.start_minute // 60:02d}:00-23:00" in winner.body


def test_publishing_while_another_manager_adds_a_shift_never_hides_the_shift(
    live: LiveServer, scene: Flask
) -> None:
    """A publish and an add sent at once: either the publish is refused (the week changed), or it
    went first and the added shift is marked as changed after publishing, so members are told."""
    role = counter_role()
    _, first = office(live, scene, "manager")
    _, second = office(live, scene, "manager")
    start = monday_of(shop_today()) + timedelta(days=7 * 60)
    for n in range(ROTA_ROUNDS):
        monday = start + timedelta(days=7 * n)
        shift(monday, "07:00", "15:00", role)
        version = week_of(monday).version
        answers = release_together(
            [
                first.prepare(
                    "/office/rota/week/publish", {"week": monday.isoformat(), "version": str(version)}
                ),
                second.prepare("/office/rota/shifts", form(monday + timedelta(days=1), role, "09:00")),
            ]
        )
        no_crash(live, answers)
        published, added = answers
        assert added.status == 200
        week = week_of(monday)
        late = db.session.scalar(
            select(RotaShift).where(RotaShift.week_id == week.id, RotaShift.day == monday + timedelta(days=1))
        )
        if published.status == 200:
            assert week.published_at is not None and late.changed_after_publish
        else:
            assert published.status == 409 and week.published_at is None
            assert not late.changed_after_publish
