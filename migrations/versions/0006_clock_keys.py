"""clock form keys: a double-tapped or retried clock-in or clock-out clocks once

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 19:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('time_entries', sa.Column('clock_in_key', sa.String(length=64), nullable=True))
    op.add_column('time_entries', sa.Column('clock_out_key', sa.String(length=64), nullable=True))
    op.create_index('ix_time_entries_clock_in_key', 'time_entries', ['clock_in_key'], unique=True)
    op.create_index('ix_time_entries_clock_out_key', 'time_entries', ['clock_out_key'], unique=True)


def downgrade():
    op.drop_index('ix_time_entries_clock_out_key', table_name='time_entries')
    op.drop_index('ix_time_entries_clock_in_key', table_name='time_entries')
    op.drop_column('time_entries', 'clock_out_key')
    op.drop_column('time_entries', 'clock_in_key')
