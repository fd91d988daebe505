"""The rota's settings (managers): roles and the skills they need, skills, and per person the skills
held (with a certificate's expiry), their own weekly hours limit and their hourly rate."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from bakery.domain.clock import business_date
from bakery.domain.money import MoneyError, parse_pence
from bakery.forms import parse_id, parse_whole_number
from bakery.htmx import hx
from bakery.models.types import utcnow
from bakery.planning.forms import parse_day
from bakery.planning.routes import bp
from bakery.security import actor
from bakery.services import rota
from bakery.services.errors import ServiceError


def _today() -> date:
    return business_date(utcnow(), g.shop.timezone)


def _page(status: int = 200, error: str | None = None) -> Response:
    body = render_template(
        "planning/setup.html",
        roles=rota.all_roles(),
        skills=rota.all_skills(),
        people=rota.people_setup(_today()),
        error=error,
    )
    return hx(body, status)


def _done(notice: str) -> BaseResponse:
    flash(notice)
    return redirect(url_for("planning.show_setup"))


def _whole(text: str, what: str, low: int, high: int) -> int:
    try:
        value = parse_whole_number(text)
    except ValueError as wrong:
        raise ServiceError(f"{what}: {wrong}") from wrong
    if not low <= value <= high:
        raise ServiceError(f"{what} is {low} to {high}.")
    return value


def _skill_ids() -> list[int]:
    ids = [parse_id(v) for v in request.form.getlist("skill_ids")]
    if any(i is None for i in ids):
        raise ServiceError("Choose skills from the list.")
    return [i for i in ids if i is not None]


@bp.get("/setup")
def show_setup() -> Response:
    """Roles, skills, and each person's skills, hours limit and rate."""
    return _page()


def _save_role(role_id: int | None) -> BaseResponse:
    try:
        role = rota.save_role(
            request.form.get("name", ""),
            actor(),
            colour=request.form.get("colour", ""),
            min_staff=_whole(request.form.get("min_staff", "0") or "0", "The minimum staff", 0, 50),
            skill_ids=_skill_ids(),
            position=_whole(request.form.get("position", "0") or "0", "The position", 0, 1000),
            role_id=role_id,
        )
    except ServiceError as refused:
        return _page(refused.status, refused.message)
    return _done(f"Role {role.name} saved.")


@bp.post("/setup/roles")
def add_role() -> BaseResponse:
    """Add a role: a name, a colour, the minimum staff each open day, the skills it needs."""
    return _save_role(None)


@bp.post("/setup/roles/<int:role_id>")
def update_role(role_id: int) -> BaseResponse:
    """Change a role's name, colour, minimum staff or needed skills."""
    return _save_role(role_id)


@bp.post("/setup/skills")
def add_skill() -> BaseResponse:
    """Add a skill or certificate a shift may need."""
    try:
        skill = rota.save_skill(request.form.get("name", ""), actor())
    except ServiceError as refused:
        return _page(refused.status, refused.message)
    return _done(f"Skill {skill.name} added.")


@bp.post("/setup/people/<int:user_id>")
def save_person(user_id: int) -> BaseResponse:
    """A person's own weekly hours limit (blank: the shop's) and hourly rate (blank: not costed)."""
    try:
        limit_text = request.form.get("week_hours_limit", "").strip()
        rate_text = request.form.get("hourly_rate", "").strip()
        limit = _whole(limit_text, "A weekly hours limit", 1, 100) if limit_text else None
        try:
            rate = parse_pence(rate_text, maximum=100_000) if rate_text else None
        except MoneyError as wrong:
            raise ServiceError(f"Hourly rate: {wrong}") from wrong
        rota.set_profile(user_id, actor(), week_hours_limit=limit, hourly_rate_pence=rate)
    except ServiceError as refused:
        return _page(refused.status, refused.message)
    return _done("Hours limit and rate saved.")


@bp.post("/setup/people/<int:user_id>/skills")
def grant_skill(user_id: int) -> BaseResponse:
    """Record a skill a person holds, from a day, and for a certificate the day it expires."""
    try:
        skill_id = parse_id(request.form.get("skill_id", ""))
        gained = parse_day(request.form.get("gained_on"))
        expires_text = request.form.get("expires_on", "")
        expires = parse_day(expires_text) if expires_text else None
        if not skill_id:
            raise ServiceError("Choose a skill from the list.")
        if gained is None:
            raise ServiceError("Give the day the skill was gained.")
        if expires_text and expires is None:
            raise ServiceError("The expiry is not a date.")
        rota.grant_skill(user_id, skill_id, gained, actor(), expires_on=expires)
    except ServiceError as refused:
        return _page(refused.status, refused.message)
    return _done("Skill recorded.")


@bp.post("/setup/people/<int:user_id>/skills/<int:skill_id>/remove")
def revoke_skill(user_id: int, skill_id: int) -> BaseResponse:
    """Record that a person no longer holds a skill."""
    try:
        rota.revoke_skill(user_id, skill_id, actor())
    except ServiceError as refused:
        return _page(refused.status, refused.message)
    return _done("Skill removed.")
