"""Members and member classes: membership records, cards, the member list and what we hold."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError

from bakery.domain.money import Pence
from bakery.extensions import db
from bakery.models import (
    Member,
    MemberClass,
    User,
)
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.members import shares
from bakery.services.race_safety import Mechanism, locked, race_safe

DEFAULT_CLASSES = (
    # name, patronage measure, till discount (basis points)
    ("worker", "hours", 1000),
    ("customer", "purchases", 500),
    ("community", "none", 0),
)
MEASURES = ("hours", "purchases", "none")
STATUSES = ("active", "left", "suspended")
PAGE_SIZE = 50
NAME_LIMIT = 120
NUMBER_LIMIT = 20
CLASS_NAME_LIMIT = 40
MAX_DISCOUNT_BP = 10_000
PHONE_CHARACTERS: Final = frozenset("0123456789 +()-.")


# --- classes ---------------------------------------------------------------------------------


def ensure_default_classes() -> list[MemberClass]:
    """Create the worker, customer and community classes where missing (the caller commits)."""
    existing = {c.name: c for c in db.session.scalars(select(MemberClass))}
    for order, (name, measure, discount) in enumerate(DEFAULT_CLASSES):
        if name not in existing:
            existing[name] = MemberClass(
                name=name, measure=measure, till_discount_bp=discount, sort_order=order
            )
            db.session.add(existing[name])
    db.session.flush()
    return sorted(existing.values(), key=lambda c: (c.sort_order, c.name))


def list_classes() -> list[MemberClass]:
    """Every member class, in their sort order."""
    return list(db.session.scalars(select(MemberClass).order_by(MemberClass.sort_order, MemberClass.name)))


def class_named(name: str) -> MemberClass:
    """A member class by name."""
    found = db.session.scalar(
        select(MemberClass).where(func.lower(MemberClass.name) == (name or "").strip().lower())
    )
    if found is None:
        raise ServiceError(f"There is no member class called {name}.")
    return found


@dataclass(frozen=True)
class ClassInput:
    """A member class as an admin typed it (the discount already read into basis points)."""

    name: str
    measure: str
    till_discount_bp: int
    sort_order: int = 0


def _class_values(data: ClassInput, class_id: int | None = None) -> dict[str, Any]:
    name = " ".join((data.name or "").split())
    if not name or len(name) > CLASS_NAME_LIMIT:
        raise ServiceError(f"A class name is 1 to {CLASS_NAME_LIMIT} characters.")
    clash = db.session.scalar(select(MemberClass.id).where(func.lower(MemberClass.name) == name.lower()))
    if clash is not None and clash != class_id:
        raise ServiceError(f"There is already a class called {name}.")
    if data.measure not in MEASURES:
        raise ServiceError("Choose a patronage measure: hours, purchases or none.")
    discount = data.till_discount_bp
    if isinstance(discount, bool) or not isinstance(discount, int) or not 0 <= discount <= MAX_DISCOUNT_BP:
        raise ServiceError("A till discount is from 0 to 100 %.")
    if isinstance(data.sort_order, bool) or not isinstance(data.sort_order, int):
        raise ServiceError("The sort order is a whole number.")
    if not 0 <= data.sort_order <= 9999:
        raise ServiceError("The sort order is from 0 to 9999.")
    return {
        "name": name,
        "measure": data.measure,
        "till_discount_bp": discount,
        "sort_order": data.sort_order,
    }


@race_safe(Mechanism.UNIQUE_KEY, guards="class names are unique")
def create_class(data: ClassInput, actor: Actor, now: datetime | None = None) -> MemberClass:
    """Add a member class (unique name; audited)."""
    values = _class_values(data)
    member_class = MemberClass(**values)
    db.session.add(member_class)
    _flush_unique("There is already a class with that name.")
    audit.record(
        "member_class.created", actor, target=f"member_class:{member_class.id}", details=values, now=now
    )
    db.session.commit()
    return member_class


@race_safe(Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="the class row; unique names")
def update_class(class_id: int, data: ClassInput, actor: Actor, now: datetime | None = None) -> MemberClass:
    """Change a member class; the audit row holds every changed field before and after."""
    member_class = locked(MemberClass, class_id)
    if member_class is None:
        raise NotFound("That member class does not exist.")
    values = _class_values(data, class_id)
    changes = {
        name: [getattr(member_class, name), value]
        for name, value in values.items()
        if getattr(member_class, name) != value
    }
    if not changes:
        return member_class
    for name, (_, value) in changes.items():
        setattr(member_class, name, value)
    _flush_unique("There is already a class with that name.")
    audit.record(
        "member_class.changed",
        actor,
        target=f"member_class:{member_class.id}",
        details={"changes": changes},
        now=now,
    )
    db.session.commit()
    return member_class


# --- members ---------------------------------------------------------------------------------


def new_card_code() -> str:
    """An unguessable code for a member's card (its QR), so a number alone cannot be forged."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class MemberInput:
    """A member's record as an admin typed it."""

    number: str
    name: str
    class_name: str
    email: str | None = None
    phone: str | None = None
    joined_on: date | None = None
    left_on: date | None = None
    status: str = "active"
    user_id: int | None = None


# Contact details are personal: the audit log says they changed, never what they say.
_CONTACT_FIELDS = ("email", "phone")


def _member_values(data: MemberInput, member_id: int | None, today: date) -> dict[str, Any]:
    number = " ".join((data.number or "").split()).upper()
    if not number or len(number) > NUMBER_LIMIT:
        raise ServiceError(f"A membership number is 1 to {NUMBER_LIMIT} characters.")
    clash = db.session.scalar(select(Member.id).where(func.upper(Member.number) == number))
    if clash is not None and clash != member_id:
        raise ServiceError(f"Membership number {number} is taken.")
    name = " ".join((data.name or "").split())
    if not name or len(name) > NAME_LIMIT:
        raise ServiceError(f"A member's name is 1 to {NAME_LIMIT} characters.")
    email = (data.email or "").strip().lower() or None
    if email is not None and (len(email) > 254 or "@" not in email or any(c.isspace() for c in email)):
        raise ServiceError("Enter a valid email address.")
    phone = " ".join((data.phone or "").split()) or None
    if phone is not None and (len(phone) > 30 or not set(phone) <= PHONE_CHARACTERS):
        raise ServiceError("A phone number is digits, spaces and + ( ) - (at most 30 characters).")
    member_class = class_named(data.class_name)
    joined_on = data.joined_on or today
    if data.left_on is not None and data.left_on < joined_on:
        raise ServiceError("A member cannot leave before they joined: check the dates.")
    if data.status not in STATUSES:
        raise ServiceError("Choose a status: active, left or suspended.")
    if data.status == "left" and data.left_on is None:
        raise ServiceError("Give the date the member left.")
    if data.user_id is not None:
        if db.session.get(User, data.user_id) is None:
            raise ServiceError("That login does not exist.")
        other = db.session.execute(
            select(Member.id, Member.number).where(Member.user_id == data.user_id)
        ).first()
        if other is not None and other.id != member_id:
            raise ServiceError(f"That login already belongs to member {other.number}.")
    return {
        "number": number,
        "name": name,
        "email": email,
        "phone": phone,
        "class_id": member_class.id,
        "joined_on": joined_on,
        "left_on": data.left_on,
        "status": data.status,
        "user_id": data.user_id,
    }


def _flush_unique(message: str) -> None:
    """Flush; a unique key taken by a concurrent request is a clear refusal, not a crash."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise ServiceError(message) from exc


def _shown(name: str, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if name == "class_id" and value is not None:
        found = db.session.get(MemberClass, value)
        return found.name if found else value
    return value


def _audit_details(values: dict[str, Any]) -> dict[str, Any]:
    return {
        name: (bool(value) if name in _CONTACT_FIELDS else _shown(name, value))
        for name, value in values.items()
    }


@race_safe(Mechanism.UNIQUE_KEY, guards="membership numbers and card codes are unique")
def add_member(data: MemberInput, actor: Actor, now: datetime | None = None) -> Member:
    """Add a member with a unique number and a fresh card code (audited, contact details masked)."""
    at = now or utcnow()
    values = _member_values(data, None, at.date())
    member = Member(**values, card_code=new_card_code(), created_at=at)
    db.session.add(member)
    _flush_unique("That membership number or login is already taken.")
    audit.record(
        "member.created", actor, target=f"member:{member.id}", details=_audit_details(values), now=at
    )
    db.session.commit()
    return member


def create_member(
    number: str,
    name: str,
    class_name: str,
    actor: Actor,
    *,
    email: str | None = None,
    phone: str | None = None,
    joined_on: date | None = None,
    left_on: date | None = None,
    status: str = "active",
    user_id: int | None = None,
    now: datetime | None = None,
) -> Member:
    """Add a member with a unique membership number and a fresh card code (audited)."""
    return add_member(
        MemberInput(number, name, class_name, email, phone, joined_on, left_on, status, user_id), actor, now
    )


def get_member(member_id: int) -> Member:
    """A member by id, or 404."""
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound("That member does not exist.")
    return member


@race_safe(Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="the member row; unique numbers")
def update_member(member_id: int, data: MemberInput, actor: Actor, now: datetime | None = None) -> Member:
    """Change a member's record; the audit row holds each changed field before and after.

    Contact details appear in the audit log only as "changed", never their values.
    """
    locked(Member, member_id)
    member = get_member(member_id)
    at = now or utcnow()
    values = _member_values(replace(data, joined_on=data.joined_on or member.joined_on), member.id, at.date())
    changes: dict[str, Any] = {}
    for name, value in values.items():
        before = getattr(member, name)
        if before == value:
            continue
        if name in _CONTACT_FIELDS:
            changes[name] = "changed"
        else:
            changes[name] = [_shown(name, before), _shown(name, value)]
        setattr(member, name, value)
    if not changes:
        return member
    _flush_unique("That membership number or login is already taken.")
    audit.record("member.changed", actor, target=f"member:{member.id}", details={"changes": changes}, now=at)
    db.session.commit()
    return member


@race_safe(Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="the member row; card codes are unique")
def reissue_card(member_id: int, actor: Actor, now: datetime | None = None) -> Member:
    """Give a member a new card code: the old card stops working at the till at once (audited)."""
    locked(Member, member_id)
    member = get_member(member_id)
    member.card_code = new_card_code()
    audit.record("member.card_reissued", actor, target=f"member:{member.id}", now=now)
    db.session.commit()
    return member


# --- the member list -------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    """One line of the member list: never contact details, never safeguarding data."""

    id: int
    number: str
    name: str
    class_name: str
    status: str
    joined_on: date
    left_on: date | None
    share_balance: Pence


@dataclass(frozen=True)
class MemberPage:
    """One page of the member list."""

    rows: list[MemberRow]
    total: int
    page: int
    pages: int


def _member_query(query: str = "", class_id: int | None = None, status: str = "") -> Select[Any]:
    balances = shares.balances_subquery()
    statement = (
        select(
            Member.id,
            Member.number,
            Member.name,
            MemberClass.name,
            Member.status,
            Member.joined_on,
            Member.left_on,
            func.coalesce(balances.c.balance, 0),
        )
        .join(MemberClass, Member.class_id == MemberClass.id)
        .outerjoin(balances, balances.c.member_id == Member.id)
    )
    text = " ".join((query or "").split())[:NAME_LIMIT]
    if text:
        statement = statement.where(
            or_(
                func.upper(Member.number).contains(text.upper(), autoescape=True),
                func.lower(Member.name).contains(text.lower(), autoescape=True),
            )
        )
    if class_id:
        statement = statement.where(Member.class_id == class_id)
    if status:
        statement = statement.where(Member.status == status)
    return statement


def _rows(statement: Select[Any]) -> list[MemberRow]:
    return [
        MemberRow(id_, number, name, class_name, status, joined, left, int(balance))
        for id_, number, name, class_name, status, joined, left, balance in db.session.execute(statement)
    ]


def find_members(query: str = "", class_id: int | None = None, status: str = "", page: int = 1) -> MemberPage:
    """Search by number or name, filter by class and status; count, sum and page in SQL."""
    statement = _member_query(query, class_id, status)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = _rows(statement.order_by(Member.number).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return MemberPage(rows, total, page, pages)


def member_rows(query: str = "", class_id: int | None = None, status: str = "") -> list[MemberRow]:
    """Every member matching the filters (for the CSV export), by number."""
    return _rows(_member_query(query, class_id, status).order_by(Member.number))


def linkable_users(member_id: int | None = None) -> list[User]:
    """Logins that could be linked to this member: not linked to another member."""
    taken = select(Member.user_id).where(Member.user_id.is_not(None))
    if member_id is not None:
        taken = taken.where(Member.id != member_id)
    return list(
        db.session.scalars(select(User).where(User.id.not_in(taken)).order_by(User.display_name, User.id))
    )


# --- the member's own view -------------------------------------------------------------------
