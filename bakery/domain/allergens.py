"""The 14 allergens UK food law names, and the words that show one in an ingredient list.

PPDS labels (Natasha's Law) must emphasise the allergens inside the ingredient list itself: the
word that names the allergen (wheat, milk, egg) is emphasised where it appears, and where an
ingredient's name does not say it (butter says milk only to those who know) the allergen is added
after it in brackets, emphasised.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Allergen:
    """One of the 14: its code, its name in a list, the word added after an ingredient that does
    not name it, and the words that name it in an ingredient's text."""

    code: str
    name: str
    short: str
    words: tuple[str, ...]


ALLERGENS: tuple[Allergen, ...] = (
    Allergen("celery", "Celery", "celery", ("celery", "celeriac")),
    Allergen(
        "gluten",
        "Cereals containing gluten",
        "gluten",
        ("wheat", "rye", "barley", "oat", "oats", "spelt", "kamut", "gluten"),
    ),
    Allergen(
        "crustaceans",
        "Crustaceans",
        "crustaceans",
        ("crab", "lobster", "prawn", "prawns", "shrimp", "crustacean", "crustaceans"),
    ),
    Allergen("eggs", "Eggs", "egg", ("egg", "eggs")),
    Allergen("fish", "Fish", "fish", ("fish", "anchovy", "anchovies", "salmon", "tuna", "mackerel")),
    Allergen("lupin", "Lupin", "lupin", ("lupin",)),
    Allergen(
        "milk",
        "Milk",
        "milk",
        ("milk", "butter", "buttermilk", "cream", "cheese", "yoghurt", "yogurt", "whey", "lactose"),
    ),
    Allergen(
        "molluscs",
        "Molluscs",
        "molluscs",
        ("mussel", "mussels", "oyster", "oysters", "squid", "mollusc", "molluscs", "scallop", "scallops"),
    ),
    Allergen("mustard", "Mustard", "mustard", ("mustard",)),
    Allergen(
        "nuts",
        "Tree nuts",
        "nuts",
        (
            "almond",
            "almonds",
            "hazelnut",
            "hazelnuts",
            "walnut",
            "walnuts",
            "cashew",
            "cashews",
            "pecan",
            "pecans",
            "pistachio",
            "pistachios",
            "macadamia",
            "nuts",
        ),
    ),
    Allergen("peanuts", "Peanuts", "peanuts", ("peanut", "peanuts", "groundnut", "groundnuts")),
    Allergen("sesame", "Sesame", "sesame", ("sesame",)),
    Allergen("soya", "Soya", "soya", ("soya", "soy", "soybean", "soybeans")),
    Allergen(
        "sulphites",
        "Sulphur dioxide and sulphites",
        "sulphites",
        ("sulphite", "sulphites", "sulphur", "sulfite", "sulfites"),
    ),
)

BY_CODE: dict[str, Allergen] = {a.code: a for a in ALLERGENS}

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


class AllergenError(ValueError):
    """An allergen code that is not one of the 14."""


def read_codes(codes: Iterable[str]) -> frozenset[str]:
    """The allergen codes given, checked against the 14 (an unknown code is refused, not dropped)."""
    chosen = frozenset(c.strip() for c in codes if c and c.strip())
    unknown = sorted(chosen - BY_CODE.keys())
    if unknown:
        raise AllergenError(f"{', '.join(unknown)} is not one of the 14 allergens.")
    return chosen


def stored(codes: Iterable[str]) -> str:
    """Codes as stored in one column: in the law's order, comma-separated ('' for none)."""
    chosen = set(codes)
    return ",".join(a.code for a in ALLERGENS if a.code in chosen)


def from_stored(text: str | None) -> frozenset[str]:
    """The codes a column holds."""
    return frozenset(c for c in (text or "").split(",") if c in BY_CODE)


def names(codes: Iterable[str]) -> list[str]:
    """The allergens' names, in the law's order."""
    chosen = set(codes)
    return [a.name for a in ALLERGENS if a.code in chosen]


def emphasise(text: str, codes: Iterable[str]) -> list[tuple[str, bool]]:
    """`text` split into (piece, emphasised) where each word naming one of `codes` is emphasised;
    an allergen the text does not name is added after it in brackets, emphasised.

    Rule: the emphasis must sit inside the ingredient list (not only in a separate "contains"
    line), and every allergen present must be emphasised at least once.
    """
    chosen = [BY_CODE[c] for c in sorted(set(codes), key=list(BY_CODE).index)]
    pieces: list[tuple[str, bool]] = []
    named: set[str] = set()
    position = 0
    for match in WORD.finditer(text):
        word = match.group(0).lower()
        hits = [a.code for a in chosen if word in a.words]
        if not hits:
            continue
        if match.start() > position:
            pieces.append((text[position : match.start()], False))
        pieces.append((match.group(0), True))
        named.update(hits)
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    missing = [a.short for a in chosen if a.code not in named]
    if missing:
        pieces.append((" (", False))
        for index, short in enumerate(missing):
            if index:
                pieces.append((", ", False))
            pieces.append((short, True))
        pieces.append((")", False))
    return joined(pieces)


def joined(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Neighbouring pieces with the same emphasis as one piece; empty pieces dropped."""
    merged: list[tuple[str, bool]] = []
    for text, bold in pieces:
        if merged and merged[-1][1] == bold:
            merged[-1] = (merged[-1][0] + text, bold)
        elif text:
            merged.append((text, bold))
    return merged
