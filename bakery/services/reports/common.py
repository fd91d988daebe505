"""What every report shares: the scope (period, till, timezone), the local hour and day of a UTC
time as SQL, names of tills and people, and a field of the audit log's JSON details as SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, BigInteger, ColumnElement, and_, case, cast, func, literal, select
from sqlalchemy.orm import InstrumentedAttribute

from bakery.domain.clock import business_date
from bakery.domain.report_period import Period, utc_offsets
from bakery.extensions import db
from bakery.models import Sale, Till, User
from bakery.models.types import utcnow
from bakery.services.errors import NotFound
from bakery.services.settings import current_settings

Stamp = ColumnElement[datetime] | InstrumentedAttribute[datetime]
#: date.toordinal() of 1 January 1970, to turn a local day number back into a date.
EPOCH_ORDINAL = 719_163


@dataclass(frozen=True)
class Scope:
    """What a report covers: whole business days, one till or all, in the shop's timezone."""

    period: Period
    till_id: int | None
    till_name: str | None
    timezone: str

    @property
    def start(self) -> datetime:
        """The UTC instant the first day starts."""
        return self.period.utc_bounds(self.timezone)[0]

    @property
    def end(self) -> datetime:
        """The UTC instant the day after the last starts."""
        return self.period.utc_bounds(self.timezone)[1]

    @property
    def label(self) -> str:
        """The period and till as a page or file names them."""
        return f"{self.period.label()} · {self.till_name or 'all tills'}"

    def with_period(self, period: Period) -> Scope:
        """The same till over another period."""
        return Scope(period, self.till_id, self.till_name, self.timezone)


def today() -> date:
    """The shop's business date now."""
    return business_date(utcnow(), current_settings().timezone)


def scope(period: Period, till_id: int | None = None) -> Scope:
    """The scope of a report; a till that does not exist is not found. Reads only."""
    name = None
    if till_id is not None:
        name = db.session.scalar(select(Till.name).where(Till.id == till_id))
        if name is None:
            raise NotFound("There is no such till.")
    return Scope(period, till_id, name, current_settings().timezone)


def till_choices() -> list[tuple[int, str]]:
    """Every till, by name, for the filter."""
    return [(int(i), str(n)) for i, n in db.session.execute(select(Till.id, Till.name).order_by(Till.name))]


def in_scope(
    column: Stamp, where: Scope, till_column: InstrumentedAttribute[int] | None = None
) -> ColumnElement[bool]:
    """A time in the scope's days and, when a till is chosen, on that till."""
    condition = and_(column >= where.start, column < where.end)
    if where.till_id is not None:
        condition = and_(
            condition, (till_column if till_column is not None else Sale.till_id) == where.till_id
        )
    return condition


def epoch_seconds(column: Stamp) -> ColumnElement[int]:
    """Whole seconds since 1970 of a UTC timestamp, on either engine."""
    if db.engine.dialect.name == "sqlite":
        return cast(func.strftime("%s", column), BigInteger)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


def local_seconds(
    column: Stamp, where: Scope, bounds: tuple[datetime, datetime] | None = None
) -> ColumnElement[int]:
    """Seconds since 1970 of the shop's local wall-clock time of a UTC timestamp.

    Rule: the UTC offset is the one in force at that moment (`utc_offsets` over the scope, one
    CASE branch per clock change), so each sale falls in its local hour even across a change.
    """
    start, end = bounds or (where.start, where.end)
    spans = utc_offsets(start - timedelta(days=1), end + timedelta(days=1), where.timezone)
    if len({offset for _s, _e, offset in spans}) == 1:
        return epoch_seconds(column) + spans[0][2]
    whens = [(and_(column >= s, column < e), literal(offset)) for s, e, offset in spans]
    return epoch_seconds(column) + case(*whens, else_=literal(spans[-1][2]))


def local_hour(column: Stamp, where: Scope) -> ColumnElement[int]:
    """The shop's local hour (0-23) of a UTC timestamp, as SQL."""
    return (local_seconds(column, where) // 3600) % 24


def local_day(
    column: Stamp, where: Scope, bounds: tuple[datetime, datetime] | None = None
) -> ColumnElement[int]:
    """The shop's local business day of a UTC timestamp as a day number (see `day_of`); `bounds`
    widens the clock changes considered beyond the scope's own days."""
    return local_seconds(column, where, bounds) // 86400


def day_of(number: int) -> date:
    """The date of a local day number from `local_day`."""
    return date.fromordinal(EPOCH_ORDINAL + int(number))


def day_number(day: date) -> int:
    """The day number `local_day` gives a business date (the inverse of `day_of`)."""
    return day.toordinal() - EPOCH_ORDINAL


def names_of(user_ids: set[int | None]) -> dict[int, str]:
    """Display names of users, by id (one query)."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {int(i): str(n) for i, n in rows}


def json_text(column: InstrumentedAttribute[str], key: str) -> ColumnElement[str]:
    """A top-level field of a JSON text column, as text, on either engine."""
    if db.engine.dialect.name == "sqlite":
        return func.json_extract(column, f"$.{key}")
    return cast(column, JSON)[key].as_string()


def json_int(column: InstrumentedAttribute[str], key: str) -> ColumnElement[int]:
    """A top-level number of a JSON text column, on either engine (0 when missing)."""
    if db.engine.dialect.name == "sqlite":
        return func.coalesce(cast(func.json_extract(column, f"$.{key}"), BigInteger), 0)
    return func.coalesce(cast(cast(column, JSON)[key].as_string(), BigInteger), 0)
