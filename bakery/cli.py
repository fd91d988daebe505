"""`flask bakery ...` commands: admins, demo data, backups, dividends, chain checks."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from bakery import backups
from bakery.domain.allocation import AllocationError, allocate, result_to_dict, scenario_from_dict
from bakery.extensions import db
from bakery.models import User
from bakery.services import auth, demo, printing
from bakery.services import till as till_services
from bakery.services.audit import SYSTEM, describe_audit_fault, verify_audit_chain
from bakery.services.errors import ServiceError

bakery_cli = AppGroup("bakery", help="Bakery co-op commands.")
dividends_cli = AppGroup("dividends", help="Surplus allocation.")
audit_cli = AppGroup("audit", help="The audit log.")
ledger_cli = AppGroup("ledger", help="The tills' hash-chained sales ledgers.")
bakery_cli.add_command(ledger_cli)
bakery_cli.add_command(dividends_cli)
bakery_cli.add_command(audit_cli)


@bakery_cli.command("create-admin")
@click.option("--name", prompt=True)
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--pin", default="", help="Optional till PIN (4-6 digits).")
def create_admin(name: str, email: str, password: str, pin: str) -> None:
    """Create an admin who signs in with email and password."""
    try:
        user = auth.create_user(name, email, "admin", SYSTEM, password=password, pin=pin or None)
    except ServiceError as refused:
        raise click.ClickException(refused.message) from refused
    click.echo(f"Admin {user.display_name} <{user.email}> created.")


@bakery_cli.command("demo")
def load_demo() -> None:
    """Load demo data once (running it again changes nothing) and print the demo sign-ins."""
    created = demo.load_demo_data()
    if current_app.config.get("DEMO_YEAR", True) and demo.load_demo_year(
        orders_pct=int(current_app.config.get("DEMO_YEAR_ORDERS_PCT", 100))
    ):
        click.echo("A year of trading loaded.")
    if demo.load_demo_stock():
        click.echo(
            "The stockroom loaded: suppliers, ingredients, deliveries, recipes and this morning's bake."
        )
    if demo.load_demo_rota():
        click.echo("The rota loaded: roles and skills, this week published and next week's draft.")
    if demo.load_demo_rota_requests():
        click.echo(
            "Rota requests loaded: a swap to approve, time off asked for, a shift changed after publishing."
        )
    if demo.load_demo_impact():
        click.echo("Social impact: six workers from a programme, and food given to partner organisations.")
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")
    for line in demo.DEMO_SIGN_INS:
        click.echo("  " + line)


@bakery_cli.command("backup")
@click.option("--to", "target", type=click.Path(path_type=Path), default=None, help="Folder for the backup.")
@click.option(
    "--keep", type=click.IntRange(min=1), default=None, help="Keep only the newest N backups there."
)
def backup(target: Path | None, keep: int | None) -> None:
    """Back up the database (SQLite's online backup API, or pg_dump for PostgreSQL) beside a copy
    of the chain witness, into --to, BAKERY_BACKUP_DIR or instance/backups."""
    try:
        made = backups.take_backup(backups.backup_folder(target), keep)
    except backups.BackupError as failed:
        raise click.ClickException(str(failed)) from failed
    click.echo(f"Backed up to {made.path}")


@bakery_cli.command("restore-drill")
@click.argument("backup_file", required=False, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--from", "folder", type=click.Path(path_type=Path), default=None, help="Backup folder.")
def restore_drill(backup_file: Path | None, folder: Path | None) -> None:
    """Restore a backup (the newest in the backup folder unless named) into a scratch database,
    verify its ledger and audit chains against the witness copied with it, then drop the scratch
    copy; exit non-zero when anything does not hold. The live database is not touched."""
    if backup_file is None:
        found = backups.backups_in(backups.backup_folder(folder))
        if not found:
            raise click.ClickException(f"No backups in {backups.backup_folder(folder)}.")
        backup_file = found[-1]
    click.echo(f"Restore drill: {backup_file}")
    try:
        report = backups.restore_drill(backup_file)
    except backups.BackupError as failed:
        raise click.ClickException(str(failed)) from failed
    for line in report.lines:
        click.echo("  " + line)
    if not report.ok:
        click.echo("Restore drill FAILED: this backup does not restore to an intact shop.", err=True)
        sys.exit(1)
    click.echo("Restore drill passed: the backup restores and its chains verify.")


@dividends_cli.command("allocate")
@click.option("--scenario", type=click.File("r"), required=True, help="A scenario JSON file.")
def allocate_scenario(scenario: click.utils.LazyFile) -> None:
    """Allocate a surplus from a scenario file and print the result as JSON."""
    try:
        data = json.load(scenario)
        result = allocate(*scenario_from_dict(data))
    except (ValueError, AllocationError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result_to_dict(result), indent=2, sort_keys=True))


@audit_cli.command("verify")
def verify_audit() -> None:
    """Recompute the audit log's hash chain and hold its end against the witness file; exit
    non-zero naming the first bad row, a cut-off end or a missing or forged witness."""
    fault = verify_audit_chain()
    click.echo(describe_audit_fault(fault), err=fault is not None)
    if fault is not None:
        sys.exit(1)


@ledger_cli.command("verify")
def verify_ledger() -> None:
    """Recompute every till's chain from the sale and Z rows and hold each end against the witness
    file; exit non-zero naming the first bad row, a cut-off end or a missing or forged witness."""
    states = till_services.verify_all()
    for state in states:
        click.echo(till_services.describe_fault(state), err=state.fault is not None)
    if any(state.fault for state in states):
        sys.exit(1)


@bakery_cli.command("users")
def list_users() -> None:
    """List users and their roles."""
    for user in db.session.scalars(select(User).order_by(User.id)):
        click.echo(f"{user.id:>4}  {user.role:<8} {user.display_name} <{user.email or '-'}>")


printers_cli = AppGroup("printers", help="Printing: the worker that sends queued print jobs.")


@printers_cli.command("work")
@click.option("--once", is_flag=True, help="Claim and print at most one job, then stop.")
@click.option("--interval", type=float, default=1.0, show_default=True, help="Seconds between idle polls.")
def work(once: bool, interval: float) -> None:
    """Print queued jobs (not those of agent-connected printers) until stopped; SIGTERM or Ctrl+C
    finish the job in hand first."""
    worker = printing.Worker()

    def report(result: printing.WorkResult) -> None:
        where = f"{result.kind} job {result.job_id} on {result.printer}"
        click.echo(f"{result.action}: {where}" + (f" ({result.error})" if result.error else ""))

    if once:
        result = worker.run_once()
        if result.action == "idle":
            click.echo("idle: nothing to print")
        else:
            report(result)
        return
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo(f"Print worker {worker.name} started (Ctrl+C to stop).")
    worker.run_forever(interval, stop, report)
    click.echo("Print worker stopped.")


def init_app(app: Flask) -> None:
    """Register the command group."""
    app.cli.add_command(bakery_cli)
    app.cli.add_command(printers_cli)
