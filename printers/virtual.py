"""A virtual network receipt printer for development and tests.

Run ``python -m printers.virtual [--host 127.0.0.1] [--port 9100] [--http-port 9180]
[--out-of-paper] [--spool DIR]``, point a NetworkTransport at it, and watch the
jobs at ``http://127.0.0.1:9180/``. From Python::

    with VirtualPrinter() as printer:        # port 0: any free port
        NetworkTransport("127.0.0.1", printer.port).send(data)
        job = printer.wait_for_jobs(1, timeout=2)[0]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import socketserver
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final

from printers.escpos_decode import DecodedJob, decode_escpos
from printers.paper_image import paper_png
from printers.status import status_byte

_STATUS_QUERY: Final = re.compile(rb"\x10\x04[\x01-\x04]")


@dataclass(frozen=True)
class VirtualJob:
    """One received job: the raw bytes and what they decode to."""

    raw: bytes
    text: str
    cut: bool
    drawer_kicks: int
    qr_data: list[str]
    number: int = 0
    received_at: float = 0.0
    decoded: DecodedJob | None = field(default=None, repr=False, compare=False)


class _TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address: tuple[str, int], printer: VirtualPrinter) -> None:
        self.printer = printer
        super().__init__(address, _JobHandler)


class _JobHandler(socketserver.BaseRequestHandler):
    """One connection is one job; DLE EOT n status queries are answered as they arrive."""

    server: _TcpServer

    def handle(self) -> None:
        printer = self.server.printer
        connection = self.request
        connection.settimeout(printer.idle_timeout)
        received = bytearray()
        scanned = 0
        while True:
            try:
                chunk = connection.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            received += chunk
            # Like a real printer, a DLE EOT inside picture data is answered too.
            while scanned + 3 <= len(received):
                if received[scanned] == 0x10 and received[scanned + 1] == 0x04:
                    answer = printer.status_answer(received[scanned + 2])
                    if answer is not None:
                        connection.sendall(bytes((answer,)))
                    scanned += 3
                else:
                    scanned += 1
        printer.receive(bytes(received))


class VirtualPrinter:
    """A TCP ESC/POS printer in memory (optionally spooling to a folder), with a status
    that can be switched to out-of-paper at run time and an optional HTML viewer.

    Jobs received while ``out_of_paper`` is True are not printed: they go to
    ``rejected``, and status queries report paper out and the printer offline.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        http_port: int | None = None,
        out_of_paper: bool = False,
        spool: str | Path | None = None,
        columns: int = 48,
        idle_timeout: float = 5.0,
    ) -> None:
        """Configure; nothing listens until :meth:`start`. ``http_port`` None: no viewer."""
        self.host = host
        self.out_of_paper = out_of_paper
        self.columns = columns
        self.idle_timeout = idle_timeout
        self.spool = Path(spool) if spool is not None else None
        self.rejected: list[bytes] = []
        self._wanted_port = port
        self._wanted_http_port = http_port
        self._jobs: list[VirtualJob] = []
        self._changed = threading.Condition()
        self._tcp: _TcpServer | None = None
        self._http: ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []

    # -- lifecycle
    def start(self) -> VirtualPrinter:
        """Start listening (and serving the viewer); returns self."""
        if self.spool is not None:
            self.spool.mkdir(parents=True, exist_ok=True)
        self._tcp = _TcpServer((self.host, self._wanted_port), self)
        self._serve(self._tcp)
        if self._wanted_http_port is not None:
            self._http = _viewer_server(self, self.host, self._wanted_http_port)
            self._serve(self._http)
        return self

    def _serve(self, server: socketserver.BaseServer) -> None:
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        """Stop listening and close the sockets."""
        for server in (self._tcp, self._http):
            if server is not None:
                server.shutdown()
                server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._tcp = self._http = None
        self._threads.clear()

    def __enter__(self) -> VirtualPrinter:
        """Start, for use in a ``with`` block."""
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        """Stop at the end of the ``with`` block."""
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port jobs go to (the real one when started with port 0)."""
        if self._tcp is None:
            raise RuntimeError("the virtual printer is not started")
        return int(self._tcp.server_address[1])

    @property
    def http_port(self) -> int | None:
        """The viewer's port, or None without a viewer."""
        return None if self._http is None else int(self._http.server_address[1])

    # -- jobs
    @property
    def jobs(self) -> list[VirtualJob]:
        """The jobs printed so far, oldest first (a copy)."""
        with self._changed:
            return list(self._jobs)

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[VirtualJob]:
        """Wait until at least ``count`` jobs have printed and return them all; raise
        TimeoutError if they do not arrive in ``timeout`` seconds."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self._jobs) >= count, timeout):
                raise TimeoutError(f"{len(self._jobs)} of {count} jobs arrived in {timeout}s")
            return list(self._jobs)

    def status_answer(self, query: int) -> int | None:
        """The byte answered to DLE EOT ``query`` in the current state (None: no answer)."""
        return status_byte(query, online=True, paper="out" if self.out_of_paper else "ok")

    def receive(self, raw: bytes) -> None:
        """Take one connection's bytes: print them as a job unless they were only status
        queries, or the printer is out of paper (then they are kept in ``rejected``)."""
        if not _STATUS_QUERY.sub(b"", raw):
            return
        if self.out_of_paper:
            with self._changed:
                self.rejected.append(raw)
            return
        decoded = decode_escpos(raw)
        with self._changed:
            job = VirtualJob(
                raw=raw,
                text=decoded.text,
                cut=decoded.cut,
                drawer_kicks=decoded.drawer_kicks,
                qr_data=decoded.qr_data,
                number=len(self._jobs) + 1,
                received_at=time.time(),
                decoded=decoded,
            )
            self._jobs.append(job)
            if self.spool is not None:
                stem = self.spool / f"job-{job.number:04d}"
                stem.with_suffix(".bin").write_bytes(raw)
                stem.with_suffix(".txt").write_text(job.text + "\n", encoding="utf-8")
            self._changed.notify_all()

    def job_png(self, job: VirtualJob) -> bytes:
        """A PNG picture of the job's paper at this printer's width."""
        return paper_png(job.decoded or decode_escpos(job.raw), self.columns)


# -- the HTML viewer ------------------------------------------------------------------------


def _page(printer: VirtualPrinter) -> str:
    state = "OUT OF PAPER" if printer.out_of_paper else "ready"
    parts = [
        "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=3>",
        "<title>Virtual printer</title>",
        "<style>body{font-family:sans-serif;background:#eee}"
        "section{display:inline-block;vertical-align:top;margin:1em}"
        "img{box-shadow:0 2px 6px #999;background:#fff}pre{font-size:11px}</style>",
        f"<h1>Virtual printer on port {printer.port}: {state}</h1>",
        f"<p>{len(printer.jobs)} jobs, {len(printer.rejected)} refused for lack of paper</p>",
    ]
    for job in reversed(printer.jobs):
        parts.append(
            f"<section><h2>Job {job.number}</h2>"
            f"<img src='/jobs/{job.number}.png' alt='job {job.number}'>"
            f"<pre>{html.escape(job.text)}</pre>"
            f"<a href='/jobs/{job.number}.bin'>raw bytes</a></section>"
        )
    return "".join(parts)


def _viewer_server(printer: VirtualPrinter, host: str, port: int) -> ThreadingHTTPServer:
    class Viewer(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def reply(self, body: bytes, content_type: str, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/":
                self.reply(_page(printer).encode("utf-8"), "text/html; charset=utf-8")
                return
            if self.path == "/jobs.json":
                listing = [{"number": j.number, "text": j.text} for j in printer.jobs]
                self.reply(json.dumps(listing).encode("utf-8"), "application/json")
                return
            match = re.fullmatch(r"/jobs/(\d+)\.(png|txt|bin)", self.path)
            jobs = printer.jobs
            if match is None or not 1 <= int(match[1]) <= len(jobs):
                self.reply(b"not found", "text/plain", 404)
                return
            job = jobs[int(match[1]) - 1]
            if match[2] == "png":
                self.reply(printer.job_png(job), "image/png")
            elif match[2] == "txt":
                self.reply(job.text.encode("utf-8"), "text/plain; charset=utf-8")
            else:
                self.reply(job.raw, "application/octet-stream")

    server = ThreadingHTTPServer((host, port), Viewer)
    server.daemon_threads = True
    return server


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: run a virtual printer until Ctrl-C, printing each job's text."""
    parser = argparse.ArgumentParser(prog="python -m printers.virtual", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--http-port", type=int, default=9180)
    parser.add_argument("--out-of-paper", action="store_true")
    parser.add_argument("--spool", help="also keep each job as DIR/job-NNNN.bin and .txt")
    parser.add_argument("--columns", type=int, default=48, help="paper width for the pictures")
    args = parser.parse_args(argv)
    printer = VirtualPrinter(
        args.host,
        args.port,
        http_port=args.http_port,
        out_of_paper=args.out_of_paper,
        spool=args.spool,
        columns=args.columns,
    ).start()
    print(f"virtual printer: jobs to {args.host}:{printer.port}", flush=True)
    print(f"viewer: http://{args.host}:{printer.http_port}/", flush=True)
    seen = 0
    try:
        while True:
            jobs = printer.jobs
            for job in jobs[seen:]:
                print(f"--- job {job.number} ({len(job.raw)} bytes)\n{job.text}", flush=True)
            seen = len(jobs)
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        printer.stop()


if __name__ == "__main__":
    main()
