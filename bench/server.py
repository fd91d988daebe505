"""Scratch databases and a gunicorn serving the app on them, started and stopped by the bench."""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine

from bench.stats import Meter

REPO = Path(__file__).resolve().parents[1]
BIN = REPO / ".venv" / "bin"
DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


class ScratchDatabase:
    """A database made for one bench run and removed afterwards (also on error)."""

    engine_name = "?"
    url = ""
    backend_marker: bytes | None = None  # how the database's server processes name it, if any

    def __enter__(self) -> ScratchDatabase:
        self.create()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.drop()

    def create(self) -> None:
        """Make the empty database."""
        raise NotImplementedError

    def drop(self) -> None:
        """Remove the database and anything it left behind."""
        raise NotImplementedError


class SqliteScratch(ScratchDatabase):
    """A SQLite file in a temporary folder (the folder also holds the server's log)."""

    engine_name = "sqlite"

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bakery-bench-"))
        self.url = f"sqlite:///{self.folder / 'bench.sqlite'}"

    def create(self) -> None:
        """Nothing to do: migrating creates the file."""

    def drop(self) -> None:
        """Delete the folder with the database, its WAL and the log."""
        shutil.rmtree(self.folder, ignore_errors=True)


class PostgresScratch(ScratchDatabase):
    """A database created with CREATE DATABASE on a PostgreSQL server and dropped with FORCE."""

    engine_name = "postgres"

    def __init__(self, admin_url: str = DEFAULT_POSTGRES_ADMIN_URL) -> None:
        self.admin_url = admin_url.replace("postgresql+psycopg://", "postgresql://")
        self.name = f"bakery_bench_{secrets.token_hex(4)}"
        base, _, _ = self.admin_url.rpartition("/")
        self.url = f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{self.name}"
        self.backend_marker = f" {self.name} ".encode()  # "postgres: 15/main: user DBNAME host(port) …"
        self.created = False

    def _run(self, statement: sql.Composable) -> None:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as connection:
            connection.execute(statement)

    def create(self) -> None:
        """CREATE DATABASE bakery_bench_<random>."""
        self._run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        self.created = True

    def drop(self) -> None:
        """DROP DATABASE … WITH (FORCE), ending any connection still open on it."""
        if self.created:
            self._run(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))
            self.created = False


def postgres_reachable(admin_url: str) -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        with psycopg.connect(admin_url.replace("+psycopg", ""), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]


def process_cpu_seconds(match: Callable[[list[str], bytes], bool]) -> float:
    """User + system CPU seconds of the live processes for which `match(stat fields, cmdline)` holds.

    The stat fields are those after the command name: [0] state, [1] ppid, [2] pgrp, … [11] utime,
    [12] stime (see proc(5)).
    """
    ticks = 0
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            fields = (folder / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (folder / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if match(fields, cmdline):
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`gunicorn --workers 2` on a migrated scratch database holding the demo data."""

    def __init__(self, database: ScratchDatabase, workers: int = 2) -> None:
        self.database = database
        self.workers = workers
        self.host = "127.0.0.1"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = Path(tempfile.mkstemp(prefix="bakery-bench-gunicorn-", suffix=".log")[1])
        # Each scratch database signs its chain heads with its own key: its witness must not land in
        # (and be refused by) the instance's own witness file.
        self.witness_path = self.log_path.with_suffix(".witness")
        self._engine: Engine | None = None
        self.env = os.environ | {
            "FLASK_APP": "bakery",
            "BAKERY_DATABASE_URL": database.url,
            "BAKERY_SECRET_KEY": secrets.token_hex(32),
            "BAKERY_LEDGER_KEY": secrets.token_hex(32),
            "BAKERY_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "BAKERY_WITNESS_PATH": str(self.witness_path),
            "BAKERY_SQL_STATEMENT_HEADER": "1",  # statements per request, for the second-year row
        }

    @property
    def address(self) -> tuple[str, int]:
        """Host and port the server listens on."""
        return self.host, self.port

    def flask(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a `flask …` command against the scratch database (output captured, not checked)."""
        return subprocess.run(
            [str(BIN / "flask"), *args], cwd=REPO, env=self.env, capture_output=True, text=True, check=False
        )

    def _flask_or_fail(self, *args: str) -> None:
        done = self.flask(*args)
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()
            self.remove_log()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self.remove_log()

    def start(self) -> None:
        """Migrate, load the demo data, start gunicorn and wait until it answers."""
        self._flask_or_fail("db", "upgrade")
        self._flask_or_fail("bakery", "demo")
        self.port = free_port()
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "--workers",
                    str(self.workers),
                    "--bind",
                    f"{self.host}:{self.port}",
                    "bakery:create_app()",
                ],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() ends master and workers
            )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=2)
                connection.request("GET", "/sign-in")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
                connection.close()
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        """The end of gunicorn's log (errors from the app land here)."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """CPU seconds (user + system) used so far by gunicorn's master and workers."""
        if self.process is None:
            return 0.0
        group = self.process.pid  # the process group start_new_session made
        return process_cpu_seconds(lambda fields, _cmdline: int(fields[2]) == group)

    def database_cpu_seconds(self) -> float:
        """CPU seconds used so far by the PostgreSQL backends serving the scratch database.

        NaN for SQLite, whose work is done inside gunicorn's workers.
        """
        marker = self.database.backend_marker
        if marker is None:
            return float("nan")
        return process_cpu_seconds(
            lambda _fields, cmdline: cmdline.startswith(b"postgres: ") and marker in cmdline
        )

    def meter(self) -> Meter:
        """A meter of the CPU this server, its database, the bench and the machine use."""
        return Meter(self.cpu_seconds, self.database_cpu_seconds)

    def engine(self) -> Engine:
        """A SQLAlchemy engine on the scratch database, for reading results directly."""
        if self._engine is None:
            self._engine = create_engine(self.database.url)
        return self._engine

    def stop(self) -> None:
        """Stop gunicorn's process group (TERM, then KILL after 10 s); close the bench's connections.

        The master waits for its workers on TERM, and KILL goes to the whole group, so no worker is
        left holding the scratch database open.
        """
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def remove_log(self) -> None:
        """Delete the log file."""
        self.log_path.unlink(missing_ok=True)
        self.witness_path.unlink(missing_ok=True)
