"""`make run` serves the app with the print worker and the virtual printer the demo prints to."""

from __future__ import annotations

import re
from pathlib import Path

from bakery.services.demo.printers import VIRTUAL_PORT

ROOT = Path(__file__).resolve().parents[2]


def _run_recipe() -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, "the Makefile has a run target"
    return match.group(1)


def test_make_run_starts_the_virtual_printer_on_the_demo_printers_port_and_says_where_to_watch_it():
    recipe = _run_recipe()
    assert f"-m printers.virtual --port {VIRTUAL_PORT} --http-port 9180 & printer=$$!" in recipe
    assert "http://127.0.0.1:9180/" in recipe
    assert "flask printers work & worker=$$!" in recipe


def test_make_run_stops_the_printer_and_the_worker_when_gunicorn_stops():
    recipe = _run_recipe()
    assert "trap 'kill $$worker $$printer 2>/dev/null; wait $$worker $$printer 2>/dev/null' EXIT" in recipe
    assert recipe.rstrip().splitlines()[-1].lstrip().startswith("$(BIN)/gunicorn")
