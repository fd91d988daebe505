"""What a member sees of themself, and the subject access export of everything held about them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bakery.domain.money import Pence
from bakery.extensions import db
from bakery.models import (
    Sale,
    StoreCredit,
    TimeEntry,
)
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.members import safeguarding, shares
from bakery.services.members.register import get_member
from bakery.services.race_safety import Mechanism, race_safe


def store_credit_balance(member_id: int) -> Pence:
    """A member's store credit: the SQL sum of its movements."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(StoreCredit.amount), 0)).where(StoreCredit.member_id == member_id)
    )
    return int(total or 0)


@race_safe(Mechanism.INDEPENDENT, guards="an audit row of the export")
def subject_access_export(member_id: int, actor: Actor, now: datetime | None = None) -> dict[str, Any]:
    """Everything held about a member, for the member ("what we hold about me"); audited.

    It includes their safeguarding record, if any: this is the one place the member sees it.
    """
    member = get_member(member_id)
    at = now or utcnow()
    sales: dict[str, int] = {
        kind: int(count)
        for kind, count in db.session.execute(
            select(Sale.kind, func.count(Sale.id)).where(Sale.member_id == member_id).group_by(Sale.kind)
        )
    }
    hours_entries = db.session.scalar(
        select(func.count(TimeEntry.id)).where(TimeEntry.member_id == member_id)
    )
    credit_rows = db.session.scalar(
        select(func.count(StoreCredit.id)).where(StoreCredit.member_id == member_id)
    )
    held = {
        "generated_at": at.isoformat(),
        "member": {
            "number": member.number,
            "name": member.name,
            "email": member.email,
            "phone": member.phone,
            "status": member.status,
            "joined_on": member.joined_on.isoformat(),
            "left_on": member.left_on.isoformat() if member.left_on else None,
            "card_code": member.card_code,
            "created_at": member.created_at.isoformat(),
        },
        "class": {
            "name": member.member_class.name,
            "patronage_measure": member.member_class.measure,
            "till_discount_basis_points": member.member_class.till_discount_bp,
        },
        "login": (
            {"display_name": member.user.display_name, "email": member.user.email, "role": member.user.role}
            if member.user
            else None
        ),
        "shares": {
            "balance_pence": shares.balance(member_id),
            "movements": [
                {"at": m.at.isoformat(), "kind": m.kind, "amount_pence": m.amount, "note": m.note}
                for m in reversed(shares.movements(member_id))
            ],
        },
        "store_credit": {
            "balance_pence": store_credit_balance(member_id),
            "movements": int(credit_rows or 0),
        },
        "hours": {"time_entries": int(hours_entries or 0)},
        "purchases": {"sales": int(sales.get("sale", 0)), "refunds": int(sales.get("refund", 0))},
        "safeguarding": safeguarding.for_subject_access(member_id, actor, at),
    }
    audit.record("member.data_exported", actor, target=f"member:{member_id}", now=at)
    db.session.commit()
    return held
