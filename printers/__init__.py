"""Receipt and kitchen printing, independent of the web app.

Documents (:mod:`printers.document`) are rendered to plain text, ESC/POS bytes or
PDF through one shared layout, and sent to a printer through a transport. The
package imports neither Flask, the bakery app nor a database: it also runs on
a small box beside the printer as :mod:`printers.agent`.
"""

import importlib
from typing import TYPE_CHECKING

from printers.document import (
    QR,
    Barcode,
    Block,
    Columns,
    Cut,
    Document,
    DocumentError,
    DrawerKick,
    Feed,
    Logo,
    Rich,
    Rule,
    Text,
    document_from_dict,
    document_from_json,
    document_to_dict,
    document_to_json,
)
from printers.layout import layout
from printers.profiles import PROFILES, Profile, UnknownProfileError, get_profile
from printers.render_escpos import RenderError, render_escpos
from printers.render_text import render_text
from printers.status import PrinterStatus
from printers.transports import (
    CupsTransport,
    FileTransport,
    NetworkTransport,
    PrinterError,
    PrinterOffline,
    SerialTransport,
    Transport,
    TransportConfigError,
    UsbTransport,
    transport_from_config,
)

if TYPE_CHECKING:
    from printers.agent import Agent, AgentAuthError, AgentError, AgentResult
    from printers.render_pdf import render_pdf
    from printers.virtual import VirtualJob, VirtualPrinter

# Imported on first use: the agent and the virtual printer are also run as ``python -m printers.agent``
# and ``python -m printers.virtual``, which must not find themselves already imported; PDFs need
# reportlab, which a box that only runs the agent does not install.
_LAZY = {
    "render_pdf": "printers.render_pdf",
    "Agent": "printers.agent",
    "AgentAuthError": "printers.agent",
    "AgentError": "printers.agent",
    "AgentResult": "printers.agent",
    "VirtualJob": "printers.virtual",
    "VirtualPrinter": "printers.virtual",
}


def __getattr__(name: str) -> object:
    """Import the agent, virtual printer and PDF names on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'printers' has no attribute {name!r}")


__all__ = [
    "PROFILES",
    "QR",
    "Agent",
    "AgentAuthError",
    "AgentError",
    "AgentResult",
    "Barcode",
    "Block",
    "Columns",
    "CupsTransport",
    "Cut",
    "Document",
    "DocumentError",
    "DrawerKick",
    "Feed",
    "FileTransport",
    "Logo",
    "NetworkTransport",
    "PrinterError",
    "PrinterOffline",
    "PrinterStatus",
    "Profile",
    "RenderError",
    "Rich",
    "Rule",
    "SerialTransport",
    "Text",
    "Transport",
    "TransportConfigError",
    "UnknownProfileError",
    "UsbTransport",
    "VirtualJob",
    "VirtualPrinter",
    "document_from_dict",
    "document_from_json",
    "document_to_dict",
    "document_to_json",
    "get_profile",
    "layout",
    "render_escpos",
    "render_pdf",
    "render_text",
    "transport_from_config",
]
