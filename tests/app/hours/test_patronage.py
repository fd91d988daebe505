"""Approved hours as labour patronage: minutes per member, summed in SQL on either engine."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import TimeEntry
from bakery.services.members.hours import approved_minutes_by_member, entry_minutes_sql
from tests.app.hours.helpers import add_entry, worker
from tests.factories import make_user


def test_approved_minutes_are_summed_per_member_over_local_days(app):
    ada, ada_member = worker("Ada Baker")
    ben, ben_member = worker("Ben Barista", pin="2222")
    chloe = make_user("staff", name="Chloé Counter")  # not a member: never counted
    boss = make_user("manager")
    summer = datetime(2026, 7, 1, 5, 0, tzinfo=UTC)  # 06:00 in London
    add_entry(ada, summer, summer + timedelta(hours=8), 30, member=ada_member, approved_by=boss)
    add_entry(
        ada,
        summer + timedelta(days=1),
        summer + timedelta(days=1, hours=8, seconds=59),
        0,
        member=ada_member,
        approved_by=boss,
    )
    add_entry(
        ada, summer + timedelta(days=2), summer + timedelta(days=2, hours=8), member=ada_member
    )  # not approved
    add_entry(
        ben,
        datetime(2026, 6, 30, 23, 30, tzinfo=UTC),
        datetime(2026, 7, 1, 7, 30, tzinfo=UTC),
        45,
        member=ben_member,
        approved_by=boss,
    )  # 00:30 on 1 July in London
    add_entry(
        ben,
        datetime(2026, 7, 3, 23, 30, tzinfo=UTC),
        datetime(2026, 7, 4, 7, 30, tzinfo=UTC),
        0,
        member=ben_member,
        approved_by=boss,
    )  # 4 July in London: outside
    add_entry(
        ben,
        datetime(2026, 7, 2, 10, 0, tzinfo=UTC),
        datetime(2026, 7, 2, 10, 20, tzinfo=UTC),
        30,
        member=ben_member,
        approved_by=boss,
    )  # break > shift: 0, never negative
    add_entry(chloe, summer, summer + timedelta(hours=8), approved_by=boss)
    totals = approved_minutes_by_member(date(2026, 7, 1), date(2026, 7, 3))
    assert totals == {ada_member.id: 450 + 480, ben_member.id: 435}
    assert approved_minutes_by_member(date(2026, 8, 1), date(2026, 8, 31)) == {}


def test_the_sql_minutes_agree_with_the_python_property(app):
    ada, member = worker()
    boss = make_user("manager")
    start = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # across the clocks going forward

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        seconds=st.integers(min_value=1, max_value=16 * 3600), pause=st.integers(min_value=0, max_value=240)
    )
    def check(seconds: int, pause: int) -> None:
        entry = add_entry(
            ada, start, start + timedelta(seconds=seconds), pause, member=member, approved_by=boss
        )
        in_sql = db.session.scalar(select(entry_minutes_sql()).where(TimeEntry.id == entry.id))
        assert in_sql == entry.minutes
        db.session.delete(entry)
        db.session.commit()

    check()
