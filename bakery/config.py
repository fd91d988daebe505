"""Configuration: defaults, then `instance/config.py`, then `BAKERY_*` environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, ClassVar

from flask import Flask


class Defaults:
    """Settings that hold unless the instance or the environment says otherwise."""

    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict[str, Any]] = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # a till page stays open all day and must still take payment
    WTF_CSRF_SSL_STRICT = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Strict"
    SESSION_COOKIE_NAME = "bakery_session"
    PERMANENT_SESSION_LIFETIME = 12 * 3600
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (deploy/ has
    # one: nginx, so BAKERY_PROXY_HOPS=1 there). 0: none, every forwarded header is ignored.
    PROXY_HOPS = 0
    # Strict-Transport-Security's max-age, sent on every HTTPS response (a year).
    HSTS_SECONDS = 365 * 24 * 3600
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    TILL_IDLE_SECONDS = 180
    # Discounts above this share of the price need a manager's PIN (basis points: 2000 = 20%).
    DISCOUNT_MANAGER_BP = 2000
    TILL_DEVICE_COOKIE_DAYS = 5 * 365
    BACKUP_DIR = None
    # `flask bakery demo` plays a year of trading after the base demo (BAKERY_DEMO_YEAR=false: not).
    DEMO_YEAR = True


def load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    """Apply defaults, the instance file, the environment, then any test overrides."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("BAKERY")
    if test_config:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config.get("DATABASE_URL")
        or app.config.get("SQLALCHEMY_DATABASE_URI")
        or f"sqlite:///{Path(app.instance_path) / 'bakery.sqlite'}"
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app, "secret_key")
    if not app.config.get("LEDGER_KEY"):
        app.config["LEDGER_KEY"] = instance_secret(app, "ledger_key")


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whichever spelling of the URL was given."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def instance_secret(app: Flask, name: str) -> str:
    """Return a secret kept in the instance folder, generating it once (never committed)."""
    folder = Path(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
