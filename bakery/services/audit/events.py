"""The audit log: who did what, when, from where. Hash-chained, append-only."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bakery.extensions import db
from bakery.models import AuditEvent
from bakery.models.types import utcnow
from bakery.services.audit.chains import append_link

AUDIT_CHAIN = "audit"


@dataclass(frozen=True)
class Actor:
    """Who is acting and from where: the user, the till, the network address."""

    user_id: int | None = None
    till_id: int | None = None
    address: str | None = None


SYSTEM = Actor()


def record(
    action: str,
    actor: Actor,
    *,
    target: str = "",
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits).

    Rule: details never hold secrets (PINs, passwords, safeguarding text): callers pass only
    what a manager reviewing the log should see.
    """
    at = now or utcnow()
    body = {
        "at": at.isoformat(),
        "actor_id": actor.user_id,
        "till_id": actor.till_id,
        "address": actor.address,
        "action": action,
        "target": target,
        "details": details or {},
    }
    seq, prev, link, _ = append_link(AUDIT_CHAIN, body)
    event = AuditEvent(
        seq=seq,
        at=at,
        actor_id=actor.user_id,
        till_id=actor.till_id,
        address=actor.address,
        action=action,
        target=target,
        details=json.dumps(details or {}, sort_keys=True, ensure_ascii=False),
        prev_hash=prev,
        hash=link,
    )
    db.session.add(event)
    return event


def audit_record_body(event: AuditEvent) -> dict[str, Any]:
    """The record an audit event's link was computed over (for verification)."""
    return {
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "till_id": event.till_id,
        "address": event.address,
        "action": event.action,
        "target": event.target,
        "details": json.loads(event.details),
        "seq": event.seq,
    }
