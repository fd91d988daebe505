"""The second year: a sale on a till with 100,000 past sales next to the same sale on a fresh till.

Two tills are provisioned the ordinary way; one is then given a year of past sales in SQL
(bench.history). One tablet at a time sells on them (tap a product, pay exact cash), in blocks
that alternate fresh → old → one-row page, so both tills and the floor see the same noise. The
server's CPU is metered per block (gunicorn's processes; on PostgreSQL its backends too), and the
app reports the statements each request sent (`X-SQL-Statements`, on for the bench only).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

from sqlalchemy import text

from bench.client import Reply, Tablet, Till, receipt_no, tapped
from bench.history import PastTill, add_past_sales
from bench.scenarios import open_tills, product_ids
from bench.server import Server
from bench.stats import percentile

PAST_SALES = 100_000


@dataclass
class Side:
    """What one till (or the one-row page) measured over all its blocks."""

    taps: list[float] = field(default_factory=list)  # seconds
    pays: list[float] = field(default_factory=list)
    cpu_per_block: list[float] = field(default_factory=list)  # server (+ database) ms per sale or page
    tap_statements: list[int] = field(default_factory=list)
    pay_statements: list[int] = field(default_factory=list)
    errors: int = 0

    def p(self, which: str, q: float) -> float:
        """A latency percentile in ms."""
        return percentile(sorted(x * 1000 for x in getattr(self, which)), q)

    @property
    def cpu(self) -> float:
        """Median over blocks of server CPU ms per sale (or per page)."""
        return statistics.median(self.cpu_per_block) if self.cpu_per_block else float("nan")

    @property
    def cpu_p95(self) -> float:
        """95th percentile over blocks of server CPU ms per sale (or per page)."""
        return percentile(sorted(self.cpu_per_block), 95) if self.cpu_per_block else float("nan")


@dataclass
class SecondYear:
    """Fresh till, old till, and the one-row page, from the same run."""

    fresh: Side
    old: Side
    page: Side
    blocks: int
    per_block: int


def _statements(reply: Reply) -> int | None:
    value = reply.header("X-SQL-Statements")
    return int(value) if value.isdigit() else None


def _give_past(server: Server, till: Till, product_id: int, count: int) -> None:
    with server.engine().begin() as connection:
        staff_id = connection.execute(text("SELECT id FROM users ORDER BY id LIMIT 1")).scalar_one()
        add_past_sales(connection, PastTill(till.till_id, int(staff_id), product_id), count)


def _sell(till: Till, product_id: int, side: Side) -> None:
    started = time.perf_counter()
    basket = till.add_line(product_id)
    tapped_at = time.perf_counter()
    if not tapped(basket):
        side.errors += 1
        return
    paid = till.pay_exact(basket)
    done = time.perf_counter()
    if receipt_no(paid) is None:
        side.errors += 1
        return
    side.taps.append(tapped_at - started)
    side.pays.append(done - tapped_at)
    for reply, counts in ((basket, side.tap_statements), (paid, side.pay_statements)):
        n = _statements(reply)
        if n is not None:
            counts.append(n)


def _cpu(server: Server) -> float:
    database = server.database_cpu_seconds()
    return server.cpu_seconds() + (0.0 if database != database else database)  # NaN on SQLite


def second_year(server: Server, blocks: int, per_block: int, past: int = PAST_SALES) -> SecondYear:
    """`blocks` rounds of `per_block` sales on the fresh till, then on the old one, then as many
    one-row pages; CPU per block, latencies per request, statements per tap and pay."""
    products = product_ids(server)
    fresh, old = open_tills(server, 2, "Year")
    _give_past(server, old, products[0], past)
    page = Tablet(server.address)
    result = SecondYear(Side(), Side(), Side(), blocks, per_block)
    try:
        for till in (fresh, old):  # warm both (first sale makes the chain head and the counters)
            _sell(till, products[0], Side())
        for block in range(blocks):
            for till, side in ((fresh, result.fresh), (old, result.old)):
                before = _cpu(server)
                for n in range(per_block):
                    _sell(till, products[(block + n) % len(products)], side)
                result_cpu = (_cpu(server) - before) * 1000 / per_block
                side.cpu_per_block.append(result_cpu)
            before = _cpu(server)
            for _ in range(per_block):
                started = time.perf_counter()
                reply = page.get("/sign-in")
                if reply.status == 200:
                    result.page.taps.append(time.perf_counter() - started)
                else:
                    result.page.errors += 1
            result.page.cpu_per_block.append((_cpu(server) - before) * 1000 / per_block)
    finally:
        for tablet in (fresh, old, page):
            tablet.close()
    return result
