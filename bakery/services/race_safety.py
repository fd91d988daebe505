"""Race-safe writes: the one pattern every service that writes follows, and the registry that says how.

A request that reads rows and then writes something that depends on them is a race on PostgreSQL:
two requests read the same state, both decide, both write. Each writing service therefore uses
one of four mechanisms, declares it with `@race_safe(...)`, and a test checks that every service
function that commits is declared:

- ``ROW_LOCK``: lock the parent row first (`locked()`: SELECT … FOR UPDATE on PostgreSQL; on
  SQLite the request's BEGIN IMMEDIATE already serialises writers, and `locked()` makes sure the
  transaction holds that lock even after an earlier commit in the same request), then read, then
  write. A second request waits on the lock and then reads what the first one wrote.
- ``CONDITIONAL_UPDATE``: one `UPDATE … WHERE <still as read> [RETURNING]` whose row count says
  who got there first (`claimed()`).
- ``UNIQUE_KEY``: a UNIQUE constraint makes the second insert impossible; the loser rolls back to
  a savepoint and answers with the winner's row.
- ``SERIALISED``: no parent row exists to lock (a new period must not overlap another): a
  transaction-scoped advisory lock named for the topic (`serialise()`), so such writers run one
  at a time; SQLite's write lock already does that.
- ``INDEPENDENT``: what is written does not depend on rows another request can change (an insert
  of new data, or an overwrite where the last writer wins by design).

Lock order, to keep PostgreSQL free of deadlocks: till → sale → cash session → financial period →
till counter → member → chain head. Every till operation locks its till row first. A write that
happens now (a sale, a refund, a clock-in) or is about a day (hours) share-locks that day's period
(FOR SHARE, `periods.period_for_write` / `refuse_if_closed`); proposing, approving and closing a
period early update the period's row and lock nothing after it, so they wait for writes under way
and a write after them sees the period closed, and no cycle can form.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from flask import g, has_request_context
from sqlalchemy import Executable, select, text

from bakery.extensions import db

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M")


class Mechanism(Enum):
    """How a writing service stays correct when requests arrive together."""

    ROW_LOCK = "row lock"
    CONDITIONAL_UPDATE = "conditional update"
    UNIQUE_KEY = "unique key"
    SERIALISED = "advisory lock"
    INDEPENDENT = "writes nothing that depends on a prior read"


@dataclass(frozen=True)
class RaceSafety:
    """A service's declared mechanism(s) and what they guard."""

    mechanisms: tuple[Mechanism, ...]
    guards: str


#: The key a form carries so that sending it twice acts once (a tender, a paid-out, a clock-in).
FORM_KEY = re.compile(r"^[A-Za-z0-9-]{8,64}$")

#: Every declared writing service, by "module.function".
REGISTRY: dict[str, RaceSafety] = {}


def race_safe(*mechanisms: Mechanism, guards: str) -> Callable[[F], F]:
    """Declare how a writing service is safe under concurrent requests (no wrapper: zero cost)."""
    if not mechanisms or not guards:
        raise ValueError("name at least one mechanism and what it guards")

    def declare(func: F) -> F:
        REGISTRY[f"{func.__module__}.{func.__qualname__}"] = RaceSafety(tuple(mechanisms), guards)
        func.__race_safety__ = REGISTRY[f"{func.__module__}.{func.__qualname__}"]  # type: ignore[attr-defined]
        return func

    return declare


def locked(model: type[M], row_id: int | None) -> M | None:
    """The row with this id, locked for the rest of the transaction and read fresh, or None.

    Rule: PostgreSQL takes the row lock (SELECT … FOR UPDATE OF the table), so a second request
    for the same row waits for this transaction to end and then reads what it wrote; attributes
    already loaded in the session are overwritten with the locked row's values. SQLite has no row
    locks: `begin_write()` makes sure this transaction holds the database's write lock instead.
    """
    if row_id is None:
        return None
    begin_write()
    statement = (
        select(model)
        .where(model.id == row_id)  # type: ignore[attr-defined]
        .with_for_update(of=model)
        .execution_options(populate_existing=True)
    )
    row = db.session.scalar(statement)
    _forget_what_may_be_stale()
    return row


def _forget_what_may_be_stale() -> None:
    """Rows read before a lock may be stale: what another request committed while we waited must
    be read again, not served from the identity map. The request's own context (the shop's
    settings, the tablet and its till, the signed-in session and user) stays: no till operation
    decides anything from it, and a row that matters is locked itself (read fresh)."""
    from bakery.models import ShopSettings, Till, TillDevice, User, UserSession

    session = db.session()
    if session.new or session.dirty or session.deleted:
        return
    context = (ShopSettings, Till, TillDevice, User, UserSession)
    for instance in list(session.identity_map.values()):
        if not isinstance(instance, context):
            session.expire(instance)


def serialise(topic: str) -> None:
    """Run the rest of this transaction alone among writers of the same topic.

    Rule: PostgreSQL takes `pg_advisory_xact_lock` on a number derived from the topic (released
    at commit or rollback); SQLite's write lock (BEGIN IMMEDIATE) already serialises all writers.
    """
    begin_write()
    if db.engine.dialect.name == "postgresql":
        number = int.from_bytes(hashlib.sha256(topic.encode()).digest()[:8], "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})


def claimed(statement: Executable) -> bool:
    """Run a conditional UPDATE and say whether it changed exactly one row (this request won)."""
    begin_write()
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


def begin_write() -> None:
    """Make sure the current transaction may write without losing a race (SQLite only).

    Why: a request that has already committed once (a failed PIN is counted and committed before
    the refusal) begins its next transaction deferred, as reads after a commit should not hold
    SQLite's write lock. A deferred transaction that reads and then writes fails at once with
    "database is locked" when another writer committed in between. So before the read that a
    write depends on, a deferred transaction that has written nothing is ended and the next one
    begins with BEGIN IMMEDIATE, queueing on the busy timeout like every other writer.
    """
    if db.engine.dialect.name != "sqlite":
        return
    if has_request_context():
        g._committed = False  # the next BEGIN of this request is IMMEDIATE again
    session = db.session()
    if not session.in_transaction():
        return
    connection = session.connection()
    if connection.info.get("immediate", True):
        return
    dbapi = connection.connection.driver_connection
    if session.new or session.dirty or session.deleted:
        return  # unflushed work: cannot restart; its first flush takes the write lock
    if dbapi is not None and dbapi.total_changes != connection.info.get("changes_at_begin"):
        return  # already wrote, so already holds the write lock
    session.rollback()


def lock_till(till_id: int) -> None:
    """Lock the till's row: every operation on a till's basket, drawer, refunds and close takes
    this lock first, so they run one at a time per till and in one order (no deadlocks).

    On SQLite the lock is the database's write lock, held from BEGIN IMMEDIATE (`begin_write()`
    sees to it), so no statement is sent: a transaction that began with it has read nothing stale.
    """
    from bakery.models import Till

    if db.engine.dialect.name != "sqlite":
        locked(Till, till_id)
        return
    begin_write()
    session = db.session()
    connection = session.connection() if session.in_transaction() else None
    if connection is None or not connection.info.get("immediate", False):
        _forget_what_may_be_stale()  # the next transaction takes the lock; read again after it
