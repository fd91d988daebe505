"""the shop chooses what happens to a sale's receipt after Pay: ask, always print or never print

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:00:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "shop_settings",
        sa.Column("receipt_after_pay", sa.String(length=10), nullable=False, server_default="ask"),
    )
    # A shop already trading printed every receipt at Pay: it keeps doing so until an admin
    # chooses otherwise in Settings (a new shop starts with "ask").
    op.execute("UPDATE shop_settings SET receipt_after_pay = 'always'")


def downgrade():
    op.drop_column("shop_settings", "receipt_after_pay")
