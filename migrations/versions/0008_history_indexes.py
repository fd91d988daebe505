"""indexes so that no request's query grows with a till's history: the open basket, parked orders,
a sale's or Z report's ledger link, today's sales on a till, a member's purchases in a period

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:30:00

"""
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # Plain CREATE/DROP INDEX: no table is rebuilt (the append-only tables keep their triggers).
    op.drop_index('ix_baskets_till_id', table_name='baskets')
    op.create_index('ix_baskets_till_id_status', 'baskets', ['till_id', 'status'], unique=False)
    op.create_index('ix_baskets_status_created_at', 'baskets', ['status', 'created_at'], unique=False)
    op.create_index(
        'ix_ledger_entries_till_id_kind_ref_id', 'ledger_entries', ['till_id', 'kind', 'ref_id'], unique=False
    )
    op.create_index('ix_sales_till_id_created_at', 'sales', ['till_id', 'created_at'], unique=False)
    op.drop_index('ix_sales_member_id', table_name='sales')
    op.create_index('ix_sales_member_id_created_at', 'sales', ['member_id', 'created_at'], unique=False)


def downgrade():
    op.drop_index('ix_sales_member_id_created_at', table_name='sales')
    op.create_index('ix_sales_member_id', 'sales', ['member_id'], unique=False)
    op.drop_index('ix_sales_till_id_created_at', table_name='sales')
    op.drop_index('ix_ledger_entries_till_id_kind_ref_id', table_name='ledger_entries')
    op.drop_index('ix_baskets_status_created_at', table_name='baskets')
    op.drop_index('ix_baskets_till_id_status', table_name='baskets')
    op.create_index('ix_baskets_till_id', 'baskets', ['till_id'], unique=False)
