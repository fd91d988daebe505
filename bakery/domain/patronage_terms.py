"""What a member class's patronage is, in the members' own words.

A member class measures patronage one way (`hours`, `purchases` or `none`), and every page and
statement that shows a patronage figure names it by that measure: a worker's figure is their
approved hours, a customer's their purchases net of VAT and refunds, and a class whose patronage
is not measured has no figure at all. Nothing here knows class names: classes are data.
"""

from __future__ import annotations

#: What a class's patronage figure is, by measure (lower case, to follow "your" or "all …").
_BASIS = {
    "hours": "approved hours",
    "purchases": "purchases net of VAT and refunds",
    "none": "patronage (not measured)",
}


def basis(measure: str) -> str:
    """What a patronage figure of this measure is: "approved hours", "purchases net of VAT and
    refunds", or "patronage (not measured)".

    Rule: an unknown measure reads as not measured, never as money or time.
    """
    return _BASIS.get(measure, _BASIS["none"])


def own_label(measure: str, *, so_far: bool = False) -> str:
    """The label of a member's own patronage figure: "Your approved hours so far"."""
    return f"Your {basis(measure)}" + (" so far" if so_far else "")


def class_label(measure: str, class_name: str, *, so_far: bool = False) -> str:
    """The label of a whole class's patronage: "Approved hours of all worker members so far"."""
    text = basis(measure)
    return f"{text[:1].upper()}{text[1:]} of all {class_name} members" + (" so far" if so_far else "")


def how_measured(measure: str, class_name: str) -> str:
    """One sentence telling a member what their share of the dividend is measured by.

    Rule: hours and purchases name the figure; a class that measures nothing says that its
    members earn no share of the dividend pool by patronage.
    """
    if measure == "hours":
        return (
            f"As a {class_name} member, your share of the dividend is measured by your approved hours, "
            "not by what you buy."
        )
    if measure == "purchases":
        return (
            f"As a {class_name} member, your share of the dividend is measured by your purchases "
            "with your card, net of VAT and refunds."
        )
    return (
        f"{class_name[:1].upper()}{class_name[1:]} members' patronage is not measured, so neither "
        "hours nor purchases earn a share of the dividend."
    )
