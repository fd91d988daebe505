"""Fixtures for printing tests: a virtual network printer on a free port, and a printer printed by
an agent whose requests reach the app through the test client."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bakery.services import printing
from bakery.services.audit import SYSTEM
from printers import VirtualPrinter
from tests.app.printing.helpers import receipt_printer
from tests.app.till.helpers import make_menu, open_till_for


@pytest.fixture
def virtual_printer() -> Iterator[VirtualPrinter]:
    """A virtual ESC/POS printer listening on 127.0.0.1 on a free port."""
    with VirtualPrinter(port=0, idle_timeout=2.0) as printer:
        yield printer


SERVER = "https://till.shop.test"


class _Answer(io.BytesIO):
    """What urllib's opener returns: a readable body usable in a `with` block."""


class ClientOpener:
    """Carries the agent's urllib requests to the Flask test client instead of the network."""

    def __init__(self, client) -> None:
        self.client = client
        self.requests: list[str] = []

    def open(self, request: urllib.request.Request, data=None, timeout: float = 10.0):
        path = request.full_url.removeprefix(SERVER)
        self.requests.append(path)
        response = self.client.post(path, data=request.data, headers=dict(request.header_items()))
        if response.status_code >= 400:
            raise urllib.error.HTTPError(request.full_url, response.status_code, "refused", {}, None)  # type: ignore[arg-type]
        return _Answer(response.get_data())


@pytest.fixture
def agent_printer(client, virtual_printer):
    """A till whose receipt printer is served by an agent, with a token for it, and the printer
    setting the agent's box was given (the virtual printer)."""
    menu = make_menu()
    till, _ = open_till_for(client)
    printer = receipt_printer(till, virtual_printer.port, via_agent=True)
    _, token = printing.issue_token(printer.id, SYSTEM)
    local = {"kind": "network", "host": "127.0.0.1", "port": virtual_printer.port, "timeout": 2.0}
    return {"menu": menu, "till": till, "printer": printer, "token": token, "local": local}
