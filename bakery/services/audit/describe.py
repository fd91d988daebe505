"""The audit log in plain words: each event as one sentence, with names looked up once per page."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import (
    Allocation,
    AuditEvent,
    Basket,
    Category,
    Delivery,
    FinancialPeriod,
    Member,
    MemberClass,
    ModifierGroup,
    Partner,
    Printer,
    Product,
    Recipe,
    Sale,
    StockItem,
    Supplier,
    TaxCategory,
    Till,
    TillDevice,
    TimeEntry,
    User,
)
from bakery.services.audit.sentences import ABSOLUTE_MONEY, FALLBACK, MONEY, SENTENCES

Ref = tuple[str, int]

_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_PART = re.compile(r"\{([a-z_]+)\}")
#: Details that point at another row, and the kind of row.
_DETAIL_REFS = {"authorised_by": "user", "refund": "sale", "device": "device", "period_id": "period"}
#: Changed fields that hold a row's id, and the kind of row (shown by its name).
_FIELD_REFS = {"category_id": "category", "tax_category_id": "tax_category", "class_id": "member_class"}
_MAX_CHANGES = 6


@dataclass(frozen=True)
class Formats:
    """How the page shows money, rates and times (the shop's currency, locale and timezone)."""

    money: Callable[[int], str]
    rate: Callable[[int], str]
    when: Callable[[datetime], str]


@dataclass(frozen=True)
class Described:
    """An audit event and the sentence that tells it."""

    event: AuditEvent
    sentence: str


def describe_events(events: Sequence[AuditEvent], formats: Formats) -> list[Described]:
    """Each event as a sentence: people, tills and targets by name, amounts as money.

    Rule: names are loaded with one query per kind of row for the whole page, never per event;
    an action without a template still reads as a sentence, and no raw details are shown.
    """
    parsed = [(event, _details(event)) for event in events]
    wanted: dict[str, set[int]] = defaultdict(set)
    for event, details in parsed:
        for kind, ident in _refs(event, details):
            wanted[kind].add(ident)
    names = _load_names(wanted, formats)
    return [Described(event, _sentence(event, details, names, formats)) for event, details in parsed]


# --- reading an event ------------------------------------------------------------------------


def _details(event: AuditEvent) -> dict[str, Any]:
    try:
        loaded = json.loads(event.details or "{}")
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _target_ref(target: str) -> Ref | None:
    kind, _, ident = target.partition(":")
    if ident.isascii() and ident.isdigit():
        return kind, int(ident)
    return None


def _refs(event: AuditEvent, details: dict[str, Any]) -> Iterable[Ref]:
    if event.actor_id is not None:
        yield "user", event.actor_id
    if event.till_id is not None:
        yield "till", event.till_id
    target = _target_ref(event.target or "")
    if target is not None:
        yield target
    for key, kind in _DETAIL_REFS.items():
        value = details.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            yield kind, value
    for field, change in _changes(event, details).items():
        kind_of = _FIELD_REFS.get(field)
        if kind_of:
            for value in _before_after(change):
                if isinstance(value, int) and not isinstance(value, bool):
                    yield kind_of, value


# --- names, one query per kind ---------------------------------------------------------------


def _load_names(wanted: dict[str, set[int]], formats: Formats) -> dict[Ref, str]:
    names: dict[Ref, str] = {}

    def simple(kind: str, model: Any, label: Callable[[str], str] = lambda name: name) -> None:
        if wanted.get(kind):
            for ident, name in db.session.execute(
                select(model.id, model.name).where(model.id.in_(wanted[kind]))
            ):
                names[kind, ident] = label(name)

    if wanted.get("user"):
        rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted["user"])))
        names.update({("user", ident): name for ident, name in rows})
    simple("till", Till)
    simple("product", Product)
    simple("stock_item", StockItem)
    simple("recipe", Recipe)
    simple("supplier", Supplier)
    simple("partner", Partner)
    if wanted.get("delivery"):
        rows = db.session.execute(
            select(Delivery.id, Delivery.delivered_on, Supplier.name)
            .outerjoin(Supplier, Supplier.id == Delivery.supplier_id)
            .where(Delivery.id.in_(wanted["delivery"]))
        )
        names.update(
            {
                ("delivery", ident): f"the delivery of {day:%d %b %Y}"
                + (f" from {supplier}" if supplier else "")
                for ident, day, supplier in rows
            }
        )
    simple("category", Category)
    simple("tax_category", TaxCategory)
    simple("modifier_group", ModifierGroup)
    simple("printer", Printer)
    simple("member_class", MemberClass)
    simple("period", FinancialPeriod)
    if wanted.get("member"):
        rows = db.session.execute(select(Member.id, Member.number).where(Member.id.in_(wanted["member"])))
        names.update({("member", ident): f"member {number}" for ident, number in rows})
    if wanted.get("device"):
        rows = db.session.execute(
            select(TillDevice.id, TillDevice.label).where(TillDevice.id.in_(wanted["device"]))
        )
        names.update({("device", ident): label or "unnamed" for ident, label in rows})
    if wanted.get("sale"):
        rows = db.session.execute(
            select(Sale.id, Sale.receipt_no, Till.name)
            .join(Till, Till.id == Sale.till_id)
            .where(Sale.id.in_(wanted["sale"]))
        )
        names.update({("sale", ident): f"receipt {no} at {till}" for ident, no, till in rows})
    if wanted.get("basket"):
        rows = db.session.execute(
            select(Basket.id, Till.name)
            .join(Till, Till.id == Basket.till_id)
            .where(Basket.id.in_(wanted["basket"]))
        )
        names.update({("basket", ident): f"an order at {till}" for ident, till in rows})
    if wanted.get("allocation"):
        rows = db.session.execute(
            select(Allocation.id, FinancialPeriod.name)
            .join(FinancialPeriod, FinancialPeriod.id == Allocation.period_id)
            .where(Allocation.id.in_(wanted["allocation"]))
        )
        names.update({("allocation", ident): f"the allocation for {period}" for ident, period in rows})
    if wanted.get("time_entry"):
        rows = db.session.execute(
            select(TimeEntry.id, TimeEntry.clock_in, User.display_name)
            .join(User, User.id == TimeEntry.user_id)
            .where(TimeEntry.id.in_(wanted["time_entry"]))
        )
        names.update(
            {("time_entry", ident): f"{who}'s shift of {formats.when(start)}" for ident, start, who in rows}
        )
    return names


def _name(ref: Ref | None, names: dict[Ref, str], target: str = "") -> str:
    if ref is None:
        return _words(target) if target else ""
    found = names.get(ref)
    if found:
        return found
    # A row that is gone (or never was) still reads as words, never "member:3".
    return {"print_job": "a print job", "basket": "an order", "member": "a member"}.get(
        ref[0], f"a {_words(ref[0])} that no longer exists"
    )


# --- sentences -------------------------------------------------------------------------------


def _sentence(event: AuditEvent, details: dict[str, Any], names: dict[Ref, str], formats: Formats) -> str:
    action = event.action
    parts = _detail_parts(event, details, names, formats)
    actor = names.get(("user", event.actor_id)) if event.actor_id is not None else None
    parts["actor"] = actor or ("The system" if event.till_id is None else "Someone")
    parts["till"] = names.get(("till", event.till_id), "") if event.till_id is not None else ""
    parts["target"] = _name(_target_ref(event.target or ""), names, event.target or "")
    if action == "auth.signed_in":
        parts["place"] = "" if details.get("via") == "till" else "with a password"
    if action == "user.created":
        parts["with_pin"] = "with a till PIN" if details.get("pin") else ""
    if action == "access.denied":
        parts["page"] = _words((event.target or "").rpartition(".")[2]) or "do that"
    if action.startswith("safeguarding."):
        parts = {k: parts[k] for k in ("actor", "till", "target")}
    template = SENTENCES.get(action)
    if template is None:
        parts["what"] = _words(action.replace(".", ": ", 1))
        template = FALLBACK
    return _fill(template, parts)


def _fill(template: str, parts: dict[str, str]) -> str:
    def optional(match: re.Match[str]) -> str:
        inner = match.group(1)
        if all(parts.get(name) for name in _PART.findall(inner)):
            return _PART.sub(lambda m: parts[m.group(1)], inner)
        return ""

    text = _OPTIONAL.sub(optional, template)
    text = _PART.sub(lambda m: parts.get(m.group(1)) or "—", text)
    return text[:1].upper() + text[1:]


def _detail_parts(
    event: AuditEvent, details: dict[str, Any], names: dict[Ref, str], formats: Formats
) -> dict[str, str]:
    parts: dict[str, str] = {}
    for key, value in details.items():
        if key in _DETAIL_REFS and isinstance(value, int) and not isinstance(value, bool):
            parts[key] = names.get((_DETAIL_REFS[key], value), "")
        elif key in MONEY and isinstance(value, int) and not isinstance(value, bool):
            parts[key] = formats.money(abs(value) if key in ABSOLUTE_MONEY else value)
        elif key == "until" and isinstance(value, str):
            parts[key] = _when(value, formats)
        elif isinstance(value, str | int) and not isinstance(value, bool):
            parts[key] = _words(str(value)) if key in ("role", "from", "to", "method") else str(value)
    changes = _changes(event, details)
    if changes:
        parts["changes"] = _list_changes(changes, names, formats)
    return parts


def _changes(event: AuditEvent, details: dict[str, Any]) -> dict[str, Any]:
    if not event.action.endswith(".changed") or event.action.startswith("safeguarding."):
        return {}
    inner = details.get("changes", details)
    return inner if isinstance(inner, dict) else {}


def _before_after(change: Any) -> tuple[Any, ...]:
    if isinstance(change, dict) and "from" in change and "to" in change:
        return change["from"], change["to"]
    if isinstance(change, list | tuple) and len(change) == 2:
        return tuple(change)
    return ()


def _list_changes(changes: dict[str, Any], names: dict[Ref, str], formats: Formats) -> str:
    said = []
    for field, change in list(changes.items())[:_MAX_CHANGES]:
        label = _words(field.removesuffix("_id").removesuffix("_bp"))
        pair = _before_after(change)
        if not pair:
            said.append(f"{label} changed")
            continue
        before, after = (_value(field, value, names, formats) for value in pair)
        said.append(f"{label} from {before} to {after}")
    if len(changes) > _MAX_CHANGES:
        said.append(f"and {len(changes) - _MAX_CHANGES} more")
    return ", ".join(said)


def _value(field: str, value: Any, names: dict[Ref, str], formats: Formats) -> str:
    is_number = isinstance(value, int) and not isinstance(value, bool)
    if value is None or value == "":
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if field in _FIELD_REFS and is_number:
        return names.get((_FIELD_REFS[field], value), "one since removed")
    if field in MONEY and is_number:
        return formats.money(value)
    if field.endswith("_bp") and is_number:
        return formats.rate(value)
    if isinstance(value, str | int):
        return str(value)
    return "a new value"


def _when(text: str, formats: Formats) -> str:
    try:
        return formats.when(datetime.fromisoformat(text))
    except ValueError:
        return ""


def _words(code: str) -> str:
    """`basket_voided` → "basket voided": a code read as words."""
    return code.replace("_", " ").strip()
