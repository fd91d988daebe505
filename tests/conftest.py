"""Fixtures: an app per test on a fresh database built from the migrations, on SQLite and,
when BAKERY_TEST_POSTGRES_URL is set, on PostgreSQL too (the test id names the engine)."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bakery import create_app
from bakery.extensions import db

POSTGRES_URL = os.environ.get("BAKERY_TEST_POSTGRES_URL", "")
ENGINES = ["sqlite", "postgresql"]
TEST_KEYS = {"SECRET_KEY": "test-secret-key", "LEDGER_KEY": "test-ledger-key"}


def base_config(database_url: str, tmp: Path) -> dict[str, object]:
    """The configuration every test app shares."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "BACKUP_DIR": str(tmp / "backups"),
        "WITNESS_PATH": str(tmp / "chain-witness.log"),
        # The base demo only: tests that want the year of trading turn it on (it takes a while).
        "DEMO_YEAR": False,
        **TEST_KEYS,
    }


def migrate_to_head(database_url: str, tmp: Path) -> None:
    """Build a schema the way production does: Alembic, not create_all()."""
    from flask_migrate import upgrade

    app = create_app(base_config(database_url, tmp))
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite"
    migrate_to_head(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def postgres_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL database of our own, migrated to head once; tests truncate between runs."""
    if not POSTGRES_URL:
        pytest.skip("BAKERY_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped")
    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"bakery_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    migrate_to_head(url, tmp_path_factory.mktemp("pg"))
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def empty_postgres(url: str) -> None:
    """Truncate every table but Alembic's; append-only triggers are bypassed for the reset only."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [
            row[0]
            for row in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables"
                    " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ]
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        if tables:
            conn.execute(
                text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
            )
    engine.dispose()


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database at head for one test, on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "bakery.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    empty_postgres(url)
    return url


class RequestIsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Flask reuses an outer app context for a request, which would share `g` and the database
    session between the test body and the requests. Before each request the test body's
    transaction is ended, so it neither holds SQLite's write lock nor reads a stale snapshot.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        db.session.rollback()
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app bound to a fresh database; the test body runs inside an app context."""
    app = create_app(base_config(database_url, tmp_path))
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (a browser without JavaScript)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    """The CLI runner."""
    return app.test_cli_runner()


CSRF_IN_PAGE = re.compile(r'"X-CSRFToken": "([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token the current session would put in a page (as htmx sends it)."""
    page = client.get("/sign-in").get_data(as_text=True)
    found = CSRF_IN_PAGE.search(page)
    assert found, "no CSRF token in the page"
    return found.group(1)
