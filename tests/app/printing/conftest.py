"""Fixtures for printing tests: a virtual network printer on a free port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from printers import VirtualPrinter


@pytest.fixture
def virtual_printer() -> Iterator[VirtualPrinter]:
    """A virtual ESC/POS printer listening on 127.0.0.1 on a free port."""
    with VirtualPrinter(port=0, idle_timeout=2.0) as printer:
        yield printer
