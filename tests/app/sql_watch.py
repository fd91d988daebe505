"""Watching the SQL a request sends: the statements, how much work each did, and their plans.

Statement counts are deterministic, so tests can hold them to a ceiling. Work is measured the
same way on every run too: SQLite's virtual machine steps (a progress handler called every
`STEP` instructions) and, on PostgreSQL, the rows each plan node read (EXPLAIN ANALYZE).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

STEP = 10
#: Tables that grow with the shop's history: a request may only reach into them through an index.
HISTORY_TABLES = frozenset(
    {
        "sales",
        "sale_lines",
        "payments",
        "baskets",
        "basket_lines",
        "ledger_entries",
        "print_jobs",
        "audit_events",
        "stock_movements",
        "z_reports",
        "cash_sessions",
        "store_credits",
        "receipt_links",
        "pending_payments",
    }
)


@dataclass
class Statement:
    """One statement as the driver got it, and the work it did."""

    sql: str
    parameters: Any
    steps: int = 0

    @property
    def verb(self) -> str:
        """SELECT, INSERT, UPDATE, DELETE, SAVEPOINT…"""
        return self.sql.lstrip().split(None, 1)[0].upper()


@dataclass
class Watch:
    """What the watched block sent."""

    statements: list[Statement] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Statements sent (BEGIN and COMMIT are not statements the driver is given)."""
        return len(self.statements)

    @property
    def steps(self) -> int:
        """SQLite virtual machine steps, in units of STEP."""
        return sum(s.steps for s in self.statements)

    def tick(self) -> int:
        """The progress handler: charge the work to the statement running."""
        if self.statements:
            self.statements[-1].steps += 1
        return 0

    def listing(self) -> str:
        """The statements, one a line, for a failing assertion's message."""
        return "\n".join(f"{s.steps:6d} {s.sql[:220]}" for s in self.statements)


@contextmanager
def watching(engine: Engine) -> Iterator[Watch]:
    """Record every statement sent through `engine` inside the block."""
    watch = Watch()
    touched: list[Any] = []

    def before(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        watch.statements.append(Statement(statement, parameters))
        if engine.dialect.name == "sqlite":
            raw = conn.connection.driver_connection
            raw.set_progress_handler(watch.tick, STEP)
            touched.append(raw)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield watch
    finally:
        event.remove(engine, "before_cursor_execute", before)
        for raw in touched:
            raw.set_progress_handler(None, STEP)


TABLE_IN_PLAN = re.compile(r"\b(SCAN|SEARCH) (\w+)")


def sqlite_plan(engine: Engine, statement: Statement) -> list[str]:
    """SQLite's EXPLAIN QUERY PLAN lines for a captured statement."""
    raw = engine.raw_connection()
    try:
        rows = raw.cursor().execute("EXPLAIN QUERY PLAN " + statement.sql, statement.parameters).fetchall()
        return [str(row[3]) for row in rows]
    finally:
        raw.close()


def sqlite_full_scans(engine: Engine, statement: Statement) -> list[str]:
    """Plan lines that walk a whole history table (or a whole index of one)."""
    return [
        line
        for line in sqlite_plan(engine, statement)
        if (m := TABLE_IN_PLAN.search(line)) and m.group(1) == "SCAN" and m.group(2) in HISTORY_TABLES
    ]


def postgres_plan(engine: Engine, statement: Statement, *, analyze: bool) -> dict[str, Any]:
    """PostgreSQL's plan for a captured statement as JSON (run and rolled back when `analyze`)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
        cursor.execute(f"EXPLAIN ({options}) " + statement.sql, statement.parameters)
        found = cursor.fetchone()[0]
        plan: dict[str, Any] = (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]
        return plan
    finally:
        raw.rollback()
        raw.close()


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def postgres_rows_read(engine: Engine, statement: Statement) -> dict[str, int]:
    """Rows each history table's scan nodes read (returned or filtered out), over all loops."""
    read: dict[str, int] = {}
    for node in _nodes(postgres_plan(engine, statement, analyze=True)):
        table = node.get("Relation Name")
        if table in HISTORY_TABLES:
            rows = (
                node.get("Actual Rows", 0)
                + node.get("Rows Removed by Filter", 0)
                + node.get("Rows Removed by Index Recheck", 0)
            ) * node.get("Actual Loops", 1)
            read[table] = read.get(table, 0) + int(rows)
    return read


def postgres_indexes(engine: Engine, statement: Statement) -> set[str]:
    """The indexes PostgreSQL's plan for a statement uses."""
    return {
        node["Index Name"]
        for node in _nodes(postgres_plan(engine, statement, analyze=False))
        if "Index Name" in node
    }
