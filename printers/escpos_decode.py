"""A small ESC/POS interpreter: turns job bytes back into what the paper would show.

It understands the commands the renderer sends (and the common ones other
software sends), decodes text through the selected code page with Python's own
codecs (independently of python-escpos's tables, so it can catch their
mistakes), and records anything it does not understand instead of guessing.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from typing import Final

from printers.document import Align

# ESC t n numbers in Epson's standard table, mapped to Python codecs.
CODE_PAGES: Final[dict[int, str]] = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    13: "cp857",
    14: "cp737",
    15: "iso8859_7",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
    33: "cp775",
    34: "cp855",
    35: "cp861",
    36: "cp862",
    37: "cp864",
    38: "cp869",
    39: "iso8859_2",
    40: "iso8859_15",
    45: "cp1250",
    46: "cp1251",
    47: "cp1253",
    48: "cp1254",
    49: "cp1255",
    50: "cp1256",
    51: "cp1257",
    52: "cp1258",
}
_ALIGNS: Final[dict[int, Align]] = {0: "left", 1: "center", 2: "right"}
_ESC: Final = 0x1B
_GS: Final = 0x1D
_DLE: Final = 0x10
_FS: Final = 0x1C
_LF: Final = 0x0A
# DLE DC4 fn: how many bytes follow fn (1 drawer pulse, 2 power off, 7 status back, 8 clear buffers).
_DLE_DC4_LENGTHS: Final[dict[int, int]] = {1: 2, 2: 2, 7: 1, 8: 7}
# ESC/GS commands whose parameters we skip without meaning: command byte -> count.
_ESC_SKIP: Final[dict[int, int]] = {
    ord(" "): 1, ord("$"): 2, ord("%"): 1, ord("2"): 0, ord("3"): 1, ord("="): 1,
    ord("?"): 1, ord("G"): 1, ord("J"): 1, ord("L"): 0, ord("R"): 1,
    ord("S"): 0, ord("T"): 1, ord("U"): 1, ord("V"): 1, ord("\\"): 2, ord("c"): 2,
    ord("{"): 1,
}  # fmt: skip
_GS_SKIP: Final[dict[int, int]] = {
    ord("B"): 1, ord("H"): 1, ord("I"): 1, ord("L"): 2, ord("P"): 2, ord("W"): 2,
    ord("a"): 1, ord("b"): 1, ord("f"): 1, ord("h"): 1, ord("r"): 1, ord("w"): 1,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PaperLine:
    """A printed text line with the style it started with."""

    text: str
    align: Align = "left"
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1
    #: The fonts the line's characters were printed in ("A", the 12 x 24 dot font, or "B").
    fonts: frozenset[str] = field(default=frozenset({"A"}), compare=False)
    #: The text cut where emphasis changes: (text, bold) pairs.
    spans: tuple[tuple[str, bool], ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class PaperImage:
    """A raster picture: ``rows`` packed 1 bit per dot, most significant bit left, 1 = black."""

    width: int
    height: int
    rows: bytes
    align: Align = "left"


@dataclass(frozen=True, slots=True)
class PaperQR:
    """A QR code the printer draws itself (GS ( k)."""

    data: str
    size: int
    align: Align = "center"


@dataclass(frozen=True, slots=True)
class PaperBarcode:
    """A barcode the printer draws itself (GS k)."""

    kind: int
    data: str
    align: Align = "center"


@dataclass(frozen=True, slots=True)
class PaperCut:
    """A cut of the paper."""

    partial: bool


PaperItem = PaperLine | PaperImage | PaperQR | PaperBarcode | PaperCut


@dataclass(frozen=True, slots=True)
class DecodedJob:
    """Everything a job would put on paper, plus the drawer kicks and what was not understood."""

    items: tuple[PaperItem, ...]
    drawer_kicks: int
    unknown: tuple[bytes, ...]

    @property
    def cut(self) -> bool:
        """Whether the job cuts the paper anywhere."""
        return any(isinstance(item, PaperCut) for item in self.items)

    @property
    def qr_data(self) -> list[str]:
        """The contents of every printer-drawn QR code, in order."""
        return [item.data for item in self.items if isinstance(item, PaperQR)]

    @property
    def text(self) -> str:
        """The paper as text: text lines as sent, codes and cuts as ``[...]`` markers."""
        return "\n".join(_item_text(item) for item in self.items)


def _item_text(item: PaperItem) -> str:
    match item:
        case PaperLine(text=text):
            return text
        case PaperImage(width=width, height=height):
            return f"[image {width}x{height}]"
        case PaperQR(data=data):
            return f"[QR: {data}]"
        case PaperBarcode(data=data):
            return f"[barcode: {data}]"
        case PaperCut(partial=partial):
            return "[partial cut]" if partial else "[cut]"
    raise TypeError(item)  # pragma: no cover


@dataclass(slots=True)
class _State:
    code_page: int = 0
    align: Align = "left"
    bold: bool = False
    underline: bool = False
    width: int = 1
    height: int = 1
    font: str = "A"
    line: list[str] = field(default_factory=list)
    marks: list[tuple[bool, str]] = field(default_factory=list)
    line_style: tuple[Align, bool, bool, int, int] | None = None
    qr_store: bytes = b""
    qr_size: int = 3


class _Truncated(Exception):
    pass


class _Interpreter:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.state = _State()
        self.items: list[PaperItem] = []
        self.kicks = 0
        self.unknown: list[bytes] = []

    # -- reading helpers
    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise _Truncated
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def word(self) -> int:
        low, high = self.take(2)
        return low + 256 * high

    # -- text
    def style(self) -> tuple[Align, bool, bool, int, int]:
        s = self.state
        return (s.align, s.bold, s.underline, s.width, s.height)

    def put_text(self, value: int) -> None:
        # The code page applies to each character as it arrives: one line may mix pages.
        if not self.state.line:
            self.state.line_style = self.style()
        self.state.line.append(self.decode(value))
        self.state.marks.append((self.state.bold, self.state.font))

    def decode(self, value: int) -> str:
        codec = CODE_PAGES.get(self.state.code_page)
        if value < 128:
            return chr(value)
        if codec is None:
            return "\ufffd"
        return codecs.decode(bytes((value,)), codec, errors="replace")

    def flush(self, blank_if_empty: bool) -> None:
        s = self.state
        if not s.line and not blank_if_empty:
            return
        align, bold, underline, width, height = s.line_style or self.style()
        spans: list[tuple[str, bool]] = []
        for char, (char_bold, _) in zip(s.line, s.marks, strict=True):
            if spans and spans[-1][1] == char_bold:
                spans[-1] = (spans[-1][0] + char, char_bold)
            else:
                spans.append((char, char_bold))
        fonts = frozenset(font for _, font in s.marks) or frozenset({s.font})
        self.items.append(
            PaperLine("".join(s.line), align, bold, underline, width, height, fonts, tuple(spans))
        )
        s.line = []
        s.marks = []
        s.line_style = None

    def graphic(self, item: PaperItem) -> None:
        self.flush(blank_if_empty=False)
        self.items.append(item)

    # -- commands
    def esc(self) -> None:
        s = self.state
        command = self.byte()
        if command == ord("@"):
            self.flush(blank_if_empty=False)
            self.state = _State()
        elif command == ord("E"):
            s.bold = bool(self.byte() & 1)
        elif command == ord("-"):
            s.underline = bool(self.byte() & 3)
        elif command == ord("!"):
            mode = self.byte()
            s.font = "B" if mode & 0x01 else "A"
            s.bold, s.underline = bool(mode & 0x08), bool(mode & 0x80)
            s.height, s.width = (2 if mode & 0x10 else 1), (2 if mode & 0x20 else 1)
        elif command == ord("M"):
            s.font = "B" if self.byte() in (1, 49) else "A"
        elif command == ord("a"):
            s.align = _ALIGNS.get(self.byte() % 48, "left")
        elif command == ord("t"):
            s.code_page = self.byte()
        elif command == ord("d"):
            count = self.byte()
            for _ in range(count):
                self.flush(blank_if_empty=True)
        elif command == ord("p"):
            self.take(3)
            self.kicks += 1
        elif command == ord("*"):
            mode, columns = self.byte(), self.word()
            self.take(columns * (3 if mode in (32, 33) else 1))
        elif command in _ESC_SKIP:
            self.take(_ESC_SKIP[command])
        else:
            self.unknown.append(bytes((_ESC, command)))

    def gs(self) -> None:
        command = self.byte()
        if command == ord("!"):
            size = self.byte()
            self.state.width, self.state.height = (size >> 4) + 1, (size & 0x0F) + 1
        elif command == ord("V"):
            mode = self.byte()
            if mode in (65, 66, 97, 98, 103, 104):
                self.take(1)
            self.graphic(PaperCut(partial=mode in (1, 49, 66, 98, 104)))
        elif command == ord("v"):
            self.raster()
        elif command == ord("("):
            self.gs_paren(self.byte())
        elif command == ord("k"):
            self.barcode()
        elif command in _GS_SKIP:
            self.take(_GS_SKIP[command])
        else:
            self.unknown.append(bytes((_GS, command)))

    def raster(self) -> None:
        if self.byte() != ord("0"):
            self.unknown.append(b"\x1dv")
            return
        self.byte()  # density mode
        width_bytes, height = self.word(), self.word()
        rows = self.take(width_bytes * height)
        self.graphic(PaperImage(width_bytes * 8, height, rows, self.state.align))

    def gs_paren(self, function_group: int) -> None:
        body = self.take(self.word())
        if function_group != ord("k") or len(body) < 2 or body[0] != ord("1"):
            return  # GS ( L graphics and other 2D symbols: nothing to decode
        function = body[1]
        if function == 67 and len(body) >= 3:
            self.state.qr_size = body[2]
        elif function == 80:
            self.state.qr_store = body[3:]
        elif function == 81:
            data = self.state.qr_store.decode("utf-8", errors="replace")
            self.graphic(PaperQR(data, self.state.qr_size, self.state.align))

    def barcode(self) -> None:
        kind = self.byte()
        if kind < 65:
            end = self.data.find(b"\x00", self.pos)
            if end < 0:
                raise _Truncated
            raw = self.take(end - self.pos)
            self.take(1)
        else:
            raw = self.take(self.byte())
        data = raw.decode("ascii", errors="replace")
        if kind == 73 and data.startswith("{"):
            data = data[2:].replace("{{", "{")
        self.graphic(PaperBarcode(kind, data, self.state.align))

    def dle(self) -> None:
        command = self.byte()
        if command in (0x04, 0x05):  # real-time status request / recovery
            self.take(1)
        elif command == 0x14:  # DLE DC4 fn …: real-time commands
            self.dle_dc4(self.byte())
        else:
            self.unknown.append(bytes((_DLE, command)))

    def dle_dc4(self, function: int) -> None:
        if function not in _DLE_DC4_LENGTHS:
            self.unknown.append(bytes((_DLE, 0x14, function)))
            return
        arguments = self.take(_DLE_DC4_LENGTHS[function])
        if function != 1:
            return
        pin, steps = arguments
        if pin in (0, 1) and 1 <= steps <= 8:
            self.kicks += 1
        else:  # a printer ignores a pulse outside its range: it opens nothing
            self.unknown.append(bytes((_DLE, 0x14, function, *arguments)))

    def fs(self) -> None:
        command = self.byte()
        if command in (ord("&"), ord(".")):
            return
        if command in (ord("C"), ord("!"), ord("-"), ord("W")):
            self.take(1)
        else:
            self.unknown.append(bytes((_FS, command)))

    def run(self) -> DecodedJob:
        try:
            while self.pos < len(self.data):
                value = self.byte()
                if value == _LF:
                    self.flush(blank_if_empty=True)
                elif value == _ESC:
                    self.esc()
                elif value == _GS:
                    self.gs()
                elif value == _DLE:
                    self.dle()
                elif value == _FS:
                    self.fs()
                elif value >= 0x20:
                    self.put_text(value)
        except _Truncated:
            self.unknown.append(b"<truncated>")
        self.flush(blank_if_empty=False)
        return DecodedJob(tuple(self.items), self.kicks, tuple(self.unknown))


def decode_escpos(data: bytes) -> DecodedJob:
    """Interpret ESC/POS bytes: text through the ESC t code page (CP437 after ESC @), styles
    (ESC E, ESC -, ESC !, GS !, ESC a) with each line's emphasis spans and fonts (ESC M, ESC !),
    cuts (GS V), drawer kicks (ESC p, DLE DC4 1 m t), printer-drawn QR codes (GS ( k) and barcodes
    (GS k), raster images (GS v 0).
    Unknown commands are listed in ``unknown``; a job cut short ends with b"<truncated>"."""
    return _Interpreter(data).run()
