"""Printable documents: immutable blocks plus their versioned JSON form.

A document says *what* to print (text, two-column money lines, rules, codes, a
cut), never *how*: widths, code pages and printer commands belong to the
renderers. Money arrives as already-formatted text; floats never appear.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

Align = Literal["left", "center", "right"]
Size = Literal["normal", "double", "tall", "wide"]
BarcodeKind = Literal["CODE128", "EAN13", "EAN8", "UPC-A", "CODE39"]

ALIGNS: Final[tuple[str, ...]] = get_args(Align)
SIZES: Final[tuple[str, ...]] = get_args(Size)
BARCODE_KINDS: Final[tuple[str, ...]] = get_args(BarcodeKind)

JSON_VERSION: Final = 1

_BARCODE_PATTERNS: Final[dict[str, re.Pattern[str]]] = {
    "CODE128": re.compile(r"[\x20-\x7e]{1,80}"),
    "EAN13": re.compile(r"[0-9]{12,13}"),
    "EAN8": re.compile(r"[0-9]{7,8}"),
    "UPC-A": re.compile(r"[0-9]{11,12}"),
    "CODE39": re.compile(r"[0-9A-Z \-.$/+%]{1,40}"),
}
_PNG_MAGIC: Final = b"\x89PNG\r\n\x1a\n"


class DocumentError(ValueError):
    """A document, block or its JSON form is invalid; the message says which part and why."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise DocumentError(message)


def _require_str(value: object, name: str) -> None:
    _require(isinstance(value, str), f"{name} must be a string, not {type(value).__name__}")


def _require_bool(value: object, name: str) -> None:
    _require(isinstance(value, bool), f"{name} must be true or false, not {value!r}")


def _require_int(value: object, name: str, low: int, high: int) -> None:
    _require(
        isinstance(value, int) and not isinstance(value, bool) and low <= value <= high,
        f"{name} must be a whole number from {low} to {high}, not {value!r}",
    )


@dataclass(frozen=True, slots=True)
class Text:
    """A paragraph of text; long text wraps to the paper width, explicit newlines are kept."""

    text: str
    bold: bool = False
    align: Align = "left"
    size: Size = "normal"
    underline: bool = False

    def __post_init__(self) -> None:
        """Refuse wrong types and unknown alignments or sizes."""
        _require_str(self.text, "Text.text")
        _require_bool(self.bold, "Text.bold")
        _require_bool(self.underline, "Text.underline")
        _require(self.align in ALIGNS, f"Text.align must be one of {ALIGNS}, not {self.align!r}")
        _require(self.size in SIZES, f"Text.size must be one of {SIZES}, not {self.size!r}")


@dataclass(frozen=True, slots=True)
class Rich:
    """A paragraph whose pieces are each plain or emphasised (bold), wrapped like :class:`Text`:
    the allergens inside a PPDS label's ingredient list. Newlines are read as spaces."""

    pieces: tuple[tuple[str, bool], ...]
    align: Align = "left"

    def __post_init__(self) -> None:
        """Refuse anything but (text, bold) pairs; JSON's lists are kept as tuples."""
        _require(isinstance(self.pieces, tuple | list), "Rich.pieces must be a list of [text, bold] pairs")
        pairs = []
        for index, piece in enumerate(self.pieces):
            _require(
                isinstance(piece, tuple | list) and len(piece) == 2,
                f"Rich.pieces[{index}] must be a [text, bold] pair, not {piece!r}",
            )
            _require_str(piece[0], f"Rich.pieces[{index}] text")
            _require_bool(piece[1], f"Rich.pieces[{index}] bold")
            pairs.append((piece[0], piece[1]))
        object.__setattr__(self, "pieces", tuple(pairs))
        _require(self.align in ALIGNS, f"Rich.align must be one of {ALIGNS}, not {self.align!r}")

    @property
    def text(self) -> str:
        """The paragraph without its emphasis."""
        return "".join(text for text, _ in self.pieces)


@dataclass(frozen=True, slots=True)
class Columns:
    """A description and an amount on one line; the amount is flush right on the FIRST line.

    When the description is too long it wraps inside the left column and the
    continuation lines leave the amount column blank.
    """

    left: str
    right: str
    bold: bool = False

    def __post_init__(self) -> None:
        """Refuse wrong types."""
        _require_str(self.left, "Columns.left")
        _require_str(self.right, "Columns.right")
        _require_bool(self.bold, "Columns.bold")


@dataclass(frozen=True, slots=True)
class Rule:
    """A full-width line made of one repeated character."""

    char: str = "-"

    def __post_init__(self) -> None:
        """Refuse anything but one printable character."""
        _require_str(self.char, "Rule.char")
        _require(
            len(self.char) == 1 and self.char.isprintable() and not self.char.isspace(),
            f"Rule.char must be one visible character, not {self.char!r}",
        )


@dataclass(frozen=True, slots=True)
class Feed:
    """Blank lines."""

    lines: int = 1

    def __post_init__(self) -> None:
        """Refuse counts outside 1..20."""
        _require_int(self.lines, "Feed.lines", 1, 20)


@dataclass(frozen=True, slots=True)
class QR:
    """A QR code; size is the module size in printer dots (1..16), centred on the paper."""

    data: str
    size: int = 6

    def __post_init__(self) -> None:
        """Refuse empty data, over-long data and sizes outside 1..16."""
        _require_str(self.data, "QR.data")
        _require(0 < len(self.data.encode("utf-8")) <= 700, "QR.data must be 1..700 bytes")
        _require_int(self.size, "QR.size", 1, 16)


@dataclass(frozen=True, slots=True)
class Barcode:
    """A one-dimensional barcode; the data must fit the kind (e.g. EAN13 is 12-13 digits)."""

    data: str
    kind: BarcodeKind = "CODE128"

    def __post_init__(self) -> None:
        """Refuse unknown kinds and data the kind cannot encode."""
        _require_str(self.data, "Barcode.data")
        _require(
            self.kind in BARCODE_KINDS,
            f"Barcode.kind must be one of {BARCODE_KINDS}, not {self.kind!r}",
        )
        _require(
            _BARCODE_PATTERNS[self.kind].fullmatch(self.data) is not None,
            f"Barcode.data {self.data!r} cannot be encoded as {self.kind}",
        )


@dataclass(frozen=True, slots=True)
class Logo:
    """A PNG picture (bytes, not a path: the document travels to another machine)."""

    png: bytes

    def __post_init__(self) -> None:
        """Refuse anything that is not PNG data."""
        _require(
            isinstance(self.png, bytes) and self.png.startswith(_PNG_MAGIC),
            "Logo.png must be the bytes of a PNG file",
        )


@dataclass(frozen=True, slots=True)
class Cut:
    """Cut the paper (partial leaves a hinge); printers without a cutter feed to the tear bar."""

    partial: bool = False

    def __post_init__(self) -> None:
        """Refuse wrong types."""
        _require_bool(self.partial, "Cut.partial")


@dataclass(frozen=True, slots=True)
class DrawerKick:
    """Open the cash drawer; pin None means the printer profile's pin, else 2 or 5."""

    pin: int | None = None

    def __post_init__(self) -> None:
        """Refuse pins other than 2, 5 or None."""
        _require(
            self.pin is None or (type(self.pin) is int and self.pin in (2, 5)),
            f"DrawerKick.pin must be 2, 5 or None, not {self.pin!r}",
        )


Block = Text | Rich | Columns | Rule | Feed | QR | Barcode | Logo | Cut | DrawerKick
BLOCK_TYPES: Final[tuple[type[Block], ...]] = get_args(Block)


@dataclass(frozen=True, slots=True)
class Document:
    """A printable document: a kind ("receipt", "kitchen", ...), blocks in order and a title."""

    kind: str
    blocks: tuple[Block, ...]
    title: str = ""

    def __post_init__(self) -> None:
        """Refuse an empty kind, a non-tuple of blocks or foreign objects among the blocks."""
        _require_str(self.kind, "Document.kind")
        _require(self.kind.strip() != "", "Document.kind must not be empty")
        _require_str(self.title, "Document.title")
        _require(isinstance(self.blocks, tuple), "Document.blocks must be a tuple")
        for index, block in enumerate(self.blocks):
            _require(
                isinstance(block, BLOCK_TYPES),
                f"Document.blocks[{index}] is a {type(block).__name__}, not a block",
            )


# --- JSON ------------------------------------------------------------------------------

_TYPE_NAMES: Final[dict[type[Block], str]] = {
    Text: "text",
    Rich: "rich",
    Columns: "columns",
    Rule: "rule",
    Feed: "feed",
    QR: "qr",
    Barcode: "barcode",
    Logo: "logo",
    Cut: "cut",
    DrawerKick: "drawer_kick",
}
_TYPES_BY_NAME: Final[dict[str, type[Block]]] = {name: t for t, name in _TYPE_NAMES.items()}


def _block_to_dict(block: Block) -> dict[str, Any]:
    fields: dict[str, Any] = {"type": _TYPE_NAMES[type(block)]}
    for name in block.__slots__:
        value = getattr(block, name)
        fields[name] = base64.b64encode(value).decode("ascii") if name == "png" else value
    return fields


def _block_from_dict(raw: object, index: int) -> Block:
    where = f"blocks[{index}]"
    if not isinstance(raw, dict):
        raise DocumentError(f"{where} must be an object")
    fields = dict(raw)
    type_name = fields.pop("type", None)
    block_type = _TYPES_BY_NAME.get(type_name) if isinstance(type_name, str) else None
    if block_type is None:
        raise DocumentError(f"{where} has unknown block type {type_name!r}")
    unknown = sorted(set(fields) - set(block_type.__slots__))
    _require(not unknown, f"{where} ({type_name}) has unknown fields {unknown}")
    if block_type is Logo and "png" in fields:
        _require_str(fields["png"], f"{where}.png")
        try:
            fields["png"] = base64.b64decode(fields["png"], validate=True)
        except binascii.Error as error:
            raise DocumentError(f"{where}.png is not valid base64") from error
    try:
        return block_type(**fields)
    except TypeError as error:
        raise DocumentError(f"{where} ({type_name}): {error}") from error
    except DocumentError as error:
        raise DocumentError(f"{where}: {error}") from error


def document_to_dict(document: Document) -> dict[str, Any]:
    """Turn a document into plain JSON-ready data carrying ``"version": 1``; every field is kept."""
    return {
        "version": JSON_VERSION,
        "kind": document.kind,
        "title": document.title,
        "blocks": [_block_to_dict(block) for block in document.blocks],
    }


def document_from_dict(data: object) -> Document:
    """Rebuild a document from :func:`document_to_dict` data; unknown versions, block types
    or fields raise :class:`DocumentError` (a newer server must not be half-understood)."""
    if not isinstance(data, dict):
        raise DocumentError("a document must be a JSON object")
    version = data.get("version")
    _require(
        type(version) is int and version == JSON_VERSION,
        f"unsupported document version {version!r} (this printer code reads version {JSON_VERSION})",
    )
    unknown = sorted(set(data) - {"version", "kind", "title", "blocks"})
    _require(not unknown, f"document has unknown fields {unknown}")
    blocks = data.get("blocks")
    if not isinstance(blocks, list):
        raise DocumentError("document.blocks must be a list")
    return Document(
        kind=data.get("kind"),  # type: ignore[arg-type]  # checked in __post_init__
        title=data.get("title", ""),
        blocks=tuple(_block_from_dict(raw, i) for i, raw in enumerate(blocks)),
    )


def _refuse_float(text: str) -> object:
    raise DocumentError(f"numbers with fractions ({text}) are not allowed in documents")


def document_to_json(document: Document) -> str:
    """Serialise a document to compact JSON text with ``"version": 1``; round trips exactly."""
    return json.dumps(document_to_dict(document), ensure_ascii=False, separators=(",", ":"))


def document_from_json(text: str | bytes) -> Document:
    """Parse :func:`document_to_json` output; malformed JSON, floats, unknown versions or
    block types raise :class:`DocumentError`."""
    try:
        data = json.loads(text, parse_float=_refuse_float, parse_constant=_refuse_float)
    except (ValueError, UnicodeDecodeError) as error:
        if isinstance(error, DocumentError):
            raise
        raise DocumentError(f"document is not valid JSON: {error}") from error
    return document_from_dict(data)
