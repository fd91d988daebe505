"""The audit log's sentence rules, without a database: templates, optional parts, changes."""

from __future__ import annotations

from datetime import UTC, datetime

from bakery.models import AuditEvent
from bakery.services.audit.describe import Formats, _fill, _sentence
from bakery.services.audit.sentences import FILTERS, SENTENCES

FORMATS = Formats(
    money=lambda p: f"{'-' if p < 0 else ''}£{abs(p) // 100}.{abs(p) % 100:02d}",
    rate=lambda bp: f"{bp / 100:g}%",
    when=lambda at: at.strftime("%d %b %H:%M"),
)


def event(action: str, target: str = "", details: str = "{}", actor: int | None = 1, till: int | None = None):
    return AuditEvent(
        seq=1, at=datetime(2026, 1, 1, tzinfo=UTC), actor_id=actor, till_id=till, action=action,
        target=target, details=details,
    )  # fmt: skip


def test_an_optional_part_is_left_out_when_a_name_in_it_is_missing():
    template = "{actor} refunded {total}[, reason: {reason}]"
    assert _fill(template, {"actor": "Ada", "total": "£2.00"}) == "Ada refunded £2.00"
    assert (
        _fill(template, {"actor": "Ada", "total": "£2.00", "reason": "cold"})
        == "Ada refunded £2.00, reason: cold"
    )


def test_a_missing_required_part_reads_as_a_dash_and_the_sentence_starts_with_a_capital():
    assert _fill("{target} signed out", {}) == "— signed out"
    assert _fill("{target} failed", {"target": "the allocation for 2025"}) == "The allocation for 2025 failed"


def test_a_refund_shows_money_without_the_minus_and_names_everyone():
    names = {("user", 1): "Ada Baker", ("user", 2): "Mo Manager", ("sale", 5): "receipt 14 at Counter"}
    details = '{"refund": 6, "total": -200, "authorised_by": 2, "reason": "cold tea"}'
    told = _sentence(event("till.refund", "sale:5", details), _loads(details), names, FORMATS)
    assert (
        told
        == "Ada Baker refunded £2.00 on receipt 14 at Counter, reason: cold tea, authorised by Mo Manager"
    )


def test_changes_list_fields_as_words_with_money_rates_and_names():
    names = {("user", 1): "Chris", ("product", 3): "Latte", ("tax_category", 7): "Hot drinks"}
    details = '{"price": {"from": 320, "to": 340}, "tax_category_id": {"from": null, "to": 7}, "active": {"from": true, "to": false}}'
    told = _sentence(event("product.changed", "product:3", details), _loads(details), names, FORMATS)
    assert told == (
        "Chris changed the product Latte: price from £3.20 to £3.40, "
        "tax category from nothing to Hot drinks, active from yes to no"
    )


def test_a_safeguarding_sentence_never_carries_the_reason_or_fields():
    names = {("user", 1): "Chris", ("member", 4): "member M-0004"}
    for action, details in [
        ("safeguarding.read", '{"reason": "probation"}'),
        ("safeguarding.changed", '{"fields": ["justice_involvement"], "created": true}'),
    ]:
        told = _sentence(event(action, "member:4", details), _loads(details), names, FORMATS)
        assert "probation" not in told and "justice" not in told and "M-0004" in told


def test_every_template_and_filter_is_plain_words():
    for action, template in SENTENCES.items():
        assert "." not in template.replace("…", ""), action
        assert "_" not in _fill(template, {}), action
    assert all(label and "_" not in label for label in FILTERS.values())


def _loads(text: str):  # type: ignore[no-untyped-def]
    import json

    return json.loads(text)
