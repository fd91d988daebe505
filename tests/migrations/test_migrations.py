"""Migrations build the schema on both engines and agree with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

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


def test_a_shop_already_trading_keeps_printing_every_receipt_after_the_upgrade(app):
    db.session.remove()
    downgrade(revision="0011")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO shop_settings (id, shop_name, address, vat_number, currency, locale, timezone,"
                " receipt_footer, till_idle_seconds, updated_at) VALUES (1, 'Trading', '', '', 'GBP',"
                " 'en_GB', 'Europe/London', '', 180, CURRENT_TIMESTAMP)"
            )
        )
    upgrade()
    with db.engine.connect() as conn:
        kept = conn.execute(text("SELECT receipt_after_pay FROM shop_settings WHERE id = 1")).scalar()
    assert kept == "always"
