"""bake plans: the quantities a baker accepted for a day (one plan a day, one per accept form),
which become that day's production list

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 13:57:45.984941

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bake_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('weeks BETWEEN 1 AND 12', name=op.f('ck_bake_plans_weeks_in_range')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_bake_plans_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bake_plans')),
    sa.UniqueConstraint('day', name=op.f('uq_bake_plans_day')),
    sa.UniqueConstraint('key', name=op.f('uq_bake_plans_key'))
    )
    op.create_table('bake_plan_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('suggested', sa.Integer(), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('batch_size', sa.Integer(), nullable=False),
    sa.Column('demand', sa.Integer(), nullable=False),
    sa.Column('left', sa.Integer(), nullable=False),
    sa.CheckConstraint('batch_size > 0', name=op.f('ck_bake_plan_lines_batch_makes_something')),
    sa.CheckConstraint('qty >= 0 AND suggested >= 0', name=op.f('ck_bake_plan_lines_not_negative')),
    sa.ForeignKeyConstraint(['plan_id'], ['bake_plans.id'], name=op.f('fk_bake_plan_lines_plan_id_bake_plans')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_bake_plan_lines_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bake_plan_lines')),
    sa.UniqueConstraint('plan_id', 'product_id', name='one_line_per_product')
    )
    with op.batch_alter_table('bake_plan_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bake_plan_lines_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bake_plan_lines_product_id'), ['product_id'], unique=False)



def downgrade():
    with op.batch_alter_table('bake_plan_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bake_plan_lines_product_id'))
        batch_op.drop_index(batch_op.f('ix_bake_plan_lines_plan_id'))

    op.drop_table('bake_plan_lines')
    op.drop_table('bake_plans')
