"""Migrations build the schema on both engines and agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from bakery.extensions import db


def test_the_migrated_schema_matches_the_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []


def test_migrations_go_down_to_empty_and_back_up(app):
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert set(db.inspect(conn).get_table_names()) <= {"alembic_version"}
    upgrade()
    with db.engine.connect() as conn:
        assert "audit_events" in db.inspect(conn).get_table_names()
