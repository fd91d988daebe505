"""Engine set-up per database: SQLite pragmas and write transactions, PostgreSQL defaults."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from bakery.extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    """Bind the database and tune each engine for its dialect."""
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        if app.config.get("SQL_STATEMENT_HEADER"):
            count_statements(app, db.engine)


def request_writes() -> bool:
    """True when the current unit of work may write: a non-GET request until it has committed
    (what follows is rendering the answer, which only reads), and all CLI work."""
    if has_request_context():
        return request.method not in READ_ONLY_METHODS and not g.get("_committed", False)
    return True


def count_statements(app: Flask, engine: Engine) -> None:
    """Tell each response how many SQL statements its request sent (`X-SQL-Statements`).

    For the bench only (BAKERY_SQL_STATEMENT_HEADER=1): statements per tap and per pay are among
    the figures it prints. Every statement the driver is given counts, SQLite's BEGIN included.
    """

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        if has_request_context():
            g._sql_statements = g.get("_sql_statements", 0) + 1

    @app.after_request
    def _tell(response: Response) -> Response:
        response.headers["X-SQL-Statements"] = str(g.get("_sql_statements", 0))
        return response


def commit_keeping_loaded() -> None:
    """Commit the request's one transaction and keep what it loaded and wrote in the session.

    Why: the commit otherwise expires every row, so rendering the answer (the basket just changed,
    the sale just made) reads back what this very transaction wrote. Only the last step of a
    service that returns what it wrote uses it; the next lock forgets what may have gone stale.
    """
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def note_commit(_session: Session) -> None:
    """Remember that this request's one transaction has committed."""
    if has_request_context():
        g._committed = True


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, full sync, a busy timeout, and BEGIN IMMEDIATE for writing requests.

    With SQLite's default deferred transaction a request that reads and then writes fails with
    "database is locked" when another writer got there between its read and its write; taking the
    write lock at BEGIN makes concurrent taps queue on the busy timeout instead.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, instead of pysqlite's own deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = request_writes()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        # Read by race_safety.begin_write(): was the write lock taken at BEGIN, and has it written since?
        connection.info["immediate"] = immediate
        dbapi = connection.connection.driver_connection
        connection.info["changes_at_begin"] = dbapi.total_changes if dbapi is not None else 0


def refuse_changes_to_append_only(session: Session, _context: Any, _instances: Any) -> None:
    """Append-only tables (the ledger, the audit log) refuse UPDATE and DELETE through the ORM.

    The database refuses them too, with triggers created by the migrations.
    """
    for obj in list(session.dirty) + list(session.deleted):
        if getattr(type(obj), "append_only", False) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__name__} rows are append-only and cannot be changed")


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an append-only row."""


event.listen(Session, "before_flush", refuse_changes_to_append_only)
event.listen(Session, "after_commit", note_commit)
