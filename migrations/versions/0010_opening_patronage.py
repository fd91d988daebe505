"""opening patronage imported from a co-op's old till or spreadsheet: one audited import per
period (staged at its preview, active once confirmed, replaced only explicitly), its rows counted in patronage

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:10:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'opening_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('period_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.Column('member_count', sa.Integer(), nullable=False),
        sa.Column('total_purchases', sa.Integer(), nullable=False),
        sa.Column('total_minutes', sa.Integer(), nullable=False),
        sa.Column('replaces_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('imported_by_id', sa.Integer(), nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_opening_imports_imported_by_id_users')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_opening_imports_uploaded_by_id_users')),
        sa.ForeignKeyConstraint(['period_id'], ['financial_periods.id'], name=op.f('fk_opening_imports_period_id_financial_periods')),
        sa.ForeignKeyConstraint(['replaces_id'], ['opening_imports.id'], name=op.f('fk_opening_imports_replaces_id_opening_imports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_imports')),
    )
    op.create_index(op.f('ix_opening_imports_period_id'), 'opening_imports', ['period_id'], unique=False)
    op.create_table(
        'opening_patronage',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('purchases', sa.Integer(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('source_row', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['import_id'], ['opening_imports.id'], name=op.f('fk_opening_patronage_import_id_opening_imports')),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_opening_patronage_member_id_members')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_patronage')),
    )
    op.create_index(op.f('ix_opening_patronage_import_id'), 'opening_patronage', ['import_id'], unique=False)
    op.create_index(op.f('ix_opening_patronage_member_id'), 'opening_patronage', ['member_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_opening_patronage_member_id'), table_name='opening_patronage')
    op.drop_index(op.f('ix_opening_patronage_import_id'), table_name='opening_patronage')
    op.drop_table('opening_patronage')
    op.drop_index(op.f('ix_opening_imports_period_id'), table_name='opening_imports')
    op.drop_table('opening_imports')
