"""Safeguarding data: read and changed only by admins holding the safeguarding permission.

Rules (DESIGN §4 Security): the data is minimal (a flag, a support-programme reference, the
referral agency, support notes; never offence details) and lives in its own table. Every read
needs a reason and leaves an audit row; every change leaves an audit row naming the fields that
changed; every refused attempt leaves an audit row. No audit row ever holds the data itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import Member, Role, SafeguardingRecord, User
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import Forbidden, NotFound, ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe

FIELDS = ("justice_involvement", "programme_ref", "referral_agency", "support_notes")
LIMITS = {"programme_ref": 60, "referral_agency": 120, "support_notes": 4000}
REASON_MIN, REASON_MAX = 5, 200
SUBJECT_ACCESS_REASON = "subject access: the member's own export"


@dataclass(frozen=True)
class SafeguardingInput:
    """What an admin typed into the safeguarding form."""

    justice_involvement: bool
    programme_ref: str
    referral_agency: str
    support_notes: str


def may_safeguard(user_id: int | None) -> bool:
    """True for an active admin holding the safeguarding permission."""
    if user_id is None:
        return False
    user = db.session.get(User, user_id)
    return bool(user and user.active and user.is_admin and user.can_safeguard)


@race_safe(Mechanism.INDEPENDENT, guards="an audit row of a refused read")
def check_access(member_id: int, actor: Actor, attempted: str, now: datetime | None = None) -> Member:
    """The member, if the actor may see their safeguarding data; otherwise audit and refuse (403).

    The refusal is committed before raising, so the record of the attempt survives the rollback
    the error handler does.
    """
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound("That member does not exist.")
    if not may_safeguard(actor.user_id):
        audit.record(
            "safeguarding.denied",
            actor,
            target=f"member:{member_id}",
            details={"attempted": attempted},
            now=now,
        )
        db.session.commit()
        raise Forbidden("Safeguarding data is open only to admins holding the safeguarding permission.")
    return member


def _reason(text: str) -> str:
    reason = " ".join((text or "").split())
    if len(reason) < REASON_MIN:
        raise ServiceError(f"Say why you need to read this (at least {REASON_MIN} characters).")
    if len(reason) > REASON_MAX:
        raise ServiceError(f"Keep the reason short (at most {REASON_MAX} characters).")
    return reason


def record_for(member_id: int) -> SafeguardingRecord | None:
    """The member's record, if any (no audit: callers go through `read_record`)."""
    return db.session.scalar(select(SafeguardingRecord).where(SafeguardingRecord.member_id == member_id))


@race_safe(Mechanism.INDEPENDENT, guards="an audit row of the read")
def read_record(
    member_id: int, reason: str, actor: Actor, now: datetime | None = None
) -> tuple[Member, SafeguardingRecord | None]:
    """Open a member's safeguarding record for a stated reason; the read is audited (not the data)."""
    member = check_access(member_id, actor, "read", now)
    why = _reason(reason)
    audit.record("safeguarding.read", actor, target=f"member:{member_id}", details={"reason": why}, now=now)
    db.session.commit()
    return member, record_for(member_id)


def _clean(data: SafeguardingInput) -> dict[str, Any]:
    values: dict[str, Any] = {"justice_involvement": bool(data.justice_involvement)}
    labels = {
        "programme_ref": "support-programme reference",
        "referral_agency": "referral agency",
        "support_notes": "support notes",
    }
    for name, limit in LIMITS.items():
        raw = getattr(data, name) or ""
        text = raw.strip() if name == "support_notes" else " ".join(raw.split())
        if len(text) > limit:
            raise ServiceError(f"The {labels[name]} can be at most {limit} characters.")
        values[name] = text
    return values


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="one record per member (member row, unique member_id)"
)
def change_record(
    member_id: int, data: SafeguardingInput, actor: Actor, now: datetime | None = None
) -> SafeguardingRecord:
    """Create or change a member's record; the audit row names the fields changed, never values."""
    locked(Member, member_id)  # two admins creating the first record: the second updates it
    check_access(member_id, actor, "change", now)
    values = _clean(data)
    at = now or utcnow()
    record = record_for(member_id)
    created = record is None
    if record is None:
        record = SafeguardingRecord(
            member_id=member_id, programme_ref="", referral_agency="", support_notes=""
        )
        record.justice_involvement = False
        db.session.add(record)
    changed = [name for name in FIELDS if getattr(record, name) != values[name]]
    if not changed and not created:
        return record
    for name in changed:
        setattr(record, name, values[name])
    record.updated_by_id = actor.user_id
    record.updated_at = at
    db.session.flush()
    audit.record(
        "safeguarding.changed",
        actor,
        target=f"member:{member_id}",
        details={"fields": changed, "created": created},
        now=at,
    )
    db.session.commit()
    return record


def for_subject_access(member_id: int, actor: Actor, now: datetime | None = None) -> dict[str, Any] | None:
    """The record as data for the member's own export; audited as a read (the caller commits).

    The read is recorded whether or not a record exists, so the audit log does not reveal who has one.
    """
    audit.record(
        "safeguarding.read",
        actor,
        target=f"member:{member_id}",
        details={"reason": SUBJECT_ACCESS_REASON},
        now=now,
    )
    record = record_for(member_id)
    if record is None:
        return None
    return {
        "justice_involvement": record.justice_involvement,
        "support_programme_reference": record.programme_ref,
        "referral_agency": record.referral_agency,
        "support_notes": record.support_notes,
        "updated_at": record.updated_at.isoformat(),
    }


@race_safe(Mechanism.ROW_LOCK, guards="the user row (admins locked first)")
def set_permission(user_id: int, allowed: bool, actor: Actor, now: datetime | None = None) -> User:
    """Grant or revoke the safeguarding permission on another admin (audited).

    Rules: only admins hold it; an admin cannot change their own (a second admin must), so
    nobody can quietly give themself access.
    """
    granter = db.session.get(User, actor.user_id) if actor.user_id is not None else None
    if granter is None or not granter.is_admin:
        raise Forbidden("Only an admin can change who holds the safeguarding permission.")
    user = locked(User, user_id)
    if user is None:
        raise NotFound("That user does not exist.")
    if user.id == granter.id:
        raise ServiceError("You cannot change your own safeguarding permission; ask another admin.")
    if allowed and user.role != Role.ADMIN:
        raise ServiceError("Only admins can hold the safeguarding permission.")
    if bool(user.can_safeguard) != allowed:
        user.can_safeguard = allowed
        audit.record(
            "user.safeguarding_granted" if allowed else "user.safeguarding_revoked",
            actor,
            target=f"user:{user.id}",
            now=now,
        )
        db.session.commit()
    return user
