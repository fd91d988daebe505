"""The print agent against real servers on 127.0.0.1: HTTPS with the shop's own CA, redirects that
must not carry the token away, answers too big to read, and the command line's log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers.agent import CANNOT_PRINT, Agent, AgentError, main
from printers.document import document_to_dict
from printers.profiles import get_profile
from printers.render_escpos import render_escpos
from tests.unit.printers.agent_servers import Answer, Server, ShopCA, make_shop_ca, serve
from tests.unit.printers.printer_samples import golden_receipt

ROOT = Path(__file__).resolve().parents[3]
CLAIM = "/printers/agent/claim"
JOB = {"id": 7, "document": document_to_dict(golden_receipt()), "profile": "generic-58"}


@pytest.fixture(scope="module")
def shop_ca(tmp_path_factory: pytest.TempPathFactory) -> ShopCA:
    return make_shop_ca(tmp_path_factory.mktemp("shop-ca"))


@pytest.fixture
def https(shop_ca: ShopCA) -> Iterator[Server]:
    with serve(shop_ca) as server:
        yield server


@pytest.fixture
def elsewhere(shop_ca: ShopCA) -> Iterator[Server]:
    """Another address a server might redirect to: it must never see the token."""
    with serve(shop_ca) as server:
        yield server


def _printer(tmp_path: Path) -> dict[str, object]:
    return {"kind": "file", "path": str(tmp_path / "lp0")}


def test_over_https_with_the_shops_ca_the_agent_prints_and_reports(
    https: Server, shop_ca: ShopCA, tmp_path: Path
) -> None:
    https.answer(CLAIM, Answer(body={"job": JOB}, headers={"X-Print-Job": "7"}))
    https.answer("/printers/agent/jobs/7/done", Answer(body={"ok": True}))

    result = Agent(https.url, "tok-1", _printer(tmp_path), cafile=str(shop_ca.ca)).run_once()

    assert result.action == "printed" and result.reported
    assert [(s.path, s.headers["Authorization"]) for s in https.seen] == [
        (CLAIM, "Bearer tok-1"),
        ("/printers/agent/jobs/7/done", "Bearer tok-1"),
    ]
    assert (tmp_path / "lp0").read_bytes() == render_escpos(golden_receipt(), get_profile("generic-58"))


def test_a_certificate_the_agent_does_not_trust_is_refused_before_any_request(
    https: Server, tmp_path: Path
) -> None:
    with pytest.raises(AgentError, match="CERTIFICATE_VERIFY_FAILED"):
        Agent(https.url, "tok-1", _printer(tmp_path)).run_once()

    assert https.seen == []


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_no_token_is_sent_after_a_redirect(
    https: Server, elsewhere: Server, shop_ca: ShopCA, tmp_path: Path, status: int
) -> None:
    https.answer(CLAIM, Answer(status, b"", {"Location": f"{elsewhere.url}{CLAIM}"}))
    elsewhere.answer(CLAIM, Answer(body={"job": JOB}))
    agent = Agent(https.url, "tok-1", _printer(tmp_path), cafile=str(shop_ca.ca))

    for _ in range(3):
        with pytest.raises(AgentError, match=f"answered {status} .* redirecting to {elsewhere.url}"):
            agent.run_once()

    assert len(https.seen) == 3
    assert elsewhere.seen == []
    assert not (tmp_path / "lp0").exists()


def test_no_token_is_sent_after_a_redirect_on_a_plain_http_test_bench(tmp_path: Path) -> None:
    with serve() as bench, serve() as elsewhere:
        bench.answer(CLAIM, Answer(302, b"", {"Location": f"{elsewhere.url}{CLAIM}"}))

        with pytest.raises(AgentError, match="not followed"):
            Agent(bench.url, "tok-1", _printer(tmp_path), insecure_http=True).run_once()

    assert elsewhere.seen == []


def test_the_agent_ignores_proxy_settings(
    https: Server, elsewhere: Server, shop_ca: ShopCA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("https_proxy", elsewhere.url)
    monkeypatch.setenv("HTTPS_PROXY", elsewhere.url)
    https.answer(CLAIM, Answer(body={"job": None}))

    Agent(https.url, "tok-1", _printer(tmp_path), cafile=str(shop_ca.ca)).run_once()

    assert elsewhere.seen == [] and len(https.seen) == 1


def test_an_answer_of_20_mb_is_refused_after_reading_at_most_the_cap(
    https: Server, shop_ca: ShopCA, tmp_path: Path
) -> None:
    huge = b'{"job": {"id": 7, "padding": "' + b"x" * 20_000_000 + b'"}}'
    https.answer(CLAIM, Answer(body=huge, headers={"X-Print-Job": "7", "Content-Length": None}))  # type: ignore[dict-item]
    https.answer("/printers/agent/jobs/7/failed", Answer(body={"ok": True}))

    result = Agent(https.url, "t", _printer(tmp_path), cafile=str(shop_ca.ca)).run_once()

    assert result.action == "failed" and result.reported
    assert json.loads(https.seen[-1].body) == {
        "error": f"{CANNOT_PRINT}: the server's answer is over 1000000 bytes; nothing was printed",
        "uncertain": False,
    }
    assert not (tmp_path / "lp0").exists()


def _run_agent(*args: str, token: str = "tok-1", **env: str) -> subprocess.CompletedProcess[str]:  # noqa: S107
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PRINTERS_", "STATE_"))}
    environment |= {"PRINTERS_AGENT_TOKEN": token, "PYTHONPATH": str(ROOT)} | env
    return subprocess.run(
        [sys.executable, "-m", "printers.agent", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        cwd=ROOT,
    )


TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"


def test_the_command_line_logs_each_job_printed_with_a_timestamp(
    https: Server, shop_ca: ShopCA, tmp_path: Path
) -> None:
    https.answer(CLAIM, Answer(body={"job": JOB}, headers={"X-Print-Job": "7"}))
    https.answer("/printers/agent/jobs/7/done", Answer(body={"ok": True}))
    out = tmp_path / "lp0"

    done = _run_agent(
        "--server", https.url, "--cafile", str(shop_ca.ca), "--printer", f"file:{out}",
        "--state-file", str(tmp_path / "state.json"), "--once",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "printed job 7"
    assert re.search(rf"^{TIMESTAMP} INFO printers\.agent: job 7 printed$", done.stderr, re.MULTILINE), (
        done.stderr
    )
    assert "tok-1" not in done.stderr
    assert out.read_bytes() == render_escpos(golden_receipt(), get_profile("generic-58"))


def test_the_command_line_reads_a_config_file_and_logs_a_failed_job_with_its_reason(
    https: Server, shop_ca: ShopCA, tmp_path: Path
) -> None:
    https.answer(CLAIM, Answer(body={"job": JOB | {"profile": "laser-9000"}}))
    https.answer("/printers/agent/jobs/7/failed", Answer(body={"ok": True}))
    (tmp_path / "token").write_text("tok-from-file\n")
    config = tmp_path / "agent.toml"
    config.write_text(
        f'server = "{https.url}"\ncafile = "{shop_ca.ca}"\ntoken_file = "{tmp_path / "token"}"\n'
        f'[printer]\nkind = "file"\npath = "{tmp_path / "lp0"}"\n'
    )

    done = _run_agent("--config", str(config), "--once", token="", STATE_DIRECTORY=str(tmp_path))

    assert done.returncode == 1
    assert re.search(rf"^{TIMESTAMP} WARNING printers\.agent: job 7 failed: .*laser-9000", done.stderr, re.M)
    assert https.seen[0].headers["Authorization"] == "Bearer tok-from-file"
    assert json.loads((tmp_path / "state.json").read_text())["jobs"] == {}


def test_the_command_line_refuses_a_plain_http_server_without_insecure_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["--server", "http://till.shop.lan", "--token", "t", "--printer", f"file:{tmp_path}/lp0", "--once"],
        configure_logging=False,
    )

    assert status == 1
    assert "--insecure-http" in capsys.readouterr().err


def test_the_command_line_exits_with_a_message_when_the_token_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve() as bench:
        bench.answer(CLAIM, Answer(401, b""))
        status = main(
            ["--server", bench.url, "--insecure-http", "--token", "wrong", "--printer", f"file:{tmp_path}/lp0",
             "--once"],
            configure_logging=False,
        )  # fmt: skip

    assert status == 2
    assert "refused this printer's token (401)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--server", "https://till.shop.lan", "--token", "t"], "say where this agent prints"),
        (["--server", "https://till.shop.lan", "--printer", "file:/dev/null"], "no printer token"),
        (["--token", "t", "--printer", "file:/dev/null"], "give the server's address"),
        (["--server", "https://x", "--token", "t", "--printer", "usb:zz"], "--printer 'usb:zz'"),
    ],
)
def test_the_command_line_says_what_is_missing(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PRINTERS_AGENT_TOKEN", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)

    assert main([*argv, "--once"], configure_logging=False) == 1
    assert message in capsys.readouterr().err
