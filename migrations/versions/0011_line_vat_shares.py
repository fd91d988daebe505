"""each sale line keeps its share of its band's VAT, so receipts, Z reports and patronage agree

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:00:00

"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa

from bakery.domain.vat import line_vat_shares, vat_in_gross
from bakery.models.append_only_sql import append_only_statements, drop_append_only_statements


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BATCH = 2000


def _band_vat_of_refunds(sales, lines_of):
    """Each refund's band VAT, as the refund worked it out: per band of the original sale, the VAT
    of everything refunded so far less the VAT of what was refunded before (in refund order)."""
    refunded = defaultdict(lambda: defaultdict(int))  # original sale -> rate -> gross refunded so far
    band_vat = {}
    for sale_id, kind, refund_of_id, _vat_total in sales:
        if kind != "refund":
            continue
        before = refunded[refund_of_id]
        vat = {}
        for rate in {rate for _line_id, rate, _gross in lines_of[sale_id]}:
            now = before[rate] + sum(g for _i, r, g in lines_of[sale_id] if r == rate)
            vat[rate] = vat_in_gross(now, rate) - vat_in_gross(before[rate], rate)
            before[rate] = now
        band_vat[sale_id] = vat
    return band_vat


def upgrade():
    op.add_column('sale_lines', sa.Column('vat', sa.Integer(), nullable=False, server_default='0'))
    connection = op.get_bind()
    dialect = connection.dialect.name
    # Sale lines are append-only: the triggers step aside for this one backfill of the new column.
    for statement in drop_append_only_statements(dialect, 'sale_lines'):
        op.execute(statement)
    sales_table = sa.table(
        'sales', sa.column('id'), sa.column('kind'), sa.column('refund_of_id'), sa.column('vat_total')
    )
    lines_table = sa.table(
        'sale_lines', sa.column('id'), sa.column('sale_id'), sa.column('rate_bp'), sa.column('gross'),
        sa.column('vat'),
    )
    # Sales in id order: a refund always comes after its sale and after the refunds before it.
    sales = connection.execute(
        sa.select(sales_table.c.id, sales_table.c.kind, sales_table.c.refund_of_id, sales_table.c.vat_total)
        .order_by(sales_table.c.id)
    ).all()
    lines_of = defaultdict(list)
    for line_id, sale_id, rate, gross in connection.execute(
        sa.select(lines_table.c.id, lines_table.c.sale_id, lines_table.c.rate_bp, lines_table.c.gross)
        .order_by(lines_table.c.id)
    ):
        lines_of[sale_id].append((line_id, rate, gross))
    refund_vat = _band_vat_of_refunds(sales, lines_of)
    updates = []
    for sale_id, kind, _refund_of_id, vat_total in sales:
        lines = lines_of.get(sale_id, [])
        if not lines:
            continue
        pairs = [(rate, gross) for _i, rate, gross in lines]
        band_vat = refund_vat.get(sale_id)
        if band_vat is not None and sum(band_vat.values()) != vat_total and len(band_vat) == 1:
            band_vat = {rate: vat_total for rate in band_vat}  # what the refund recorded decides
        try:
            shares = line_vat_shares(pairs, band_vat)
        except ValueError:
            shares = line_vat_shares(pairs) if kind == "sale" else [0] * len(pairs)
        updates.extend({'line_id': i, 'share': s} for (i, _r, _g), s in zip(lines, shares, strict=True))
        if len(updates) >= BATCH:
            _write(connection, lines_table, updates)
            updates = []
    _write(connection, lines_table, updates)
    for statement in append_only_statements(dialect, 'sale_lines'):
        op.execute(statement)


def _write(connection, lines_table, updates):
    if updates:
        connection.execute(
            lines_table.update()
            .where(lines_table.c.id == sa.bindparam('line_id'))
            .values(vat=sa.bindparam('share')),
            updates,
        )


def downgrade():
    op.drop_column('sale_lines', 'vat')
