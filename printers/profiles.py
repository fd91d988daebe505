"""Printer profiles: what one printer model can really do (paper, code pages, cutter, drawer)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final


class UnknownProfileError(LookupError):
    """No shipped profile has the requested name; the message lists the known ones."""


@dataclass(frozen=True, slots=True)
class Profile:
    """One printer model.

    ``columns`` is the Font A character count per line (32 on 58 mm paper, 48 on
    most 80 mm printers, 42 on the TM-T88 family); ``escpos_profile`` names the
    python-escpos capability profile used for code page numbers and image width;
    ``code_pages`` lists, in order of preference, the encodings the printer
    really has - the renderer never uses any other. ``drawer_pulse_ms`` is sent in
    the real-time pulse's 100 ms steps, rounded up.
    """

    name: str
    paper_mm: int
    columns: int
    escpos_profile: str
    code_pages: tuple[str, ...] = ("CP858", "CP852")
    native_qr: bool = True
    cutter: bool = True
    drawer_pin: int = 2
    drawer_pulse_ms: int = 100
    answers_status: bool = False

    def __post_init__(self) -> None:
        """Refuse impossible settings early, before a job reaches the paper."""
        if not 16 <= self.columns <= 80:
            raise ValueError(f"profile {self.name}: columns must be 16..80, not {self.columns}")
        if not self.code_pages:
            raise ValueError(f"profile {self.name}: at least one code page is needed")
        if self.drawer_pin not in (2, 5):
            raise ValueError(f"profile {self.name}: drawer_pin must be 2 or 5")
        if not 100 <= self.drawer_pulse_ms <= 800:
            raise ValueError(f"profile {self.name}: drawer_pulse_ms must be 100..800")


PROFILES: Final[Mapping[str, Profile]] = MappingProxyType(
    {
        profile.name: profile
        for profile in (
            Profile(
                name="epson-tm-t20-80",
                paper_mm=80,
                columns=48,
                escpos_profile="TM-T20II",
                answers_status=True,
            ),
            # The TM-m30 is not in python-escpos's database; it shares the TM-T20II's
            # 576-dot head, Font A width and Epson code page numbering.
            Profile(
                name="epson-tm-m30-80",
                paper_mm=80,
                columns=48,
                escpos_profile="TM-T20II",
                answers_status=True,
            ),
            Profile(
                name="epson-tm-t88v-80",
                paper_mm=80,
                columns=42,
                escpos_profile="TM-T88V",
                answers_status=True,
            ),
            # Unbranded "POS-58" printers: no cutter, no native QR, and most never answer
            # status queries over the wire.
            Profile(
                name="generic-58",
                paper_mm=58,
                columns=32,
                escpos_profile="POS-5890",
                native_qr=False,
                cutter=False,
            ),
            Profile(
                name="generic-80",
                paper_mm=80,
                columns=48,
                escpos_profile="RP-F10-80mm",
                native_qr=False,
            ),
        )
    }
)


def get_profile(name: str) -> Profile:
    """Return the shipped profile called ``name``; raise :class:`UnknownProfileError` otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise UnknownProfileError(f"unknown printer profile {name!r}; known profiles: {known}") from None
