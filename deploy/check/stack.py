"""The shop's stack, as deploy/ installs it, started on 127.0.0.1 in a folder of its own: the shop CA
(deploy/make-ca.sh), nginx with deploy/nginx/bakery.conf.in on high ports, gunicorn and the print
worker with the command lines of deploy/bakery.service and deploy/bakery-print-worker.service, and
the virtual receipt printer. Used by `make deploy-check` and by bench/ (`python -m bench day`)."""

from __future__ import annotations

import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent.parent
ROOT = DEPLOY.parent
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SECRETS = {"BAKERY_SECRET_KEY": "deploy-check-secret", "BAKERY_LEDGER_KEY": "deploy-check-ledger"}


def free_port() -> int:
    """A TCP port nobody listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def exec_starts(unit: str) -> list[list[str]]:
    """Every ExecStart= command line of one of deploy/'s units, continuation lines joined, with
    this checkout's virtualenv in place of /opt/bakery/.venv."""
    text = (DEPLOY / unit).read_text().replace("\\\n", " ")
    found = re.findall(r"^ExecStart=(.+)$", text, re.MULTILINE)
    assert found, f"no ExecStart in {unit}"
    return [[arg.replace("/opt/bakery/.venv/bin/", f"{BIN}/") for arg in shlex.split(line)] for line in found]


def exec_start(unit: str) -> list[str]:
    """The (first) ExecStart= command line of one of deploy/'s units."""
    return exec_starts(unit)[0]


def render_site(*args: str) -> str:
    """deploy/nginx/bakery.conf.in filled in by deploy/nginx/render.sh, as install.sh does it."""
    text = subprocess.run(
        ["sh", str(DEPLOY / "nginx" / "render.sh"), *args], check=True, capture_output=True, text=True
    ).stdout
    assert "@" not in re.sub(r"#.*", "", text), "an @NAME@ was left unfilled"
    return text


@dataclass
class Stack:
    """nginx → gunicorn → the database, a print worker and a virtual printer, in `folder`."""

    folder: Path
    database_url: str
    workers: int = 2
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    app_port: int = field(default_factory=free_port)
    printer_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def tls(self) -> Path:
        return self.folder / "tls"

    @property
    def ca(self) -> Path:
        return self.tls / "shop-ca.pem"

    @property
    def spool(self) -> Path:
        return self.folder / "printed"

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def env(self) -> dict[str, str]:
        """What /etc/bakery/bakery.env says on a shop's box, pointed at this folder."""
        return (
            os.environ
            | SECRETS
            | {
                "BAKERY_DATABASE_URL": self.database_url,
                "BAKERY_INSTANCE_PATH": str(self.folder / "instance"),
                "BAKERY_PROXY_HOPS": "1",
                "BAKERY_BACKUP_DIR": str(self.folder / "backups"),
                "BAKERY_DEMO_YEAR": "false",
                "PYTHONPATH": str(ROOT),
                "PYTHONUNBUFFERED": "1",
                "FLASK_APP": "bakery",
            }
        )

    def scene_config(self) -> dict[str, object]:
        """Config for an app in the test process on the stack's database (setting the scene)."""
        return {
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": SECRETS["BAKERY_SECRET_KEY"],
            "LEDGER_KEY": SECRETS["BAKERY_LEDGER_KEY"],
            "WITNESS_PATH": str(self.folder / "instance" / "chain-witness.log"),
            "BACKUP_DIR": str(self.folder / "backups"),
            "DEMO_YEAR": False,
        }

    def server_spki(self) -> str:
        """The base64 SHA-256 of the server certificate's public key (Chromium's pin format)."""
        der = subprocess.run(
            ["openssl", "x509", "-in", str(self.tls / "server.pem"), "-pubkey", "-noout"],
            check=True,
            capture_output=True,
        ).stdout
        der = subprocess.run(
            ["openssl", "pkey", "-pubin", "-outform", "der"], input=der, check=True, capture_output=True
        ).stdout
        import base64
        import hashlib

        return base64.b64encode(hashlib.sha256(der).digest()).decode()

    def make_certificates(self) -> None:
        subprocess.run(
            ["sh", str(DEPLOY / "make-ca.sh"), str(self.tls), "till.shop.test", "127.0.0.1"],
            check=True,
            capture_output=True,
        )

    def write_nginx(self) -> Path:
        site = render_site(
            "127.0.0.1 till.shop.test",
            "127.0.0.1:",
            str(self.http_port),
            str(self.https_port),
            f"127.0.0.1:{self.app_port}",
            str(self.tls / "server.pem"),
            str(self.tls / "server.key"),
            str(self.ca),
        )
        nginx = self.folder / "nginx"
        nginx.mkdir(exist_ok=True)
        (nginx / "bakery.conf").write_text(site)
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach this private folder
        conf = nginx / "nginx.conf"
        conf.write_text(
            f"{user}daemon off;\nworker_processes 1;\npid {nginx}/nginx.pid;\n"
            f"error_log {nginx}/error.log warn;\nevents {{ worker_connections 512; }}\n"
            f"http {{\n  include /etc/nginx/mime.types;\n  access_log {nginx}/access.log;\n"
            + "".join(f"  {kind}_temp_path {nginx}/{kind};\n" for kind in ("client_body", "proxy"))
            + "".join(f"  {kind}_temp_path {nginx}/{kind};\n" for kind in ("fastcgi", "uwsgi", "scgi"))
            + f"  include {nginx}/bakery.conf;\n}}\n"
        )
        return conf

    def start(self) -> None:
        """Certificates, nginx, the virtual printer, gunicorn and the print worker."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.make_certificates()
        conf = self.write_nginx()
        nginx = [NGINX, "-p", str(conf.parent), "-c", str(conf), "-e", str(conf.parent / "error.log")]
        subprocess.run([*nginx, "-t", "-q"], check=True)
        self._spawn("nginx", nginx)
        self._spawn(
            "printer",
            [
                sys.executable,
                "-m",
                "printers.virtual",
                "--port",
                str(self.printer_port),
                "--http-port",
                "0",
                "--spool",
                str(self.spool),
            ],
        )
        gunicorn = exec_start("bakery.service")
        gunicorn = [
            a.replace("127.0.0.1:8000", f"127.0.0.1:{self.app_port}").replace(
                "/var/log/bakery/access.log", str(self.folder / "access.log")
            )
            for a in gunicorn
        ]
        gunicorn[gunicorn.index("--workers") + 1] = str(self.workers)
        self._spawn("gunicorn", gunicorn)
        self._spawn("worker", exec_start("bakery-print-worker.service"))
        self.wait_until_it_answers()

    def _spawn(self, name: str, argv: list[str]) -> None:
        with (self.folder / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                argv, env=self.env(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True
            )

    def restart(self, name: str, argv: list[str] | None = None) -> None:
        """Start a stopped process of the stack again (the print worker after a kill)."""
        if name == "worker":
            self._spawn(name, argv or exec_start("bakery-print-worker.service"))

    def tls_context(self) -> ssl.SSLContext:
        """A client that trusts the shop CA only, as a tablet with the CA installed does."""
        return ssl.create_default_context(cafile=str(self.ca))

    def https(self, timeout: float = 10) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=self.tls_context(), timeout=timeout
        )

    def wait_until_it_answers(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited at start:\n" + self.log(name))
            connection = self.https(timeout=5)
            try:
                connection.request("GET", "/sign-in")
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    return
                last = response.status
            except OSError as error:
                last = error
            finally:
                connection.close()
            time.sleep(0.3)
        raise RuntimeError(f"the stack did not answer over HTTPS ({last}):\n" + self.log("gunicorn"))

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self, name: str | None = None, sig: int = signal.SIGTERM) -> None:
        """Stop one process of the stack, or all of them (only the ones this stack started)."""
        names = [name] if name else list(reversed(self.processes))
        for each in names:
            process = self.processes.get(each)
            if process is None or process.poll() is not None:
                continue
            if each == "gunicorn" and sig == signal.SIGTERM:
                sig_ = signal.SIGQUIT  # a quick shutdown: a graceful one waits for idle keep-alives
            elif each == "nginx" and sig == signal.SIGTERM:
                sig_ = signal.SIGQUIT
            else:
                sig_ = sig
            os.killpg(process.pid, sig_)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def fresh_database(folder: Path) -> tuple[str, str | None]:
    """A database at head for the stack: PostgreSQL when BAKERY_TEST_POSTGRES_URL is set (as a
    shop runs it), else SQLite. Returns its URL and, for PostgreSQL, its name (to drop after)."""
    from tests.conftest import POSTGRES_URL, migrate_to_head

    if POSTGRES_URL:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
        name = f"bakery_deploy_{uuid.uuid4().hex[:10]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = server.set(database=name).render_as_string(hide_password=False)
    else:
        name = None
        url = f"sqlite:///{folder / 'bakery.sqlite'}"
    migrate_to_head(url, folder)
    return url, name


def drop_database(name: str | None) -> None:
    """Drop a PostgreSQL database made by fresh_database."""
    if name is None:
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from tests.conftest import POSTGRES_URL

    admin = create_engine(
        make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
