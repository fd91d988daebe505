"""The print agent's settings: its command line, and the TOML file a shop leaves on the box.

The printer is the shop's choice, made here and nowhere else: whatever the server answers, the
agent prints to this printer. A setting given on the command line wins over the file.

Example ``/etc/bakery-print-agent/agent.toml``::

    server = "https://till.shop.lan"
    cafile = "/etc/bakery-print-agent/shop-ca.pem"
    profile = "epson-tm-t20-80"          # optional: the server's choice otherwise
    [printer]
    kind = "usb"
    vendor_id = 0x04b8
    product_id = 0x0e15
"""

from __future__ import annotations

import argparse
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from printers.transports import TransportConfigError, transport_from_config

TOKEN_ENV: Final = "PRINTERS_AGENT_TOKEN"  # noqa: S105 - the variable's name, not a token
# systemd's LoadCredential=token:/etc/… hands the token over in this directory, readable only
# by the service.
CREDENTIAL_NAME: Final = "token"
STATE_FILE_NAME: Final = "state.json"

PRINTER_HELP: Final = (
    "where to print: usb:VENDOR:PRODUCT (hex, e.g. usb:04b8:0e15), serial:DEVICE[:BAUD], "
    "network:HOST[:PORT], file:PATH (e.g. file:/dev/usb/lp0) or cups:QUEUE"
)


class ConfigError(ValueError):
    """The agent's settings cannot work; the message says which one and why."""


@dataclass(frozen=True)
class Settings:
    """Everything the agent needs to run, from the command line and the config file."""

    server: str
    token: str
    printer: dict[str, object]
    profile: str | None = None
    cafile: str | None = None
    insecure_http: bool = False
    state_file: str | None = None
    once: bool = False
    interval: float = 2.0


def parse_printer(spec: str) -> dict[str, object]:
    """Turn ``usb:04b8:0e15`` and the like into the transport config ``transport_from_config``
    reads; ConfigError when it cannot be one."""
    kind, _, rest = spec.partition(":")
    try:
        if kind == "usb":
            vendor, _, product = rest.partition(":")
            return {"kind": "usb", "vendor_id": int(vendor, 16), "product_id": int(product, 16)}
        if kind == "serial":
            device, _, baud = rest.partition(":")
            config: dict[str, object] = {"kind": "serial", "device": device}
            if baud:
                config["baudrate"] = int(baud)
            return config
        if kind == "network":
            host, _, port = rest.rpartition(":") if rest.count(":") == 1 else (rest, "", "")
            return {"kind": "network", "host": host, "port": int(port) if port else 9100}
        if kind == "file":
            return {"kind": "file", "path": rest}
        if kind == "cups":
            return {"kind": "cups", "printer_name": rest}
    except ValueError:
        pass
    raise ConfigError(f"--printer {spec!r}: {PRINTER_HELP}")


def _file_settings(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as file:
            data = tomllib.load(file)
    except OSError as error:
        raise ConfigError(f"cannot read the config file {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"the config file {path} is not valid TOML: {error}") from None
    known = {
        "server",
        "token_file",
        "printer",
        "profile",
        "cafile",
        "insecure_http",
        "state_file",
        "interval",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"the config file {path} has unknown settings: {', '.join(unknown)}")
    return data


def _read_token(path: str | Path) -> str:
    try:
        token = Path(path).read_text("utf-8").strip()
    except OSError as error:
        raise ConfigError(f"cannot read the token file {path}: {error.strerror or error}") from None
    if not token:
        raise ConfigError(f"the token file {path} is empty")
    return token


def _token(args: argparse.Namespace, file: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    if args.token:
        return str(args.token)
    if args.token_file:
        return _read_token(args.token_file)
    if environ.get(TOKEN_ENV):
        return environ[TOKEN_ENV]
    if file.get("token_file"):
        return _read_token(str(file["token_file"]))
    credentials = environ.get("CREDENTIALS_DIRECTORY")
    if credentials and (Path(credentials) / CREDENTIAL_NAME).exists():
        return _read_token(Path(credentials) / CREDENTIAL_NAME)
    raise ConfigError(
        f"no printer token: give --token-file FILE, set {TOKEN_ENV}, put token_file in the config "
        "file, or (under systemd) LoadCredential=token:FILE"
    )


def _printer(args: argparse.Namespace, file: Mapping[str, Any]) -> dict[str, object]:
    if args.printer:
        printer = parse_printer(args.printer)
    elif isinstance(file.get("printer"), dict):
        printer = dict(file["printer"])
    else:
        raise ConfigError(f"say where this agent prints: --printer ({PRINTER_HELP}) or [printer] in --config")
    try:
        transport_from_config(printer)
    except TransportConfigError as error:
        raise ConfigError(f"the printer setting cannot work: {error}") from None
    return printer


def parser() -> argparse.ArgumentParser:
    """The agent's command line."""
    cli = argparse.ArgumentParser(
        prog="python -m printers.agent",
        description="Print the bakery server's jobs on the printer beside this box.",
    )
    cli.add_argument("--config", help="a TOML file with these settings (the command line wins)")
    cli.add_argument("--server", help="the server's address, e.g. https://till.shop.lan")
    cli.add_argument("--printer", help=PRINTER_HELP)
    cli.add_argument("--profile", help="the printer's model, e.g. epson-tm-t20-80 (default: the server's)")
    cli.add_argument("--token-file", help=f"a file holding the printer's token (or set {TOKEN_ENV})")
    cli.add_argument("--token", help=f"the token itself (visible to other users: prefer {TOKEN_ENV})")
    cli.add_argument("--cafile", help="trust this CA certificate (the shop's own) for the server's HTTPS")
    cli.add_argument(
        "--insecure-http",
        action="store_true",
        default=None,
        help="allow a plain http:// server (a test bench only: the token crosses the network in clear)",
    )
    cli.add_argument(
        "--state-file",
        help=f"where the agent remembers its claimed jobs (default: $STATE_DIRECTORY/{STATE_FILE_NAME})",
    )
    cli.add_argument("--once", action="store_true", help="claim and print at most one job")
    cli.add_argument("--interval", type=float, help="seconds between polls when idle (default 2)")
    return cli


def load_settings(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the command line (and the config file it names); ConfigError says what is missing."""
    args = parser().parse_args(argv)
    env = os.environ if environ is None else environ
    file = _file_settings(args.config) if args.config else {}
    server = args.server or file.get("server")
    if not server:
        raise ConfigError("give the server's address: --server https://… or server = … in --config")
    state_file = args.state_file or file.get("state_file")
    if not state_file and env.get("STATE_DIRECTORY"):
        state_file = str(Path(env["STATE_DIRECTORY"].split(":")[0]) / STATE_FILE_NAME)
    interval = args.interval if args.interval is not None else file.get("interval", 2.0)
    if not isinstance(interval, int | float) or isinstance(interval, bool) or not 0.1 <= interval <= 300:
        raise ConfigError("the interval is a number of seconds from 0.1 to 300")
    return Settings(
        server=str(server),
        token=_token(args, file, env),
        printer=_printer(args, file),
        profile=args.profile or file.get("profile"),
        cafile=args.cafile or file.get("cafile"),
        insecure_http=bool(
            args.insecure_http if args.insecure_http is not None else file.get("insecure_http")
        ),
        state_file=str(state_file) if state_file else None,
        once=bool(args.once),
        interval=float(interval),
    )
