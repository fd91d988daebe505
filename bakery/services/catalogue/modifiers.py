"""Modifier groups (milk: oat, soya) and their options, and which groups a product offers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import (
    Basket,
    BasketLine,
    ModifierGroup,
    ModifierOption,
    Product,
)
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.catalogue.menu import (
    CLOSED_BASKETS,
    MAX_CHOICES,
    _changes,
    _flush,
    _get,
    _next_sort,
    _pence,
    _text,
    _whole,
)
from bakery.services.errors import ServiceError
from bakery.services.race_safety import Mechanism, race_safe


def _check_group(name: str, min_choices: int, max_choices: int, group_id: int | None) -> dict[str, Any]:
    name = _text(name, "modifier group name", 40)
    clash = db.session.scalar(select(ModifierGroup.id).where(func.lower(ModifierGroup.name) == name.lower()))
    if clash and clash != group_id:
        raise ServiceError(f"There is already a modifier group called {name}.")
    low = _whole(min_choices, "least number of choices", 0, MAX_CHOICES)
    high = _whole(max_choices, "most number of choices", 1, MAX_CHOICES)
    if low > high:
        raise ServiceError(f"The least number of choices ({low}) cannot be more than the most ({high}).")
    return {"name": name, "min_choices": low, "max_choices": high}


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def create_modifier_group(
    name: str, min_choices: int, max_choices: int, actor: Actor, now: datetime | None = None
) -> ModifierGroup:
    """Add a modifier group (milk, extra shots).

    Rule: name 1 to 40 characters, unique (ignoring case); 0 <= min_choices <= max_choices, and
    1 <= max_choices <= 20.
    """
    values = _check_group(name, min_choices, max_choices, None)
    group = ModifierGroup(**values)
    db.session.add(group)
    _flush(f"There is already a modifier group called {values['name']}.")
    audit.record(
        "modifier_group.created", actor, target=f"modifier_group:{group.id}", details=values, now=now
    )
    db.session.commit()
    return group


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def update_modifier_group(
    group_id: int,
    name: str,
    min_choices: int,
    max_choices: int,
    actor: Actor,
    now: datetime | None = None,
) -> ModifierGroup:
    """Change a modifier group; the same rules as adding one."""
    group = _get(ModifierGroup, group_id, "modifier group")
    values = _check_group(name, min_choices, max_choices, group.id)
    changed = _changes(group, values)
    if changed:
        _flush(f"There is already a modifier group called {values['name']}.")
        audit.record(
            "modifier_group.changed", actor, target=f"modifier_group:{group.id}", details=changed, now=now
        )
        db.session.commit()
    return group


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def add_modifier_option(
    group_id: int, name: str, price_delta: int, actor: Actor, now: datetime | None = None
) -> ModifierOption:
    """Add an option to a modifier group with what it adds to the price (oat milk +40p).

    Rule: name 1 to 40 characters, unique within the group (ignoring case); the price change is
    in pence and may be negative (no milk -10p), at most MAX_AMOUNT either way.
    """
    group = _get(ModifierGroup, group_id, "modifier group")
    name = _text(name, "option name", 40)
    price_delta = _pence(price_delta, "price change", allow_negative=True)
    if any(o.name.lower() == name.lower() for o in group.options):
        raise ServiceError(f"{group.name} already has an option called {name}.")
    option = ModifierOption(
        group_id=group.id,
        name=name,
        price_delta=price_delta,
        sort_order=_next_sort(ModifierOption.sort_order, ModifierOption.group_id == group.id),
    )
    db.session.add(option)
    db.session.flush()
    audit.record(
        "modifier_group.option_added",
        actor,
        target=f"modifier_group:{group.id}",
        details={"option": option.id, "name": name, "price_delta": price_delta},
        now=now,
    )
    db.session.commit()
    return option


def _open_lines_with_option(option_id: int) -> int:
    """How many lines of unfinished baskets chose this option (option ids are kept as "3,12")."""
    lists = db.session.scalars(
        select(BasketLine.option_ids)
        .join(Basket, Basket.id == BasketLine.basket_id)
        .where(Basket.status.not_in(CLOSED_BASKETS), BasketLine.option_ids != "")
    )
    wanted = str(option_id)
    return sum(1 for ids in lists if wanted in ids.split(","))


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def remove_modifier_option(option_id: int, actor: Actor, now: datetime | None = None) -> ModifierGroup:
    """Remove an option from its group and return the group.

    Rule: refused while a basket that is not yet paid or voided has a line with that option
    (the till would lose the line's price); completed sales keep their own description and price.
    """
    option = _get(ModifierOption, option_id, "option")
    group = option.group
    if _open_lines_with_option(option.id):
        raise ServiceError(
            f"{option.name} is chosen in a basket that is still open or parked. "
            "Finish or void that basket first."
        )
    details = {"option": option.id, "name": option.name, "price_delta": option.price_delta}
    db.session.delete(option)
    db.session.flush()
    audit.record(
        "modifier_group.option_removed", actor, target=f"modifier_group:{group.id}", details=details, now=now
    )
    db.session.commit()
    return group


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def set_product_modifier_groups(
    product_id: int, group_ids: Iterable[int], actor: Actor, now: datetime | None = None
) -> Product:
    """Choose which modifier groups a product offers on the till (replacing the previous choice).

    Rule: every id must name an existing modifier group; none at all is allowed (no options).
    """
    product = _get(Product, product_id, "product")
    wanted = sorted(set(group_ids))
    groups = list(db.session.scalars(select(ModifierGroup).where(ModifierGroup.id.in_(wanted))))
    if len(groups) != len(wanted):
        raise ServiceError("Choose modifier groups from the list: one of them does not exist.")
    before = sorted(g.id for g in product.modifier_groups)
    if before != wanted:
        product.modifier_groups = sorted(groups, key=lambda g: g.name.lower())
        db.session.flush()
        audit.record(
            "product.modifier_groups_set",
            actor,
            target=f"product:{product.id}",
            details={"from": before, "to": wanted},
            now=now,
        )
        db.session.commit()
    return product
