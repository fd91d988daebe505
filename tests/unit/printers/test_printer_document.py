"""Documents: validation and the versioned JSON form."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from printers.document import (
    ALIGNS,
    QR,
    SIZES,
    Barcode,
    Columns,
    Cut,
    Document,
    DocumentError,
    DrawerKick,
    Feed,
    Logo,
    Rule,
    Text,
    document_from_dict,
    document_from_json,
    document_to_dict,
    document_to_json,
)
from tests.unit.printers.printer_samples import golden_receipt


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (8, 8)).save(buffer, format="PNG")
    return buffer.getvalue()


_texts = st.text(max_size=60)
blocks = st.one_of(
    st.builds(
        Text,
        _texts,
        bold=st.booleans(),
        align=st.sampled_from(ALIGNS),
        size=st.sampled_from(SIZES),
        underline=st.booleans(),
    ),
    st.builds(Columns, _texts, _texts, bold=st.booleans()),
    st.builds(Rule, st.sampled_from(["-", "=", "*", "\u2500", "~"])),
    st.builds(Feed, st.integers(1, 20)),
    st.builds(QR, st.text(min_size=1, max_size=100), size=st.integers(1, 16)),
    st.builds(Barcode, st.from_regex(r"[0-9]{13}", fullmatch=True), kind=st.just("EAN13")),
    st.builds(Barcode, st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True)),
    st.just(Logo(_png())),
    st.builds(Cut, partial=st.booleans()),
    st.builds(DrawerKick, st.sampled_from([None, 2, 5])),
)
documents = st.builds(
    Document,
    kind=st.sampled_from(["receipt", "kitchen", "z-report"]),
    blocks=st.lists(blocks, max_size=12).map(tuple),
    title=_texts,
)


@settings(max_examples=150, deadline=None)
@given(documents)
def test_any_document_survives_a_json_round_trip_exactly(document: Document) -> None:
    assert document_from_json(document_to_json(document)) == document


def test_the_json_carries_version_1_and_readable_unicode() -> None:
    text = document_to_json(golden_receipt())

    assert json.loads(text)["version"] == 1
    assert "Łukasz Żółć" in text
    assert document_from_dict(document_to_dict(golden_receipt())) == golden_receipt()


@pytest.mark.parametrize("version", [2, 0, "1", None, 1.0])
def test_an_unknown_version_is_refused_with_a_clear_message(version: object) -> None:
    data = document_to_dict(golden_receipt()) | {"version": version}

    with pytest.raises(DocumentError, match="version"):
        document_from_dict(data)


def test_an_unknown_block_type_is_refused_naming_the_block() -> None:
    data = document_to_dict(Document("receipt", (Text("a"), Cut())))
    data["blocks"][1]["type"] = "hologram"

    with pytest.raises(DocumentError, match=r"blocks\[1\].*hologram"):
        document_from_dict(data)


def test_an_unknown_field_is_refused_rather_than_ignored() -> None:
    data = document_to_dict(Document("receipt", (Text("a"),)))
    data["blocks"][0]["colour"] = "red"

    with pytest.raises(DocumentError, match="colour"):
        document_from_dict(data)


def test_a_document_from_a_newer_server_is_refused_from_json_too() -> None:
    with pytest.raises(DocumentError, match="unsupported document version 2"):
        document_from_json('{"version":2,"kind":"r","blocks":[]}')


def test_money_as_a_float_is_refused() -> None:
    text = '{"version":1,"kind":"r","blocks":[{"type":"columns","left":"Bun","right":2.5}]}'

    with pytest.raises(DocumentError, match="fractions"):
        document_from_json(text)


def test_a_wrongly_typed_field_is_refused_with_its_path() -> None:
    text = '{"version":1,"kind":"r","blocks":[{"type":"text","text":"x","bold":"yes"}]}'

    with pytest.raises(DocumentError, match=r"blocks\[0\].*bold"):
        document_from_json(text)


def test_malformed_json_is_a_document_error() -> None:
    with pytest.raises(DocumentError, match="not valid JSON"):
        document_from_json("{")


def test_missing_optional_fields_take_their_defaults() -> None:
    text = '{"version":1,"kind":"r","blocks":[{"type":"text","text":"x"},{"type":"cut"}]}'

    assert document_from_json(text) == Document("r", (Text("x"), Cut()))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Text("x", align="justify"),  # type: ignore[arg-type]
        lambda: Text("x", size="huge"),  # type: ignore[arg-type]
        lambda: Rule("--"),
        lambda: Feed(0),
        lambda: QR(""),
        lambda: QR("x", size=17),
        lambda: Barcode("12345", kind="EAN13"),
        lambda: Barcode("café"),
        lambda: Logo(b"GIF89a"),
        lambda: DrawerKick(3),
        lambda: Document("", ()),
        lambda: Document("r", [Text("x")]),  # type: ignore[arg-type]
        lambda: Document("r", ("text",)),  # type: ignore[arg-type]
    ],
)
def test_impossible_blocks_are_refused_when_built(make: object) -> None:
    with pytest.raises(DocumentError):
        make()  # type: ignore[operator]


def test_documents_are_immutable() -> None:
    document = golden_receipt()

    with pytest.raises(AttributeError):
        document.kind = "refund"  # type: ignore[misc]
