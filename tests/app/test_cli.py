"""`flask bakery ...` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bakery.extensions import db
from bakery.models import AuditEvent, Member, Till, User
from tests.factories import make_user

DIVIDENDS = Path(__file__).resolve().parents[2].parent / "shared" / "dividends"


def test_demo_data_loads_once_and_a_second_run_changes_nothing(runner):
    first = runner.invoke(args=["bakery", "demo"])
    assert first.exit_code == 0 and "Demo data loaded" in first.output
    assert "admin@demo.bakery.coop" in first.output
    counts = [db.session.scalar(select(func.count()).select_from(m)) for m in (User, Member, Till)]
    assert counts == [7, 5, 2]
    second = runner.invoke(args=["bakery", "demo"])
    assert "nothing changed" in second.output
    assert [db.session.scalar(select(func.count()).select_from(m)) for m in (User, Member, Till)] == counts


def test_create_admin_makes_an_admin_and_refuses_a_short_password(runner):
    ok = runner.invoke(
        args=[
            "bakery",
            "create-admin",
            "--name",
            "Root",
            "--email",
            "root@x.test",
            "--password",
            "long enough pass",
        ]
    )
    assert ok.exit_code == 0, ok.output
    assert db.session.scalar(select(User.role).where(User.email == "root@x.test")) == "admin"
    short = runner.invoke(
        args=["bakery", "create-admin", "--name", "R", "--email", "r@x.test", "--password", "short"]
    )
    assert short.exit_code != 0 and "at least 10" in short.output


def test_backup_writes_a_readable_copy_on_sqlite(runner, app, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("pg_dump backups are documented, not run in tests")
    make_user("manager")
    result = runner.invoke(args=["bakery", "backup", "--to", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    import sqlite3

    [copy] = list((tmp_path / "b").glob("bakery-*.sqlite"))
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1


@pytest.mark.parametrize("case", sorted(DIVIDENDS.glob("*.json")), ids=lambda p: p.stem)
def test_dividends_allocate_prints_the_golden_result(runner, case):
    result = runner.invoke(args=["bakery", "dividends", "allocate", "--scenario", str(case)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == json.loads(case.read_text())["expected"]


def test_dividends_allocate_refuses_a_broken_scenario(runner, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"rules": {}}')
    result = runner.invoke(args=["bakery", "dividends", "allocate", "--scenario", str(bad)])
    assert result.exit_code != 0


def test_audit_verify_passes_then_names_an_altered_row(runner):
    make_user("manager")
    make_user("staff")
    assert runner.invoke(args=["bakery", "audit", "verify"]).exit_code == 0
    target_id = db.session.scalar(select(AuditEvent.id).where(AuditEvent.seq == 1))
    db.session.rollback()
    # Someone with database access edits the log behind the app's back.
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("UPDATE audit_events SET target = 'user:999' WHERE seq = 1"))
    result = runner.invoke(args=["bakery", "audit", "verify"])
    assert result.exit_code == 1
    assert f"seq 1 (row {target_id})" in result.output


def test_the_audit_log_refuses_update_and_delete_in_the_database(app):
    make_user("manager")
    db.session.rollback()
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError), db.engine.begin() as conn:
            conn.execute(text(statement))


def test_the_audit_log_refuses_changes_through_the_orm(app):
    from bakery.database import AppendOnlyError

    make_user("manager")
    event = db.session.scalar(select(AuditEvent))
    event.action = "rewritten"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
