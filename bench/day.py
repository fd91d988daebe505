"""`python -m bench day`: a realistic shop day on PostgreSQL behind the TLS proxy, compressed.

The stack is deploy/'s (nginx with the shop CA's certificate, gunicorn as bakery.service starts
it, the print worker, a virtual printer; deploy/check/stack.py). Ten tills open, staff clock in,
then a morning, a lunchtime peak and an afternoon: each sale taps one to three products and pays
cash or card; now and then an order is parked and recalled, and a past sale is refunded with the
manager's PIN. At close each till takes its Z report and staff clock out. Every action's latency is
printed as p50/p95/p99 beside floors measured the same way (over HTTPS through nginx) in the same
run. Figures, never pass/fail.

    python -m bench day [--tills 10] [--seconds 90] [--direct]   (--direct: gunicorn without nginx)
"""

from __future__ import annotations

import argparse
import re
import secrets
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.client import BenchError, Reply, Tablet, Till, expect, receipt_no, tapped
from bench.scenarios import PLAIN_PRODUCTS, close_all, closed_loop
from bench.server import DEFAULT_POSTGRES_ADMIN_URL, PostgresScratch, postgres_reachable, process_cpu_seconds
from bench.stats import Meter, Summary, summarise

#: Share of the day and seconds between sales on each till: a quiet morning, the lunchtime peak
#: (ten tills at one sale every 1.5 s is 400 sales an hour a till: a very busy counter), the afternoon.
PHASES = (("morning", 0.30, 8.0), ("lunch peak", 0.45, 1.5), ("afternoon", 0.25, 6.0))
STAFF_PINS = {"Ada": "1111", "Ben": "2222", "Chloé": "3333", "Marek": "8080"}
MANAGER_PIN = "8080"  # Marek, the demo manager
PARKED_RECALL = re.compile(r"<span class=\"line-name\">([^<]+)</span>.*?/till/parked/(\d+)/recall", re.S)
SALE_ID = re.compile(r"/till/sales/(\d+)/(?:receipt|qr)")
QTY_FIELD = re.compile(r'name="(qty-\d+)"')
REFUND_KEY = re.compile(
    r'name="key"[^>]*value="(refund-[0-9a-f]{32})"|value="(refund-[0-9a-f]{32})"[^>]*name="key"'
)
MANAGER_OPTION = re.compile(r'<option[^>]*value="(\d+)"[^>]*>\s*Marek')
EXACT = re.compile(r'name="amount" value="([0-9.]+)"')
BASKET_KEY = re.compile(r'name="basket_key" value="([^"]+)"')


class Day:
    """Latencies per action, errors and what went wrong, from every till's thread."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.problems: list[str] = []
        self.lock = threading.Lock()

    def timed(self, action: str, send: Callable[[], Reply], ok: Callable[[Reply], bool]) -> Reply | None:
        """Send one request, time it, and count it under `action` (an error if `ok` says no)."""
        started = time.perf_counter()
        try:
            reply = send()
        except OSError as exc:
            with self.lock:
                self.errors[action] += 1
                self.problems.append(f"{action}: {exc!r}")
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            if ok(reply):
                self.latencies[action].append(elapsed)
            else:
                self.errors[action] += 1
                self.problems.append(f"{action}: HTTP {reply.status} {reply.body[:160]!r}")
        return reply if ok(reply) else None


def status_ok(*statuses: int) -> Callable[[Reply], bool]:
    return lambda reply: reply.status in statuses


def run_till(day: Day, index: int, till: Till, products: list[int], begin: float, seconds: float) -> None:
    """One till's day: sales on the phases' pace, parks and recalls, refunds of its own sales."""
    sold: list[int] = []
    n = 0
    at = begin + index * 0.13  # the tills are not in step
    phase_start = begin
    for name, share, pace in PHASES:
        phase_end = phase_start + share * seconds
        while at < phase_end:
            time.sleep(max(at - time.perf_counter(), 0))
            n += 1
            sale = one_sale(day, index, till, products, n)
            if sale is not None:
                sold.append(sale)
            if n % 20 == 7 and len(sold) > 1:
                refund(day, till, sold[-2])
            at += pace
        del name
        phase_start = phase_end


def one_sale(day: Day, index: int, till: Till, products: list[int], n: int) -> int | None:
    """Tap one to three products, maybe park and recall the order, pay cash or card."""
    basket: Reply | None = None
    for k in range(1 + n % 3):
        product = products[(n + k + index) % len(products)]
        basket = day.timed("tap", lambda p=product: till.add_line(p), tapped)
        if basket is None:
            return None
    if n % 12 == 5:
        name = f"T{index}-{n}"
        if (
            day.timed("park", lambda: till.post("/till/park", {"name": name}, htmx=True), status_ok(200))
            is None
        ):
            return None
        listed = till.get("/till/parked", htmx=True)
        found = [bid for label, bid in PARKED_RECALL.findall(listed.body) if label.strip() == name]
        if not found:
            day.problems.append(f"park: {name} not listed")
            return None
        basket = day.timed(
            "recall", lambda: till.post(f"/till/parked/{found[0]}/recall", {}, htmx=True), status_ok(200)
        )
        if basket is None:
            return None
    assert basket is not None
    key, amount = BASKET_KEY.search(basket.body), EXACT.search(basket.body)
    if not key or not amount:
        day.problems.append("pay: no Pay form in the basket")
        return None
    method = "card" if n % 10 >= 7 else "cash"
    form = {
        "basket_key": key.group(1),
        "method": method,
        "amount": amount.group(1),
        "tender_key": secrets.token_hex(8),
    }
    paid = day.timed(
        "pay", lambda: till.post("/till/pay", form, htmx=True), lambda r: receipt_no(r) is not None
    )
    if paid is None:
        return None
    found_sale = SALE_ID.search(paid.body)
    return int(found_sale.group(1)) if found_sale else None


def refund(day: Day, till: Till, sale_id: int) -> None:
    """Refund one of a sale's first line with the manager's PIN (the refund page, then the form)."""
    page = till.get(f"/till/refunds/{sale_id}")
    qty = QTY_FIELD.search(page.body)
    key = REFUND_KEY.search(page.body)
    manager = MANAGER_OPTION.search(page.body)
    if page.status != 200 or not qty or not key or not manager:
        day.problems.append(f"refund page for sale {sale_id}: HTTP {page.status}")
        day.errors["refund"] += 1
        return
    form = {
        qty.group(1): "1",
        "key": key.group(1) or key.group(2),
        "method": "cash",
        "reason": "Dropped on the floor",
        "manager_id": manager.group(1),
        "manager_pin": MANAGER_PIN,
    }
    day.timed(
        "refund",
        lambda: till.post(f"/till/refunds/{sale_id}", form, htmx=True),
        lambda r: r.status == 200 and "refund-completed" in r.header("HX-Trigger"),
    )


def clock(day: Day, till: Till, action: str, staff_ids: dict[str, int]) -> None:
    """Clock this till's staff in or out with their PIN at the till's clock pad."""
    for first in getattr(till, "clocks", ()):
        user_id = staff_ids[first]
        form = {"action": action, "pin": STAFF_PINS[first], "key": secrets.token_hex(8), "break_minutes": "0"}
        till.get(f"/till/clock/{user_id}")
        day.timed(
            f"clock {action}",
            lambda f=form, u=user_id: till.post(f"/till/clock/{u}", f, htmx=True),
            status_ok(200),
        )


def z_report(day: Day, till: Till) -> None:
    """Close the till: count the drawer (a £50 note, whatever was taken) and confirm."""
    expect(till.get("/till/close"), 200, what="close page")
    day.timed(
        "Z report", lambda: till.post("/till/close", {"n5000": "1", "confirmed": "yes"}), status_ok(302, 303)
    )


def floors(
    address: tuple[str, int], context: ssl.SSLContext | None, meter: Meter, seconds: float
) -> dict[str, Summary]:
    """The floors over the same path as the day: a static file, and a paired tablet's staff tiles."""
    paired = Till(address, context=context)
    paired.name = "Counter"
    paired.sign_in_manager()
    paired.till_id = paired.till_id_of("Counter")
    paired.pair()
    out = {}
    for label, path, device in (
        ("static file", "/static/css/bakery.css", False),
        ("one-row page", "/till/", True),
    ):
        for concurrency in (1, 8):
            tablets = [
                paired.copy() if device else Tablet(address, context=context) for _ in range(concurrency)
            ]
            out[f"{label} x{concurrency}"] = closed_loop(
                tablets, lambda t, p=path: t.get(p).status == 200, seconds, 1.0, meter
            )
            close_all(tablets)
    paired.close()
    return out


def print_table(floor: dict[str, Summary], day: Day, seconds: float, tills: int, where: str) -> None:
    def ms(x: float) -> str:
        return f"{x:.1f}"

    print(f"\nA SHOP DAY  {tills} tills, {seconds:g} s (morning, lunch peak, afternoon), {where}")
    print(
        "latencies in ms, send → whole answer, from the load generator on the same 2 cores; "
        "floors: closed loop with 1 and 8 clients"
    )
    rows = [
        ["floor: " + k, s.count, s.errors, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)]
        for k, s in floor.items()
    ]
    for action in ("clock in", "tap", "park", "recall", "pay", "refund", "Z report", "clock out"):
        s = summarise(day.latencies.get(action, []), day.errors.get(action, 0), seconds)
        rows.append([action, s.count, s.errors, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)])
    headers = ["action", "count", "errors", "p50", "p95", "p99", "max"]
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    for row in [headers, *rows]:
        print(
            "  ".join(
                str(c).ljust(w) if i == 0 else str(c).rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    one_row = floor["one-row page x1"]
    tap = summarise(day.latencies.get("tap", []), 0, seconds)
    pay = summarise(day.latencies.get("pay", []), 0, seconds)
    print(
        f"tap p95 {ms(tap.p95)} ms = {tap.p95 / one_row.p95:.1f}x the one-row floor's p95 at 1 client "
        "(budget: ≤ 3x, ≤ 25 ms); "
        f"pay p95 {ms(pay.p95)} ms (budget ≤ 100 ms)"
    )
    if day.problems:
        print(f"{len(day.problems)} problem(s), the first: {day.problems[0][:300]}")


def main(argv: Sequence[str] | None = None) -> int:
    """Start the stack on a scratch PostgreSQL database, play the day, print the table."""
    parser = argparse.ArgumentParser(prog="python -m bench day", description=__doc__.splitlines()[0])
    parser.add_argument("--tills", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=90.0, help="the whole day, compressed")
    parser.add_argument("--floor-seconds", type=float, default=3.0)
    parser.add_argument("--direct", action="store_true", help="talk to gunicorn, not through nginx")
    parser.add_argument("--postgres-admin-url", default=DEFAULT_POSTGRES_ADMIN_URL)
    args = parser.parse_args(argv)
    problem = postgres_reachable(args.postgres_admin_url)
    if problem:
        print(f"PostgreSQL is not reachable: {problem}", file=sys.stderr)
        return 1
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from deploy.check.stack import Stack

    with (
        PostgresScratch(args.postgres_admin_url) as database,
        tempfile.TemporaryDirectory(prefix="bakery-day-") as tmp,
    ):
        stack = Stack(Path(tmp), database.url)
        for step in (["db", "upgrade"], ["bakery", "demo"]):
            subprocess.run(
                [sys.executable, "-m", "flask", *step], env=stack.env(), check=True, capture_output=True
            )
        stack.start()
        try:
            return play(stack, database.backend_marker, args)
        finally:
            stack.stop()


def play(stack, marker: bytes | None, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    """Provision the tills, measure the floors, play the day, close; print the table."""
    if args.direct:
        address, context, where = ("127.0.0.1", stack.app_port), None, "PostgreSQL, straight to gunicorn"
    else:
        address, context, where = (
            ("127.0.0.1", stack.https_port),
            stack.tls_context(),
            "PostgreSQL behind nginx (HTTPS)",
        )
    groups = [stack.processes["gunicorn"].pid, stack.processes["nginx"].pid]

    def server_cpu() -> float:
        return process_cpu_seconds(lambda fields, _cmd: int(fields[2]) in groups)

    def database_cpu() -> float:
        if marker is None:
            return float("nan")
        return process_cpu_seconds(lambda _f, cmd: cmd.startswith(b"postgres: ") and marker in cmd)

    meter = Meter(server_cpu, database_cpu)
    print(f"[bench day] floors ({where})", file=sys.stderr, flush=True)
    floor = floors(address, context, meter, args.floor_seconds)
    print(f"[bench day] opening {args.tills} tills", file=sys.stderr, flush=True)
    fleet = [Till.provision(address, f"Day {i}", context=context) for i in range(args.tills)]
    staff = list(STAFF_PINS)[:3]
    for i, till in enumerate(fleet):
        till.clocks = {staff[i]} if i < len(staff) else set()  # type: ignore[attr-defined]
    products = plain_products(stack.database_url)
    staff_ids = staff_by_first_name(stack.database_url)
    day = Day()
    for till in fleet:
        clock(day, till, "in", staff_ids)
        till.sell_page()
    print(f"[bench day] trading for {args.seconds:g} s", file=sys.stderr, flush=True)
    meter.start()
    begin = time.perf_counter() + 0.5
    threads = [
        threading.Thread(target=run_till, args=(day, i, t, products, begin, args.seconds), daemon=True)
        for i, t in enumerate(fleet)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cpu = meter.stop()
    for till in fleet:
        z_report(day, till)
        clock(day, till, "out", staff_ids)
    close_all(fleet)
    verified = subprocess.run(
        [sys.executable, "-m", "flask", "bakery", "ledger", "verify"],
        env=stack.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    print_table(floor, day, args.seconds, args.tills, where)
    sales = len(day.latencies.get("pay", []))
    if sales:
        per_sale = (cpu.server * 1000 / sales, cpu.database * 1000 / sales)
        print(
            f"CPU per sale over the day (its taps, parks, refunds included): app {per_sale[0]:.1f} ms"
            f" (gunicorn + nginx), PostgreSQL {per_sale[1]:.1f} ms; load generator {cpu.client:.0f} s,"
            f" whole machine {cpu.machine:.0f} s of CPU in {args.seconds:g} s"
        )
    print(
        f"ledger verify after the day: {'intact' if verified.returncode == 0 else 'FAILED'}"
        f" ({len(verified.stdout.splitlines())} chains)"
    )
    if "Traceback" in stack.log("gunicorn"):
        print("gunicorn logged a traceback:\n" + stack.log("gunicorn")[-1500:])
    return 0


def plain_products(database_url: str) -> list[int]:
    """Ids of the demo's plain products (no sizes or options), read from the database."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(database_url)
    query = text("SELECT id FROM products WHERE name IN :names ORDER BY id").bindparams(
        bindparam("names", expanding=True)
    )
    with engine.connect() as conn:
        ids = [int(row[0]) for row in conn.execute(query, {"names": list(PLAIN_PRODUCTS)})]
    engine.dispose()
    if not ids:
        raise BenchError("no plain demo products in the database")
    return ids


def staff_by_first_name(database_url: str) -> dict[str, int]:
    """The demo staff's user ids by first name."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, display_name FROM users")).all()
    engine.dispose()
    return {str(name).split()[0]: int(user_id) for user_id, name in rows}
