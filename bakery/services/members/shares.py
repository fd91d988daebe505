"""Share capital: a member's shares bought, withdrawn and dividends capitalised, as a ledger.

The balance is never stored: it is the SQL sum of the member's movements, so it cannot drift.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Subquery, func, select
from sqlalchemy.exc import IntegrityError

from bakery.domain.money import MAX_AMOUNT, Pence, format_plain
from bakery.extensions import db
from bakery.models import Member, ShareTransaction
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import FORM_KEY, Mechanism, locked, race_safe

#: The kinds of movement and the sign each one has in the ledger.
KINDS: dict[str, int] = {"bought": 1, "withdrawn": -1, "dividend": 1}
NOTE_LIMIT = 200


def balance(member_id: int) -> Pence:
    """A member's share capital: the sum of their movements, in SQL."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(ShareTransaction.amount), 0)).where(
            ShareTransaction.member_id == member_id
        )
    )
    return int(total or 0)


def balances_subquery() -> Subquery:
    """One row per member who has movements: `member_id`, `balance` (for joining onto lists)."""
    return (
        select(
            ShareTransaction.member_id.label("member_id"),
            func.sum(ShareTransaction.amount).label("balance"),
        )
        .group_by(ShareTransaction.member_id)
        .subquery("share_balances")
    )


def movements(member_id: int) -> list[ShareTransaction]:
    """A member's movements, newest first."""
    return list(
        db.session.scalars(
            select(ShareTransaction)
            .where(ShareTransaction.member_id == member_id)
            .order_by(ShareTransaction.at.desc(), ShareTransaction.id.desc())
        )
    )


def record_share_movement(
    member_id: int,
    kind: str,
    amount: Pence,
    note: str,
    actor: Actor,
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> ShareTransaction:
    """Add one movement (and its audit row) to the caller's transaction, without committing.

    `amount` is positive pence; a withdrawal is stored negative. Rules: the kind is one of
    bought, withdrawn or dividend; a withdrawal never takes the balance below zero; only an
    active member buys shares; someone must be acting (`actor.user_id`). The member's row is
    locked first (PostgreSQL; SQLite's writing requests already hold the write lock), so two
    withdrawals at once cannot both pass the balance check. With a `key` (one per form) a
    repeated submission moves the shares once and answers with the first movement (looked up
    under the member's lock; a UNIQUE key backs it up). The dividends service calls this
    inside its own transaction; the views call `buy_shares` and `withdraw_shares`.
    """
    sign = KINDS.get(kind)
    if sign is None:
        raise ServiceError("A share movement is bought, withdrawn or dividend.")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ServiceError("The amount must be more than zero.")
    if amount > MAX_AMOUNT:
        raise ServiceError("That amount is too large for one movement.")
    if actor.user_id is None:
        raise ServiceError("Sign in to record a share movement.")
    text = " ".join((note or "").split())
    if len(text) > NOTE_LIMIT:
        raise ServiceError(f"A note can be at most {NOTE_LIMIT} characters.")
    if key is not None and not FORM_KEY.match(key):
        raise ServiceError("This form is out of date. Open the member's page again.")
    member = locked(Member, member_id)
    if member is None:
        raise NotFound("That member does not exist.")
    if key is not None:
        done = db.session.scalar(select(ShareTransaction).where(ShareTransaction.key == key))
        if done is not None:
            if (done.member_id, done.kind, done.amount) != (member_id, kind, sign * amount):
                raise ServiceError("That form was already used for another movement. Open the page again.")
            return done
    if kind == "bought" and member.status != "active":
        raise ServiceError(f"Member {member.number} is {member.status}: only active members buy shares.")
    held = balance(member_id)
    if kind == "withdrawn" and amount > held:
        raise ServiceError(
            f"Member {member.number} holds {format_plain(held)} in shares: "
            f"{format_plain(amount)} cannot be withdrawn."
        )
    at = now or utcnow()
    movement = ShareTransaction(
        member_id=member_id, kind=kind, amount=sign * amount, note=text, by_id=actor.user_id, at=at, key=key
    )
    try:
        with db.session.begin_nested():
            db.session.add(movement)
    except IntegrityError as clash:  # the same key for another member's form, at the same moment
        raise ServiceError("That form was already used for another movement. Open the page again.") from clash
    audit.record(
        f"shares.{kind}",
        actor,
        target=f"member:{member_id}",
        details={"amount": sign * amount, "balance": held + sign * amount, "movement": movement.id},
        now=at,
    )
    return movement


@race_safe(Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="the member row; one movement per form key")
def buy_shares(
    member_id: int,
    amount: Pence,
    note: str,
    actor: Actor,
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> ShareTransaction:
    """Record shares bought by a member (audited; one transaction; once per form `key`)."""
    movement = record_share_movement(member_id, "bought", amount, note, actor, now, key=key)
    db.session.commit()
    return movement


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="the share balance never below zero (member row); one movement per form key",
)
def withdraw_shares(
    member_id: int,
    amount: Pence,
    note: str,
    actor: Actor,
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> ShareTransaction:
    """Pay back share capital to a member, never more than they hold (audited; one transaction;
    once per form `key`)."""
    movement = record_share_movement(member_id, "withdrawn", amount, note, actor, now, key=key)
    db.session.commit()
    return movement
