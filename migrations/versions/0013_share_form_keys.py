"""share form keys: a double-tapped or retried share purchase or withdrawal moves the shares once

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 08:40:00

The column is added with plain ALTER TABLE and the key as a unique index, so the append-only
share_transactions table keeps its triggers on SQLite (a batch rebuild would drop them).
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('share_transactions', sa.Column('key', sa.String(length=64), nullable=True))
    op.create_index('ix_share_transactions_key', 'share_transactions', ['key'], unique=True)


def downgrade():
    op.drop_index('ix_share_transactions_key', table_name='share_transactions')
    op.drop_column('share_transactions', 'key')
