"""Year end: patronage aggregation plus the allocation, against a full-table SUM in the same run.

`python -m bench.year_end` (or `python -m bench year-end`) builds, on each engine, a scratch
database with 5,000 members, 2,000,000 sale lines and 200,000 time entries (bulk loaded:
executemany on SQLite, COPY on PostgreSQL), then times

- the floor: `SELECT SUM(gross) FROM sale_lines` over the whole table;
- the year end: `dividends.build_scenario` (purchases net of VAT per member, approved minutes per
  member, carried balances, who takes part) plus `allocate` — what Preview and Propose run;
- the preview: the same plus laying out the page's rows (names, shares, class totals, chart).

Each is run `--repeat` times; the best is reported (and the first, cold, run of the year end).
DESIGN §7's budget: the year end in ≤ 5 s and ≤ 15x the SUM. Nothing passes or fails here.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bakery.domain.vat import vat_bands
from bench.server import (
    DEFAULT_POSTGRES_ADMIN_URL,
    PostgresScratch,
    ScratchDatabase,
    SqliteScratch,
    postgres_reachable,
)

YEAR = 2025
BUDGET_SECONDS = 5.0
BUDGET_RATIO = 15.0
CLASS_MIX = (("worker", 0.2), ("customer", 0.7), ("community", 0.1))
SALE_COLUMNS = (
    "id",
    "till_id",
    "receipt_no",
    "idempotency_key",
    "kind",
    "cash_session_id",
    "staff_id",
    "member_id",
    "eat_in",
    "subtotal",
    "discount_total",
    "total",
    "vat_total",
    "created_at",
)
LINE_COLUMNS = (
    "id",
    "sale_id",
    "product_id",
    "description",
    "note",
    "qty",
    "unit_price",
    "modifiers_price",
    "line_discount",
    "basket_discount_share",
    "gross",
    "rate_bp",
    "vat_reason",
    "eat_in",
)
ENTRY_COLUMNS = (
    "user_id",
    "member_id",
    "clock_in",
    "clock_out",
    "break_minutes",
    "approved_by_id",
    "approved_at",
    "member_state",
    "member_comment",
)
MEMBER_COLUMNS = ("id", "number", "name", "class_id", "status", "joined_on", "card_code", "created_at")


def progress(message: str) -> None:
    """A line on stderr while the bench runs."""
    print(f"[year-end {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Figures:
    """What one engine measured."""

    engine: str
    load_seconds: float = 0.0
    sum_runs: list[float] = field(default_factory=list)
    year_end_runs: list[float] = field(default_factory=list)
    preview_runs: list[float] = field(default_factory=list)
    members_in_scenario: int = 0
    sum_value: int = 0
    error: str = ""


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds taken by `run()`, and what it returned."""
    started = time.perf_counter()
    value = run()
    return time.perf_counter() - started, value


# --- data ---------------------------------------------------------------------------------------


@dataclass
class Plan:
    """How much to generate."""

    members: int
    lines: int
    entries: int
    seed: int = 2025


def sqlite_time(moment: datetime) -> str:
    """A UTC time as SQLAlchemy stores it in SQLite (naive text, microseconds)."""
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def members_rows(plan: Plan, class_ids: dict[str, int], now: datetime) -> list[tuple[Any, ...]]:
    """Members M-00001…, in the class mix, all joined before the year."""
    rng = random.Random(plan.seed)
    names, weights = zip(*CLASS_MIX, strict=True)
    rows = []
    for n in range(1, plan.members + 1):
        klass = rng.choices(names, weights)[0]
        rows.append(
            (
                n,
                f"M-{n:05d}",
                f"Member {n}",
                class_ids[klass],
                "active",
                date(YEAR - 1, 6, 1),
                secrets.token_hex(16),
                now,
            )
        )
    return rows


def sales_and_lines(
    plan: Plan, customers: Sequence[int], anyone: Sequence[int], ids: dict[str, int]
) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
    """Sales through the year (1 to 7 lines, 2 % refunds, 70 % with a member card), each with its lines."""
    rng = random.Random(plan.seed + 1)
    start = datetime(YEAR, 1, 1, 7, tzinfo=UTC)
    seconds = 365 * 24 * 3600
    line_id = 0
    sale_id = 0
    while line_id < plan.lines:
        sale_id += 1
        refund = rng.random() < 0.02
        count = min(rng.randint(1, 7), plan.lines - line_id)
        member = None
        if rng.random() < 0.7:
            member = rng.choice(customers) if rng.random() < 0.85 else rng.choice(anyone)
        lines = []
        for _ in range(count):
            line_id += 1
            gross = rng.randint(80, 1800) * (-1 if refund else 1)
            rate = rng.choice((0, 0, 2000, 2000, 500))
            lines.append(
                (
                    line_id,
                    sale_id,
                    ids["product"],
                    "Item",
                    "",
                    -1 if refund else 1,
                    abs(gross),
                    0,
                    0,
                    0,
                    gross,
                    rate,
                    "bench",
                    False,
                )
            )
        total = sum(line[10] for line in lines)
        vat = sum(band.vat for band in vat_bands((line[11], line[10]) for line in lines))
        at = start + timedelta(seconds=rng.randrange(seconds))
        sale = (
            sale_id,
            ids["till"],
            sale_id,
            f"bench-{sale_id}",
            "refund" if refund else "sale",
            ids["session"],
            ids["staff"],
            member,
            False,
            total,
            0,
            total,
            vat,
            at,
        )
        yield sale, lines


def entries_rows(plan: Plan, workers: Sequence[int], ids: dict[str, int]) -> Iterator[tuple[Any, ...]]:
    """Shifts through the year for the worker members, 95 % approved."""
    rng = random.Random(plan.seed + 2)
    start = datetime(YEAR, 1, 1, 6, tzinfo=UTC)
    for _ in range(plan.entries):
        clock_in = start + timedelta(minutes=rng.randrange(365 * 24 * 60 - 600))
        clock_out = clock_in + timedelta(minutes=rng.randint(180, 540))
        approved = rng.random() < 0.95
        yield (
            ids["staff"],
            rng.choice(workers),
            clock_in,
            clock_out,
            rng.choice((0, 0, 15, 30)),
            ids["manager"] if approved else None,
            clock_out + timedelta(days=2) if approved else None,
            "",
            "",
        )


def seed_basics() -> dict[str, int]:
    """Member classes, a staff user and a manager, a till with an open session, a product, the period."""
    from bakery.extensions import db
    from bakery.models import CashSession, Category, FinancialPeriod, Product, TaxCategory
    from bakery.services import members
    from bakery.services.audit import SYSTEM
    from bakery.services.auth import users
    from bakery.services.till import tills

    members.ensure_default_classes()
    db.session.commit()
    staff = users.create_user("Bench Staff", None, "staff", SYSTEM, pin="1234")
    manager = users.create_user(
        "Bench Manager", "manager@bench.test", "manager", SYSTEM, password=secrets.token_hex(12)
    )
    till = tills.create_till("Bench till", "counter", SYSTEM)
    product = Product(
        name="Item",
        category=Category(name="Bench"),
        tax_category=TaxCategory(code="bench", name="bench", takeaway_bp=0, eat_in_bp=2000),
        price=100,
    )
    session = CashSession(till_id=till.id, opened_by_id=staff.id, opening_float=0)
    period = FinancialPeriod(
        name=str(YEAR), starts_on=date(YEAR, 1, 1), ends_on=date(YEAR, 12, 31), status="open"
    )
    db.session.add_all([product, session, period])
    db.session.commit()
    return {
        "staff": staff.id,
        "manager": manager.id,
        "till": till.id,
        "session": session.id,
        "product": product.id,
        "period": period.id,
    }


def load(engine_name: str, plan: Plan) -> None:
    """Fill the scratch database: members, sales with their lines, time entries; then ANALYZE."""
    from bakery.extensions import db
    from bakery.models import MemberClass
    from bakery.models.types import utcnow

    ids = seed_basics()
    class_ids = {c.name: c.id for c in db.session.scalars(db.select(MemberClass))}
    db.session.rollback()  # the bulk load writes through its own connection
    now = utcnow()
    member_rows = members_rows(plan, class_ids, now)
    by_class: dict[int, list[int]] = {}
    for row in member_rows:
        by_class.setdefault(row[3], []).append(row[0])
    customers = by_class.get(class_ids["customer"], [])
    workers = by_class.get(class_ids["worker"], [])
    anyone = [row[0] for row in member_rows]
    raw = db.engine.raw_connection()
    try:
        if engine_name == "sqlite":
            _load_sqlite(raw, plan, member_rows, customers, anyone, workers, ids)
        else:
            _load_postgres(raw, plan, member_rows, customers, anyone, workers, ids)
        raw.commit()
    finally:
        raw.close()
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()


def _insert(columns: Sequence[str], table: str) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 (our own constants)


def _load_sqlite(
    raw: Any,
    plan: Plan,
    member_rows: list[tuple[Any, ...]],
    customers: Sequence[int],
    anyone: Sequence[int],
    workers: Sequence[int],
    ids: dict[str, int],
) -> None:
    cursor = raw.cursor()
    cursor.execute("BEGIN IMMEDIATE")
    cursor.executemany(
        _insert(MEMBER_COLUMNS, "members"),
        [(*r[:5], r[5].isoformat(), r[6], sqlite_time(r[7])) for r in member_rows],
    )
    sales: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    sale_sql, line_sql = _insert(SALE_COLUMNS, "sales"), _insert(LINE_COLUMNS, "sale_lines")
    for sale, sale_lines in sales_and_lines(plan, customers, anyone, ids):
        sales.append((*sale[:-1], sqlite_time(sale[-1])))
        lines.extend(sale_lines)
        if len(lines) >= 100_000:
            cursor.executemany(sale_sql, sales)
            cursor.executemany(line_sql, lines)
            sales, lines = [], []
    cursor.executemany(sale_sql, sales)
    cursor.executemany(line_sql, lines)
    cursor.executemany(
        _insert(ENTRY_COLUMNS, "time_entries"),
        [
            (
                e[0],
                e[1],
                sqlite_time(e[2]),
                sqlite_time(e[3]),
                e[4],
                e[5],
                sqlite_time(e[6]) if e[6] else None,
                e[7],
                e[8],
            )
            for e in entries_rows(plan, workers, ids)
        ],
    )


def _load_postgres(
    raw: Any,
    plan: Plan,
    member_rows: list[tuple[Any, ...]],
    customers: Sequence[int],
    anyone: Sequence[int],
    workers: Sequence[int],
    ids: dict[str, int],
) -> None:
    connection = raw.driver_connection
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY members ({', '.join(MEMBER_COLUMNS)}) FROM STDIN") as copy:
            for row in member_rows:
                copy.write_row(row)
        # Two passes over the same seeded generator: one COPY at a time per connection, and the
        # lines are not held in memory.
        with cursor.copy(f"COPY sales ({', '.join(SALE_COLUMNS)}) FROM STDIN") as sales_copy:
            for sale, _ in sales_and_lines(plan, customers, anyone, ids):
                sales_copy.write_row(sale)
        with cursor.copy(f"COPY sale_lines ({', '.join(LINE_COLUMNS)}) FROM STDIN") as lines_copy:
            for _, sale_lines in sales_and_lines(plan, customers, anyone, ids):
                for line in sale_lines:
                    lines_copy.write_row(line)
        with cursor.copy(f"COPY time_entries ({', '.join(ENTRY_COLUMNS)}) FROM STDIN") as entries_copy:
            for entry in entries_rows(plan, workers, ids):
                entries_copy.write_row(entry)
        for table in ("members", "sales", "sale_lines", "time_entries"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )


# --- measuring ----------------------------------------------------------------------------------


def measure(figures: Figures, repeat: int) -> None:
    """Time the SUM floor, the year end and the preview, `repeat` times each, interleaved."""
    from bakery.extensions import db
    from bakery.models import FinancialPeriod
    from bakery.services import dividends
    from bakery.services.dividends import AllocationInput

    period = db.session.scalar(db.select(FinancialPeriod).where(FinancialPeriod.name == str(YEAR)))
    assert period is not None
    rules = AllocationInput(
        surplus=4_200_000,
        reserve_balance=1_000_000,
        deficit_brought_forward=0,
        reserve_bp=3000,
        funds=(("Community fund", 1000), ("Education", 500)),
        class_weights=(("worker", 6000), ("customer", 4000), ("community", 0)),
        minimum_payout=500,
        include_leavers=True,
    )

    def full_sum() -> int:
        return int(db.session.execute(text("SELECT SUM(gross) FROM sale_lines")).scalar_one())

    def year_end() -> int:
        scenario = dividends.build_scenario(period, rules)
        dividends.run(scenario)
        return len(scenario["members"])

    def preview() -> int:
        return len(dividends.preview(period.id, rules).members)

    for _ in range(repeat):
        for runs, job in (
            (figures.sum_runs, full_sum),
            (figures.year_end_runs, year_end),
            (figures.preview_runs, preview),
        ):
            db.session.rollback()
            seconds, value = timed(job)
            runs.append(seconds)
            if job is full_sum:
                figures.sum_value = value
            elif job is year_end:
                figures.members_in_scenario = value
    db.session.rollback()


def run_engine(database: ScratchDatabase, plan: Plan, repeat: int) -> Figures:
    """Migrate a scratch database, load it, measure; the database is dropped afterwards."""
    from flask_migrate import upgrade

    from bakery import create_app
    from bakery.extensions import db

    figures = Figures(database.engine_name)
    # The scratch database's chain heads are signed with a throwaway key: keep their witness out of
    # the instance's own witness file.
    witness_dir = tempfile.TemporaryDirectory(prefix="bakery-bench-witness-")
    witness_path = Path(witness_dir.name) / "chain-witness.log"
    with database, witness_dir:
        app = create_app(
            {
                "DATABASE_URL": database.url,
                "SECRET_KEY": secrets.token_hex(16),
                "LEDGER_KEY": secrets.token_hex(16),
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "WITNESS_PATH": str(witness_path),
            }
        )
        with app.app_context():
            try:
                progress(f"{figures.engine}: migrating")
                upgrade()
                progress(
                    f"{figures.engine}: loading {plan.members:,} members, {plan.lines:,} sale lines, "
                    f"{plan.entries:,} time entries"
                )
                figures.load_seconds, _ = timed(
                    lambda: load("sqlite" if figures.engine == "sqlite" else "postgres", plan)
                )
                progress(f"{figures.engine}: loaded in {figures.load_seconds:.1f} s; measuring")
                measure(figures, repeat)
            finally:
                db.session.remove()
                db.engine.dispose()
    return figures


def report(results: list[Figures], plan: Plan) -> None:
    """The table: seconds, and the ratio to the SUM floor from the same run."""
    runs = max((len(f.sum_runs) for f in results), default=0)
    print(
        f"\nYEAR END  {plan.members:,} members · {plan.lines:,} sale lines · {plan.entries:,} time entries · "
        f"{os.cpu_count()} cores · best of {runs} runs"
    )
    print(
        f"{'engine':<9} {'load s':>7} {'SUM s':>7} {'year end s':>11} {'first s':>8} {'ratio':>7} "
        f"{'preview s':>10} {'members':>8}"
    )
    for f in results:
        if f.error:
            print(f"{f.engine:<9} not measured: {f.error}")
            continue
        floor, best = min(f.sum_runs), min(f.year_end_runs)
        print(
            f"{f.engine:<9} {f.load_seconds:>7.1f} {floor:>7.3f} {best:>11.3f} {f.year_end_runs[0]:>8.3f} "
            f"{best / floor:>6.1f}x {min(f.preview_runs):>10.3f} {f.members_in_scenario:>8,}"
        )
    print(
        f"budget: year end (patronage in SQL + allocate) ≤ {BUDGET_SECONDS:g} s and ≤ {BUDGET_RATIO:g}x "
        "the full-table SUM(gross) over sale_lines · preview = year end + the page's rows"
    )


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.year_end", description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BAKERY_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL),
        help="a server where the bench may CREATE and DROP a scratch database",
    )
    parser.add_argument("--members", type=int, default=5_000)
    parser.add_argument("--lines", type=int, default=2_000_000)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run on each engine and print the table; 1 if an engine could not be measured."""
    args = parse(argv)
    plan = Plan(args.members, args.lines, args.entries)
    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        database: ScratchDatabase
        if engine == "sqlite":
            database = SqliteScratch()
        elif engine == "postgres":
            why = postgres_reachable(args.postgres_url)
            if why:
                results.append(Figures(engine, error=f"PostgreSQL at {args.postgres_url} unreachable: {why}"))
                continue
            database = PostgresScratch(args.postgres_url)
        else:
            results.append(Figures(engine, error="unknown engine (use sqlite or postgres)"))
            continue
        try:
            results.append(run_engine(database, plan, args.repeat))
        except Exception as exc:  # report and go on with the next engine
            progress(f"{engine}: failed: {type(exc).__name__}: {exc}")
            results.append(Figures(engine, error=f"{type(exc).__name__}: {exc}"))
    report(results, plan)
    return 1 if any(f.error for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
