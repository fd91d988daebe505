"""Printers as admins set them up: where each is, how it is connected, the print agent's token,
and the overview of what each has waiting."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Category, Printer, PrintJob, Till
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth import hash_token
from bakery.services.errors import NotFound, ServiceError
from bakery.services.printing.common import (
    LOCATIONS,
    STATE_LABELS,
    WAITING,
)
from bakery.services.race_safety import Mechanism, race_safe
from printers import (
    TransportConfigError,
    transport_from_config,
)
from printers.profiles import PROFILES


@dataclass(frozen=True)
class PrinterInput:
    """A printer as an admin describes it; the connection is already a transport config."""

    name: str
    location: str
    profile: str
    connection: dict[str, object]
    receipt_till_id: int | None = None
    category_ids: Sequence[int] = ()
    via_agent: bool = False
    active: bool = True


def _required(fields: Mapping[str, str], name: str, what: str, limit: int = 200) -> str:
    value = (fields.get(name) or "").strip()
    if not value:
        raise ServiceError(f"Enter the {what}.")
    if len(value) > limit:
        raise ServiceError(f"The {what} can be at most {limit} characters.")
    return value


def _whole(fields: Mapping[str, str], name: str, what: str, low: int, high: int, default: int) -> int:
    text = (fields.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise ServiceError(f"The {what} must be a whole number from {low} to {high}.")
    return int(text)


def _usb_id(fields: Mapping[str, str], name: str, what: str) -> int:
    text = _required(fields, name, what, 6).lower().removeprefix("0x")
    try:
        value = int(text, 16)
    except ValueError:
        raise ServiceError(f"The {what} is four hexadecimal digits, e.g. 04b8.") from None
    if not 0 < value <= 0xFFFF:
        raise ServiceError(f"The {what} is four hexadecimal digits, e.g. 04b8.")
    return value


def _file_path(fields: Mapping[str, str], instance_path: str) -> str:
    """A file printer writes into the instance folder or to a device under /dev, nowhere else,
    so that a printer setting cannot be used to append bytes to the app's own files."""
    path = Path(_required(fields, "path", "file or device path"))
    if not path.is_absolute():
        path = Path(instance_path) / path
    resolved = path.resolve()
    allowed = [Path(instance_path).resolve(), Path("/dev")]
    if not any(resolved == root or root in resolved.parents for root in allowed):
        raise ServiceError(f"A file printer writes under {instance_path} or to a device in /dev.")
    return str(resolved)


def connection_config(kind: str, fields: Mapping[str, str], instance_path: str) -> dict[str, object]:
    """Turn the connection fields of the printer form into a transport config
    (`printers.transport_from_config` reads it); unclear fields raise ServiceError."""
    config: dict[str, object]
    if kind == "network":
        config = {
            "kind": "network",
            "host": _required(fields, "host", "printer's address", 253),
            "port": _whole(fields, "port", "port", 1, 65535, 9100),
        }
    elif kind == "file":
        config = {"kind": "file", "path": _file_path(fields, instance_path)}
    elif kind == "usb":
        config = {
            "kind": "usb",
            "vendor_id": _usb_id(fields, "vendor_id", "USB vendor id"),
            "product_id": _usb_id(fields, "product_id", "USB product id"),
        }
    elif kind == "serial":
        config = {
            "kind": "serial",
            "device": _required(fields, "device", "serial device"),
            "baudrate": _whole(fields, "baudrate", "baud rate", 1200, 921600, 9600),
        }
    elif kind == "cups":
        config = {"kind": "cups", "printer_name": _required(fields, "printer_name", "CUPS queue name", 127)}
    else:
        raise ServiceError("Choose how the printer is connected.")
    try:
        transport_from_config(config)
    except TransportConfigError as error:
        raise ServiceError(f"That connection cannot work: {error}") from None
    return config


def connection_of(printer: Printer) -> dict[str, Any]:
    """The printer's transport config."""
    config: dict[str, Any] = json.loads(printer.connection_json)
    return config


def describe_connection(printer: Printer) -> str:
    """One line for people: "network 192.168.1.50:9100", "usb 04b8:0e15"…"""
    config = connection_of(printer)
    kind = config.get("kind")
    if kind == "network":
        return f"network {config.get('host')}:{config.get('port', 9100)}"
    if kind == "file":
        return f"file {config.get('path')}"
    if kind == "usb":
        return f"usb {int(config.get('vendor_id', 0)):04x}:{int(config.get('product_id', 0)):04x}"
    if kind == "serial":
        return f"serial {config.get('device')} at {config.get('baudrate', 9600)} baud"
    if kind == "cups":
        return f"CUPS queue {config.get('printer_name')}"
    return str(kind)


def connection_fields(printer: Printer) -> dict[str, str]:
    """The printer's connection as the form's text fields (for editing)."""
    config = connection_of(printer)
    fields = {"connection_kind": str(config.get("kind", "network"))}
    for key, value in config.items():
        if key in ("vendor_id", "product_id"):
            fields[key] = f"{int(value):04x}"
        elif key != "kind":
            fields[key] = str(value)
    return fields


def get_printer(printer_id: int) -> Printer:
    """One printer, or NotFound."""
    printer = db.session.get(Printer, printer_id)
    if printer is None:
        raise NotFound("That printer does not exist.")
    return printer


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="printer names and one receipt printer per till (unique keys, till row)",
)
def save_printer(
    printer_id: int | None, data: PrinterInput, actor: Actor, now: datetime | None = None
) -> Printer:
    """Add a printer (printer_id None) or change one; audited.

    Rule: names are unique; a till has at most one receipt printer, and only a counter printer
    prints receipts; only a kitchen printer takes categories; the profile must be a shipped one; a
    printer no longer printed by an agent loses its agent token.
    """
    at = now or utcnow()
    name = " ".join((data.name or "").split())
    if not name or len(name) > 60:
        raise ServiceError("Give the printer a name of at most 60 characters.")
    if data.location not in LOCATIONS:
        raise ServiceError("Choose where the printer stands: counter, kitchen or labels.")
    if data.profile not in PROFILES:
        raise ServiceError("Choose the printer's model (profile).")
    clash = db.session.scalar(select(Printer.id).where(Printer.name == name))
    if clash is not None and clash != printer_id:
        raise ServiceError(f"There is already a printer called {name}.")
    if data.receipt_till_id is not None and db.session.get(Till, data.receipt_till_id) is None:
        raise ServiceError("That till does not exist: choose one from the list, or No till.")
    till_id = data.receipt_till_id if data.location == "counter" else None
    if till_id is not None:
        till = db.session.get(Till, till_id)
        if till is None:
            raise ServiceError("That till does not exist.")
        other = db.session.scalar(
            select(Printer).where(Printer.receipt_till_id == till_id, Printer.id != (printer_id or 0))
        )
        if other is not None:
            raise ServiceError(f"{till.name} already prints its receipts on {other.name}.")
    categories: list[Category] = []
    if data.location == "kitchen" and data.category_ids:
        categories = list(db.session.scalars(select(Category).where(Category.id.in_(data.category_ids))))
        if len(categories) != len(set(data.category_ids)):
            raise ServiceError("One of those categories does not exist.")
    printer = Printer(created_at=at) if printer_id is None else get_printer(printer_id)
    printer.name = name
    printer.location = data.location
    printer.profile = data.profile
    printer.connection_json = json.dumps(data.connection, sort_keys=True)
    printer.receipt_till_id = till_id
    if printer_id is not None and printer.via_agent and not data.via_agent and printer.token_hash:
        # The server's worker prints it from now on: its agent's token must stop working.
        printer.token_hash = None
        printer.token_issued_at = None
        audit.record("printer.token_revoked", actor, target=f"printer:{printer.id}", now=at)
    printer.via_agent = bool(data.via_agent)
    printer.active = bool(data.active)
    printer.categories = categories
    if printer_id is None:
        printer.state = "unknown"
        db.session.add(printer)
    db.session.flush()
    audit.record(
        "printer.created" if printer_id is None else "printer.updated",
        actor,
        target=f"printer:{printer.id}",
        details={
            "name": name,
            "location": data.location,
            "profile": data.profile,
            "connection": describe_connection(printer),
            "receipt_till": till_id,
            "categories": sorted(c.id for c in categories),
            "via_agent": printer.via_agent,
            "active": printer.active,
        },
        now=at,
    )
    db.session.commit()
    return printer


@race_safe(Mechanism.INDEPENDENT, guards="a new token replaces the printer's token; last writer wins")
def issue_token(printer_id: int, actor: Actor, now: datetime | None = None) -> tuple[Printer, str]:
    """Give the printer's agent a new token (any earlier one stops working); return it once.

    Rule: only a printer printed by an agent gets one (the server's worker prints the others, and
    their jobs must never be handed out); only the token's SHA-256 is stored; nobody can see it
    again after this answer.
    """
    at = now or utcnow()
    printer = get_printer(printer_id)
    if not printer.via_agent:
        raise ServiceError(
            "Only a printer printed by an agent has a token: tick “Printed by an agent beside the "
            "printer” and save first. This server's own worker prints the others."
        )
    token = secrets.token_urlsafe(32)
    printer.token_hash = hash_token(token)
    printer.token_issued_at = at
    audit.record("printer.token_issued", actor, target=f"printer:{printer.id}", now=at)
    db.session.commit()
    return printer, token


@race_safe(Mechanism.INDEPENDENT, guards="clearing a token twice clears it once")
def revoke_token(printer_id: int, actor: Actor, now: datetime | None = None) -> Printer:
    """Revoke the printer's agent token: its agent is refused from the next request on."""
    at = now or utcnow()
    printer = get_printer(printer_id)
    if printer.token_hash is not None:
        printer.token_hash = None
        printer.token_issued_at = None
        audit.record("printer.token_revoked", actor, target=f"printer:{printer.id}", now=at)
        db.session.commit()
    return printer


def printer_for_token(token: str | None) -> Printer | None:
    """The active agent-printed printer whose agent token this is, or None. Reads only."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(Printer).where(
            Printer.token_hash == hash_token(token), Printer.active.is_(True), Printer.via_agent.is_(True)
        )
    )


@dataclass(frozen=True)
class PrinterRow:
    """A printer on the admin page with the number of jobs waiting for it."""

    printer: Printer
    waiting: int
    connection: str

    @property
    def state_label(self) -> str:
        """Ready, Offline, Out of paper…"""
        return STATE_LABELS.get(self.printer.state, self.printer.state)


def waiting_counts() -> dict[int, int]:
    """Jobs waiting (queued, claimed or sent) per printer, counted in SQL."""
    rows = db.session.execute(
        select(PrintJob.printer_id, func.count())
        .where(PrintJob.state.in_(WAITING))
        .group_by(PrintJob.printer_id)
    ).all()
    return {int(printer_id): int(n) for printer_id, n in rows}


def printers_overview() -> list[PrinterRow]:
    """Every printer with its state and waiting jobs. Reads only."""
    counts = waiting_counts()
    return [
        PrinterRow(printer, counts.get(printer.id, 0), describe_connection(printer))
        for printer in db.session.scalars(select(Printer).order_by(Printer.name))
    ]


def recent_jobs(printer_id: int | None = None, limit: int = 100) -> list[PrintJob]:
    """The newest print jobs, of one printer or all. Reads only."""
    query = select(PrintJob).order_by(PrintJob.id.desc()).limit(limit)
    if printer_id is not None:
        query = query.where(PrintJob.printer_id == printer_id)
    return list(db.session.scalars(query))
