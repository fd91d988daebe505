"""race-safe keys: one payment per tender key, one paid in/out per form, one open basket per till

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 19:10:00

Columns are added with plain ALTER TABLE and the keys as unique indexes, so the append-only
tables (payments, cash_movements) keep their triggers on SQLite (a batch rebuild would drop them).
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("payments", sa.Column("tender_key", sa.String(length=64), nullable=True))
    op.create_index("ix_payments_tender_key", "payments", ["tender_key"], unique=True)
    op.add_column("pending_payments", sa.Column("key", sa.String(length=64), nullable=True))
    op.create_index("ix_pending_payments_key", "pending_payments", ["key"], unique=True)
    op.add_column("cash_movements", sa.Column("key", sa.String(length=64), nullable=True))
    op.create_index("ix_cash_movements_key", "cash_movements", ["key"], unique=True)
    # Earlier races could leave more than one open basket on a till: keep the newest open.
    op.execute(
        "UPDATE baskets SET status = 'voided' WHERE status = 'open' AND id NOT IN "
        "(SELECT MAX(id) FROM baskets WHERE status = 'open' GROUP BY till_id)"
    )
    op.create_index(
        "uq_baskets_open_till",
        "baskets",
        ["till_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )


def downgrade():
    op.drop_index("uq_baskets_open_till", table_name="baskets")
    op.drop_index("ix_cash_movements_key", table_name="cash_movements")
    op.drop_index("ix_pending_payments_key", table_name="pending_payments")
    op.drop_index("ix_payments_tender_key", table_name="payments")
    # Plain DROP COLUMN (SQLite 3.35+), not a batch rebuild, so the append-only triggers stay.
    op.drop_column("cash_movements", "key")
    op.drop_column("pending_payments", "key")
    op.drop_column("payments", "tender_key")
