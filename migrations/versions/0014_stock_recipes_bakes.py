"""stock, recipes and bakes: stock items in base units, suppliers and purchase units, deliveries
and their corrections, recipes (nested), bake batches, write-offs and donations, and how a product
comes to be on the shelf

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 13:32:16.396368

"""
from alembic import op
import sqlalchemy as sa

from bakery.models.append_only_sql import append_only_statements, drop_append_only_statements


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


#: New columns that point at a new table: (table, column, the table it points at).
LINKS = (
    ('products', 'recipe_id', 'recipes'),
    ('products', 'stock_item_id', 'stock_items'),
    ('stock_movements', 'batch_id', 'bake_batches'),
    ('stock_movements', 'write_off_id', 'write_offs'),
)


def _add_link(table, column, target):
    """A nullable column with a foreign key, added without rebuilding the table: SQLite takes the
    REFERENCES clause in ALTER TABLE ADD COLUMN but has no ALTER TABLE ADD CONSTRAINT."""
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {target} (id)')
        return
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(f'fk_{table}_{column}_{target}', table, target, [column], ['id'])


def upgrade():
    op.create_table('partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('name', name=op.f('uq_partners_name'))
    )
    op.create_table('recipes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('yield_qty', sa.BigInteger(), nullable=False),
    sa.Column('yield_unit', sa.String(length=4), nullable=False),
    sa.Column('method', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("yield_unit IN ('g', 'ml', 'each')", name=op.f('ck_recipes_known_yield_unit')),
    sa.CheckConstraint('yield_qty > 0', name=op.f('ck_recipes_yields_something')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipes')),
    sa.UniqueConstraint('name', name=op.f('uq_recipes_name'))
    )
    op.create_table('suppliers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppliers')),
    sa.UniqueConstraint('name', name=op.f('uq_suppliers_name'))
    )
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=True),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_deliveries_by_id_users')),
    sa.ForeignKeyConstraint(['corrects_id'], ['deliveries.id'], name=op.f('fk_deliveries_corrects_id_deliveries')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_deliveries_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('key', name=op.f('uq_deliveries_key'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_corrects_id'), ['corrects_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deliveries_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('stock_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('base_unit', sa.String(length=4), nullable=False),
    sa.Column('unit_cost', sa.BigInteger(), nullable=False),
    sa.Column('on_hand', sa.BigInteger(), nullable=False),
    sa.Column('reorder_level', sa.BigInteger(), nullable=False),
    sa.Column('par_level', sa.BigInteger(), nullable=False),
    sa.Column('location', sa.String(length=40), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=True),
    sa.Column('allergens', sa.String(length=200), nullable=False),
    sa.Column('may_contain', sa.String(length=200), nullable=False),
    sa.Column('declared', sa.Text(), nullable=False),
    sa.Column('grams_each', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("base_unit IN ('g', 'ml', 'each')", name=op.f('ck_stock_items_known_base_unit')),
    sa.CheckConstraint('unit_cost >= 0', name=op.f('ck_stock_items_cost_not_negative')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_stock_items_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_items')),
    sa.UniqueConstraint('name', name=op.f('uq_stock_items_name'))
    )
    with op.batch_alter_table('stock_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_items_supplier_id'), ['supplier_id'], unique=False)

    op.create_table('delivery_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('stock_item_id', sa.Integer(), nullable=False),
    sa.Column('purchase_unit', sa.String(length=40), nullable=False),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('base_qty', sa.BigInteger(), nullable=False),
    sa.Column('cost', sa.Integer(), nullable=False),
    sa.Column('lot_code', sa.String(length=40), nullable=False),
    sa.Column('use_by', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_delivery_lines_delivery_id_deliveries')),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_items.id'], name=op.f('fk_delivery_lines_stock_item_id_stock_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_lines'))
    )
    with op.batch_alter_table('delivery_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_lines_delivery_id'), ['delivery_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_lines_stock_item_id'), ['stock_item_id'], unique=False)

    op.create_table('purchase_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stock_item_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('base_qty', sa.BigInteger(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('base_qty > 0', name=op.f('ck_purchase_units_holds_something')),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_items.id'], name=op.f('fk_purchase_units_stock_item_id_stock_items')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_purchase_units_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_units'))
    )
    with op.batch_alter_table('purchase_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_units_stock_item_id'), ['stock_item_id'], unique=False)

    op.create_table('recipe_parts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipe_id', sa.Integer(), nullable=False),
    sa.Column('stock_item_id', sa.Integer(), nullable=True),
    sa.Column('sub_recipe_id', sa.Integer(), nullable=True),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('(stock_item_id IS NULL) <> (sub_recipe_id IS NULL)', name=op.f('ck_recipe_parts_one_item_or_one_recipe')),
    sa.CheckConstraint('qty > 0', name=op.f('ck_recipe_parts_uses_something')),
    sa.ForeignKeyConstraint(['recipe_id'], ['recipes.id'], name=op.f('fk_recipe_parts_recipe_id_recipes')),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_items.id'], name=op.f('fk_recipe_parts_stock_item_id_stock_items')),
    sa.ForeignKeyConstraint(['sub_recipe_id'], ['recipes.id'], name=op.f('fk_recipe_parts_sub_recipe_id_recipes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recipe_parts'))
    )
    with op.batch_alter_table('recipe_parts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recipe_parts_recipe_id'), ['recipe_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recipe_parts_stock_item_id'), ['stock_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recipe_parts_sub_recipe_id'), ['sub_recipe_id'], unique=False)

    op.create_table('bake_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('qty', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('baked_on', sa.Date(), nullable=False),
    sa.Column('best_before', sa.Date(), nullable=True),
    sa.Column('cost', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('qty > 0', name=op.f('ck_bake_batches_bakes_something')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_bake_batches_by_id_users')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_bake_batches_product_id_products')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bake_batches')),
    sa.UniqueConstraint('code', name=op.f('uq_bake_batches_code')),
    sa.UniqueConstraint('key', name=op.f('uq_bake_batches_key'))
    )
    with op.batch_alter_table('bake_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bake_batches_baked_on'), ['baked_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_bake_batches_product_id'), ['product_id'], unique=False)

    op.create_table('write_offs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('stock_item_id', sa.Integer(), nullable=True),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('waste', 'donation')", name=op.f('ck_write_offs_known_kind')),
    sa.CheckConstraint('(product_id IS NULL) <> (stock_item_id IS NULL)', name=op.f('ck_write_offs_one_product_or_one_item')),
    sa.CheckConstraint('qty > 0', name=op.f('ck_write_offs_writes_off_something')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_write_offs_by_id_users')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_write_offs_partner_id_partners')),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_write_offs_product_id_products')),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_items.id'], name=op.f('fk_write_offs_stock_item_id_stock_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_write_offs')),
    sa.UniqueConstraint('key', name=op.f('uq_write_offs_key'))
    )
    with op.batch_alter_table('write_offs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_write_offs_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_write_offs_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_write_offs_stock_item_id'), ['stock_item_id'], unique=False)

    op.create_table('stock_item_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stock_item_id', sa.Integer(), nullable=False),
    sa.Column('qty', sa.BigInteger(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('sale_id', sa.Integer(), nullable=True),
    sa.Column('write_off_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['bake_batches.id'], name=op.f('fk_stock_item_movements_batch_id_bake_batches')),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_stock_item_movements_by_id_users')),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], name=op.f('fk_stock_item_movements_delivery_id_deliveries')),
    sa.ForeignKeyConstraint(['sale_id'], ['sales.id'], name=op.f('fk_stock_item_movements_sale_id_sales')),
    sa.ForeignKeyConstraint(['stock_item_id'], ['stock_items.id'], name=op.f('fk_stock_item_movements_stock_item_id_stock_items')),
    sa.ForeignKeyConstraint(['write_off_id'], ['write_offs.id'], name=op.f('fk_stock_item_movements_write_off_id_write_offs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_item_movements'))
    )
    with op.batch_alter_table('stock_item_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_item_movements_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_item_movements_stock_item_id'), ['stock_item_id'], unique=False)

    # Plain ADD COLUMN (no table rebuild): stock_movements is append-only and keeps its triggers.
    op.add_column('products', sa.Column('make', sa.String(length=10), nullable=False, server_default=''))
    op.add_column('products', sa.Column('stock_qty', sa.Integer(), nullable=False, server_default='1'))
    op.add_column('products', sa.Column('shelf_life_days', sa.Integer(), nullable=True))
    for table, column, target in LINKS:
        _add_link(table, column, target)
    op.create_index('ix_products_recipe_id', 'products', ['recipe_id'], unique=False)
    op.create_index('ix_products_stock_item_id', 'products', ['stock_item_id'], unique=False)
    for statement in append_only_statements(op.get_bind().dialect.name, 'stock_item_movements'):
        op.execute(statement)


def downgrade():
    for statement in drop_append_only_statements(op.get_bind().dialect.name, 'stock_item_movements'):
        op.execute(statement)
    if op.get_bind().dialect.name != 'sqlite':
        for table, column, target in LINKS:
            op.drop_constraint(f'fk_{table}_{column}_{target}', table, type_='foreignkey')
    op.drop_column('stock_movements', 'write_off_id')
    op.drop_column('stock_movements', 'batch_id')
    op.drop_index('ix_products_stock_item_id', table_name='products')
    op.drop_index('ix_products_recipe_id', table_name='products')
    for column in ('shelf_life_days', 'stock_qty', 'stock_item_id', 'recipe_id', 'make'):
        op.drop_column('products', column)

    with op.batch_alter_table('stock_item_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_item_movements_stock_item_id'))
        batch_op.drop_index(batch_op.f('ix_stock_item_movements_at'))

    op.drop_table('stock_item_movements')
    with op.batch_alter_table('write_offs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_write_offs_stock_item_id'))
        batch_op.drop_index(batch_op.f('ix_write_offs_product_id'))
        batch_op.drop_index(batch_op.f('ix_write_offs_day'))

    op.drop_table('write_offs')
    with op.batch_alter_table('bake_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bake_batches_product_id'))
        batch_op.drop_index(batch_op.f('ix_bake_batches_baked_on'))

    op.drop_table('bake_batches')
    with op.batch_alter_table('recipe_parts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recipe_parts_sub_recipe_id'))
        batch_op.drop_index(batch_op.f('ix_recipe_parts_stock_item_id'))
        batch_op.drop_index(batch_op.f('ix_recipe_parts_recipe_id'))

    op.drop_table('recipe_parts')
    with op.batch_alter_table('purchase_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_units_stock_item_id'))

    op.drop_table('purchase_units')
    with op.batch_alter_table('delivery_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_lines_stock_item_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_lines_delivery_id'))

    op.drop_table('delivery_lines')
    with op.batch_alter_table('stock_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_items_supplier_id'))

    op.drop_table('stock_items')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_supplier_id'))
        batch_op.drop_index(batch_op.f('ix_deliveries_corrects_id'))

    op.drop_table('deliveries')
    op.drop_table('suppliers')
    op.drop_table('recipes')
    op.drop_table('partners')
