"""PPDS labels (Natasha's Law) for a bake batch: one document, printed on a label roll through the
print queue or drawn as an A4 sheet of labels.

Rule: a label names the food, gives its full ingredient list with every allergen emphasised inside
it (derived through the recipes, never typed), a "may contain" line where an ingredient says so,
the best-before date and the batch code. On the roll it is Font A only: Font B is under the legal
1.2 mm x-height on common 203 dpi printers (the renderer never selects it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bakery.domain import allergens as allergen_rules
from bakery.extensions import db
from bakery.models import BakeBatch, Printer, PrintJob, Product
from bakery.models.types import utcnow
from bakery.services import audit, printing
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import FORM_KEY, Mechanism, race_safe
from bakery.services.settings import current_settings
from bakery.services.stock.recipes import ProductFacts, product_facts
from printers import Cut, Document, Rich, Text

#: The most labels one request prints or draws (a typo guard: a batch is at most a few hundred).
MAX_LABELS = 200


@dataclass(frozen=True)
class BatchLabel:
    """A batch with its product and what its label says."""

    batch: BakeBatch
    product: Product
    facts: ProductFacts
    document: Document

    @property
    def may_contain_names(self) -> list[str]:
        """The "may contain" allergens by name, in the law's order."""
        return allergen_rules.names(self.facts.may_contain)


def label_document(
    name: str, facts: ProductFacts, *, best_before: date | None, code: str, shop: str, locale: str = "en_GB"
) -> Document:
    """One PPDS label: the name, "Ingredients:" with the allergens in bold inside the list, the
    "may contain" line, best-before, batch code and who made it, then a cut."""
    ingredients = facts.ingredients or [("not recorded: ask at the counter", False)]
    blocks: list[Text | Rich | Cut] = [
        Text(name, bold=True, size="tall"),
        Rich((("Ingredients: ", True), *ingredients)),
    ]
    if facts.may_contain:
        may = ", ".join(allergen_rules.names(facts.may_contain))
        blocks.append(Text(f"May contain: {may}."))
    when = format_date(best_before, "d MMM yyyy", locale=locale) if best_before else "see pack"
    blocks += [
        Text(f"Best before: {when}", bold=True),
        Text(f"Batch: {code}"),
        Text(shop),
        Cut(),
    ]
    return Document(kind="label", blocks=tuple(blocks), title=f"Label {name} {code}")


def batch_label(batch_id: int) -> BatchLabel:
    """A batch, its product and its label document. Reads only (a few queries, whatever the recipe)."""
    batch = db.session.get(BakeBatch, batch_id)
    if batch is None:
        raise NotFound("That bake batch does not exist.")
    product = db.session.get(Product, batch.product_id)
    if product is None:  # pragma: no cover - the foreign key keeps it
        raise NotFound("That bake batch's product no longer exists.")
    facts = product_facts(product)
    shop = current_settings()
    document = label_document(
        product.name,
        facts,
        best_before=batch.best_before,
        code=batch.code,
        shop=shop.shop_name,
        locale=shop.locale,
    )
    return BatchLabel(batch, product, facts, document)


def label_printers() -> list[Printer]:
    """Active printers to print labels on: those kept for labels first, then the others."""
    return sorted(
        db.session.scalars(select(Printer).where(Printer.active.is_(True))),
        key=lambda p: (p.location != "labels", p.name.lower()),
    )


def check_count(count: object) -> int:
    """A number of labels: 1 to MAX_LABELS."""
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= MAX_LABELS:
        raise ServiceError(f"Say how many labels: 1 to {MAX_LABELS}.")
    return count


@race_safe(Mechanism.UNIQUE_KEY, guards="one set of labels per form key (unique job keys)")
def print_labels(
    batch_id: int, printer_id: int, count: int, *, key: str, actor: Actor, now: datetime | None = None
) -> int:
    """Queue `count` labels for a batch on a printer, one print job each; returns how many were
    queued.

    Rule: 1 to MAX_LABELS labels on an active printer; the form's key makes a second send of the
    same form queue nothing more (each job's key is unique), and the print is audited.
    """
    if not FORM_KEY.match(key or ""):
        raise ServiceError("This form is out of date. Open the page again.")
    count = check_count(count)
    at = now or utcnow()
    label = batch_label(batch_id)
    printer = db.session.get(Printer, printer_id) if isinstance(printer_id, int) else None
    if printer is None or not printer.active:
        raise ServiceError("Choose a printer from the list.")
    prefix = f"label:{label.batch.id}:{key}:"
    if db.session.scalar(select(PrintJob.id).where(PrintJob.dedupe_key == f"{prefix}1")) is not None:
        return count
    try:
        with db.session.begin_nested():
            for number in range(1, count + 1):
                printing.queue_document(printer.id, "label", label.document, f"{prefix}{number}", at)
            db.session.flush()
    except IntegrityError:  # the same form sent at the same moment elsewhere
        return count
    audit.record(
        "stock.labels_printed",
        actor,
        target=f"product:{label.product.id}",
        details={"labels": count, "printer": printer.name, "batch": label.batch.code},
        now=at,
    )
    db.session.commit()
    return count


def labels_pdf(batch_id: int, count: int | None = None) -> tuple[str, bytes]:
    """An A4 sheet (or sheets) of `count` labels for a batch (one for each unit baked when not
    given), as (file name, PDF bytes)."""
    from printers.label_sheet import LabelTooLong, render_label_sheet  # reportlab, only for a sheet

    label = batch_label(batch_id)
    count = check_count(label.batch.qty if count is None else count)
    try:
        return f"labels-{label.batch.code}.pdf", render_label_sheet(label.document, count)
    except LabelTooLong as wrong:
        raise ServiceError(
            "The ingredient list is too long for an A4 label: print on the label roll."
        ) from wrong
