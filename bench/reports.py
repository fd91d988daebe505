"""Reports: the dashboard and the VAT report on a year of demo data, beside a bare SUM.

`python -m bench reports` (or `python -m bench.reports`) loads the demo shop and its year of
trading (`flask bakery demo`) into a scratch database on each engine, then times, for the demo's
last trading day and for its last 365 days, on all tills:

- the floor: a bare `SELECT SUM(sale_lines.gross)` over the same rows (sale lines joined to their
  sales, by time);
- the dashboard (`reports.dashboard`: every figure the page shows, comparisons included);
- the VAT report (`reports.vat_report`, with its reconciliation to the Z reports).

Each is run `--repeat` times and the best is printed with its ratio to the floor. The issue's
budget: ≤ 300 ms for a day, ≤ 2 s for a year, ≤ 10x the SUM. Figures only: nothing passes or fails.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.server import (
    DEFAULT_POSTGRES_ADMIN_URL,
    PostgresScratch,
    ScratchDatabase,
    SqliteScratch,
    postgres_reachable,
)


def progress(message: str) -> None:
    """A line on stderr while the bench runs."""
    print(f"[reports {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Row:
    """One measured report on one engine: the period, the rows it covers, best seconds."""

    engine: str
    period: str
    lines: int = 0
    sum_s: float = 0.0
    dashboard_s: float = 0.0
    vat_s: float = 0.0
    error: str = ""


@dataclass
class Figures:
    """An engine's rows and how long loading the demo year took."""

    engine: str
    load_s: float = 0.0
    rows: list[Row] = field(default_factory=list)
    error: str = ""


def best_of(repeat: int, run: Callable[[], Any]) -> float:
    """The fastest of `repeat` runs, in seconds (each after a rollback: no cached session state)."""
    from bakery.extensions import db

    times = []
    for _ in range(repeat):
        db.session.rollback()
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    db.session.rollback()
    return min(times)


def measure(figures: Figures, repeat: int) -> None:
    """Time the floor, the dashboard and the VAT report for the last day and the last year."""
    from sqlalchemy import func, select

    from bakery.extensions import db
    from bakery.models import Sale, SaleLine
    from bakery.services import reports
    from bakery.services.reports.common import in_scope

    last = db.session.scalar(select(func.max(Sale.created_at)))
    assert last is not None, "the demo year sold nothing"
    from bakery.domain.clock import business_date

    last_day = business_date(last, "Europe/London")
    for name, period in (
        ("last day", reports.Period(last_day, last_day)),
        ("last 365 days", reports.Period(last_day - timedelta(days=364), last_day)),
    ):
        where = reports.scope(period)
        row = Row(figures.engine, name)

        def bare_sum(where: reports.Scope = where) -> int:
            statement = select(func.sum(SaleLine.gross)).join(Sale, Sale.id == SaleLine.sale_id)
            return int(db.session.scalar(statement.where(in_scope(Sale.created_at, where))) or 0)

        row.lines = int(
            db.session.scalar(
                select(func.count(SaleLine.id))
                .join(Sale, Sale.id == SaleLine.sale_id)
                .where(in_scope(Sale.created_at, where))
            )
            or 0
        )
        row.sum_s = best_of(repeat, bare_sum)
        row.dashboard_s = best_of(repeat, lambda where=where: reports.dashboard(where))
        row.vat_s = best_of(repeat, lambda where=where: reports.vat_report(where))
        figures.rows.append(row)


def run_engine(database: ScratchDatabase, repeat: int) -> Figures:
    """Migrate a scratch database, load the demo year, measure; the database is dropped afterwards."""
    from flask_migrate import upgrade

    from bakery import create_app
    from bakery.extensions import db
    from bakery.services import demo

    figures = Figures(database.engine_name)
    witness_dir = tempfile.TemporaryDirectory(prefix="bakery-bench-witness-")
    with database, witness_dir:
        app = create_app(
            {
                "DATABASE_URL": database.url,
                "SECRET_KEY": secrets.token_hex(16),
                "LEDGER_KEY": secrets.token_hex(16),
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                "WITNESS_PATH": str(Path(witness_dir.name) / "chain-witness.log"),
            }
        )
        with app.app_context():
            try:
                progress(f"{figures.engine}: migrating and loading the demo year")
                started = time.perf_counter()
                upgrade()
                demo.load_demo_data()
                demo.load_demo_year()
                figures.load_s = time.perf_counter() - started
                progress(f"{figures.engine}: loaded in {figures.load_s:.0f} s; measuring")
                measure(figures, repeat)
            finally:
                db.session.remove()
                db.engine.dispose()
    return figures


def report(results: list[Figures], repeat: int) -> None:
    """The table: best seconds and the ratio to the bare SUM over the same rows."""
    print(f"\nREPORTS  demo year · all tills · {os.cpu_count()} cores · best of {repeat} runs")
    print(
        f"{'engine':<9} {'period':<14} {'lines':>8} {'SUM ms':>8} {'dashboard ms':>13} {'x SUM':>6} "
        f"{'VAT ms':>8} {'x SUM':>6}"
    )
    for f in results:
        if f.error:
            print(f"{f.engine:<9} not measured: {f.error}")
            continue
        for r in f.rows:
            floor = r.sum_s or 1e-9
            print(
                f"{r.engine:<9} {r.period:<14} {r.lines:>8,} {r.sum_s * 1000:>8.1f} "
                f"{r.dashboard_s * 1000:>13.1f} {r.dashboard_s / floor:>5.1f}x "
                f"{r.vat_s * 1000:>8.1f} {r.vat_s / floor:>5.1f}x"
            )
    print("budget (issue 13): ≤ 300 ms for a day, ≤ 2 s for a year, ≤ 10x the bare SUM over the same rows")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BAKERY_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL),
        help="a server where the bench may CREATE and DROP a scratch database",
    )
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run on each engine and print the table; 1 if an engine could not be measured."""
    args = parse(argv)
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
            results.append(run_engine(database, args.repeat))
        except Exception as exc:  # report and go on with the next engine
            progress(f"{engine}: failed: {type(exc).__name__}: {exc}")
            results.append(Figures(engine, error=f"{type(exc).__name__}: {exc}"))
    report(results, args.repeat)
    return 1 if any(f.error for f in results) else 0


if __name__ == "__main__":
    sys.exit(main())
