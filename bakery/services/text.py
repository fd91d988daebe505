"""Cleaning what people type before it is stored: shared by every area."""

from __future__ import annotations

import unicodedata

from bakery.services.errors import ServiceError


def clean_name(text: str, field: str, limit: int = 60) -> str:
    """Trim a name; refuse empty or over-long text with a message naming the field."""
    value = " ".join((text or "").split())
    if not value:
        raise ServiceError(f"Enter a {field}.")
    if len(value) > limit:
        raise ServiceError(f"The {field} can be at most {limit} characters.")
    return value


def printable_name(text: str, field: str, limit: int = 60) -> str:
    """`clean_name`, and refuse control and format characters (they break receipts and labels)."""
    value = clean_name(text, field, limit)
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
        raise ServiceError(f"The {field} contains characters that cannot be printed.")
    return value


def optional_text(text: str | None, field: str, limit: int) -> str:
    """Free text that may be blank: spaces collapsed, at most `limit` characters, printable."""
    value = " ".join((text or "").split())
    if len(value) > limit:
        raise ServiceError(f"The {field} can be at most {limit} characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
        raise ServiceError(f"The {field} contains characters that cannot be printed.")
    return value
