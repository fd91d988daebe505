"""Product mix and margin: what each product and category sold over a period (units, takings,
VAT, net, share of the net), what it cost to make at today's recipe and ingredient costs, and the
margin left. Sales are summed in SQL per product; costs come from the stock area's recipe rules,
once per product sold (never per sale)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Category, Product, Sale, SaleLine
from bakery.services import stock
from bakery.services.reports.common import Scope, in_scope
from bakery.services.reports.pdf import Section
from bakery.services.reports.shape import ChartSpec, Money, Report, pct_bp


@dataclass(frozen=True)
class MixRow:
    """A product (or a category) over the period; `cost` is None when its cost is not known."""

    name: str
    category: str
    qty: int
    gross: int
    vat: int
    cost: int | None

    @property
    def net(self) -> int:
        """Takings less VAT."""
        return self.gross - self.vat

    @property
    def margin(self) -> int | None:
        """Rule: net less the cost of what was sold; unknown when the cost is."""
        return None if self.cost is None else self.net - self.cost


def mix_rows(where: Scope) -> list[MixRow]:
    """Each product sold in the scope, by net takings: units, gross, VAT (one SQL aggregate), and
    the cost of the units sold at its current unit cost (from its recipe or stock item)."""
    rows = db.session.execute(
        select(
            SaleLine.product_id,
            func.sum(SaleLine.qty),
            func.sum(SaleLine.gross),
            func.sum(SaleLine.vat),
        )
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(in_scope(Sale.created_at, where))
        .group_by(SaleLine.product_id)
    ).all()
    if not rows:
        return []
    products = {
        p.id: (p, c)
        for p, c in db.session.execute(
            select(Product, Category.name)
            .join(Category, Category.id == Product.category_id)
            .where(Product.id.in_([r[0] for r in rows]))
        )
    }
    facts = stock.load_facts()
    out = []
    for product_id, qty, gross, vat in rows:
        product, category = products[product_id]
        unit = stock.product_facts(product, facts).cost
        out.append(
            MixRow(
                product.name,
                str(category),
                int(qty or 0),
                int(gross or 0),
                int(vat or 0),
                None if unit is None else unit * int(qty or 0),
            )
        )
    return sorted(out, key=lambda r: (-r.net, r.name))


def by_category(rows: list[MixRow]) -> list[MixRow]:
    """The products' rows added up per category (a cost is known only when all its products' are)."""
    totals: dict[str, list[int | None]] = {}
    for r in rows:
        t = totals.setdefault(r.category, [0, 0, 0, 0])
        t[0] = (t[0] or 0) + r.qty
        t[1] = (t[1] or 0) + r.gross
        t[2] = (t[2] or 0) + r.vat
        t[3] = None if t[3] is None or r.cost is None else t[3] + r.cost
    out = [
        MixRow(name, name, int(q or 0), int(g or 0), int(v or 0), c) for name, (q, g, v, c) in totals.items()
    ]
    return sorted(out, key=lambda r: (-r.net, r.name))


def mix_report(where: Scope, fmt: Money) -> Report:
    """The product mix and margin report for a scope. Reads only."""
    rows = mix_rows(where)
    net = sum(r.net for r in rows)
    known = [r for r in rows if r.margin is not None]
    margin = sum(r.margin or 0 for r in known)

    def cells(r: MixRow) -> tuple[str, ...]:
        return (
            r.name,
            str(r.qty),
            fmt(r.gross),
            fmt(r.net),
            pct_bp(r.net, net),
            "—" if r.cost is None else fmt(r.cost),
            "—" if r.margin is None else fmt(r.margin),
            "—" if r.margin is None else pct_bp(r.margin, r.net),
        )

    head = ("Product", "Units", "Gross", "Net", "Share of net", "Cost", "Margin", "Margin %")
    categories = by_category(rows)
    return Report(
        title="Product mix and margin",
        subtitle=where.label,
        headline=[
            ("Net sales", fmt(net)),
            ("Products sold", str(len(rows))),
            ("Margin (costed products)", fmt(margin)),
            ("Margin %", pct_bp(margin, sum(r.net for r in known))),
        ],
        sections=[
            Section("By category", ("Category", *head[1:]), [cells(r) for r in categories]),
            Section(
                "By product",
                head,
                [cells(r) for r in rows],
                note="Cost at today's recipe and ingredient costs; a dash where nothing says what it costs.",
            ),
        ],
        charts=[ChartSpec("By category", "Net sales by category", [(r.name, r.net) for r in categories])],
    )
