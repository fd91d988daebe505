"""Small real servers for the print agent's tests: HTTP or HTTPS (a shop CA made with openssl for
the test), answers queued per path, every request recorded with its headers."""

from __future__ import annotations

import contextlib
import json
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ShopCA:
    """A CA of the shop's own and a certificate it signed for 127.0.0.1."""

    ca: Path
    cert: Path
    key: Path


def make_shop_ca(folder: Path) -> ShopCA:
    """Make the CA and the server certificate with the openssl command line."""
    openssl = shutil.which("openssl")
    if openssl is None:  # pragma: no cover - Debian ships it
        raise RuntimeError("these tests need the openssl command")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], cwd=folder, check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=Crumb and Co-op shop CA")  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=127.0.0.1")  # fmt: skip
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "san.ext")  # fmt: skip
    return ShopCA(folder / "ca.pem", folder / "server.pem", folder / "server.key")


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Answer:
    """What to send: a status, headers and a body (bytes, or anything JSON)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Server:
    """A running test server: its base URL, queued answers and what it saw."""

    url: str = ""
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    def answer(self, path: str, *answers: Answer) -> None:
        """Queue answers for a path; the last one repeats."""
        self.answers.setdefault(path, []).extend(answers)

    def next_answer(self, path: str) -> Answer:
        queued = self.answers.get(path) or [Answer(404, {"error": "no such path"})]
        return queued.pop(0) if len(queued) > 1 else queued[0]


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            server.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
            answer = server.next_answer(self.path)
            payload = answer.body if isinstance(answer.body, bytes) else json.dumps(answer.body).encode()
            self.send_response(answer.status)
            headers = {"Content-Type": "application/json", "Content-Length": str(len(payload))}
            headers |= answer.headers
            for name, value in headers.items():
                if value is not None:
                    self.send_header(name, value)
            self.end_headers()
            # The agent may stop reading (an answer too big): that is what some tests want.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
                self.wfile.write(payload)

        do_GET = do_POST = _serve

    return Handler


@contextmanager
def serve(tls: ShopCA | None = None) -> Iterator[Server]:
    """Run a server on 127.0.0.1 (HTTPS with ``tls``) in a thread for the ``with`` block."""
    state = Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(tls.cert, tls.key)
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    state.url = f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
