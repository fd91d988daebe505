"""What a cashier typed or scanned into the till's member field: a number, a card code or a name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

#: A member card's QR holds a random code of 32 lower-case hex digits (members.new_card_code).
CARD_CODE = re.compile(r"^[0-9a-f]{32}$")
#: Fewest letters of a name worth searching for: fewer match half the register.
MIN_NAME_LETTERS = 3
#: Most names offered to pick from; more means the cashier types more of the name.
MAX_MATCHES = 8

Kind = Literal["code", "number", "name", "too_short"]


@dataclass(frozen=True)
class MemberQuery:
    """The cleaned lookup: its kind and the text to match (a number's letters and digits only)."""

    kind: Kind
    text: str


def number_key(number: str) -> str:
    """A membership number as compared: letters and digits only, upper case ("m-0101" → "M0101")."""
    return "".join(ch for ch in number.upper() if ch.isascii() and ch.isalnum())


def read_member_query(typed: str) -> MemberQuery:
    """Classify what was typed or scanned.

    Rule: 32 hex digits are a card's code; anything with a digit is a membership number, compared
    by its letters and digits only, so "M-0101", "m0101" and "0101" all name M-0101 (digits alone
    match a number whose part before them is letters only); otherwise it is a name, searched from
    three letters on.
    """
    text = " ".join((typed or "").split())
    if CARD_CODE.match(text.lower()):
        return MemberQuery("code", text.lower())
    if any(ch.isascii() and ch.isdigit() for ch in text):
        return MemberQuery("number", number_key(text))
    letters = sum(1 for ch in text if ch.isalpha())
    if letters < MIN_NAME_LETTERS:
        return MemberQuery("too_short", text)
    return MemberQuery("name", text)


def number_matches(stored: str, key: str) -> bool:
    """True when a stored membership number is the one typed (as `number_key`): equal, or the
    typed digits with the stored number's letter prefix left off."""
    full = number_key(stored)
    if full == key:
        return True
    return key.isdigit() and full.endswith(key) and full[: len(full) - len(key)].isalpha()
