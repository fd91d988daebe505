"""Every service function that commits declares how it stays correct when requests arrive together.

The next area's services (stock, bakes, rotas) fill in the same registry: a writing service without
`@race_safe(...)` fails here, so nobody adds a read-then-write without thinking about it.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from bakery.services.race_safety import REGISTRY, Mechanism, race_safe

SERVICES = Path(__file__).resolve().parents[2] / "bakery" / "services"


def writing_functions() -> list[str]:
    """ "module.function" for every module-level function in the services that commits."""
    found = []
    for path in sorted(SERVICES.rglob("*.py")):
        source = path.read_text()
        module = ".".join(path.relative_to(SERVICES.parents[1]).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        for node in ast.parse(source).body:
            body = ast.get_source_segment(source, node) or ""
            # commit_keeping_loaded() commits too (bakery.database): its callers are writers.
            if isinstance(node, ast.FunctionDef) and (
                ".commit()" in body or "commit_keeping_loaded()" in body
            ):
                found.append(f"{module}.{node.name}")
    return found


def test_the_services_that_commit_are_found() -> None:
    names = writing_functions()
    assert "bakery.services.till.refunds.refund" in names
    assert "bakery.services.till.checkout.tender" in names
    assert len(names) > 80


@pytest.mark.parametrize("name", writing_functions())
def test_every_service_that_commits_declares_its_race_safety(name: str) -> None:
    module = name.rpartition(".")[0]
    importlib.import_module(module)
    assert name in REGISTRY, f"{name} commits but does not say how it is race-safe: add @race_safe(...)"
    declared = REGISTRY[name]
    assert declared.mechanisms and all(isinstance(m, Mechanism) for m in declared.mechanisms)
    assert declared.guards.strip()


def test_a_declaration_names_a_mechanism_and_what_it_guards() -> None:
    with pytest.raises(ValueError):
        race_safe(guards="nothing")
    with pytest.raises(ValueError):
        race_safe(Mechanism.ROW_LOCK, guards="")

    @race_safe(Mechanism.UNIQUE_KEY, guards="one per key")
    def example() -> int:
        return 7

    assert example() == 7  # no wrapper: the function itself
    assert REGISTRY[f"{__name__}.test_a_declaration_names_a_mechanism_and_what_it_guards.<locals>.example"]
