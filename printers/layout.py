"""Turn a document into width-fitted lines, shared by every renderer.

Whatever the output (screen, ESC/POS, PDF), the line breaks are decided here
once, so the preview shows exactly where the paper will wrap.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Final

from printers.document import (
    QR,
    Align,
    Barcode,
    Block,
    Columns,
    Cut,
    Document,
    DrawerKick,
    Feed,
    Logo,
    Rich,
    Rule,
    Size,
    Text,
)

_SCALE: Final[dict[str, tuple[int, int]]] = {
    "normal": (1, 1),
    "double": (2, 2),
    "tall": (1, 2),
    "wide": (2, 1),
}
# Below this many characters a description column is unreadable; the amount then
# goes on its own line instead.
_MIN_LEFT: Final = 8


def size_scale(size: Size) -> tuple[int, int]:
    """Return the (width, height) character multipliers for a text size."""
    return _SCALE[size]


@dataclass(frozen=True, slots=True)
class TextLine:
    """One printed line, already short enough: ``len(text) * width_scale <= columns``.

    ``spans``, when given, is the same text cut where its emphasis changes, as (text, bold)
    pairs (a line of a :class:`~printers.document.Rich` paragraph); ``bold`` is then unused.
    """

    text: str
    align: Align = "left"
    bold: bool = False
    underline: bool = False
    size: Size = "normal"
    spans: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True, slots=True)
class QRLine:
    """A QR code, centred."""

    data: str
    size: int


@dataclass(frozen=True, slots=True)
class BarcodeLine:
    """A barcode, centred."""

    data: str
    kind: str


@dataclass(frozen=True, slots=True)
class LogoLine:
    """A PNG picture, centred."""

    png: bytes


@dataclass(frozen=True, slots=True)
class CutLine:
    """A paper cut."""

    partial: bool


@dataclass(frozen=True, slots=True)
class DrawerLine:
    """A cash drawer kick (prints nothing); pin None means the profile's pin."""

    pin: int | None


Line = TextLine | QRLine | BarcodeLine | LogoLine | CutLine | DrawerLine


def clean_text(text: str) -> str:
    """Normalise to composed characters (é, not e + accent), turn tabs, control characters
    and exotic spaces into plain spaces, and line/paragraph separators into newlines.

    Control characters must never reach the printer: an ESC in a customer's name
    would be executed as a command.
    """
    composed = unicodedata.normalize("NFC", text)
    return "".join(_clean_char(char) for char in composed)


def _clean_char(char: str) -> str:
    category = unicodedata.category(char)
    if char == "\n" or category in ("Zl", "Zp"):
        return "\n"
    if category[0] == "C" or category == "Zs":
        return " "
    return char


def wrap(text: str, width: int) -> list[str]:
    """Wrap text to ``width`` characters, breaking over-long words; newlines start new lines
    and an empty paragraph stays as one blank line."""
    lines: list[str] = []
    for paragraph in clean_text(text).split("\n"):
        wrapped = textwrap.wrap(
            paragraph,
            width=max(1, width),
            break_long_words=True,
            break_on_hyphens=True,
        )
        lines.extend(wrapped or [""])
    return lines


def fit_columns(left: str, right: str, width: int) -> list[str]:
    """Lay out a description and an amount in ``width`` characters.

    The amount sits flush right on the first line; the description wraps inside
    the left column, leaving at least one space before the amount. An amount too
    wide to leave a usable left column goes, right-aligned, under the description.
    """
    amount = " ".join(clean_text(right).split())
    if not amount:
        return wrap(left, width)
    left_width = width - len(amount) - 1
    if left_width < min(_MIN_LEFT, width // 2):
        return wrap(left, width) + [line.rjust(width) for line in wrap(amount, width)]
    first, *rest = wrap(left, left_width)
    return [first.ljust(left_width) + " " + amount, *rest]


def align_text(text: str, align: Align, columns: int, width_scale: int = 1) -> str:
    """Pad a line with leading spaces so it sits where the printer would put it; a
    double-width character takes two columns of paper."""
    free = max(0, columns - len(text) * width_scale)
    if align == "center":
        return " " * (free // 2) + text
    if align == "right":
        return " " * free + text
    return text


_WORD: Final = re.compile(r"\S+")


def wrap_rich(pieces: tuple[tuple[str, bool], ...], width: int) -> list[tuple[tuple[str, bool], ...]]:
    """Wrap emphasised pieces to ``width`` characters between words (an over-long word is
    broken), each line given as (text, bold) spans; spaces at a break are dropped."""
    chars: list[str] = []
    marks: list[bool] = []
    for text, bold in pieces:
        cleaned = clean_text(text).replace("\n", " ")
        chars.extend(cleaned)
        marks.extend([bold] * len(cleaned))
    plain = "".join(chars)
    width = max(1, width)
    ranges: list[tuple[int, int]] = []
    start = end = -1
    for word in _WORD.finditer(plain):
        low, high = word.span()
        while high - low > width:  # a word longer than the line is broken
            if start >= 0:
                ranges.append((start, end))
                start = -1
            ranges.append((low, low + width))
            low += width
        if start >= 0 and high - start <= width:
            end = high
            continue
        if start >= 0:
            ranges.append((start, end))
        start, end = low, high
    if start >= 0:
        ranges.append((start, end))
    lines: list[tuple[tuple[str, bool], ...]] = []
    for low, high in ranges:
        spans: list[tuple[str, bool]] = []
        for index in range(low, high):
            if spans and spans[-1][1] == marks[index]:
                spans[-1] = (spans[-1][0] + plain[index], marks[index])
            else:
                spans.append((plain[index], marks[index]))
        lines.append(tuple(spans))
    return lines or [()]


def _block_lines(block: Block, columns: int) -> list[Line]:
    match block:
        case Rich(pieces=pieces, align=align):
            return [
                TextLine("".join(text for text, _ in spans), align, spans=spans)
                for spans in wrap_rich(pieces, columns)
            ]
        case Text(text=text, bold=bold, align=align, size=size, underline=underline):
            width = columns // size_scale(size)[0]
            return [TextLine(part, align, bold, underline, size) for part in wrap(text, width)]
        case Columns(left=left, right=right, bold=bold):
            return [TextLine(part, bold=bold) for part in fit_columns(left, right, columns)]
        case Rule(char=char):
            return [TextLine(clean_text(char) * columns)]
        case Feed(lines=count):
            return [TextLine("") for _ in range(count)]
        case QR(data=data, size=size):
            return [QRLine(data, size)]
        case Barcode(data=data, kind=kind):
            return [BarcodeLine(data, kind)]
        case Logo(png=png):
            return [LogoLine(png)]
        case Cut(partial=partial):
            return [CutLine(partial)]
        case DrawerKick(pin=pin):
            return [DrawerLine(pin)]
    raise TypeError(f"not a block: {block!r}")  # pragma: no cover - Document refuses these


def layout(document: Document, columns: int) -> tuple[Line, ...]:
    """Lay a document out for a printer ``columns`` characters wide.

    Every :class:`TextLine` fits: its text times the size's width multiplier is at
    most ``columns`` characters.
    """
    if columns < 16:
        raise ValueError(f"columns must be at least 16, not {columns}")
    return tuple(line for block in document.blocks for line in _block_lines(block, columns))
