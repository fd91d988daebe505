"""The audit log: who did what, when, from where. Hash-chained, append-only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert

from bakery.extensions import db
from bakery.models import AuditEvent
from bakery.models.types import utcnow
from bakery.services.audit.chains import append_link, append_links

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


@dataclass(frozen=True)
class Event:
    """One audit event to record with `record_many`."""

    action: str
    actor: Actor
    at: datetime
    target: str = ""
    details: dict[str, Any] | None = None


def record_many(events: Sequence[Event]) -> int:
    """Add many audit events to the current transaction at once (the caller commits); how many.

    Rule: the same rows and chain links as `record` called for each event in turn, the chain's
    head advanced (and noted for the witness) once: for loading a history (the demo's year), where
    a round trip per event would be most of the time taken.
    """
    if not events:
        return 0
    bodies = [
        {
            "at": e.at.isoformat(),
            "actor_id": e.actor.user_id,
            "till_id": e.actor.till_id,
            "address": e.actor.address,
            "action": e.action,
            "target": e.target,
            "details": e.details or {},
        }
        for e in events
    ]
    links = append_links(AUDIT_CHAIN, bodies)
    rows = [
        {
            "seq": seq,
            "at": e.at,
            "actor_id": e.actor.user_id,
            "till_id": e.actor.till_id,
            "address": e.actor.address,
            "action": e.action,
            "target": e.target,
            "details": json.dumps(e.details or {}, sort_keys=True, ensure_ascii=False),
            "prev_hash": prev,
            "hash": link,
        }
        for e, (seq, prev, link, _) in zip(events, links, strict=True)
    ]
    db.session.connection().execute(insert(AuditEvent.__table__), rows)
    return len(rows)


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
