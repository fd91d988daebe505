"""Cleaning what people type before it is stored: shared by every area."""

from __future__ import annotations

from bakery.services.errors import ServiceError


def clean_name(text: str, field: str, limit: int = 60) -> str:
    """Trim a name; refuse empty or over-long text with a message naming the field."""
    value = " ".join((text or "").split())
    if not value:
        raise ServiceError(f"Enter a {field}.")
    if len(value) > limit:
        raise ServiceError(f"The {field} can be at most {limit} characters.")
    return value
