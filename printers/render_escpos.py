"""ESC/POS rendering of a document for one printer profile, through python-escpos's Dummy."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Final

import barcode as python_barcode
import qrcode
from barcode.writer import ImageWriter
from escpos.capabilities import get_profile as get_escpos_profile
from escpos.constants import QR_ECLEVEL_M
from escpos.magicencode import Encoder
from escpos.printer import Dummy
from PIL import Image

from printers.document import Align, Document, Size
from printers.layout import (
    BarcodeLine,
    CutLine,
    DrawerLine,
    Line,
    LogoLine,
    QRLine,
    TextLine,
    layout,
    size_scale,
)
from printers.profiles import Profile

# Single characters only: a longer replacement would push the line past the width
# that the layout has already fitted.
_FALLBACK: Final[dict[str, str]] = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2022": "*",
    "\u2702": "-",
}
_FUNCTION_A_KINDS: Final = ("EAN13", "EAN8", "UPC-A", "CODE39")
_SOFTWARE_BARCODE_NAMES: Final = {
    "CODE128": "code128",
    "EAN13": "ean13",
    "EAN8": "ean8",
    "UPC-A": "upca",
    "CODE39": "code39",
}
# The cutter blade sits a few lines above the print head; without this feed the
# last lines of the receipt would be cut through. A tear bar needs the same.
_FEED_BEFORE_TEAR: Final = 4


class RenderError(ValueError):
    """The document cannot be printed on this profile (e.g. a barcode wider than the paper)."""


class _CodePageEncoder:
    """The encoder that python-escpos's MagicEncode asks, restricted to the profile's code
    pages and preferring them in the profile's order (python-escpos would try every page
    of its capability profile, lowest number first, and picks a Greek page for '€')."""

    def __init__(self, slots: dict[str, int]) -> None:
        self._order = tuple(slots)
        self._inner: Any = Encoder({name: str(slot) for name, slot in slots.items()})

    def get_encoding_name(self, encoding: str) -> str:
        name = encoding.upper()
        if name not in self._order:
            raise ValueError(f"code page {encoding} is not in this profile")
        return name

    def get_sequence(self, encoding: str) -> int:
        return int(self._inner.get_sequence(encoding))

    def can_encode(self, encoding: str, char: str) -> bool:
        return bool(self._inner.can_encode(encoding, char))

    def encode(self, text: str, encoding: str, defaultchar: str = "?") -> bytes:
        return bytes(self._inner.encode(text, encoding, defaultchar))

    def find_suitable_encoding(self, char: str) -> str | None:
        return next((name for name in self._order if self.can_encode(name, char)), None)


def code_page_slots(profile: Profile) -> dict[str, int]:
    """Return ``{encoding: ESC t number}`` for the profile's code pages, in profile order.

    Where python-escpos's database lists one encoding under several numbers, the
    lowest (Epson's standard numbering) wins. An encoding the printer database
    does not list raises :class:`RenderError`.
    """
    table: dict[str, str] = get_escpos_profile(profile.escpos_profile).codePages
    slots: dict[str, int] = {}
    for encoding in profile.code_pages:
        numbers = [int(number) for number, name in table.items() if name == encoding.upper()]
        if not numbers:
            raise RenderError(f"profile {profile.name}: {profile.escpos_profile} has no code page {encoding}")
        slots[encoding.upper()] = min(numbers)
    return slots


def _printable(text: str, encoder: _CodePageEncoder) -> str:
    out: list[str] = []
    for char in text:
        if ord(char) < 128 or encoder.find_suitable_encoding(char) is not None:
            out.append(char)
            continue
        substitute = _FALLBACK.get(char) or unicodedata.normalize("NFKD", char)[:1]
        usable = ord(substitute) < 128 or encoder.find_suitable_encoding(substitute)
        out.append(substitute if usable and substitute != char else "?")
    return "".join(out)


def _media_pixels(printer: Any) -> int:
    pixels = printer.profile.profile_data.get("media", {}).get("width", {}).get("pixels")
    return pixels if isinstance(pixels, int) else 384


@dataclass(frozen=True, slots=True)
class _Style:
    align: Align = "left"
    bold: bool = False
    underline: bool = False
    size: Size = "normal"


class _Job:
    """One ESC/POS job: a fresh Dummy, so no code page state leaks from an earlier job."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.encoder = _CodePageEncoder(code_page_slots(profile))
        self.printer: Any = Dummy(profile=profile.escpos_profile, magic_encode_args={"encoder": self.encoder})
        self.max_pixels = _media_pixels(self.printer)
        self.style = _Style()
        self.printer.hw("INIT")

    def restyle(self, wanted: _Style) -> None:
        changes: dict[str, Any] = {}
        if wanted.size != self.style.size:
            width, height = size_scale(wanted.size)
            changes.update(custom_size=True, width=width, height=height)
        if wanted.bold != self.style.bold:
            changes["bold"] = wanted.bold
        if wanted.underline != self.style.underline:
            changes["underline"] = int(wanted.underline)
        if wanted.align != self.style.align:
            changes["align"] = wanted.align
        if changes:
            self.printer.set(**changes)
        self.style = wanted

    def text(self, line: TextLine) -> None:
        if not line.spans:
            self.restyle(_Style(line.align, line.bold, line.underline, line.size))
            self.printer.textln(_printable(line.text, self.encoder))
            return
        for text, bold in line.spans:  # emphasis changes inside the line (ESC E on and off)
            self.restyle(_Style(line.align, bold, line.underline, line.size))
            self.printer.text(_printable(text, self.encoder))
        self.printer.textln("")

    def centred_graphics(self) -> None:
        self.restyle(replace(self.style, align="center"))

    def qr(self, line: QRLine) -> None:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1)
        code.add_data(line.data)
        code.make(fit=True)
        size = min(line.size, self.max_pixels // (code.modules_count + 2))
        if size < 1:
            raise RenderError(f"QR code for {line.data[:30]!r}... is wider than the paper")
        self.centred_graphics()
        native = self.profile.native_qr
        self.printer.qr(line.data, ec=QR_ECLEVEL_M, size=size, native=native, center=not native)

    def barcode(self, line: BarcodeLine) -> None:
        self.centred_graphics()
        supports = self.printer.profile.supports
        if supports("barcodeB") or (supports("barcodeA") and line.kind in _FUNCTION_A_KINDS):
            self._hardware_barcode(line, "B" if supports("barcodeB") else "A")
        else:
            self._software_barcode(line)

    def _hardware_barcode(self, line: BarcodeLine, function_type: str) -> None:
        modules = {"EAN13": 95, "EAN8": 67, "UPC-A": 95}.get(line.kind)
        if modules is None:
            per_char = 11 if line.kind == "CODE128" else 16
            modules = per_char * (len(line.data) + 3) + 2
        width = min(6, self.max_pixels // modules)
        if width < 2:
            raise RenderError(f"{line.kind} barcode {line.data!r} is wider than the paper")
        # Epson's CODE128 needs a code set prefix, and "{" itself is written "{{".
        data = "{B" + line.data.replace("{", "{{") if line.kind == "CODE128" else line.data
        # _hw_barcode, not barcode(): barcode() print()s to stdout on every call and
        # silently swaps in a software renderer when it thinks the printer cannot.
        self.printer._hw_barcode(
            data, line.kind, height=64, width=width, align_ct=True, function_type=function_type
        )

    def _software_barcode(self, line: BarcodeLine) -> None:
        symbol = python_barcode.get_barcode_class(_SOFTWARE_BARCODE_NAMES[line.kind])(
            line.data, writer=ImageWriter()
        )
        image = symbol.render(
            writer_options={"module_height": 8.0, "quiet_zone": 1.0, "font_size": 8, "dpi": 203}
        )
        self.image(image)

    def image(self, image: Image.Image) -> None:
        self.centred_graphics()
        if image.width > self.max_pixels:
            height = max(1, image.height * self.max_pixels // image.width)
            image = image.resize((self.max_pixels, height))
        self.printer.image(image, center=True)

    def logo(self, line: LogoLine) -> None:
        with Image.open(io.BytesIO(line.png)) as picture:
            picture.load()
            self.image(picture)

    def cut(self, line: CutLine) -> None:
        if self.profile.cutter:
            self.printer.cut(mode="PART" if line.partial else "FULL")
        else:
            self.printer.print_and_feed(_FEED_BEFORE_TEAR)

    def drawer(self, line: DrawerLine) -> None:
        # Not ESC p: ESC p waits in the printer's buffer behind whatever stops printing,
        # and a printer out of paper that does not answer status queries opened the
        # drawer 30 s after the sale, when paper went back in. The real-time pulse is
        # carried out on arrival or not at all.
        self.printer._raw(
            realtime_drawer_pulse(line.pin or self.profile.drawer_pin, self.profile.drawer_pulse_ms)
        )

    def add(self, line: Line) -> None:
        match line:
            case TextLine():
                self.text(line)
            case QRLine():
                self.qr(line)
            case BarcodeLine():
                self.barcode(line)
            case LogoLine():
                self.logo(line)
            case CutLine():
                self.cut(line)
            case DrawerLine():
                self.drawer(line)

    def output(self) -> bytes:
        return bytes(self.printer.output)


def realtime_drawer_pulse(pin: int, pulse_ms: int) -> bytes:
    """DLE DC4 1 m t: a drawer pulse on pin 2 (m 0) or 5 (m 1), on and off for t x 100 ms.

    The pulse is rounded up to whole 100 ms steps (1 to 8), so the drawer's solenoid never
    gets less than the profile asks for.
    """
    if pin not in (2, 5):
        raise RenderError(f"drawer pin must be 2 or 5, not {pin}")
    steps = max(1, min(8, -(-pulse_ms // 100)))
    return bytes((0x10, 0x14, 0x01, 0 if pin == 2 else 1, steps))


def render_escpos(document: Document, profile: Profile) -> bytes:
    """Render a document to the ESC/POS bytes for ``profile``'s printer.

    The job starts with ESC @ (printer reset) and selects a code page from the
    profile's list before any text; text is laid out exactly as
    :func:`printers.render_text.render_text` lays it out at ``profile.columns``.
    Characters no code page has become a close ASCII stand-in or ``?``. QR codes
    are native or raster images per profile; a cut is a cut only when the
    profile has a cutter (else a feed to the tear bar); a drawer kick is the
    real-time pulse DLE DC4 on the block's pin or the profile's. The same document
    always gives the same bytes.
    """
    job = _Job(profile)
    for line in layout(document, profile.columns):
        job.add(line)
    return job.output()
