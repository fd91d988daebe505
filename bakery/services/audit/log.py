"""Reading the audit log for the managers' page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select

from bakery.domain.clock import local_day_bounds
from bakery.extensions import db
from bakery.models import AuditEvent

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditPage:
    """One page of audit events, newest first."""

    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def find_events(
    *,
    action_prefix: str = "",
    actor_id: int | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    timezone: str = "Europe/London",
    page: int = 1,
) -> AuditPage:
    """Filter by action prefix, actor and local date range; count and page in SQL.

    Rule: the whole log is numbered 1..n without gaps (its hash chain), so unfiltered, the count is
    the highest number and a page is a range of numbers: neither reads the rest of the log.
    """
    query: Select[tuple[AuditEvent]] = select(AuditEvent)
    filtered = bool(action_prefix or actor_id or day_from or day_to)
    if action_prefix:
        query = query.where(AuditEvent.action.startswith(action_prefix, autoescape=True))
    if actor_id:
        query = query.where(AuditEvent.actor_id == actor_id)
    if day_from:
        query = query.where(AuditEvent.at >= local_day_bounds(day_from, timezone)[0])
    if day_to:
        query = query.where(AuditEvent.at < local_day_bounds(day_to, timezone)[1])
    if filtered:
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    else:
        total = db.session.scalar(select(func.max(AuditEvent.seq))) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    newest_first = query.order_by(AuditEvent.seq.desc()).limit(PAGE_SIZE)
    if filtered:
        newest_first = newest_first.offset((page - 1) * PAGE_SIZE)
    else:
        newest_first = newest_first.where(AuditEvent.seq <= total - (page - 1) * PAGE_SIZE)
    events = list(db.session.scalars(newest_first))
    return AuditPage(events, total, page, pages)
