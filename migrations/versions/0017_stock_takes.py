"""stock takes: a count sheet per storage location and its lines, each with what was counted
and what was expected when it was counted

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:57:22.738805

"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stock_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'approved', 'cancelled')", name=op.f('ck_stock_counts_known_status')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_stock_counts_closed_by_id_users')),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_stock_counts_started_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_counts'))
    )
    with op.batch_alter_table('stock_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_counts_location'), ['location'], unique=False)

    op.create_table('stock_count_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('count_id', sa.Integer(), nullable=False),
    sa.Column('stock_item_id', sa.Integer(), nullable=True),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('counted', sa.BigInteger(), nullable=False),
    sa.Column('expected', sa.BigInteger(), nullable=False),
    sa.Column('counted_by_id', sa.Integer(), nullable=True),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('item_movement_id', sa.Integer(), nullable=True),
    sa.Column('product_movement_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.CheckConstraint('(product_id IS NULL) <> (stock_item_id IS NULL)', name=op.f('ck_stock_count_lines_one_product_or_one_item')),
    sa.CheckConstraint('counted >= 0', name=op.f('ck_stock_count_lines_counted_not_negative')),
    sa.ForeignKeyConstraint(['count_id'], ['stock_counts.id'], name=op.f('fk_stock_count_lines_count_id_stock_counts')),
    sa.ForeignKeyConstraint(['counted_by_id'], ['users.id'], name=op.f('fk_stock_count_lines_counted_by_id_users')),
    sa.ForeignKeyConstraint(['item_movement_id'], ['stock_item_movements.id'], name=op.f('fk_stock_count_lines_item_movement_id_stock_item_movements')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_stock_count_lines_product_id_products')),
    sa.ForeignKeyConstraint(['product_movement_id'], ['stock_movements.id'], name=op.f('fk_stock_count_lines_product_movement_id_stock_movements')),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_items.id'], name=op.f('fk_stock_count_lines_stock_item_id_stock_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_count_lines')),
    sa.UniqueConstraint('count_id', 'product_id', name='uq_stock_count_lines_count_product'),
    sa.UniqueConstraint('count_id', 'stock_item_id', name='uq_stock_count_lines_count_item')
    )
    with op.batch_alter_table('stock_count_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_count_lines_count_id'), ['count_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_count_lines_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_count_lines_stock_item_id'), ['stock_item_id'], unique=False)



def downgrade():
    with op.batch_alter_table('stock_count_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_count_lines_stock_item_id'))
        batch_op.drop_index(batch_op.f('ix_stock_count_lines_product_id'))
        batch_op.drop_index(batch_op.f('ix_stock_count_lines_count_id'))

    op.drop_table('stock_count_lines')
    with op.batch_alter_table('stock_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_counts_location'))

    op.drop_table('stock_counts')
