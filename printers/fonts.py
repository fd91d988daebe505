"""Where to find a monospace TrueType font with Central European letters (DejaVu Sans Mono)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import Final

_SYSTEM_REGULAR: Final = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
)
_SYSTEM_REGULAR_LAST: Final = ("/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",)
_SYSTEM_BOLD: Final = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSansMono-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf",
)


def _bundled_regular() -> Path | None:
    # python-barcode, which python-escpos depends on, ships DejaVu Sans Mono: so a
    # printer box without any system fonts still has one.
    try:
        path = Path(str(importlib.resources.files("barcode") / "fonts" / "DejaVuSansMono.ttf"))
    except ModuleNotFoundError:  # pragma: no cover - python-barcode comes with python-escpos
        return None
    return path if path.is_file() else None


def monospace_font(bold: bool = False) -> Path | None:
    """Return a monospace TTF path (bold if asked and available), or None when none exists."""
    if bold:
        candidates = [Path(p) for p in _SYSTEM_BOLD]
    else:
        bundled = _bundled_regular()
        candidates = [Path(p) for p in _SYSTEM_REGULAR]
        candidates += [bundled] if bundled else []
        candidates += [Path(p) for p in _SYSTEM_REGULAR_LAST]
    return next((path for path in candidates if path.is_file()), None)
