"""`make deploy-check`: the stack deploy/ installs, started on 127.0.0.1 (nginx with the shop CA's
certificate on high ports, gunicorn and the print worker as their units start them, the virtual
printer), driven through HTTPS by Debian's Chromium, with its headers, cookies, redirect and the
slow-client defence checked from outside."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from bakery import create_app
from bakery.extensions import db
from deploy.check.stack import DEPLOY, Stack, drop_database, fresh_database

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("stack")
    url, name = fresh_database(folder)
    stack = Stack(folder, url)
    try:
        scene = create_app(stack.scene_config())
        with scene.app_context():
            set_the_scene(stack)
            db.session.remove()
            db.engine.dispose()
        stack.start()
        yield stack
    finally:
        stack.stop()
        drop_database(name)


def set_the_scene(stack: Stack) -> None:
    """The demo shop, its Counter receipt printer on our virtual printer, the till open."""
    from bakery.models import Printer, Till, User
    from bakery.services import demo
    from bakery.services.audit import Actor
    from bakery.services.till import cash

    demo.load_demo_data()
    printer = db.session.query(Printer).filter_by(name="Counter receipts").one()
    printer.connection_json = json.dumps({"kind": "network", "host": "127.0.0.1", "port": stack.printer_port})
    db.session.commit()
    till = db.session.query(Till).filter_by(name="Counter").one()
    ada = db.session.query(User).filter_by(display_name="Ada Baker").one()
    cash.open_session(till.id, 5000, Actor(ada.id, till.id))
    db.session.commit()


def get(stack: Stack, path: str, headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    connection = stack.https()
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def test_the_server_certificate_is_trusted_through_the_shop_ca_alone(stack):
    with (
        socket.create_connection(("127.0.0.1", stack.https_port), timeout=5) as raw,
        stack.tls_context().wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
    raw = socket.create_connection(("127.0.0.1", stack.https_port), timeout=5)
    try:
        with pytest.raises(ssl.SSLCertVerificationError):  # no public CA vouches for it
            ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1").close()
    finally:
        raw.close()


def test_plain_http_redirects_to_https_and_offers_the_ca_certificate(stack):
    connection = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=5)
    try:
        connection.request("GET", "/till/?x=1")
        response = connection.getresponse()
        response.read()
        assert response.status == 301
        assert response.getheader("Location") == f"https://127.0.0.1:{stack.https_port}/till/?x=1"
        connection.request("GET", "/shop-ca.crt")
        response = connection.getresponse()
        assert response.status == 200
        assert response.read() == stack.ca.read_bytes()
    finally:
        connection.close()


def test_over_https_the_headers_and_the_session_cookie_are_a_shops(stack):
    response = get(stack, "/sign-in")
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000"
    assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy", "")
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    cookie = response.getheader("Set-Cookie", "")
    assert cookie.startswith("__Host-bakery_session=")
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_a_forged_forwarded_header_from_a_tablet_is_not_believed(stack):
    response = get(stack, "/sign-in", {"X-Forwarded-Proto": "http", "X-Forwarded-For": "6.6.6.6"})
    assert response.getheader("Strict-Transport-Security")  # still HTTPS: nginx overwrote the header
    assert response.getheader("Set-Cookie", "").startswith("__Host-bakery_session=")


def test_silent_clients_hold_nginx_not_a_gunicorn_worker(stack):
    # Control: straight at gunicorn, as many silent connections as workers starve everyone else.
    silent = [socket.create_connection(("127.0.0.1", stack.app_port)) for _ in range(stack.workers)]
    time.sleep(0.5)
    direct = http.client.HTTPConnection("127.0.0.1", stack.app_port, timeout=2)
    with pytest.raises(TimeoutError):
        direct.request("GET", "/sign-in")
        direct.getresponse()
    direct.close()
    for each in silent:
        each.close()
    # Through nginx: twenty silent tablets (and a few sending half a request) change nothing.
    silent = [socket.create_connection(("127.0.0.1", stack.https_port)) for _ in range(20)]
    half = []
    for _ in range(5):
        tls = stack.tls_context().wrap_socket(
            socket.create_connection(("127.0.0.1", stack.https_port)), server_hostname="127.0.0.1"
        )
        tls.sendall(b"POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nemail=")
        half.append(tls)
    time.sleep(0.5)
    started = time.monotonic()
    for _ in range(10):
        assert get(stack, "/sign-in").status == 200
    assert time.monotonic() - started < 5
    for each in silent + half:
        each.close()


@pytest.mark.skipif(CHROMIUM is None, reason="no system Chromium installed (apt-get install chromium)")
def test_a_tablet_pairs_pins_in_sells_and_the_receipt_prints_over_https(stack):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    # The tablet trusts exactly this server's key: the shop CA's certificate was verified above
    # with Python's TLS client; Chromium in a container has no CA store we should write to.
    args = [*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={stack.server_spki()}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        try:
            page.goto(f"http://127.0.0.1:{stack.http_port}/till/")  # typed without https://
            assert page.url.startswith(stack.base)
            page.get_by_text("This tablet is not a till yet").wait_for()
            page.get_by_role("link", name="Manager sign-in").click()
            page.get_by_label("Email").fill("manager@demo.bakery.coop")
            page.get_by_label("Password").fill("demo-manager-pass")
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("heading", name="Tills").wait_for()
            page.locator("tr", has_text="Counter").get_by_role("button", name="Pair this tablet").click()

            page.get_by_role("heading", name="Who is serving?").wait_for()
            page.get_by_role("link", name="Ada").click()
            for digit in "1111":
                page.locator(f'.key[data-key="{digit}"]').click()
            page.get_by_role("button", name="OK").click()
            page.wait_for_url("**/till/sell")
            page.wait_for_load_state("load")

            page.get_by_role("link", name="Viennoiserie").click()
            page.get_by_role("button", name="Croissant").click()
            page.locator("#basket").get_by_text("Croissant").wait_for()
            page.get_by_role("button", name="£5.00").click()
            page.locator("#change-due").wait_for()
            assert "£2.50" in page.locator("#change-due").inner_text()
            page.get_by_role("button", name="Print receipt").click()

            cookies = {c["name"]: c for c in context.cookies()}
            for name in ("__Host-bakery_session", "__Host-bakery_till"):
                assert cookies[name]["secure"] and cookies[name]["httpOnly"], name
                assert cookies[name]["sameSite"] == "Strict" and cookies[name]["path"] == "/", name
            assert "bakery_session" not in cookies and "bakery_till" not in cookies
        finally:
            context.close()
            browser.close()
    assert all(url.startswith(stack.base) for url in requested[1:]), "a request left the HTTPS origin"

    deadline = time.monotonic() + 20
    printed = ""
    while time.monotonic() < deadline and "Croissant" not in printed:
        printed = "".join(p.read_text(errors="replace") for p in sorted(stack.spool.glob("job-*.txt")))
        time.sleep(0.2)
    assert "Croissant" in printed, "no receipt reached the printer:\n" + stack.log("worker")
    assert "Traceback" not in stack.log("gunicorn"), stack.log("gunicorn")


def test_the_backup_timers_job_backs_up_the_shop_and_its_restore_drill_passes(stack):
    from deploy.check.stack import ROOT, exec_starts

    outputs = []
    for argv in exec_starts("bakery-backup.service"):  # what bakery-backup.timer runs every hour
        done = subprocess.run(argv, env=stack.env(), cwd=ROOT, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        outputs.append(done.stdout)
    assert outputs[0].startswith("Backed up to " + str(stack.folder / "backups"))
    assert "Restore drill passed" in outputs[1]
    assert "Counter:" in outputs[1] and "Audit chain intact." in outputs[1]
    if CHROMIUM is not None:  # the croissant sold through HTTPS above is in the backup
        assert "Restored pg_dump backup" in outputs[1] or "Restored SQLite backup" in outputs[1]
        assert ": 1 sales" in outputs[1], outputs[1]


def test_the_addresses_recorded_are_the_tablets_as_nginx_saw_them(stack):
    from bakery.models import AuditEvent

    scene: Flask = create_app(stack.scene_config())
    with scene.app_context():
        addresses = {e.address for e in db.session.query(AuditEvent).all()}
        db.session.remove()
        db.engine.dispose()
    assert "127.0.0.1" in addresses and "6.6.6.6" not in addresses


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_systemd_units_verify(tmp_path: Path):
    units = ["bakery.service", "bakery-print-worker.service", "bakery-backup.service", "bakery-backup.timer"]
    for unit in [*units, "bakery-print-agent.service"]:
        text = (DEPLOY / unit).read_text()
        # Where the programs are on this machine, instead of /opt on a shop's box.
        text = text.replace("/opt/bakery/.venv/bin/", str(Path(shutil.which("python3") or "").parent) + "/")
        text = text.replace("/opt/bakery-print-agent/bin/python", shutil.which("python3") or "")
        (tmp_path / unit).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / u) for u in units)],
        capture_output=True,
        text=True,
        check=False,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "is not executable" not in line and line.strip()
    ]
    assert not problems, "\n".join(problems)


def test_the_site_install_sh_writes_for_a_shop_passes_nginx_t(stack, tmp_path):
    from deploy.check.stack import NGINX, render_site

    site = render_site(
        "till.shop.lan 192.168.1.10",
        "",
        "80",
        "443",
        "127.0.0.1:8000",
        str(stack.tls / "server.pem"),
        str(stack.tls / "server.key"),
        str(stack.ca),
    )
    assert "return 301 https://$host$request_uri;" in site and "listen 443 ssl http2;" in site
    (tmp_path / "bakery.conf").write_text(site)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {tmp_path}/bakery.conf; }}\n"
    )
    checked = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(tmp_path), "-c", str(conf), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
