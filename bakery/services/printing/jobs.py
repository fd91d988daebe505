"""Printing: printers, the print queue written with each sale, the worker and the agent's side.

Rule: printing never blocks a sale, and a job is sent at most once unless someone asks for a
reprint. Checkout adds its jobs to its own transaction. A worker (or an agent beside a printer)
claims one job at a time with a lease: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, then a
conditional `UPDATE … WHERE state = 'queued'` whose row count says who won (the only guard on
SQLite, where FOR UPDATE compiles to nothing). Just before the bytes leave, the job is marked as
sending; a claim that lapses after that mark becomes "uncertain" (it may be on paper) and is
offered as a DUPLICATE reprint, never resent on its own. A lapsed claim without the mark was
never sent, so it goes back to the queue and prints once.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from flask import current_app
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from bakery.extensions import db
from bakery.formatting import local_time
from bakery.models import Category, Printer, PrintJob, Product, ReceiptLink, Sale, SaleLine, Till
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth import SignInRefused, authorise_manager, hash_token
from bakery.services.errors import NotFound, ServiceError
from bakery.services.printing import receipts
from bakery.services.race_safety import Mechanism, race_safe
from printers import (
    QR,
    Columns,
    Cut,
    Document,
    DocumentError,
    DrawerKick,
    PrinterError,
    PrinterOffline,
    PrinterStatus,
    RenderError,
    Rule,
    Text,
    Transport,
    TransportConfigError,
    UnknownProfileError,
    document_from_json,
    document_to_json,
    get_profile,
    render_escpos,
    render_text,
    transport_from_config,
)
from printers.agent import TOO_LATE
from printers.profiles import PROFILES

log = logging.getLogger("bakery.printing")

LOCATIONS: Final = {"counter": "Counter", "kitchen": "Kitchen", "labels": "Labels"}
KINDS: Final = ("receipt", "kitchen", "drawer", "x_report", "z_report", "test", "label")
CONNECTION_KINDS: Final = {
    "network": "Network (TCP, port 9100)",
    "file": "File or device",
    "usb": "USB",
    "serial": "Serial",
    "cups": "CUPS queue",
}
WAITING: Final = ("queued", "claimed", "sent")
STATE_LABELS: Final = {
    "unknown": "Ready",
    "ok": "Ready",
    "offline": "Offline",
    "out_of_paper": "Out of paper",
    "error": "Printer error",
}
NOT_PRINTED: Final = ("uncertain", "expired", "failed", "cancelled")
# A drawer kick helps the cashier standing at the cash sale; later, it opens a drawer that
# nobody is watching.
DRAWER_KICK_VALID_SECONDS: Final = 10
# Agent failures that no retry can mend (the job itself cannot be printed).
_HOPELESS_PREFIXES: Final = ("cannot print this job", "could not prepare the job")

DEFAULTS: Final[dict[str, int]] = {
    "PRINT_LEASE_SECONDS": 60,
    "PRINT_AGENT_LEASE_SECONDS": 120,
    "PRINT_BACKOFF_SECONDS": 2,
    "PRINT_BACKOFF_MAX_SECONDS": 60,
    "PRINT_MAX_ATTEMPTS": 5,
    "PRINT_RECEIPT_EXPIRY_SECONDS": 900,
    "PRINT_DRAWER_EXPIRY_SECONDS": DRAWER_KICK_VALID_SECONDS,
}


class PrintingError(ServiceError):
    """A printing request the rules refuse (no receipt printer, nothing to reprint...)."""


def setting(name: str) -> int:
    """A printing setting: app config (`BAKERY_PRINT_...` in the environment) or its default."""
    return int(current_app.config.get(name, DEFAULTS[name]))


def backoff_seconds(attempts: int, base: int, cap: int) -> int:
    """Exponential backoff: base, twice that, four times … after each failed attempt, never above cap."""
    if attempts <= 0:
        return 0
    return int(min(cap, base * 2 ** min(attempts - 1, 30)))


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=setting(name))


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- printers (admin) ---------------------------------------------------------------------


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
    prints receipts; only a kitchen printer takes categories; the profile must be a shipped one.
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

    Rule: only the token's SHA-256 is stored; nobody can see it again after this answer.
    """
    at = now or utcnow()
    printer = get_printer(printer_id)
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
    """The active printer whose agent token this is, or None. Reads only."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(Printer).where(Printer.token_hash == hash_token(token), Printer.active.is_(True))
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


# --- documents ----------------------------------------------------------------------------


def drawer_document() -> Document:
    """Only a drawer kick: the printer's pin and pulse come from its profile."""
    return Document(kind="drawer", blocks=(DrawerKick(),), title="Open drawer")


def test_page_document(printer: Printer, now: datetime) -> Document:
    """A test page: the printer's name and model, a ruler at its width, £ € and accents, a QR."""
    profile = get_profile(printer.profile)
    ruler = ("1234567890" * 8)[: profile.columns]
    return Document(
        kind="test",
        title=f"Test page {printer.name}",
        blocks=(
            Text("TEST PAGE", bold=True, align="center", size="double"),
            Text(printer.name, align="center"),
            Text(f"{profile.name}: {profile.paper_mm} mm, {profile.columns} columns", align="center"),
            Text(now.strftime("%Y-%m-%d %H:%M UTC"), align="center"),
            Rule(),
            Text(ruler),
            Columns("£ € é ü ç ł ś ż", "£12.34"),
            Text("Zażółć gęślą jaźń · Crème brûlée", align="center"),
            Rule(),
            QR(f"test:{printer.id}"),
            Cut(),
        ),
    )


def kitchen_ticket(sale: Sale, lines: Sequence[SaleLine], till_name: str) -> Document:
    """A kitchen ticket: the order number, eat in or takeaway, items and notes in big type."""
    blocks: list[Any] = [
        Text(f"{till_name} #{sale.receipt_no}", bold=True, size="double"),
        Text(local_time(sale.created_at, "HH:mm") + (" EAT IN" if sale.eat_in else " TAKEAWAY")),
        Rule(),
    ]
    for line in lines:
        blocks.append(Text(f"{line.qty} x {line.description}", bold=True, size="double"))
        if line.note:
            blocks.append(Text(f"  >> {line.note}", size="tall"))
    blocks += [Rule(), Cut()]
    return Document(kind="kitchen", blocks=tuple(blocks), title=f"Kitchen {till_name} #{sale.receipt_no}")


# --- queueing -----------------------------------------------------------------------------


def _add_job(
    printer: Printer,
    kind: str,
    document: Document,
    dedupe_key: str,
    now: datetime,
    *,
    sale_id: int | None = None,
    copy_no: int = 0,
    expires_in: timedelta | None = None,
) -> PrintJob:
    job = PrintJob(
        printer_id=printer.id,
        kind=kind,
        sale_id=sale_id,
        copy_no=copy_no,
        document_json=document_to_json(document),
        dedupe_key=dedupe_key,
        state="queued",
        attempts=0,
        next_attempt_at=now,
        expires_at=now + expires_in if expires_in is not None else None,
        created_at=now,
    )
    db.session.add(job)
    return job


def receipt_printer_for(till_id: int) -> Printer | None:
    """The active printer that prints this till's receipts (and opens its drawer). Reads only."""
    return db.session.scalar(
        select(Printer).where(Printer.receipt_till_id == till_id, Printer.active.is_(True))
    )


def queue_for_sale(sale: Sale, now: datetime) -> None:
    """Add a completed sale's print work to the caller's transaction (the caller commits).

    Rule: the digital receipt link is made for every sale and refund; the receipt goes to the
    till's receipt printer, preceded by a drawer kick only when cash changed hands (sale or
    refund), which expires after a few seconds; a sale's kitchen tickets go to the kitchen
    printers its lines' categories are routed to. Unique keys make each at most once.
    """
    db.session.flush()
    db.session.add(ReceiptLink(sale_id=sale.id, token=secrets.token_urlsafe(24), created_at=now))
    db.session.flush()
    printer = receipt_printer_for(sale.till_id)
    if printer is not None:
        if any(payment.method == "cash" for payment in sale.payments):
            _add_job(
                printer,
                "drawer",
                drawer_document(),
                f"drawer:sale:{sale.id}",
                now,
                sale_id=sale.id,
                expires_in=_seconds("PRINT_DRAWER_EXPIRY_SECONDS"),
            )
        _add_job(
            printer,
            "receipt",
            receipts.for_sale(sale).document,
            f"receipt:{sale.id}:0",
            now,
            sale_id=sale.id,
            expires_in=_seconds("PRINT_RECEIPT_EXPIRY_SECONDS"),
        )
    if sale.kind == "sale":
        _queue_kitchen(sale, now)


def _queue_kitchen(sale: Sale, now: datetime) -> None:
    kitchens = [
        p
        for p in db.session.scalars(
            select(Printer)
            .where(Printer.location == "kitchen", Printer.active.is_(True))
            .order_by(Printer.id)
        )
        if p.categories
    ]
    if not kitchens:
        return
    lines = list(sale.lines)
    category_of = dict(
        db.session.execute(
            select(Product.id, Product.category_id).where(Product.id.in_({line.product_id for line in lines}))
        ).all()
    )
    till = db.session.get(Till, sale.till_id)
    for printer in kitchens:
        routed = {c.id for c in printer.categories}
        mine = [line for line in lines if category_of.get(line.product_id) in routed]
        if mine:
            _add_job(
                printer,
                "kitchen",
                kitchen_ticket(sale, mine, till.name if till else ""),
                f"kitchen:{sale.id}:{printer.id}",
                now,
                sale_id=sale.id,
            )


def queue_drawer_kick(printer: Printer, key: str, now: datetime) -> PrintJob:
    """Queue a drawer kick for cash outside a sale (paid in/out), expiring after a few seconds."""
    return _add_job(
        printer, "drawer", drawer_document(), key, now, expires_in=_seconds("PRINT_DRAWER_EXPIRY_SECONDS")
    )


def queue_document(
    printer_id: int, kind: str, document: Document, dedupe_key: str, now: datetime | None = None
) -> PrintJob:
    """Queue any document (X/Z reports, labels) in the caller's transaction; the key dedupes."""
    if kind not in KINDS:
        raise ServiceError(f"Unknown kind of print job {kind!r}.")
    return _add_job(get_printer(printer_id), kind, document, dedupe_key, now or utcnow())


@race_safe(Mechanism.INDEPENDENT, guards="a new print job")
def queue_test_page(printer_id: int, actor: Actor, now: datetime | None = None) -> PrintJob:
    """Queue a test page for a printer."""
    at = now or utcnow()
    printer = get_printer(printer_id)
    job = _add_job(
        printer,
        "test",
        test_page_document(printer, at),
        f"test:{printer.id}:{uuid.uuid4().hex}",
        at,
        expires_in=_seconds("PRINT_RECEIPT_EXPIRY_SECONDS"),
    )
    audit.record("printer.test_page", actor, target=f"printer:{printer.id}", now=at)
    db.session.commit()
    return job


def sale_for_link(token: str) -> Sale:
    """The sale behind a digital receipt link, or NotFound. Reads only."""
    if not token or len(token) > 64:
        raise NotFound("There is no such receipt.")
    sale_id = db.session.scalar(select(ReceiptLink.sale_id).where(ReceiptLink.token == token))
    sale = db.session.get(Sale, sale_id) if sale_id is not None else None
    if sale is None:
        raise NotFound("There is no such receipt.")
    return sale


def sale_id_for_receipt_url(text: str) -> int | None:
    """The sale id whose digital receipt address (as a scanner types the QR code) this is."""
    marker = receipts.DIGITAL_RECEIPT_PATH
    if marker not in (text or ""):
        return None
    token = text.rsplit(marker, 1)[1].strip().strip("/")
    try:
        return sale_for_link(token).id
    except NotFound:
        return None


# --- on the till --------------------------------------------------------------------------


@dataclass(frozen=True)
class TillPrinting:
    """What the till shows about its receipt printer and its last receipt."""

    printer: Printer | None
    waiting: int
    last_sale: Sale | None
    last_receipt_state: str | None

    @property
    def label(self) -> str:
        """Ready, Offline, Out of paper, Printer error."""
        if self.printer is None:
            return "No receipt printer"
        return STATE_LABELS.get(self.printer.state, self.printer.state)

    @property
    def problem(self) -> bool:
        """True while the printer is not printing (it matters to whoever is at the till)."""
        return self.printer is not None and self.printer.state in ("offline", "out_of_paper", "error")

    @property
    def busy(self) -> bool:
        """Something is waiting or wrong: the till keeps asking until it is sorted."""
        return self.waiting > 0 or self.problem

    @property
    def offer_reprint(self) -> bool:
        """The last receipt did not (surely) print: expired, uncertain, failed or cancelled."""
        return self.last_receipt_state in NOT_PRINTED


def till_printing(till_id: int) -> TillPrinting:
    """The till's receipt printer, how many jobs wait for it, and how its last receipt went."""
    printer = receipt_printer_for(till_id)
    waiting = 0
    if printer is not None:
        waiting = int(
            db.session.scalar(
                select(func.count())
                .select_from(PrintJob)
                .where(PrintJob.printer_id == printer.id, PrintJob.state.in_(WAITING))
            )
            or 0
        )
    last_sale = db.session.scalar(
        select(Sale).where(Sale.till_id == till_id).order_by(Sale.id.desc()).limit(1)
    )
    state = None
    if last_sale is not None:
        state = db.session.scalar(
            select(PrintJob.state)
            .where(PrintJob.sale_id == last_sale.id, PrintJob.kind == "receipt")
            .order_by(PrintJob.copy_no.desc())
            .limit(1)
        )
    return TillPrinting(printer, waiting, last_sale, state)


def _till_printer(till_id: int) -> Printer:
    printer = receipt_printer_for(till_id)
    if printer is None:
        raise PrintingError("This till has no receipt printer. An admin sets one under Printers.")
    return printer


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only jobs still failed are requeued")
def retry_till_printing(till_id: int, actor: Actor, now: datetime | None = None) -> int:
    """Try the till's waiting jobs now, and put failed ones (not drawer kicks) back in the queue.

    Rule: uncertain, expired and cancelled jobs are never retried: a reprint is asked for instead.
    """
    at = now or utcnow()
    printer = _till_printer(till_id)
    again = db.session.execute(
        update(PrintJob)
        .where(PrintJob.printer_id == printer.id, PrintJob.state == "queued")
        .values(next_attempt_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    revived = db.session.execute(
        update(PrintJob)
        .where(PrintJob.printer_id == printer.id, PrintJob.state == "failed", PrintJob.kind != "drawer")
        .values(state="queued", attempts=0, next_attempt_at=at, finished_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if revived:
        audit.record(
            "print.retried", actor, target=f"printer:{printer.id}", details={"jobs": revived}, now=at
        )
    db.session.commit()
    return int(again or 0) + int(revived or 0)


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only jobs still waiting are cancelled")
def cancel_till_printing(till_id: int, actor: Actor, now: datetime | None = None) -> int:
    """Cancel the jobs waiting for the till's printer (not one being printed right now); audited."""
    at = now or utcnow()
    printer = _till_printer(till_id)
    cancelled = int(
        db.session.execute(
            update(PrintJob)
            .where(PrintJob.printer_id == printer.id, PrintJob.state.in_(("queued", "failed")))
            .values(state="cancelled", finished_at=at)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    if cancelled:
        audit.record(
            "print.cancelled", actor, target=f"printer:{printer.id}", details={"jobs": cancelled}, now=at
        )
    db.session.commit()
    return cancelled


@race_safe(Mechanism.UNIQUE_KEY, guards="one copy per copy number (unique job key)")
def reprint_receipt(
    till_id: int, actor: Actor, sale_id: int | None = None, now: datetime | None = None
) -> PrintJob:
    """Print a receipt of this till again (the last one unless a sale is named); audited.

    Rule: a receipt printed (or queued) before comes out as DUPLICATE n, numbered 1, 2 …; the
    copy number is part of the job's unique key, so a double tap makes one copy, not two.
    """
    at = now or utcnow()
    printer = _till_printer(till_id)
    if sale_id is None:
        sale = db.session.scalar(
            select(Sale).where(Sale.till_id == till_id).order_by(Sale.id.desc()).limit(1)
        )
    else:
        sale = db.session.get(Sale, sale_id)
    if sale is None or sale.till_id != till_id:
        raise NotFound("There is no receipt to reprint on this till.")
    last = db.session.scalar(
        select(func.max(PrintJob.copy_no)).where(PrintJob.sale_id == sale.id, PrintJob.kind == "receipt")
    )
    copy_no = 0 if last is None else int(last) + 1
    key = f"receipt:{sale.id}:{copy_no}"
    job = _add_job(
        printer,
        "receipt",
        receipts.for_sale(sale, duplicate=copy_no).document,
        key,
        at,
        sale_id=sale.id,
        copy_no=copy_no,
        expires_in=_seconds("PRINT_RECEIPT_EXPIRY_SECONDS"),
    )
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        db.session.rollback()  # a double tap: the other request made this copy
        found = db.session.scalar(select(PrintJob).where(PrintJob.dedupe_key == key))
        if found is None:
            raise
        return found
    audit.record(
        "print.reprint",
        actor,
        target=f"sale:{sale.id}",
        details={"receipt_no": sale.receipt_no, "copy": copy_no},
        now=at,
    )
    db.session.commit()
    return job


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="the manager's lock-out (user row); each no-sale is its own kick",
)
def open_drawer_no_sale(
    till_id: int,
    manager_id: int,
    manager_pin: str,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> PrintJob:
    """Open the cash drawer without a sale: a manager's PIN and a reason, audited.

    Rule: the kick expires after a few seconds and is never retried after an uncertain send.
    """
    at = now or utcnow()
    text = " ".join((reason or "").split())
    if not text or len(text) > 120:
        raise ServiceError("Give a reason for opening the drawer (at most 120 characters).")
    printer = _till_printer(till_id)
    try:
        manager = authorise_manager(manager_id, manager_pin, actor, at)
    except SignInRefused as refused:
        if refused.message.startswith("Wrong manager PIN"):
            raise SignInRefused("Wrong manager PIN. The drawer stays shut.") from None
        raise
    job = _add_job(
        printer,
        "drawer",
        drawer_document(),
        f"drawer:nosale:{uuid.uuid4().hex}",
        at,
        expires_in=_seconds("PRINT_DRAWER_EXPIRY_SECONDS"),
    )
    audit.record(
        "till.no_sale",
        actor,
        target=f"till:{till_id}",
        details={"authorised_by": manager.id, "reason": text},
        now=at,
    )
    db.session.commit()
    return job


# --- admin job actions --------------------------------------------------------------------


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only a failed job is requeued")
def retry_job(job_id: int, actor: Actor, now: datetime | None = None) -> PrintJob:
    """Put a failed job (not a drawer kick) back in the queue, or try a queued one now."""
    at = now or utcnow()
    job = db.session.get(PrintJob, job_id)
    if job is None:
        raise NotFound("That print job does not exist.")
    if job.state == "queued":
        job.next_attempt_at = at
    elif job.state == "failed" and job.kind != "drawer":
        job.state, job.attempts, job.next_attempt_at, job.finished_at = "queued", 0, at, None
        audit.record("print.retried", actor, target=f"print_job:{job.id}", now=at)
    else:
        raise PrintingError("Only a waiting or failed job can be tried again; reprint a receipt instead.")
    db.session.commit()
    return job


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only a waiting job is cancelled")
def cancel_job(job_id: int, actor: Actor, now: datetime | None = None) -> PrintJob:
    """Cancel a job that is waiting or failed; audited."""
    at = now or utcnow()
    cancelled = db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.state.in_(("queued", "failed")))
        .values(state="cancelled", finished_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if cancelled != 1:
        db.session.rollback()
        raise PrintingError("Only a waiting or failed job can be cancelled.")
    audit.record("print.cancelled", actor, target=f"print_job:{job_id}", now=at)
    db.session.commit()
    job = db.session.get(PrintJob, job_id)
    if job is None:  # pragma: no cover - it was just updated
        raise NotFound("That print job does not exist.")
    return job


# --- the queue: claims, outcomes, housekeeping --------------------------------------------


@dataclass(frozen=True)
class ClaimedJob:
    """A claimed job as plain values: nothing here touches the database while it prints."""

    id: int
    kind: str
    attempts: int
    document_json: str
    printer_id: int
    printer_name: str
    profile: str
    connection: dict[str, Any]
    claimed_by: str
    expires_at: datetime | None = None


def expiry_reason(kind: str) -> str:
    """Why a job that was not sent in time was dropped, as the printer's job list shows it."""
    if kind == "drawer":
        return (
            f"Not sent within {setting('PRINT_DRAWER_EXPIRY_SECONDS')} s of the cash payment: "
            "a drawer kick is dropped, never sent late."
        )
    return "Not printed before it expired: reprint it if it is still wanted."


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="expired leases are released by conditional updates")
def housekeeping(now: datetime) -> None:
    """Settle lapsed claims and expire what is too late to print; one short transaction.

    Rule: a lapsed claim that had started sending becomes uncertain (never resent); one that had
    not goes back to the queue; queued jobs past their expiry (receipts, drawer kicks) expire,
    saying why.
    """
    lapsed = PrintJob.lease_until < now
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.state.in_(("claimed", "sent")), lapsed, PrintJob.sending_at.is_not(None))
        .values(
            state="uncertain",
            finished_at=now,
            last_error="Stopped while printing: check whether it came out, then reprint if not.",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.state == "claimed", lapsed, PrintJob.sending_at.is_(None))
        .values(state="queued", claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.state == "queued", PrintJob.expires_at.is_not(None), PrintJob.expires_at <= now)
        .values(
            state="expired",
            finished_at=now,
            last_error=case((PrintJob.kind == "drawer", expiry_reason("drawer")), else_=expiry_reason("any")),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.CONDITIONAL_UPDATE,
    guards="one worker per job (FOR UPDATE SKIP LOCKED, then a conditional claim)",
)
def claim_next(
    claimer: str,
    now: datetime,
    lease: timedelta,
    *,
    printer_id: int | None = None,
    sending: bool = False,
) -> ClaimedJob | None:
    """Claim the oldest job that is due, for the worker (printers without an agent) or for one
    printer's agent; commit the claim and return it, or None.

    Rule: PostgreSQL locks the candidate rows with FOR UPDATE SKIP LOCKED, so a second worker
    passes over them; on every engine the claim is a conditional UPDATE whose row count must be
    1, so two claimers can never both win a job. `sending` marks the job as leaving at once (an
    agent's claim: once handed over, it may be printed).
    """
    candidates = (
        select(PrintJob.id)
        .join(Printer, Printer.id == PrintJob.printer_id)
        .where(
            PrintJob.state == "queued",
            PrintJob.next_attempt_at <= now,
            or_(PrintJob.expires_at.is_(None), PrintJob.expires_at > now),
            Printer.active.is_(True),
        )
        .order_by(PrintJob.id)
        .limit(5)
        .with_for_update(skip_locked=True, of=PrintJob)
    )
    if printer_id is None:
        candidates = candidates.where(Printer.via_agent.is_(False))
    else:
        candidates = candidates.where(PrintJob.printer_id == printer_id)
    values: dict[str, Any] = {"state": "claimed", "claimed_by": claimer, "lease_until": now + lease}
    if sending:
        values["sending_at"] = now
    for job_id in list(db.session.scalars(candidates)):
        won = db.session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.state == "queued")
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            continue
        row = db.session.execute(
            select(
                PrintJob.kind,
                PrintJob.attempts,
                PrintJob.document_json,
                Printer.id,
                Printer.name,
                Printer.profile,
                Printer.connection_json,
                PrintJob.expires_at,
            )
            .join(Printer, Printer.id == PrintJob.printer_id)
            .where(PrintJob.id == job_id)
        ).one()
        db.session.commit()
        return ClaimedJob(
            id=job_id,
            kind=row[0],
            attempts=int(row[1]),
            document_json=row[2],
            printer_id=int(row[3]),
            printer_name=row[4],
            profile=row[5],
            connection=json.loads(row[6]),
            claimed_by=claimer,
            expires_at=row[7],
        )
    db.session.commit()
    return None


def _mine(job: ClaimedJob, *states: str) -> Any:
    return (PrintJob.id == job.id, PrintJob.claimed_by == job.claimed_by, PrintJob.state.in_(states))


def _printer_state(printer_id: int, state: str, error: str | None, now: datetime) -> None:
    db.session.execute(
        update(Printer)
        .where(Printer.id == printer_id)
        .values(state=state, last_error=_clip(error) if error else None, state_at=now)
        .execution_options(synchronize_session=False)
    )


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_sending(job: ClaimedJob, now: datetime) -> bool:
    """Record that the job's bytes are about to leave; False if the claim is no longer ours."""
    ok = (
        db.session.execute(
            update(PrintJob)
            .where(*_mine(job, "claimed"))
            .values(sending_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    db.session.commit()
    return ok


def _expire(job: ClaimedJob, reason: str, now: datetime) -> None:
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(state="expired", finished_at=now, lease_until=None, last_error=_clip(reason))
        .execution_options(synchronize_session=False)
    )


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def expire_if_late(job: ClaimedJob, now: datetime) -> bool:
    """Drop a claimed job whose time to be sent is over, just before its bytes would leave.

    Rule: a job past its expiry (a drawer kick a few seconds after the cash payment) is never
    sent late, even to a printer that cannot say whether it is ready. True if it was dropped.
    """
    if job.expires_at is None or now < job.expires_at:
        return False
    _expire(job, expiry_reason(job.kind), now)
    db.session.commit()
    return True


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_sent(job: ClaimedJob, now: datetime) -> None:
    """The transport took every byte (not yet proof of paper)."""
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed"))
        .values(state="sent")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_done(job: ClaimedJob, now: datetime) -> None:
    """Printed: the job is done and the printer is fine."""
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(state="done", finished_at=now, lease_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    _printer_state(job.printer_id, "ok", None, now)
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_uncertain(job: ClaimedJob, error: str, now: datetime) -> None:
    """Part of the job may be on paper: never resent automatically (a reprint says DUPLICATE)."""
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(state="uncertain", finished_at=now, lease_until=None, last_error=_clip(error))
        .execution_options(synchronize_session=False)
    )
    _printer_state(job.printer_id, "error", error, now)
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_failed(job: ClaimedJob, error: str, now: datetime) -> None:
    """The job cannot be printed (bad document, unknown profile, too many errors)."""
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(state="failed", finished_at=now, lease_until=None, last_error=_clip(error))
        .execution_options(synchronize_session=False)
    )
    _printer_state(job.printer_id, "error", error, now)
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def postpone(job: ClaimedJob, printer_state: str, error: str, now: datetime) -> datetime | None:
    """Nothing was printed: back to the queue after an exponential, capped backoff; the printer's
    other waiting jobs wait as long (no point knocking on a door that is shut). Returns when,
    or None when the next try would come after the job's expiry: then it expires now."""
    attempts = job.attempts + 1
    later = now + timedelta(
        seconds=backoff_seconds(
            attempts, setting("PRINT_BACKOFF_SECONDS"), setting("PRINT_BACKOFF_MAX_SECONDS")
        )
    )
    if job.expires_at is not None and later >= job.expires_at:
        _expire(job, f"{expiry_reason(job.kind)} Last try: {error}", now)
        _printer_state(job.printer_id, printer_state, error, now)
        db.session.commit()
        return None
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(
            state="queued",
            attempts=attempts,
            next_attempt_at=later,
            lease_until=None,
            claimed_by=None,
            sending_at=None,
            last_error=_clip(error),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(PrintJob)
        .where(
            PrintJob.printer_id == job.printer_id,
            PrintJob.state == "queued",
            PrintJob.next_attempt_at < later,
        )
        .values(next_attempt_at=later)
        .execution_options(synchronize_session=False)
    )
    _printer_state(job.printer_id, printer_state, error, now)
    db.session.commit()
    return later


def retry_or_fail(job: ClaimedJob, error: str, now: datetime) -> Literal["failed", "retry", "expired"]:
    """A definite failure (nothing printed) that may pass: retry with backoff up to the limit
    (or the job's expiry)."""
    if job.attempts + 1 >= setting("PRINT_MAX_ATTEMPTS"):
        mark_failed(job, error, now)
        return "failed"
    return "retry" if postpone(job, "error", error, now) is not None else "expired"


# --- the worker ---------------------------------------------------------------------------

Action = Literal["idle", "printed", "retry", "expired", "failed", "uncertain", "lost"]


@dataclass(frozen=True)
class WorkResult:
    """What one :meth:`Worker.run_once` did."""

    action: Action
    job_id: int | None = None
    kind: str | None = None
    printer: str | None = None
    error: str | None = None


def _status(transport: Transport) -> PrinterStatus:
    try:
        return transport.status()
    except Exception as error:  # a status query must never lose a job
        log.warning("status query failed: %r", error)
        return PrinterStatus()


class Worker:
    """Claims due jobs of the printers without an agent, renders and sends them one at a time."""

    def __init__(
        self,
        name: str | None = None,
        transport_factory: Callable[[Mapping[str, object]], Transport] = transport_from_config,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Name the worker (host, process, a random part) and keep the transport factory and
        the clock that measures how long a round has taken."""
        self.name = name or f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.transport_factory = transport_factory
        self.monotonic = monotonic

    def run_once(self, now: datetime | None = None) -> WorkResult:
        """Tidy the queue, claim at most one due job and print it; printer trouble is recorded
        on the job and the printer, not raised."""
        at = now or utcnow()
        started = self.monotonic()
        housekeeping(at)
        job = claim_next(self.name, at, _seconds("PRINT_LEASE_SECONDS"))
        if job is None:
            return WorkResult("idle")
        return self._print(job, at, lambda: at + timedelta(seconds=self.monotonic() - started))

    def _result(self, job: ClaimedJob, action: Action, error: str | None = None) -> WorkResult:
        return WorkResult(action, job.id, job.kind, job.printer_name, error)

    def _print(self, job: ClaimedJob, now: datetime, clock: Callable[[], datetime]) -> WorkResult:
        try:
            document = document_from_json(job.document_json)
            profile = get_profile(job.profile)
            transport = self.transport_factory(job.connection)
            data = render_escpos(document, profile)
        except (DocumentError, UnknownProfileError, TransportConfigError, RenderError) as error:
            mark_failed(job, f"Cannot print this job: {error}", now)
            return self._result(job, "failed", str(error))
        if profile.answers_status:
            status = _status(transport)
            if status.paper == "out":
                later = postpone(job, "out_of_paper", "Out of paper: nothing was sent.", now)
                return self._result(job, "retry" if later else "expired", "out of paper")
            if status.online is False:
                later = postpone(job, "offline", "Printer offline (unreachable or cover open).", now)
                return self._result(job, "retry" if later else "expired", "offline")
        sending = clock()  # connecting and asking for status take time of their own
        if expire_if_late(job, sending):
            return self._result(job, "expired", "too late to send")
        if not mark_sending(job, sending):
            return self._result(job, "lost", "the claim lapsed before sending")
        try:
            transport.send(data)
        except PrinterOffline as error:
            later = postpone(job, "offline", f"Printer offline: {error}", now)
            return self._result(job, "retry" if later else "expired", str(error))
        except PrinterError as error:
            if error.uncertain:
                mark_uncertain(job, f"May have printed in part: {error}", now)
                return self._result(job, "uncertain", str(error))
            return self._result(job, retry_or_fail(job, str(error), now), str(error))
        except Exception as error:
            mark_uncertain(job, f"Sending failed part-way: {error!r}", now)
            return self._result(job, "uncertain", repr(error))
        mark_sent(job, now)
        if profile.answers_status:
            after = _status(transport)
            if after.paper == "out" or after.online is False:
                message = "The printer reported a problem right after the job: check it printed."
                mark_uncertain(job, message, now)
                return self._result(job, "uncertain", message)
        mark_done(job, now)
        return self._result(job, "printed")

    def run_forever(
        self,
        interval: float = 1.0,
        stop: threading.Event | None = None,
        report: Callable[[WorkResult], None] | None = None,
    ) -> None:
        """Work until `stop` is set: straight on after a job, `interval` seconds after an idle
        round or a database error (the worker outlives a database restart)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                result = self.run_once()
            except Exception:
                log.exception("print worker round failed; trying again in %ss", interval)
                try:
                    db.session.rollback()
                except Exception:  # the database may be down: the next round reconnects
                    db.session.remove()
                stop.wait(interval)
                continue
            if result.action != "idle" and report is not None:
                report(result)
            if result.action == "idle":
                stop.wait(interval)


# --- the agent's side of the API ----------------------------------------------------------


def agent_claim(printer: Printer, now: datetime | None = None) -> dict[str, Any] | None:
    """Claim the next job of the agent's printer; the protocol's job object, or None.

    A job that expires (a drawer kick) carries ``send_within``: the seconds it has left, which
    the agent counts on its own clock and past which it reports the job too late, unsent.
    """
    at = now or utcnow()
    printer_id = printer.id
    housekeeping(at)
    db.session.execute(
        update(Printer)
        .where(Printer.id == printer_id)
        .values(agent_seen_at=at)
        .execution_options(synchronize_session=False)
    )
    job = claim_next(
        f"agent:{printer_id}", at, _seconds("PRINT_AGENT_LEASE_SECONDS"), printer_id=printer_id, sending=True
    )
    if job is None:
        return None
    answer: dict[str, Any] = {
        "id": job.id,
        "document": json.loads(job.document_json),
        "transport": job.connection,
        "profile": job.profile,
    }
    if job.expires_at is not None:
        answer["send_within"] = max(0.0, (job.expires_at - at).total_seconds())
    return answer


def _agent_job(printer: Printer, job_id: int) -> ClaimedJob | None:
    job = db.session.get(PrintJob, job_id)
    if job is None or job.printer_id != printer.id:
        return None
    return ClaimedJob(
        id=job.id,
        kind=job.kind,
        attempts=job.attempts,
        document_json="",
        printer_id=printer.id,
        printer_name=printer.name,
        profile=printer.profile,
        connection={},
        claimed_by=job.claimed_by or "",
        expires_at=job.expires_at,
    )


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the agent holding the lease finishes the job")
def agent_done(printer: Printer, job_id: int, now: datetime | None = None) -> bool:
    """The agent printed the job; False when there is no such job of this printer to settle.

    A late report on a job already marked uncertain settles it as done: now we know.
    """
    at = now or utcnow()
    job = _agent_job(printer, job_id)
    if job is None:
        return False
    settled = db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.state.in_(("claimed", "sent", "uncertain", "done")))
        .values(state="done", finished_at=at, lease_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    _printer_state(printer.id, "ok", None, at)
    db.session.commit()
    return settled == 1


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the agent holding the lease fails the job")
def agent_failed(
    printer: Printer, job_id: int, error: str, uncertain: bool, now: datetime | None = None
) -> bool:
    """The agent could not print the job: uncertain → never resent; too late → expired; a
    hopeless job → failed; otherwise back to the queue with backoff. False when there is
    nothing of this printer's to settle."""
    at = now or utcnow()
    job = _agent_job(printer, job_id)
    if job is None:
        return False
    if db.session.scalar(select(PrintJob.state).where(PrintJob.id == job.id)) not in ("claimed", "sent"):
        db.session.rollback()
        return False
    message = _clip((error or "the agent gave no reason").strip())
    lowered = message.lower()
    if uncertain:
        mark_uncertain(job, message, at)
    elif lowered.startswith(TOO_LATE):
        _expire(job, f"{expiry_reason(job.kind)} The agent: {message}", at)
        db.session.commit()
    elif lowered.startswith(_HOPELESS_PREFIXES):
        mark_failed(job, message, at)
    elif "out of paper" in lowered:
        postpone(job, "out_of_paper", message, at)
    elif "offline" in lowered or "unreachable" in lowered or "not found" in lowered:
        postpone(job, "offline", message, at)
    else:
        retry_or_fail(job, message, at)
    return True


def preview(job: PrintJob, columns: int = 42) -> str:
    """A job's document as text (for the admin's job list)."""
    try:
        return render_text(document_from_json(job.document_json), columns)
    except DocumentError as error:
        return f"(cannot show this job: {error})"
