"""The weekly rota: roles, skills held with expiry, weeks and their shifts, templates, availability,
swaps, time off, per-member calendar feed tokens and what each member has seen of a published week.

A shift is planned on a local date (`day`) from `start_minute` to `end_minute`, minutes after that
day's local midnight in the shop's timezone (`end_minute` may pass 1440: a night shift ends the next
day). `starts_at`/`ends_at` are the same instants in UTC, worked out with zoneinfo when the shift is
saved, so a shift across a daylight-saving change has its true length (22:00-06:00 is 7 h or 9 h).
The rota is planned per user (the people who clock in), like the timesheets.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow
from bakery.models.users import User


class RotaRole(db.Model):  # type: ignore[name-defined,misc]
    """A job on the rota (baker, barista, counter, cleaner), its colour and minimum staff per day."""

    __tablename__ = "rota_roles"
    __table_args__ = (
        CheckConstraint("min_staff >= 0 AND min_staff <= 50", name="min_staff_in_range"),
        CheckConstraint("length(colour) = 7", name="colour_is_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    colour: Mapped[str] = mapped_column(String(7), default="#9ca3af")
    min_staff: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    skills: Mapped[list[RotaSkill]] = relationship(secondary="rota_role_skills", order_by="RotaSkill.name")


class RotaSkill(db.Model):  # type: ignore[name-defined,misc]
    """A skill or certificate a shift may need (food hygiene level 2, barista, first aid, key holder)."""

    __tablename__ = "rota_skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class RotaRoleSkill(db.Model):  # type: ignore[name-defined,misc]
    """A skill every shift in a role needs (a barista shift needs the barista skill)."""

    __tablename__ = "rota_role_skills"

    role_id: Mapped[int] = mapped_column(ForeignKey("rota_roles.id"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("rota_skills.id"), primary_key=True)


class RotaPersonSkill(db.Model):  # type: ignore[name-defined,misc]
    """A skill a person holds: gained on a day, and for a certificate the day it expires."""

    __tablename__ = "rota_person_skills"
    __table_args__ = (
        UniqueConstraint("user_id", "skill_id", name="uq_rota_person_skills_user_skill"),
        CheckConstraint("expires_on IS NULL OR expires_on >= gained_on", name="expires_after_gained"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("rota_skills.id"), index=True)
    gained_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)

    skill: Mapped[RotaSkill] = relationship()


class RotaProfile(db.Model):  # type: ignore[name-defined,misc]
    """A person's rota settings: their own weekly hours limit (else the shop's) and hourly rate."""

    __tablename__ = "rota_profiles"
    __table_args__ = (
        CheckConstraint(
            "week_hours_limit IS NULL OR week_hours_limit BETWEEN 1 AND 100", name="limit_in_range"
        ),
        CheckConstraint("hourly_rate_pence IS NULL OR hourly_rate_pence >= 0", name="rate_not_negative"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    week_hours_limit: Mapped[int | None] = mapped_column(Integer)
    hourly_rate_pence: Mapped[int | None] = mapped_column(Integer)


class RotaWeek(db.Model):  # type: ignore[name-defined,misc]
    """One week of the rota, from its Monday: a draft until published; `version` counts every change.

    Every write to a week's shifts locks this row first, and a form that carries the version it was
    drawn from is refused when the week has changed since (two managers editing lose nothing).
    `published_version` is the version members were last shown at publishing.
    """

    __tablename__ = "rota_weeks"

    id: Mapped[int] = mapped_column(primary_key=True)
    monday: Mapped[date] = mapped_column(Date, unique=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_version: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    shifts: Mapped[list[RotaShift]] = relationship(back_populates="week", order_by="RotaShift.starts_at")


class RotaShift(db.Model):  # type: ignore[name-defined,misc]
    """A planned shift: a role on a local day and times, worked by a person or open (`user_id` NULL).

    A shift removed after its week was published is kept, cancelled, so members are told.
    """

    __tablename__ = "rota_shifts"
    __table_args__ = (
        CheckConstraint("start_minute >= 0 AND start_minute < 1440", name="start_in_day"),
        CheckConstraint(
            "end_minute > start_minute AND end_minute <= start_minute + 1440", name="end_after_start"
        ),
        CheckConstraint("break_minutes >= 0", name="break_not_negative"),
        CheckConstraint("ends_at > starts_at", name="ends_after_it_starts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("rota_weeks.id"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    role_id: Mapped[int] = mapped_column(ForeignKey("rota_roles.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("rota_skills.id"))
    note: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_after_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    week: Mapped[RotaWeek] = relationship(back_populates="shifts")
    role: Mapped[RotaRole] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    skill: Mapped[RotaSkill | None] = relationship()


class RotaTemplate(db.Model):  # type: ignore[name-defined,misc]
    """A typical week saved by name, to apply to a new week."""

    __tablename__ = "rota_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    lines: Mapped[list[RotaTemplateLine]] = relationship(
        back_populates="template", order_by="RotaTemplateLine.id", cascade="all, delete-orphan"
    )


class RotaTemplateLine(db.Model):  # type: ignore[name-defined,misc]
    """One shift of a template: weekday (0 = Monday), local times, role, and optionally a person."""

    __tablename__ = "rota_template_lines"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        CheckConstraint("start_minute >= 0 AND start_minute < 1440", name="start_in_day"),
        CheckConstraint(
            "end_minute > start_minute AND end_minute <= start_minute + 1440", name="end_after_start"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("rota_templates.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    role_id: Mapped[int] = mapped_column(ForeignKey("rota_roles.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    skill_id: Mapped[int | None] = mapped_column(ForeignKey("rota_skills.id"))

    template: Mapped[RotaTemplate] = relationship(back_populates="lines")


class RotaAvailability(db.Model):  # type: ignore[name-defined,misc]
    """A window a person says they are available or not available: every week on a weekday, or on
    one date. Never a reason (a curfew or an appointment is just "not available")."""

    __tablename__ = "rota_availability"
    __table_args__ = (
        CheckConstraint("kind IN ('available', 'unavailable')", name="known_kind"),
        CheckConstraint("(weekday IS NULL) <> (on_date IS NULL)", name="weekday_or_date"),
        CheckConstraint("weekday IS NULL OR weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        CheckConstraint("start_minute >= 0 AND start_minute < 1440", name="start_in_day"),
        CheckConstraint("end_minute > start_minute AND end_minute <= 1440", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    weekday: Mapped[int | None] = mapped_column(Integer)
    on_date: Mapped[date | None] = mapped_column(Date)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RotaSwap(db.Model):  # type: ignore[name-defined,misc]
    """A request to hand a shift to someone else: another qualified person accepts, a manager approves."""

    __tablename__ = "rota_swaps"
    __table_args__ = (
        CheckConstraint(
            "state IN ('requested', 'accepted', 'approved', 'refused', 'withdrawn')", name="known_state"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("rota_shifts.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default="requested")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shift: Mapped[RotaShift] = relationship()


class RotaTimeOff(db.Model):  # type: ignore[name-defined,misc]
    """A request for days off, from one date to another (inclusive), and the manager's answer."""

    __tablename__ = "rota_time_off"
    __table_args__ = (
        CheckConstraint("state IN ('requested', 'approved', 'refused', 'withdrawn')", name="known_state"),
        CheckConstraint("to_date >= from_date", name="ends_after_it_starts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), default="requested")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class RotaFeedToken(db.Model):  # type: ignore[name-defined,misc]
    """A person's iCalendar feed: the hash of the unguessable token in its URL (reset = replaced)."""

    __tablename__ = "rota_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RotaSeen(db.Model):  # type: ignore[name-defined,misc]
    """What a person last saw of a published week: the week's version and when, so changes made
    after that are marked and told on their next visit."""

    __tablename__ = "rota_seen"
    __table_args__ = (UniqueConstraint("user_id", "week_id", name="uq_rota_seen_user_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    week_id: Mapped[int] = mapped_column(ForeignKey("rota_weeks.id"), index=True)
    seen_version: Mapped[int] = mapped_column(Integer, default=0)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
