"""settings for the rota and the social impact report: the most hours anyone is planned in a week,
and the share of programme workers the impact report measures against

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 16:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('shop_settings', sa.Column('week_hours_limit', sa.Integer(), nullable=False, server_default='48'))
    op.add_column('shop_settings', sa.Column('impact_threshold_bp', sa.Integer(), nullable=False, server_default='3000'))


def downgrade():
    op.drop_column('shop_settings', 'impact_threshold_bp')
    op.drop_column('shop_settings', 'week_hours_limit')
