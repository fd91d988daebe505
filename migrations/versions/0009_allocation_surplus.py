"""an allocation keeps its surplus (negative for a loss) beside the frozen scenario, so a member's
list of statements can say "no dividend: a loss of £X" without reading every scenario

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 07:50:00

"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("allocations", sa.Column("surplus", sa.Integer(), nullable=True))
    allocations = sa.table(
        "allocations",
        sa.column("id", sa.Integer),
        sa.column("scenario_json", sa.Text),
        sa.column("surplus", sa.Integer),
    )
    connection = op.get_bind()
    for ident, scenario in connection.execute(sa.select(allocations.c.id, allocations.c.scenario_json)).all():
        surplus = int(json.loads(scenario)["period"]["surplus"])
        connection.execute(allocations.update().where(allocations.c.id == ident).values(surplus=surplus))


def downgrade():
    op.drop_column("allocations", "surplus")
