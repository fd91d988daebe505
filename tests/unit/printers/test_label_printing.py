"""PPDS labels on paper: the roll's ESC/POS never selects Font B and emphasises each allergen inside
the ingredient list; the A4 sheet carries the same text; a Rich paragraph wraps and round trips."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import date

import pytest

from bakery.domain import recipes as rules
from bakery.services.stock.labels import label_document
from bakery.services.stock.recipes import ProductFacts
from printers import PROFILES, Document, Rich, document_from_json, document_to_json, render_escpos
from printers.escpos_decode import PaperLine, decode_escpos
from printers.label_sheet import LabelTooLong, render_label_sheet
from printers.layout import layout, wrap_rich

ITEMS = {
    1: rules.ItemFacts(1, "Wheat flour", "g", allergens=frozenset({"gluten"})),
    2: rules.ItemFacts(2, "Water", "ml"),
    3: rules.ItemFacts(3, "Butter", "g", allergens=frozenset({"milk"}), may_contain=frozenset({"nuts"})),
    4: rules.ItemFacts(4, "Toasted seeds", "g", allergens=frozenset({"sesame"})),
}
RECIPES = {
    10: rules.RecipeFacts(10, "Dough", 1000, "g", (rules.Part(600, 1), rules.Part(400, 2))),
    11: rules.RecipeFacts(
        11, "Seeded loaf", 1, "each", (rules.Part(800, recipe_id=10), rules.Part(100, 3), rules.Part(20, 4))
    ),
}


def seeded_label() -> Document:
    contains, may = rules.allergens_of(11, RECIPES, ITEMS)
    pieces = rules.label_text(rules.ingredient_list(11, RECIPES, ITEMS))
    facts = ProductFacts(120, contains, may, pieces)
    return label_document(
        "Seeded loaf", facts, best_before=date(2026, 12, 5), code="261203-4-1", shop="Our Bakery Co-op"
    )


def bold_words(lines: list[PaperLine]) -> set[str]:
    return {
        word.strip(" ,.():").lower()
        for line in lines
        for text, bold in line.spans
        if bold
        for word in text.split()
    }


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_a_label_on_the_roll_never_selects_font_b_and_emphasises_each_allergen(name):
    profile = PROFILES[name]
    raw = render_escpos(seeded_label(), profile)
    job = decode_escpos(raw)
    lines = [item for item in job.items if isinstance(item, PaperLine)]

    assert all(line.fonts == {"A"} for line in lines)
    assert b"\x1bM\x01" not in raw and b"\x1bM1" not in raw
    assert job.unknown == ()
    # Each allergen is emphasised inside the ingredient list, where its word stands (the sesame
    # added in brackets after the seeds, which do not name it).
    assert {"wheat", "butter", "sesame"} <= bold_words(lines)
    text = job.text
    assert "Ingredients: Dough (Wheat flour" in text.replace("\n", " ")
    assert "May contain: Tree nuts." in text
    assert "Best before: 5 Dec 2026" in text
    assert "Batch: 261203-4-1" in text
    assert all(len(line.text) * line.width <= profile.columns for line in lines)
    assert job.cut == profile.cutter


def test_words_that_name_no_allergen_are_not_emphasised():
    lines = [
        i
        for i in decode_escpos(render_escpos(seeded_label(), PROFILES["generic-58"])).items
        if isinstance(i, PaperLine)
    ]
    assert not {"water", "dough", "flour", "toasted", "seeds"} & bold_words(lines)


def test_an_emphasised_paragraph_wraps_between_words_and_keeps_its_emphasis():
    pieces = (("Ingredients: ", True), ("Dough (", False), ("Wheat", True), (" flour, Water), Butter", False))
    lines = wrap_rich(pieces, 16)

    assert ["".join(t for t, _ in line) for line in lines] == [
        "Ingredients:",
        "Dough (Wheat",
        "flour, Water),",
        "Butter",
    ]
    assert lines[1] == (("Dough (", False), ("Wheat", True))
    assert wrap_rich((("Supercalifragilistic", True),), 8) == [
        (("Supercal", True),),
        (("ifragili", True),),
        (("stic", True),),
    ]


def test_a_rich_paragraph_round_trips_through_json_and_lays_out_to_the_width():
    document = Document("label", (Rich((("a ", False), ("milk", True)), align="center"),))
    again = document_from_json(document_to_json(document))

    assert again == document
    assert [line.spans for line in layout(again, 16)] == [(("a ", False), ("milk", True))]


@pytest.mark.parametrize("pieces", [(("a", "yes"),), (("a",),), "text", ((1, True),)])
def test_a_rich_paragraph_refuses_anything_but_text_and_bold_pairs(pieces):
    with pytest.raises(ValueError, match="Rich"):
        Rich(pieces)


def page_texts(pdf: bytes) -> list[str]:
    """What each page's content stream draws (reportlab writes them ASCII85 and Flate encoded)."""
    texts = []
    for raw in re.findall(rb"stream\r?\n(.*?)~>endstream", pdf, re.S):
        data = zlib.decompress(base64.a85decode(raw + b"~>", adobe=True))
        if b" Tj" in data or b"TJ" in data:
            texts.append(data.decode("latin-1"))
    return texts


def test_an_a4_sheet_holds_eight_labels_a_page_with_the_same_text():
    pages = page_texts(render_label_sheet(seeded_label(), 10))

    assert len(pages) == 2
    assert pages[0].count("(Seeded loaf)") == 8
    assert "Batch: 261203-4-1" in pages[0]
    assert "May contain: Tree nuts." in pages[0]
    assert pages[1].count("(Seeded loaf)") == 2


def test_an_a4_label_too_long_even_at_seven_points_is_refused():
    long = Document("label", (Rich(tuple((f"ingredient {n}, ", n % 2 == 0) for n in range(600))),))
    with pytest.raises(LabelTooLong):
        render_label_sheet(long, 1)
