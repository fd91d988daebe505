"""The race harness: the app under gunicorn with several worker processes, on SQLite and PostgreSQL,
and tablets that release prepared requests together at one barrier.

Threads sharing one process and one connection pool hide races that separate processes show, so
every request here goes over HTTP to a real multi-worker server. The test body sets the scene and
reads the result through an app of its own on the same database (same keys), which also signs the
tablets in: a tablet's cookies come from a Flask test client and are then sent over the wire.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bakery import create_app
from bakery.config import Defaults
from bakery.extensions import db
from bakery.security import DEVICE_COOKIE
from tests.conftest import POSTGRES_URL, RequestIsolatedClient, base_config, csrf_token, migrate_to_head

WORKERS = 4
ROUNDS = 20
GUNICORN = Path(sys.executable).with_name("gunicorn")


@dataclass
class Answer:
    """What one request got back."""

    status: int
    body: str


@dataclass
class Tablet:
    """A browser's cookies and CSRF token, sending requests over HTTP to the live server."""

    port: int
    cookies: dict[str, str]
    token: str
    extra_headers: dict[str, str] = field(default_factory=dict)

    def prepare(self, path: str, data: dict[str, str]) -> PreparedPost:
        """An htmx POST, connected but not yet sent."""
        return PreparedPost(self, path, data)


class PreparedPost:
    """A POST whose connection is open before the barrier, so only the send is left to race."""

    def __init__(self, tablet: Tablet, path: str, data: dict[str, str]) -> None:
        self.tablet, self.path, self.body = tablet, path, urlencode(data)
        self.connection = http.client.HTTPConnection("127.0.0.1", tablet.port, timeout=60)
        self.connection.connect()

    def send(self) -> Answer:
        cookie = "; ".join(f"{k}={v}" for k, v in self.tablet.cookies.items())
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "X-CSRFToken": self.tablet.token,
            "HX-Request": "true",
            **self.tablet.extra_headers,
        }
        try:
            self.connection.request("POST", self.path, body=self.body, headers=headers)
            response = self.connection.getresponse()
            return Answer(response.status, response.read().decode("utf-8", "replace"))
        finally:
            self.connection.close()


def release_together(posts: list[PreparedPost]) -> list[Answer]:
    """Send every prepared POST from its own thread, all released by one barrier."""
    db.session.rollback()  # the test body must not hold SQLite's write lock meanwhile
    barrier = threading.Barrier(len(posts))
    answers: list[Answer | None] = [None] * len(posts)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = posts[i].send()
        except BaseException as exc:  # re-raised in the test body
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not any(t.is_alive() for t in threads), "a request hung"
    if errors:
        raise errors[0]
    db.session.rollback()  # read what the server committed
    return [a for a in answers if a is not None]


class LiveServer:
    """gunicorn with several sync workers serving the app on a database of its own."""

    def __init__(self, database_url: str, folder: Path, workers: int = WORKERS) -> None:
        self.database_url = database_url
        self.folder = folder
        self.workers = workers
        self.port = _free_port()
        self.log = folder / "gunicorn.log"
        #: One line per request: the worker's pid, the request's X-Probe header, the status.
        self.access_log = folder / "access.log"
        self.config = {
            **base_config(database_url, folder),
            "WITNESS_PATH": str(folder / "chain-witness.log"),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_seen = 0

    def start(self) -> None:
        env = os.environ | {
            f"BAKERY_{key}": str(value)
            for key, value in self.config.items()
            if key in ("DATABASE_URL", "SECRET_KEY", "LEDGER_KEY", "PASSWORD_HASH_METHOD", "WITNESS_PATH")
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "--workers",
                    str(self.workers),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--access-logfile",
                    str(self.access_log),
                    "--access-logformat",
                    "%(p)s %({x-probe}i)s %(s)s",
                    "--timeout",
                    "60",
                    "bakery:create_app()",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_it_answers()
        except BaseException:
            self.stop()  # never leave a server behind
            raise

    def _wait_until_it_answers(self) -> None:
        assert self.process is not None
        # Booting four workers takes seconds on a quiet machine and far longer on a busy one.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited at start:\n" + self.log.read_text(errors="replace"))
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                connection.request("GET", "/sign-in")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
            finally:
                connection.close()
        raise RuntimeError("gunicorn did not answer:\n" + self.log.read_text(errors="replace"))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            # SIGQUIT is gunicorn's quick shutdown: a graceful one waits up to 30 s for idle workers.
            os.killpg(self.process.pid, signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def workers_of(self, probes: set[str], wait: float = 10.0) -> dict[str, str]:
        """Which worker (its pid) answered each request sent with one of these X-Probe headers
        (gunicorn writes the access line just after the answer, so it is waited for)."""
        deadline = time.monotonic() + wait
        found: dict[str, str] = {}
        while True:
            for line in self.access_log.read_text(errors="replace").splitlines():
                pid, _, rest = line.partition(" ")
                probe = rest.rsplit(" ", 1)[0]
                if probe in probes:
                    found[probe] = pid
            if found.keys() >= probes or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def errors_logged(self) -> str:
        """Tracebacks the workers logged since the last look (an unhandled error is a failed race
        test); each error is reported once, to the test that caused it."""
        with self.log.open("rb") as log:
            log.seek(self.log_seen)
            text_ = log.read().decode(errors="replace")
            self.log_seen = log.tell()
        return text_ if "Traceback" in text_ else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(engine: str, request: pytest.FixtureRequest, workers: int = WORKERS) -> Iterator[LiveServer]:
    """A multi-worker server on a fresh database at head, stopped (and its database dropped) after."""
    tmp_path_factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    folder = tmp_path_factory.mktemp(f"race-{engine}")
    admin = None
    name = ""
    if engine == "sqlite":
        path = folder / "bakery.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        if not POSTGRES_URL:
            pytest.skip("BAKERY_TEST_POSTGRES_URL is not set: PostgreSQL race tests skipped")
        server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
        name = f"bakery_race_{uuid.uuid4().hex[:10]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
        migrate_to_head(url, folder)
    server_ = LiveServer(url, folder, workers)
    try:
        server_.start()
        yield server_
    finally:
        server_.stop()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """A multi-worker server on a fresh database at head, for one test module and engine (some
    modules clear whole tables, such as the financial periods, between their rounds)."""
    with serving(request.param, request) as server_:
        yield server_


@pytest.fixture(scope="module")
def scene(live: LiveServer) -> Iterator[Flask]:
    """The app on the live server's database, for setting the scene and reading the outcome."""
    app = create_app(live.config)
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def tablet_for(live: LiveServer, client: FlaskClient) -> Tablet:
    """The cookies a signed-in test client holds, as a tablet talking to the live server."""
    token = csrf_token(client)  # first: fetching it may add the token to the session cookie
    cookies = {}
    for name in (Defaults.SESSION_COOKIE_NAME, DEVICE_COOKIE):
        cookie = client.get_cookie(name)
        if cookie is not None:
            cookies[name] = cookie.value
    return Tablet(live.port, cookies, token)
