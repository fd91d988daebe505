"""Demo printers: a virtual receipt printer for the Counter till and a kitchen printer into a file."""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Category, Printer, Till

VIRTUAL_HOST = "127.0.0.1"
VIRTUAL_PORT = 9100
KITCHEN_CATEGORIES = ("Sandwiches",)


def kitchen_spool() -> Path:
    """Where the demo kitchen printer's jobs go: instance/kitchen-prints/kitchen.prn."""
    return Path(current_app.instance_path) / "kitchen-prints" / "kitchen.prn"


def load_printers() -> None:
    """Add the demo printers unless there are printers already (part of `flask bakery demo`).

    The Counter till prints its receipts (and opens its drawer) on a virtual network printer on
    127.0.0.1:9100, which `python -m printers.virtual` provides; sandwiches go to a kitchen
    printer that appends its ESC/POS jobs to a file in the instance folder.
    """
    if db.session.scalar(select(Printer.id).limit(1)):
        return
    db.session.flush()
    counter = db.session.scalar(select(Till).where(Till.name == "Counter"))
    spool = kitchen_spool()
    spool.parent.mkdir(parents=True, exist_ok=True)
    db.session.add_all(
        [
            Printer(
                name="Counter receipts",
                location="counter",
                profile="epson-tm-t20-80",
                connection_json=json.dumps({"kind": "network", "host": VIRTUAL_HOST, "port": VIRTUAL_PORT}),
                receipt_till_id=counter.id if counter else None,
                state="unknown",
            ),
            Printer(
                name="Kitchen",
                location="kitchen",
                profile="generic-80",
                connection_json=json.dumps({"kind": "file", "path": str(spool)}),
                categories=list(
                    db.session.scalars(select(Category).where(Category.name.in_(KITCHEN_CATEGORIES)))
                ),
                state="unknown",
            ),
        ]
    )
