"""discounts kept as typed (a percentage stays a percentage); a manager's PIN to void above a total

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 19:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('baskets', sa.Column('discount_bp', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('basket_lines', sa.Column('line_discount_bp', sa.Integer(), nullable=False, server_default='0'))
    op.add_column(
        'shop_settings', sa.Column('void_manager_above', sa.Integer(), nullable=False, server_default='2000')
    )


def downgrade():
    op.drop_column('shop_settings', 'void_manager_above')
    op.drop_column('basket_lines', 'line_discount_bp')
    op.drop_column('baskets', 'discount_bp')
