"""The bakery co-op till: Flask + htmx, server-rendered, money in pence."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app; reads like a table of contents."""
    # BAKERY_INSTANCE_PATH: the instance folder elsewhere (deploy/ uses /var/lib/bakery, its own user's).
    app = Flask(__name__, instance_relative_config=True, instance_path=os.environ.get("BAKERY_INSTANCE_PATH"))
    configure_config(app, test_config)
    configure_extensions(app)
    configure_security(app)
    configure_input_guard(app)
    configure_blueprints(app)
    configure_templates(app)
    configure_errors(app)
    configure_cli(app)
    return app


def configure_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    from bakery.config import load_config

    load_config(app, test_config)


def configure_extensions(app: Flask) -> None:
    from bakery import database
    from bakery.extensions import csrf, htmx, migrate

    database.init_app(app)
    migrate.init_app(app, database.db, directory=str(app.config.get("MIGRATIONS_DIR") or _migrations_dir()))
    csrf.init_app(app)
    htmx.init_app(app)


def configure_security(app: Flask) -> None:
    from bakery import security

    security.init_app(app)


def configure_input_guard(app: Flask) -> None:
    from bakery import input_guard

    input_guard.init_app(app)


def configure_blueprints(app: Flask) -> None:
    from bakery.admin.routes import bp as admin_bp
    from bakery.auth.routes import bp as auth_bp
    from bakery.bakeplan.routes import bp as bakeplan_bp
    from bakery.dividends.routes import bp as dividends_bp
    from bakery.members.routes import bp as members_bp
    from bakery.planning.routes import bp as planning_bp
    from bakery.printing.routes import bp as printing_bp
    from bakery.reports.routes import bp as reports_bp
    from bakery.rota.routes import bp as rota_bp
    from bakery.stock.counts_routes import bp as counts_bp
    from bakery.stock.lists_routes import bp as stock_lists_bp
    from bakery.stock.routes import bp as stock_bp
    from bakery.stock.stockroom import bp as stockroom_bp
    from bakery.till.routes import bp as till_bp

    for blueprint in (
        auth_bp,
        till_bp,
        admin_bp,
        members_bp,
        stock_bp,
        stockroom_bp,
        counts_bp,
        stock_lists_bp,
        printing_bp,
        rota_bp,
        dividends_bp,
    ):
        app.register_blueprint(blueprint)
    app.register_blueprint(bakeplan_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(planning_bp)


def configure_templates(app: Flask) -> None:
    from bakery import formatting

    formatting.init_app(app)


def configure_errors(app: Flask) -> None:
    from bakery import errors

    errors.init_app(app)


def configure_cli(app: Flask) -> None:
    from bakery import cli

    cli.init_app(app)


def _migrations_dir() -> str:
    from pathlib import Path

    return str(Path(__file__).resolve().parent.parent / "migrations")
