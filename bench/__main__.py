"""`python -m bench [floors] [tap] [checkout] [page] [second-year]`: run the scenarios and print
the figures.

`python -m bench year-end [options]` runs the year-end bench instead (bench/year_end.py),
`python -m bench day [options]` a shop's day behind deploy/'s TLS proxy (bench/day.py), and
`python -m bench reports [options]` the reports bench (bench/reports.py).
With no names, all five run. `tap` always brings its floors along (its budget is a multiple of
the one-row floor measured in the same run). Each engine gets its own scratch database and
gunicorn; both are removed at the end, also after an error or Ctrl+C.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from types import FrameType

from bench import scenarios
from bench.scenarios import PAGE_BUDGET_BYTES, Checkout, Floor, PageWeight
from bench.second_year import PAST_SALES, SecondYear, second_year
from bench.server import (
    DEFAULT_POSTGRES_ADMIN_URL,
    PostgresScratch,
    ScratchDatabase,
    Server,
    SqliteScratch,
    postgres_reachable,
)
from bench.stats import Summary

SCENARIOS = ("floors", "tap", "checkout", "page", "second-year")
TAP_BUDGET_MS = 25.0
TAP_BUDGET_RATIO = 3.0
PAY_BUDGET_MS = 100.0
SECOND_YEAR_SLACK = 1.10  # issue 16: the old till within 10 % of the fresh one
SALE_CPU_RATIO = {"sqlite": 8.0, "postgres": 11.0}  # issue 16: a sale's CPU ÷ the one-row page's


def _median(values: Sequence[int]) -> str:
    return f"{statistics.median(values):g}" if values else "-"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def progress(message: str) -> None:
    """A line on stderr while the bench runs (the table goes to stdout at the end)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def ms(value: float) -> str:
    """Milliseconds with one decimal."""
    return f"{value:.1f}"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], left: int = 1) -> str:
    """Columns sized to fit; the first `left` columns align left, the rest right."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [
            c.ljust(w) if i < left else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


CPU_HEADERS = ("srv CPU/req", "db CPU/req", "client", "others")


def cpu_cells(s: Summary) -> list[str]:
    """CPU ms per request of gunicorn and of PostgreSQL ('-' for SQLite), then cores busy."""
    db = "-" if math.isnan(s.cpu.database) else ms(s.ms_per_request(s.cpu.database))
    return [ms(s.ms_per_request(s.cpu.server)), db, f"{s.cores(s.cpu.client):.2f}", f"{s.other_cores:.2f}"]


class Results:
    """Everything measured, per engine, printed as one table at the end."""

    def __init__(self) -> None:
        self.floors: dict[str, list[Floor]] = {}
        self.taps: dict[str, Summary] = {}
        self.checkouts: dict[str, list[Checkout]] = {}
        self.page: PageWeight | None = None
        self.second_year: dict[str, SecondYear] = {}
        self.failures: dict[str, str] = {}
        self.server_errors: dict[str, list[str]] = {}

    def one_row(self, engine: str, concurrency: int) -> Summary | None:
        """The one-row floor at a concurrency, if measured."""
        for floor in self.floors.get(engine, []):
            if floor.key == "one-row" and floor.concurrency == concurrency:
                return floor.summary
        return None

    def print(self, args: argparse.Namespace) -> None:
        """The table."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        print(
            f"\nBakery bench · {stamp} · {os.cpu_count()} cores · gunicorn --workers 2 (sync: no keep-alive)"
            " · load from Python threads on the same cores\nlatencies in ms · CPU in ms per request "
            "(checkout: per sale = add + pay) of gunicorn (srv) and of the PostgreSQL backends (db)\n"
            "client, others = cores kept busy by the load generator, and by anything else on the machine "
            "(others > 0.1: a noisy run)"
        )
        if self.floors:
            self._print_floors(args)
        if self.taps:
            self._print_taps(args)
        if self.checkouts:
            self._print_checkouts(args)
        if self.page:
            self._print_page(self.page)
        if self.second_year:
            self._print_second_year()
        for engine, lines in self.server_errors.items():
            print(f"\n{engine}: gunicorn logged {len(lines)} error line(s), the first: {lines[0][:300]}")
        for engine, failure in self.failures.items():
            print(f"\n{engine}: not measured: {failure}")

    def _print_floors(self, args: argparse.Namespace) -> None:
        print(f"\nFLOORS  closed loop, {args.floor_seconds:g} s per row after 1 s warm-up")
        rows = []
        for engine, floors in self.floors.items():
            for f in floors:
                s = f.summary
                rows.append(
                    [
                        engine,
                        f.label,
                        f.concurrency,
                        f"{s.rps:.0f}",
                        ms(s.p50),
                        ms(s.p95),
                        ms(s.p99),
                        s.errors,
                        *cpu_cells(s),
                    ]
                )
        headers = [
            "engine",
            "endpoint",
            "conc",
            "req/s",
            "p50",
            "p95",
            "p99",
            "err",
            *CPU_HEADERS,
        ]
        print(table(headers, rows, left=2))

    def _print_taps(self, args: argparse.Namespace) -> None:
        print(
            f"\nTAP  POST /till/lines → basket fragment · {args.tap_tills} tills x {args.tap_rate:g} tap/s "
            f"open loop · {args.tap_seconds:g} s · latency from the scheduled send"
        )
        rows = []
        for engine, s in self.taps.items():
            ratios = []
            for concurrency in (8, 1):
                floor = self.one_row(engine, concurrency)
                ratios.append(f"{s.p95 / floor.p95:.1f}x" if floor else "-")
            rows.append(
                [
                    engine,
                    s.count,
                    s.errors,
                    ms(s.p50),
                    ms(s.p95),
                    ms(s.p99),
                    ms(s.max),
                    *ratios,
                    *cpu_cells(s),
                ]
            )
        headers = ["engine", "taps", "err", "p50", "p95", "p99", "max", "p95/floor c=8", "p95/floor c=1"]
        print(table([*headers, *CPU_HEADERS], rows))
        print(
            f"budget: p95 ≤ {TAP_BUDGET_MS:g} ms and ≤ {TAP_BUDGET_RATIO:g}x the one-row floor's p95 "
            "(floor = GET /sign-in above, at 8 connections and at 1)"
        )

    def _print_checkouts(self, args: argparse.Namespace) -> None:
        print(
            "\nCHECKOUT  each till loops: tap a product, pay exact cash · back to back or paced · "
            f"{args.checkout_seconds:g} s"
        )
        rows = []
        for engine, runs in self.checkouts.items():
            for c in runs:
                rows.append(
                    [
                        engine,
                        c.tills,
                        ("latte, " if c.made_to_order else "")
                        + (f"every {c.pace:g} s" if c.pace else "back to back"),
                        c.pay.count,
                        c.pay.errors + c.add.errors,
                        ms(c.pay.p50),
                        ms(c.pay.p95),
                        ms(c.pay.p99),
                        ms(c.add.p50),
                        ms(c.add.p95),
                        c.sales_acknowledged,
                        c.sales_in_db,
                        c.lost,
                        c.unacknowledged,
                        f"{c.gapless_tills}/{c.tills}",
                        c.ledger_exit,
                        *cpu_cells(c.pay),
                    ]
                )
        headers = [
            "engine",
            "tills",
            "pace",
            "pays",
            "err",
            "pay p50",
            "pay p95",
            "pay p99",
            "add p50",
            "add p95",
        ]
        headers += [
            "acked",
            "in db",
            "lost",
            "extra",
            "gapless",
            "ledger rc",
            "srv CPU/sale",
            "db CPU/sale",
            "client",
            "others",
        ]
        print(table(headers, rows))
        print(
            f"budget (20 tills, PostgreSQL): pay p95 ≤ {PAY_BUDGET_MS:g} ms, 0 errors, 0 lost or doubled\n"
            "acked = receipts the tills got · extra = sales in the database no till heard of · "
            "gapless = tills numbered 1..n · ledger rc = exit code of `flask bakery ledger verify`\n"
            "latte = every sale a made-to-order latte (its recipe consumed inside the checkout): "
            "its srv CPU/sale next to the one-till plain row says what the recipe costs"
        )
        for engine, runs in self.checkouts.items():
            for c in runs:
                for problem in c.problems:
                    print(f"  {engine} {c.tills} tills, error sample: {problem}")
                if c.ledger_exit:
                    print(f"  {engine} {c.tills} tills, ledger verify said: {c.ledger_output[-500:]}")

    def _print_second_year(self) -> None:
        any_run = next(iter(self.second_year.values()))
        print(
            f"\nSECOND YEAR  one tablet: tap a product, pay exact cash · {any_run.blocks} blocks of "
            f"{any_run.per_block} sales per till, alternating fresh → {PAST_SALES:,} past sales → "
            "one-row page (GET /sign-in)\nsrv CPU = gunicorn (+ PostgreSQL backends) ms per sale, median "
            "and p95 over blocks · ÷ page = median CPU per sale ÷ median CPU per one-row page · "
            "stmts = SQL statements per request (median)"
        )
        rows = []
        for engine, run in self.second_year.items():
            page_cpu = run.page.cpu
            for label, side in (("fresh", run.fresh), (f"{PAST_SALES:,} past", run.old)):
                rows.append(
                    [
                        engine,
                        label,
                        len(side.pays),
                        side.errors,
                        ms(side.p("taps", 50)),
                        ms(side.p("taps", 95)),
                        ms(side.p("pays", 50)),
                        ms(side.p("pays", 95)),
                        ms(side.cpu),
                        ms(side.cpu_p95),
                        f"{side.cpu / page_cpu:.1f}x",
                        _median(side.tap_statements),
                        _median(side.pay_statements),
                    ]
                )
            rows.append(
                [
                    engine,
                    "past ÷ fresh",
                    "",
                    "",
                    _ratio(run.old.p("taps", 50), run.fresh.p("taps", 50)),
                    _ratio(run.old.p("taps", 95), run.fresh.p("taps", 95)),
                    _ratio(run.old.p("pays", 50), run.fresh.p("pays", 50)),
                    _ratio(run.old.p("pays", 95), run.fresh.p("pays", 95)),
                    _ratio(run.old.cpu, run.fresh.cpu),
                    "",
                    "",
                    "",
                    "",
                ]
            )
            rows.append(
                [
                    engine,
                    "one-row page",
                    len(run.page.taps),
                    run.page.errors,
                    ms(run.page.p("taps", 50)),
                    ms(run.page.p("taps", 95)),
                    "",
                    "",
                    ms(page_cpu),
                    ms(run.page.cpu_p95),
                    "1.0x",
                    "",
                    "",
                ]
            )
        headers = [
            "engine",
            "till",
            "sales",
            "err",
            "tap p50",
            "tap p95",
            "pay p50",
            "pay p95",
            "srv CPU",
            "CPU p95",
            "÷ page",
            "stmts tap",
            "stmts pay",
        ]
        print(table(headers, rows, left=2))
        ceilings = ", ".join(f"{e} ≤ {r:g}x" for e, r in SALE_CPU_RATIO.items())
        print(
            f"budget (issue 16): past ÷ fresh ≤ {SECOND_YEAR_SLACK:.2f} for tap and pay; "
            f"a sale's CPU ÷ page: "
            f"{ceilings}; statements per tap ≤ 12, per pay ≤ 28"
        )

    def _print_page(self, page: PageWeight) -> None:
        print("\nTILL PAGE  GET /till/sell (open till, empty basket) and what it links · gzip level 6")
        rows = [[path, f"{raw:,}", f"{gz:,}"] for path, raw, gz in page.parts]
        total = page.total_gzipped
        rows.append(["total", f"{sum(r for _, r, _ in page.parts):,}", f"{total:,}"])
        print(table(["resource", "raw B", "gzip B"], rows))
        print(f"total gzipped = {total / PAGE_BUDGET_BYTES:.0%} of the {PAGE_BUDGET_BYTES // 1024} KB budget")
        foreign = ", ".join(page.foreign) or "nothing"
        print(f"loaded from another host: {foreign} · @font-face rules: {page.font_faces}")


def run_engine(
    database: ScratchDatabase, chosen: set[str], args: argparse.Namespace, results: Results
) -> None:
    """Start a server on the scratch database and run the chosen scenarios against it."""
    engine = database.engine_name
    with database, Server(database) as server:
        try:
            progress(f"{engine}: gunicorn on {server.host}:{server.port}")
            if "floors" in chosen:
                progress(f"{engine}: floors")
                results.floors[engine] = scenarios.floors(server, args.floor_seconds)
            if "tap" in chosen:
                progress(f"{engine}: tap ({args.tap_tills} tills, {args.tap_seconds:g} s)")
                results.taps[engine] = scenarios.tap(server, args.tap_tills, args.tap_rate, args.tap_seconds)
            if "checkout" in chosen:
                results.checkouts[engine] = []
                for tills, pace, made in (
                    (1, None, False),
                    (1, None, True),
                    (args.checkout_tills, None, False),
                    (args.checkout_tills, args.checkout_pace, False),
                ):
                    progress(
                        f"{engine}: checkout ({tills} tills, {args.checkout_seconds:g} s, pace {pace}"
                        f"{', made to order' if made else ''})"
                    )
                    run = scenarios.checkout(server, tills, args.checkout_seconds, pace, made_to_order=made)
                    results.checkouts[engine].append(run)
            if "second-year" in chosen:
                progress(f"{engine}: second year ({PAST_SALES:,} past sales, {args.year_blocks} blocks)")
                results.second_year[engine] = second_year(server, args.year_blocks, args.year_sales)
            if "page" in chosen and results.page is None:
                progress(f"{engine}: till page weight")
                results.page = scenarios.page_weight(server)
            logged = [
                line
                for line in server.log_tail(100_000).splitlines()
                if "[ERROR]" in line or "Traceback" in line
            ]
            if logged:
                results.server_errors[engine] = logged
        except Exception:
            progress(f"{engine}: gunicorn log tail:\n{server.log_tail()}")
            raise


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "scenarios", nargs="*", metavar="scenario", help=f"any of {', '.join(SCENARIOS)}; default: all"
    )
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BAKERY_BENCH_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL),
        help="a server where the bench may CREATE and DROP a scratch database",
    )
    parser.add_argument("--floor-seconds", type=float, default=5.0)
    parser.add_argument("--tap-tills", type=int, default=10)
    parser.add_argument("--tap-rate", type=float, default=1.0)
    parser.add_argument("--tap-seconds", type=float, default=20.0)
    parser.add_argument("--checkout-tills", type=int, default=20)
    parser.add_argument("--checkout-seconds", type=float, default=20.0)
    parser.add_argument(
        "--checkout-pace", type=float, default=2.0, help="seconds between one till's sales in the paced run"
    )
    parser.add_argument("--year-blocks", type=int, default=12, help="second year: blocks per till")
    parser.add_argument("--year-sales", type=int, default=15, help="second year: sales per block")
    args = parser.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario {', '.join(sorted(unknown))}; choose from {', '.join(SCENARIOS)}")
    return args


def _terminate(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds the context managers: servers stop, databases go


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen scenarios on each engine and print the table; 1 if an engine failed to run."""
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["year-end"]:  # no server: its own scratch databases, data and table
        from bench import year_end

        return year_end.main(given[1:])
    if given[:1] == ["day"]:  # deploy/'s stack on PostgreSQL: its own scratch database and table
        from bench import day

        return day.main(given[1:])
    if given[:1] == ["reports"]:  # the dashboard and VAT report on a demo year, beside a bare SUM
        from bench import reports

        return reports.main(given[1:])
    args = parse(argv)
    chosen = set(args.scenarios or SCENARIOS)
    if "tap" in chosen:
        chosen.add("floors")
    signal.signal(signal.SIGTERM, _terminate)
    results = Results()
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        database: ScratchDatabase
        if engine == "sqlite":
            database = SqliteScratch()
        elif engine == "postgres":
            why = postgres_reachable(args.postgres_url)
            if why:
                results.failures[engine] = f"PostgreSQL at {args.postgres_url} unreachable: {why}"
                continue
            database = PostgresScratch(args.postgres_url)
        else:
            results.failures[engine] = "unknown engine (use sqlite or postgres)"
            continue
        try:
            run_engine(database, chosen, args, results)
        except Exception as exc:
            traceback.print_exc()
            results.failures[engine] = f"{type(exc).__name__}: {exc}"
    results.print(args)
    return 1 if results.failures else 0


if __name__ == "__main__":
    sys.exit(main())
