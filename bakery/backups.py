"""Backups that restore: a consistent copy of the database beside the chain witness as it stood,
and a restore drill that restores a backup into a scratch database and verifies its chains.

A backup is two files in the backup folder (meant to be a disk that is not the till box's):
`bakery-<UTC stamp>.sqlite` (SQLite's online backup API: a consistent snapshot while tills write;
a file copy of a WAL database can miss committed sales) or `bakery-<stamp>.dump` (`pg_dump
--format=custom`, one snapshot of the whole database), and `bakery-<stamp>.witness`, the chain
witness file copied *before* the snapshot: every head it names was committed before the copy,
so the snapshot holds it, and the drill can hold the restored chains against it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from bakery.extensions import db

SUFFIXES = (".sqlite", ".dump")


class BackupError(RuntimeError):
    """A backup or a restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class Backup:
    """One backup: the database copy and the witness copy taken just before it."""

    path: Path
    witness: Path | None
    started_at: datetime


@dataclass
class DrillReport:
    """What a restore drill found: each line of the verification, and whether all of it held."""

    backup: Path
    lines: list[str] = field(default_factory=list)
    ok: bool = True

    def fail(self, line: str) -> None:
        self.lines.append(line)
        self.ok = False


def backup_folder(target: Path | None = None) -> Path:
    """The folder backups go to: `--to`, else `BACKUP_DIR`, else `instance/backups`."""
    return Path(target or current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")


def take_backup(folder: Path, keep: int | None = None) -> Backup:
    """Copy the witness, then snapshot the database into `folder`; keep the newest `keep` backups.

    Rule: files are written under a `.partial` name and renamed when complete, so a backup that
    died half-way (disk full, power cut) is never mistaken for a good one.
    """
    from bakery.services.audit import witness_path

    folder.mkdir(parents=True, exist_ok=True)
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%S") + f"{started.microsecond // 1000:03d}Z"
    base = folder / f"bakery-{stamp}"
    witness = _copy_witness(witness_path(), base.with_suffix(".witness.partial"))
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        path = base.with_suffix(".sqlite")
        _sqlite_backup(url.database or "", path.with_suffix(".sqlite.partial"))
    else:
        path = base.with_suffix(".dump")
        _pg_dump(url, path.with_suffix(".dump.partial"))
    path.with_suffix(path.suffix + ".partial").rename(path)
    witness_final = None
    if witness is not None:
        witness_final = base.with_suffix(".witness")
        witness.rename(witness_final)
    _fsync_dir(folder)
    if keep:
        prune(folder, keep)
    return Backup(path, witness_final, started)


def _copy_witness(source: Path, dest: Path) -> Path | None:
    """The witness as it stands now, read under a shared lock (never a half-appended line)."""
    try:
        handle = source.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        data = handle.read()
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    return dest


def _sqlite_backup(source_path: str, dest: Path) -> None:
    source = sqlite3.connect(source_path, timeout=30)
    try:
        target = sqlite3.connect(dest)
        try:
            with target:
                source.backup(target)  # one step: a consistent snapshot, writers carry on (WAL)
            # One self-contained file (the copy would otherwise say WAL and want a -wal beside it).
            target.execute("PRAGMA journal_mode=DELETE")
            check = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
    except sqlite3.Error as error:
        dest.unlink(missing_ok=True)
        raise BackupError(f"The SQLite backup failed: {error}.") from error
    finally:
        source.close()
    if not check or check[0] != "ok":
        raise BackupError(f"The SQLite backup failed its integrity check: {check}.")
    with dest.open("rb") as handle:
        os.fsync(handle.fileno())


def _sqlite_copy(source_path: Path, dest: Path) -> None:
    """Copy a SQLite backup as SQLite reads it (with any journal beside it), never by bytes."""
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    target = sqlite3.connect(dest)
    try:
        with target:
            source.backup(target)
    except sqlite3.Error as error:
        raise BackupError(f"{source_path} is not a readable SQLite backup: {error}.") from error
    finally:
        target.close()
        source.close()


def _plain(url: URL) -> str:
    """The URL as libpq's tools take it (postgresql://, the password kept)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client).")
    return found


def _pg_dump(url: URL, dest: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own tool and our own database URL
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={dest}", _plain(url)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        dest.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    with dest.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backups_in(folder: Path) -> list[Path]:
    """The complete backups in a folder, oldest first."""
    return sorted(p for p in folder.glob("bakery-*") if p.suffix in SUFFIXES)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` backups (and their witness copies); return what went."""
    gone = backups_in(folder)[:-keep] if keep > 0 else []
    for path in gone:
        path.unlink(missing_ok=True)
        path.with_suffix(".witness").unlink(missing_ok=True)
    return gone


@contextmanager
def restored(backup: Path) -> Iterator[str]:
    """Restore a backup into a scratch database and yield its URL; the scratch copy is removed
    after. SQLite: a copy in a temporary folder. PostgreSQL: a new database beside the live one
    (the app's role needs CREATEDB), filled by pg_restore and dropped with FORCE after."""
    if backup.suffix == ".sqlite":
        with tempfile.TemporaryDirectory(prefix="bakery-drill-") as scratch:
            path = Path(scratch) / "restored.sqlite"
            _sqlite_copy(backup, path)
            yield f"sqlite:///{path}"
        return
    live = db.engine.url
    if live.get_backend_name() != "postgresql":
        raise BackupError("A pg_dump backup restores into PostgreSQL: set BAKERY_DATABASE_URL to it.")
    name = f"bakery_drill_{uuid.uuid4().hex[:10]}"
    admin = create_engine(live.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        scratch_url = live.set(database=name)
        try:
            result = subprocess.run(  # noqa: S603 - our own tool, file and database
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--dbname={_plain(scratch_url)}",
                    str(backup),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
            yield scratch_url.render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def restore_drill(backup: Path) -> DrillReport:
    """Restore `backup` into a scratch database and verify it as `flask bakery ledger verify` and
    `audit verify` would: every till's chain and the audit chain recomputed with the ledger key,
    and each held against the witness copied with the backup. The live database is not touched."""
    from bakery import create_app

    report = DrillReport(backup)
    witness = backup.with_suffix(".witness")
    if not witness.exists():
        report.lines.append("No witness copy beside this backup: chain ends are checked against nothing.")
    live = current_app
    with restored(backup) as scratch:
        app: Flask = create_app(
            {
                "DATABASE_URL": scratch,
                "SECRET_KEY": live.config["SECRET_KEY"],
                "LEDGER_KEY": live.config["LEDGER_KEY"],
                "WITNESS_PATH": str(witness.resolve()),
                "PROXY_HOPS": 0,
            }
        )
        with app.app_context():
            try:
                _verify_restored(report)
            finally:
                db.session.remove()
                db.engine.dispose()
    return report


def _verify_restored(report: DrillReport) -> None:
    """Integrity, what was restored, then every chain (in the scratch database's app context)."""
    from bakery.services import till as till_services
    from bakery.services.audit import describe_audit_fault, verify_audit_chain

    if db.engine.url.get_backend_name() == "sqlite":
        check = db.session.execute(text("PRAGMA integrity_check")).scalar()
        if check != "ok":
            report.fail(f"SQLite integrity check: {check}")
    revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    sales, last = db.session.execute(text("SELECT COUNT(*), MAX(created_at) FROM sales")).one()
    report.lines.append(
        f"Restored {backup_kind(report.backup)} at migration {revision}: {sales} sales, the last at {last}."
    )
    for state in till_services.verify_all():
        line = till_services.describe_fault(state)
        if state.fault is None:
            report.lines.append(line)
        else:
            report.fail(line)
    fault = verify_audit_chain()
    if fault is None:
        report.lines.append(describe_audit_fault(fault))
    else:
        report.fail(describe_audit_fault(fault))


def backup_kind(path: Path) -> str:
    """'SQLite backup' or 'pg_dump backup'."""
    return "SQLite backup" if path.suffix == ".sqlite" else "pg_dump backup"
