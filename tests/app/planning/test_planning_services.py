"""Rota services: shifts across clock changes, the week's lock and versions, copy, templates, publish."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bakery.domain import rota as rules
from bakery.extensions import db
from bakery.models import RotaShift
from bakery.services import rota
from bakery.services.audit import SYSTEM
from bakery.services.errors import ServiceError
from tests.app.planning.helpers import (
    AUTUMN_MONDAY,
    WINTER_MONDAY,
    actions,
    person,
    setup_roles,
    shift,
    shift_count,
    week,
)


@pytest.fixture
def roles(app):
    return setup_roles()


def test_a_night_shift_over_the_autumn_change_is_stored_as_nine_hours(roles):
    ada = person("Ada Baker")
    night = shift(AUTUMN_MONDAY + timedelta(days=5), "22:00", "06:00", roles["counter"], ada)
    db.session.expire_all()
    stored = db.session.get(RotaShift, night.id)
    assert stored.starts_at == datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
    assert stored.ends_at == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)
    assert (stored.start_minute, stored.end_minute) == (22 * 60, 30 * 60)
    plan = rota.week_plan(AUTUMN_MONDAY)
    assert plan.shifts[0].worked_minutes == 9 * 60
    assert plan.shifts[0].times == "22:00-06:00"


def test_adding_shifts_creates_the_week_once_and_counts_its_versions(roles):
    ada = person("Ada Baker")
    shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], ada)
    shift(WINTER_MONDAY + timedelta(days=1), "07:00", "15:00", roles["counter"], ada)
    assert week(WINTER_MONDAY).version == 2
    assert actions()[-2:] == ["rota.shift_added", "rota.shift_added"]


def test_a_change_from_a_stale_grid_is_refused_and_changes_nothing(roles):
    ada, ben = person("Ada Baker"), person("Ben Barista", "2222")
    first = shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], ada)
    data = rota.ShiftIn(
        day=WINTER_MONDAY, start_minute=8 * 60, end_minute=16 * 60, role_id=roles["counter"], user_id=ben.id
    )
    rota.change_shift(first.id, 1, data, SYSTEM)
    later = rota.ShiftIn(
        day=WINTER_MONDAY, start_minute=9 * 60, end_minute=17 * 60, role_id=roles["counter"], user_id=ada.id
    )
    with pytest.raises(rota.ChangedMeanwhile, match="Someone else changed that shift"):
        rota.change_shift(first.id, 1, later, SYSTEM)
    db.session.rollback()
    db.session.expire_all()
    kept = db.session.get(RotaShift, first.id)
    assert (kept.user_id, kept.start_minute, kept.version) == (ben.id, 8 * 60, 2)


def test_a_shift_must_stay_in_its_week_and_have_a_role_and_a_plannable_person(roles):
    ada = person("Ada Baker")
    no_pin = person("No Pin")
    no_pin.pin_hash = None
    db.session.commit()
    bad = [
        (rota.ShiftIn(WINTER_MONDAY, 600, 600, roles["counter"], ada.id), "end after it starts"),
        (rota.ShiftIn(WINTER_MONDAY, 600, 700, 99999, ada.id), "Choose a role"),
        (rota.ShiftIn(WINTER_MONDAY, 600, 700, roles["counter"], no_pin.id), "cannot be put on the rota"),
        (
            rota.ShiftIn(WINTER_MONDAY, 600, 700, roles["counter"], ada.id, break_minutes=100),
            "as long as the shift",
        ),
    ]
    for data, message in bad:
        with pytest.raises(ServiceError, match=message):
            rota.add_shift(data, SYSTEM)
        db.session.rollback()
    first = shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], ada)
    moved = rota.ShiftIn(WINTER_MONDAY + timedelta(days=7), 420, 900, roles["counter"], ada.id)
    with pytest.raises(ServiceError, match="not in this week"):
        rota.change_shift(first.id, 1, moved, SYSTEM)
    db.session.rollback()
    assert shift_count(WINTER_MONDAY) == 1 and shift_count(WINTER_MONDAY + timedelta(days=7)) == 0


def test_copy_last_week_brings_the_same_days_and_people_and_never_doubles(roles):
    ada = person("Ada Baker")
    last = WINTER_MONDAY - timedelta(days=7)
    shift(last, "07:00", "15:00", roles["counter"], ada)
    shift(last + timedelta(days=2), "22:00", "06:00", roles["baker"])
    assert rota.copy_last_week(WINTER_MONDAY, 0, SYSTEM) == 2
    plan = rota.week_plan(WINTER_MONDAY)
    assert [(s.day, s.times, s.person_name) for s in plan.shifts] == [
        (WINTER_MONDAY, "07:00-15:00", "Ada Baker"),
        (WINTER_MONDAY + timedelta(days=2), "22:00-06:00", ""),
    ]
    assert rota.copy_last_week(WINTER_MONDAY, plan.version, SYSTEM) == 0
    with pytest.raises(rota.ChangedMeanwhile):
        rota.copy_last_week(WINTER_MONDAY, 0, SYSTEM)


def test_a_template_saved_from_one_week_fills_another_across_the_clock_change(roles):
    ada = person("Ada Baker")
    shift(WINTER_MONDAY + timedelta(days=5), "22:00", "06:00", roles["counter"], ada)
    template = rota.save_template(WINTER_MONDAY, "Typical week", SYSTEM)
    with pytest.raises(ServiceError, match="already a template"):
        rota.save_template(WINTER_MONDAY, "Typical week", SYSTEM)
    db.session.rollback()
    assert rota.apply_template(template.id, AUTUMN_MONDAY, 0, SYSTEM) == 1
    assert rota.week_plan(AUTUMN_MONDAY).shifts[0].worked_minutes == 9 * 60


def test_publishing_needs_the_version_seen_and_marks_later_changes(roles):
    ada = person("Ada Baker")
    first = shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], ada)
    with pytest.raises(rota.ChangedMeanwhile, match="check it again"):
        rota.publish_week(WINTER_MONDAY, 0, SYSTEM)
    db.session.rollback()
    rota.publish_week(WINTER_MONDAY, 1, SYSTEM)
    assert week(WINTER_MONDAY).published_at is not None
    assert not rota.week_plan(WINTER_MONDAY).shifts[0].changed
    data = rota.ShiftIn(WINTER_MONDAY, 8 * 60, 16 * 60, roles["counter"], ada.id)
    rota.change_shift(first.id, 1, data, SYSTEM)
    plan = rota.week_plan(WINTER_MONDAY)
    assert plan.shifts[0].changed and plan.changed_since_publish == 1
    rota.remove_shift(first.id, 2, SYSTEM)
    db.session.expire_all()
    assert db.session.get(RotaShift, first.id).cancelled_at is not None  # kept, so Ada is told
    assert rota.week_plan(WINTER_MONDAY).shifts == []


def test_removing_a_draft_shift_deletes_it(roles):
    first = shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"])
    rota.remove_shift(first.id, 1, SYSTEM)
    db.session.expire_all()
    assert db.session.get(RotaShift, first.id) is None


def test_the_week_plan_warns_about_skills_expired_certificates_hours_rest_and_short_days(roles):
    ada, ben = person("Ada Baker"), person("Ben Barista", "2222")
    rota.grant_skill(
        ada.id,
        roles["bread"],
        WINTER_MONDAY - timedelta(days=400),
        SYSTEM,
        expires_on=WINTER_MONDAY + timedelta(days=1),
    )
    rota.set_profile(ben.id, SYSTEM, week_hours_limit=10, hourly_rate_pence=1200)
    shift(WINTER_MONDAY, "05:00", "13:00", roles["baker"], ada)  # certificate still valid
    shift(WINTER_MONDAY + timedelta(days=2), "05:00", "13:00", roles["baker"], ada)  # expired by then
    shift(WINTER_MONDAY, "14:00", "22:00", roles["counter"], ben)
    shift(WINTER_MONDAY + timedelta(days=1), "06:00", "12:00", roles["counter"], ben)  # 8 h rest
    messages = [w.message for w in rota.week_warnings(WINTER_MONDAY)]
    assert any("Ada Baker's Bread expired on 17 November 2026" in m for m in messages)
    assert any("Ben Barista has only 8 h rest" in m for m in messages)
    assert "Ben Barista is planned for 14 h this week, over their limit of 10 h." in messages
    assert any(m.startswith("Monday 16 November has 1 Counter planned; at least 2 needed") for m in messages)
    plan = rota.week_plan(WINTER_MONDAY)
    assert plan.cost_pence == 14 * 1200  # only Ben has a rate


def test_availability_windows_warn_without_any_reason(roles):
    from bakery.models import RotaAvailability

    ada = person("Ada Baker")
    db.session.add(
        RotaAvailability(user_id=ada.id, weekday=0, start_minute=19 * 60, end_minute=1440, kind="unavailable")
    )
    db.session.commit()
    shift(WINTER_MONDAY, "15:00", "20:00", roles["counter"], ada)
    assert "Ada Baker is not available for part of Monday 16 November 15:00-20:00." in [
        w.message for w in rota.week_warnings(WINTER_MONDAY)
    ]


def test_the_week_prints_on_a4(roles):
    shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], person("Zoë Ørsted"))
    pdf = rota.week_pdf(WINTER_MONDAY)
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in pdf  # A4 landscape
    assert rules.monday_of(WINTER_MONDAY) == WINTER_MONDAY


def test_a_shift_inside_the_skipped_spring_hour_is_refused_plainly(roles):
    from datetime import date

    spring_sunday = date(2027, 3, 28)  # the clocks go forward at 01:00 GMT
    with pytest.raises(ServiceError, match="clocks go forward"):
        rota.add_shift(rota.ShiftIn(spring_sunday, 60, 120, roles["counter"]), SYSTEM)
    db.session.rollback()
    assert shift_count(spring_sunday - timedelta(days=6)) == 0
