"""The print agent's settings: the command line, the config file and what systemd hands over."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from printers.agent_config import ConfigError, load_settings, parse_printer


@pytest.mark.parametrize(
    ("spec", "config"),
    [
        ("usb:04b8:0e15", {"kind": "usb", "vendor_id": 0x04B8, "product_id": 0x0E15}),
        ("serial:/dev/ttyUSB0:19200", {"kind": "serial", "device": "/dev/ttyUSB0", "baudrate": 19200}),
        ("serial:/dev/ttyS0", {"kind": "serial", "device": "/dev/ttyS0"}),
        ("network:192.168.1.50:9100", {"kind": "network", "host": "192.168.1.50", "port": 9100}),
        ("network:printer.lan", {"kind": "network", "host": "printer.lan", "port": 9100}),
        ("file:/dev/usb/lp0", {"kind": "file", "path": "/dev/usb/lp0"}),
        ("cups:Kitchen", {"kind": "cups", "printer_name": "Kitchen"}),
    ],
)
def test_a_printer_on_the_command_line_becomes_its_transport_config(
    spec: str, config: dict[str, object]
) -> None:
    assert parse_printer(spec) == config


@pytest.mark.parametrize(
    "spec", ["usb:04b8", "usb:zz:01", "network:h:port", "pigeon:loft", "serial:/dev/x:fast"]
)
def test_a_printer_that_cannot_be_one_is_refused_with_the_forms_it_can_take(spec: str) -> None:
    with pytest.raises(ConfigError, match="usb:VENDOR:PRODUCT"):
        parse_printer(spec)


def test_under_systemd_the_token_comes_from_its_credential_and_the_state_from_its_state_directory(
    tmp_path: Path,
) -> None:
    credentials, state = tmp_path / "credentials", tmp_path / "state"
    credentials.mkdir()
    state.mkdir()
    (credentials / "token").write_text("tok-from-systemd\n")
    config = tmp_path / "agent.toml"
    config.write_text(
        'server = "https://till.shop.lan"\n[printer]\nkind = "usb"\nvendor_id = 0x04b8\nproduct_id = 0x0e15\n'
    )

    settings = load_settings(
        ["--config", str(config)],
        environ={"CREDENTIALS_DIRECTORY": str(credentials), "STATE_DIRECTORY": str(state)},
    )

    assert settings.token == "tok-from-systemd"
    assert settings.state_file == str(state / "state.json")
    assert settings.printer == {"kind": "usb", "vendor_id": 0x04B8, "product_id": 0x0E15}
    assert (settings.server, settings.insecure_http, settings.interval) == (
        "https://till.shop.lan",
        False,
        2.0,
    )


def test_the_command_line_wins_over_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(
        'server = "https://a.lan"\nprofile = "generic-58"\n[printer]\nkind = "file"\npath = "/dev/null"\n'
    )

    settings = load_settings(
        [
            "--config",
            str(config),
            "--server",
            "https://b.lan",
            "--printer",
            "network:10.0.0.9",
            "--token",
            "t",
        ],
        environ={},
    )

    assert settings.server == "https://b.lan"
    assert settings.printer == {"kind": "network", "host": "10.0.0.9", "port": 9100}
    assert settings.profile == "generic-58"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server = ", "not valid TOML"),
        ('token = "in the file"\n', "unknown settings: token"),
        ('server = "https://x"\ninterval = 0\n[printer]\nkind = "file"\npath = "/dev/null"\n', "interval"),
        ('server = "https://x"\n[printer]\nkind = "file"\n', "printer setting cannot work"),
    ],
)
def test_a_config_file_that_cannot_work_says_why(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(text)

    with pytest.raises(ConfigError, match=message):
        load_settings(["--config", str(config), "--token", "t"], environ={})


def test_the_agent_runs_without_flask_a_database_or_reportlab() -> None:
    root = Path(__file__).resolve().parents[3]
    probe = (
        "import sys, printers.agent; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'sqlalchemy', 'bakery', 'reportlab'}))"
    )

    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, check=True, timeout=60
    )

    assert loaded.stdout.strip() == "[]"
