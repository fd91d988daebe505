"""The bake plan: tomorrow's suggestion per product baked in batches, the plan the baker accepts
(which becomes the day's production list, printed on the kitchen printer), and how good a past
plan was. The rule itself is `bakery.domain.bake_plan`.

A product's batch size is what its recipe yields when the recipe yields units ("24 croissants"
is a batch of 24); a recipe written for one loaf bakes in batches of one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from bakery.domain import bake_plan as rule
from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.formatting import local_time
from bakery.models import BakeBatch, BakePlan, BakePlanLine, Printer, PrintJob, Product, Recipe, User
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.printing.jobs import queue_document
from bakery.services.printing.production_list import ListLine, production_list_document
from bakery.services.race_safety import FORM_KEY, Mechanism, race_safe
from bakery.services.settings import current_settings
from bakery.services.stock.bakes import MAX_BATCH
from bakery.services.stock.day_figures import figures, last_sales, stock_through

#: How far ahead a plan may be accepted.
PLAN_AHEAD_DAYS = 7


class AlreadyPlanned(ServiceError):
    """The day already has an accepted plan (someone else accepted it first)."""


@dataclass(frozen=True)
class PlanRow:
    """One product on the plan page: what is on hand and its suggestion."""

    product_id: int
    name: str
    on_hand: int
    suggestion: rule.Suggestion

    @property
    def batch_size(self) -> int:
        """Units one batch makes."""
        return self.suggestion.batch_size


def shop_today(now: datetime | None = None) -> date:
    """Today in the shop's timezone."""
    return business_date(now or utcnow(), current_settings().timezone)


def tomorrow(now: datetime | None = None) -> date:
    """The day a plan made now is for."""
    return shop_today(now) + timedelta(days=1)


def _batch_products() -> list[tuple[Product, int]]:
    """Active products baked in batches, by name, with their batch size (rule: the recipe's yield
    when it yields units, else one)."""
    rows = db.session.execute(
        select(Product, Recipe.yield_qty, Recipe.yield_unit)
        .outerjoin(Recipe, Recipe.id == Product.recipe_id)
        .where(Product.make == "batch", Product.active.is_(True))
        .order_by(Product.name, Product.id)
    ).all()
    return [
        (product, int(qty) if unit == "each" and qty and 0 < qty <= MAX_BATCH else 1)
        for product, qty, unit in rows
    ]


def _in_date_units(day: date, product_ids: list[int]) -> dict[int, int]:
    """Units of each product's batches still in date on `day` (best-before that day or later, or none)."""
    if not product_ids:
        return {}
    rows = db.session.execute(
        select(BakeBatch.product_id, func.sum(BakeBatch.qty))
        .where(
            BakeBatch.product_id.in_(product_ids),
            or_(BakeBatch.best_before.is_(None), BakeBatch.best_before >= day),
        )
        .group_by(BakeBatch.product_id)
    )
    return {pid: int(units or 0) for pid, units in rows}


def suggestions(day: date, weeks: int = rule.DEFAULT_WEEKS) -> list[PlanRow]:
    """The suggested bake of each product baked in batches for `day`. Reads only.

    Rule: `bakery.domain.bake_plan` over the same weekday of the last `weeks` weeks; a day the
    shop took no sale is left out; what is left is the product's finished stock on hand now,
    counting only units of batches still in date on `day`.
    """
    try:
        history = rule.history_days(day, weeks)
    except ValueError as wrong:
        raise ServiceError(f"Look back 1 to {rule.MAX_WEEKS} weeks.") from wrong
    products = _batch_products()
    ids = [product.id for product, _ in products]
    traded = last_sales(history)
    sold = figures(list(traded), ids)
    through = {past: stock_through(past, ids) for past in traded}
    in_date = _in_date_units(day, ids)
    rows = []
    for product, batch_size in products:
        days = []
        for past, last_sale in traded.items():
            opening, moves = through[past]
            out = rule.sold_out(opening[product.id], moves.get(product.id, []), last_sale)
            figure = sold.get((past, product.id))
            days.append(rule.DaySales(past, figure.sold if figure else 0, out))
        days.sort(key=lambda d: d.day, reverse=True)
        left = rule.left_in_date(product.on_hand, in_date.get(product.id, 0))
        rows.append(
            PlanRow(
                product.id,
                product.name,
                product.on_hand,
                rule.suggest(days, left=left, batch_size=batch_size),
            )
        )
    return rows


def accepted_plan(day: date) -> BakePlan | None:
    """The plan accepted for a day, with its lines, or None. Reads only."""
    return db.session.scalar(
        select(BakePlan).where(BakePlan.day == day).options(selectinload(BakePlan.lines))
    )


def _check_quantity(name: str, qty: object) -> int:
    if not isinstance(qty, int) or isinstance(qty, bool) or not 0 <= qty <= MAX_BATCH:
        raise ServiceError(f"Say how many {name} to bake: 0 to {MAX_BATCH}.")
    return qty


@race_safe(
    Mechanism.UNIQUE_KEY,
    guards="one plan per accept form (key) and one plan per day (day): a double tap stores one plan",
)
def accept_plan(
    day: date,
    quantities: Mapping[int, int],
    *,
    key: str,
    actor: Actor,
    weeks: int = rule.DEFAULT_WEEKS,
    now: datetime | None = None,
) -> BakePlan:
    """Store the baker's plan for a day: every product baked in batches, its suggestion and the
    units the baker accepted (a product left out keeps its suggestion).

    Rule: a day from today to PLAN_AHEAD_DAYS ahead; only products baked in batches; 0 to
    MAX_BATCH units each; one plan per day (a second one is refused with who accepted the first);
    sending the same form twice stores one plan and answers with it.
    """
    if not FORM_KEY.match(key or ""):
        raise ServiceError("This form is out of date. Open the page again.")
    done = db.session.scalar(select(BakePlan).where(BakePlan.key == key))
    if done is not None:
        return done
    at = now or utcnow()
    today = shop_today(at)
    if not today <= day <= today + timedelta(days=PLAN_AHEAD_DAYS):
        raise ServiceError(f"Plan a day from today to {PLAN_AHEAD_DAYS} days ahead.")
    _refuse_if_planned(day)
    rows = {row.product_id: row for row in suggestions(day, weeks)}
    for product_id in quantities:
        if product_id not in rows:
            product = db.session.get(Product, product_id) if isinstance(product_id, int) else None
            if product is None:
                raise ServiceError("Choose products from the plan: that one does not exist.")
            raise ServiceError(f"{product.name} is not baked in batches, so it has no place in the plan.")
    plan = BakePlan(day=day, weeks=weeks, key=key, by_id=actor.user_id, at=at)
    for row in rows.values():
        qty = _check_quantity(row.name, quantities.get(row.product_id, row.suggestion.qty))
        plan.lines.append(
            BakePlanLine(
                product_id=row.product_id,
                suggested=row.suggestion.qty,
                qty=qty,
                batch_size=row.batch_size,
                demand=row.suggestion.demand,
                left=row.suggestion.left,
            )
        )
    try:
        with db.session.begin_nested():
            db.session.add(plan)
    except IntegrityError as clash:  # the same form, or another plan for the day, saved just now
        found = db.session.scalar(select(BakePlan).where(BakePlan.key == key))
        if found is not None:
            return found
        _refuse_if_planned(day)
        raise ServiceError("The plan could not be saved: try again.") from clash
    audit.record(
        "stock.plan_accepted",
        actor,
        details={"day": day.isoformat(), "units": sum(line.qty for line in plan.lines)},
        now=at,
    )
    db.session.commit()
    return plan


def _refuse_if_planned(day: date) -> None:
    existing = db.session.execute(
        select(BakePlan.at, User.display_name)
        .outerjoin(User, User.id == BakePlan.by_id)
        .where(BakePlan.day == day)
    ).first()
    if existing is not None:
        who = existing.display_name or "someone"
        when = local_time(existing.at, "HH:mm")
        raise AlreadyPlanned(f"The plan for {day:%A %d %B} was already accepted by {who} at {when}.")


# --- the production list -------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedLine:
    """One product of an accepted plan: what was suggested and what the baker accepted."""

    name: str
    suggested: int
    qty: int
    batch_size: int

    @property
    def batches(self) -> int:
        """Whole batches that make the accepted units."""
        return rule.batches_for(self.qty, self.batch_size)


def accepted_lines(plan: BakePlan) -> list[AcceptedLine]:
    """Every product of an accepted plan, by name. Reads only."""
    ids = [line.product_id for line in plan.lines]
    names = {
        pid: name
        for pid, name in db.session.execute(select(Product.id, Product.name).where(Product.id.in_(ids)))
    }
    lines = [
        AcceptedLine(names.get(line.product_id, "?"), line.suggested, line.qty, line.batch_size)
        for line in plan.lines
    ]
    return sorted(lines, key=lambda line: line.name)


def production_list(plan: BakePlan) -> list[ListLine]:
    """What to bake for an accepted plan, by product name: units and whole batches. Reads only."""
    baking = [line for line in accepted_lines(plan) if line.qty > 0]
    return [ListLine(line.name, line.qty, line.batches, line.batch_size) for line in baking]


def kitchen_printers() -> list[Printer]:
    """Active printers standing in the kitchen, by name. Reads only."""
    return list(
        db.session.scalars(
            select(Printer)
            .where(Printer.location == "kitchen", Printer.active.is_(True))
            .order_by(Printer.name)
        )
    )


@race_safe(Mechanism.UNIQUE_KEY, guards="one print job per print form (the job's dedupe key)")
def print_production_list(
    day: date, printer_id: int, *, key: str, actor: Actor, now: datetime | None = None
) -> PrintJob:
    """Queue the accepted plan's production list on a kitchen printer.

    Rule: only an accepted plan; only an active kitchen printer; the same form sent twice
    queues one job (a deliberate second print is a new form, so it prints again).
    """
    if not FORM_KEY.match(key or ""):
        raise ServiceError("This form is out of date. Open the page again.")
    dedupe = "production:" + hashlib.sha256(f"{day}:{printer_id}:{key}".encode()).hexdigest()[:40]
    done = db.session.scalar(select(PrintJob).where(PrintJob.dedupe_key == dedupe))
    if done is not None:
        return done
    plan = accepted_plan(day)
    if plan is None:
        raise ServiceError("Accept the plan before printing its production list.")
    printer = db.session.get(Printer, printer_id) if isinstance(printer_id, int) else None
    if printer is None or not printer.active or printer.location != "kitchen":
        raise ServiceError("Choose a kitchen printer.")
    at = now or utcnow()
    accepted_by = db.session.get(User, plan.by_id) if plan.by_id else None
    document = production_list_document(
        day,
        production_list(plan),
        accepted_by=accepted_by.display_name if accepted_by else "",
        accepted_at=local_time(plan.at, "HH:mm"),
    )
    try:
        with db.session.begin_nested():
            job = queue_document(printer.id, "kitchen", document, dedupe, at)
    except IntegrityError as clash:
        found = db.session.scalar(select(PrintJob).where(PrintJob.dedupe_key == dedupe))
        if found is None:
            raise ServiceError("The production list could not be queued: try again.") from clash
        return found
    audit.record(
        "stock.production_list_printed",
        actor,
        target=f"printer:{printer.id}",
        details={"day": day.isoformat()},
        now=at,
    )
    db.session.commit()
    return job


def plan_or_404(day: date) -> BakePlan:
    """The plan accepted for a day, or NotFound."""
    plan = accepted_plan(day)
    if plan is None:
        raise NotFound(f"No plan was accepted for {day:%d %B %Y}.")
    return plan
