"""`flask bakery backup` and `flask bakery restore-drill` on each engine: a backup restores into a
scratch database whose ledger and audit chains verify against the witness copied with it; a
tampered or cut-off backup fails the drill; old backups are pruned."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bakery.extensions import db
from bakery.models import Sale
from bakery.services.audit import witness_path
from tests.app.till.helpers import make_menu, open_till_for
from tests.race.test_till_races import sell


@pytest.fixture
def trading(app, client):  # type: ignore[no-untyped-def]
    """A till with three sales on it (so the ledger and the witness have entries)."""
    till, staff = open_till_for(client)
    croissant = make_menu()["croissant"]
    for _ in range(3):
        sell(till.id, staff.id, croissant)
    return till, staff, croissant


def backup(runner, folder: Path, *extra: str) -> Path:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["bakery", "backup", "--to", str(folder), *extra])
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().removeprefix("Backed up to "))


def test_a_backup_restores_and_its_chains_verify(runner, trading, tmp_path):
    path = backup(runner, tmp_path / "off-box")
    assert path.suffix == (".sqlite" if db.engine.dialect.name == "sqlite" else ".dump")
    assert path.with_suffix(".witness").read_bytes() == witness_path().read_bytes()
    assert not list((tmp_path / "off-box").glob("*.partial"))

    drill = runner.invoke(args=["bakery", "restore-drill", "--from", str(tmp_path / "off-box")])
    assert drill.exit_code == 0, drill.output
    assert "3 sales" in drill.output
    assert "entries, intact" in drill.output and "witnessed to entry 3" in drill.output
    assert "Audit chain intact." in drill.output
    assert "Restore drill passed" in drill.output


def test_a_backup_missing_sales_the_witness_saw_fails_the_drill(runner, trading, tmp_path):
    till, staff, croissant = trading
    path = backup(runner, tmp_path / "b")
    sell(till.id, staff.id, croissant)  # after the backup: the live witness moves on
    shutil.copyfile(witness_path(), path.with_suffix(".witness"))  # as if the backup lost it

    drill = runner.invoke(args=["bakery", "restore-drill", str(path)])
    assert drill.exit_code == 1
    assert "missing from the end" in drill.output
    assert "Restore drill FAILED" in drill.output
    assert db.session.query(Sale).count() == 4  # the live database untouched


def test_a_tampered_sqlite_backup_fails_the_drill_naming_the_row(runner, app, trading, tmp_path):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a pg_dump archive is not edited in place; the witness test covers PostgreSQL")
    path = backup(runner, tmp_path / "b")
    conn = sqlite3.connect(path)  # someone with the file drops the guards and edits a sale
    with conn:
        triggers = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'sales'"
        )
        for (name,) in triggers.fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("UPDATE sales SET total = total + 100 WHERE id = (SELECT MIN(id) FROM sales)")
    conn.close()
    drill = runner.invoke(args=["bakery", "restore-drill", str(path)])
    assert drill.exit_code == 1, drill.output
    assert "broken at entry 1" in drill.output


def test_keep_prunes_the_oldest_backups_with_their_witness_copies(runner, trading, tmp_path):
    folder = tmp_path / "b"
    made = [backup(runner, folder, "--keep", "2") for _ in range(3)]
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted(
        [
            made[1].name,
            made[2].name,
            made[1].with_suffix(".witness").name,
            made[2].with_suffix(".witness").name,
        ]
    )


def test_a_drill_with_no_backup_says_so(runner, app, tmp_path):
    result = runner.invoke(args=["bakery", "restore-drill", "--from", str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "No backups in" in result.output
