"""the catalogue's version on the shop's settings row: every catalogue change moves it on, so each
worker process knows when its copy of the menu is out of date

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:40:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "shop_settings",
        sa.Column("catalogue_version", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_column("shop_settings", "catalogue_version")
