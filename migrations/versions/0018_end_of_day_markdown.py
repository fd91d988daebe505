"""the end-of-day markdown: the percentage the till takes off batch-baked products with one tap

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('shop_settings', sa.Column('markdown_bp', sa.Integer(), nullable=False, server_default='5000'))


def downgrade():
    op.drop_column('shop_settings', 'markdown_bp')
