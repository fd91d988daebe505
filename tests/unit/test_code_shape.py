"""The shape of the code: no module over 500 lines, no two service modules importing each other
(directly or around a circle). import-linter (`make lint`) keeps the layers and the areas apart."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 500


def python_files() -> list[Path]:
    return sorted(p for folder in ("bakery", "printers") for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_500_lines(path: Path) -> None:
    lines = path.read_text().count("\n")
    assert lines <= LIMIT, f"{path.relative_to(ROOT)} has {lines} lines: split it along its seams"


def test_no_two_service_modules_import_each_other_even_around_a_circle() -> None:
    graph = grimp.build_graph("bakery")
    services = sorted(m for m in graph.modules if m.startswith("bakery.services."))
    packages = {m for m in services if graph.find_children(m)}
    circles = set()
    for module in services:
        if module in packages:
            continue
        for imported in graph.find_modules_directly_imported_by(module):
            inside = imported.startswith("bakery.services.") and imported not in packages
            if inside and graph.chain_exists(importer=imported, imported=module):
                circles.add(tuple(sorted((module, imported))))
    assert circles == set()


def test_every_service_area_says_what_it_owns() -> None:
    for init in sorted((ROOT / "bakery" / "services").glob("*/__init__.py")):
        text = init.read_text()
        assert text.startswith('"""') and len(text.split('"""')[1].strip()) > 40, init
