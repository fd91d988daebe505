"""Helpers for membership tests: signed-in admins, a safeguarding holder, a recorded record."""

from __future__ import annotations

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, Member, User
from bakery.services.audit import Actor
from bakery.services.members import safeguarding
from tests.factories import make_member, make_user, sign_in

NOTES = "Weekly check-in with Sam at the Fresh Start hub; prefers morning shifts"
PROGRAMME = "PRG-77310"
AGENCY = "Riverside Resettlement Trust"
SECRETS = (NOTES, PROGRAMME, AGENCY)


def admin_in(client, *, can_safeguard: bool = False) -> User:
    """An admin signed in on this client, holding the safeguarding permission if asked."""
    admin = make_user("admin")
    if can_safeguard:
        admin.can_safeguard = True
        db.session.commit()
    sign_in(client, admin)
    return admin


def member_with_record(user: User | None = None, number: str = "M-0100") -> Member:
    """A member with a safeguarding record written by a holder of the permission."""
    holder = make_user("admin")
    holder.can_safeguard = True
    db.session.commit()
    member = make_member(user, number=number)
    safeguarding.change_record(
        member.id,
        safeguarding.SafeguardingInput(True, PROGRAMME, AGENCY, NOTES),
        Actor(user_id=holder.id),
    )
    return member


def audit_actions(action: str) -> list[AuditEvent]:
    """Audit events with this action, oldest first."""
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )


def all_audit_details() -> str:
    """Every audit event's details and target, as one text to search."""
    return "\n".join(f"{e.action} {e.target} {e.details}" for e in db.session.scalars(select(AuditEvent)))


def member_count() -> int:
    return db.session.scalar(select(func.count(Member.id))) or 0
