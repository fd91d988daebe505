"""The rota's roles and skills page: roles with colours and needed skills, skills, and per person
the skills held (expired certificates marked), their hours limit and rate; bad input refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bakery.extensions import db
from bakery.models import RotaPersonSkill, RotaProfile, RotaRole, RotaSkill
from bakery.services import rota
from bakery.services.audit import SYSTEM
from tests.app.planning.helpers import actions, person
from tests.factories import make_user, post, sign_in


@pytest.fixture
def manager(client):
    boss = make_user("manager", name="Marek Manager")
    sign_in(client, boss)
    return boss


def test_a_manager_adds_a_skill_and_a_role_that_needs_it(client, manager):
    assert post(client, "/office/rota/setup/skills", {"name": "  Barista  "}).status_code == 302
    skill = db.session.scalar(select(RotaSkill))
    response = post(
        client,
        "/office/rota/setup/roles",
        {
            "name": "Barista",
            "colour": "#7C4A2D",
            "min_staff": "1",
            "skill_ids": str(skill.id),
            "position": "0",
        },
    )
    assert response.status_code == 302
    page = client.get("/office/rota/setup").get_data(as_text=True)
    assert "Role Barista saved." in page
    role = db.session.scalar(select(RotaRole))
    assert (role.colour, role.min_staff, [s.name for s in role.skills]) == ("#7c4a2d", 1, ["Barista"])
    assert actions() == ["rota.skill_saved", "rota.role_saved"]


def test_a_role_cannot_take_another_roles_name(client, manager):
    rota.save_role("Counter", SYSTEM)
    baker = rota.save_role("Baker", SYSTEM)
    response = post(client, f"/office/rota/setup/roles/{baker.id}", {"name": "Counter", "colour": "#112233"})
    assert response.status_code == 422 and "already a role called Counter" in response.get_data(as_text=True)
    db.session.expire_all()
    assert sorted(r.name for r in db.session.scalars(select(RotaRole))) == ["Baker", "Counter"]


def test_a_role_is_changed_in_place(client, manager):
    role = rota.save_role("Counter", SYSTEM, colour="#2a9d8f", min_staff=2)
    post(
        client,
        f"/office/rota/setup/roles/{role.id}",
        {"name": "Front counter", "colour": "#112233", "min_staff": "3"},
    )
    db.session.expire_all()
    assert (role.name, role.colour, role.min_staff, role.skills) == ("Front counter", "#112233", 3, [])


@pytest.mark.parametrize(
    ("url", "form", "message"),
    [
        ("/office/rota/setup/roles", {"name": "", "colour": "#112233"}, "Enter a role name"),
        ("/office/rota/setup/roles", {"name": "Baker", "colour": "red"}, "#rrggbb"),
        ("/office/rota/setup/roles", {"name": "Baker", "colour": "#112233", "min_staff": "51"}, "0 to 50"),
        (
            "/office/rota/setup/roles",
            {"name": "Baker", "colour": "#112233", "min_staff": "\u0661"},
            "whole number",
        ),
        (
            "/office/rota/setup/roles",
            {"name": "Baker", "colour": "#112233", "skill_ids": "99999"},
            "from the list",
        ),
        (
            "/office/rota/setup/roles",
            {"name": "Counter", "colour": "#112233"},
            "already a role called Counter",
        ),
        ("/office/rota/setup/skills", {"name": "Bread"}, "already a skill called Bread"),
    ],
)
def test_bad_role_and_skill_input_is_refused_and_changes_nothing(client, manager, url, form, message):
    rota.save_role("Counter", SYSTEM)
    rota.save_skill("Bread", SYSTEM)
    response = post(client, url, form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert [r.name for r in db.session.scalars(select(RotaRole))] == ["Counter"]
    assert [s.name for s in db.session.scalars(select(RotaSkill))] == ["Bread"]


def test_skills_held_with_an_expired_certificate_are_marked_and_can_be_removed(client, manager):
    ada = person("Ada Baker")
    hygiene = rota.save_skill("Food hygiene level 2", SYSTEM)
    response = post(
        client,
        f"/office/rota/setup/people/{ada.id}/skills",
        {"skill_id": str(hygiene.id), "gained_on": "2023-01-10", "expires_on": "2026-01-10"},
    )
    assert response.status_code == 302
    page = client.get("/office/rota/setup").get_data(as_text=True)
    assert "expired 10 Jan 2026" in page
    removed = post(client, f"/office/rota/setup/people/{ada.id}/skills/{hygiene.id}/remove")
    assert removed.status_code == 302
    assert db.session.scalar(select(RotaPersonSkill)) is None
    again = post(client, f"/office/rota/setup/people/{ada.id}/skills/{hygiene.id}/remove")
    assert again.status_code == 404


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"skill_id": "", "gained_on": "2025-01-01"}, "Choose a skill"),
        ({"skill_id": "SKILL", "gained_on": ""}, "Give the day the skill was gained"),
        ({"skill_id": "SKILL", "gained_on": "2025-01-01", "expires_on": "soon"}, "not a date"),
        (
            {"skill_id": "SKILL", "gained_on": "2025-01-01", "expires_on": "2024-01-01"},
            "cannot expire before",
        ),
    ],
)
def test_bad_skill_dates_are_refused(client, manager, form, message):
    ada = person("Ada Baker")
    skill = rota.save_skill("Bread", SYSTEM)
    form = {k: (str(skill.id) if v == "SKILL" else v) for k, v in form.items()}
    response = post(client, f"/office/rota/setup/people/{ada.id}/skills", form)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(RotaPersonSkill)) is None


def test_a_persons_limit_and_rate_are_saved_and_cleared(client, manager):
    ada = person("Ada Baker")
    post(client, f"/office/rota/setup/people/{ada.id}", {"week_hours_limit": "30", "hourly_rate": "12.60"})
    db.session.expire_all()
    profile = db.session.get(RotaProfile, ada.id)
    assert (profile.week_hours_limit, profile.hourly_rate_pence) == (30, 1260)
    assert 'value="12.60"' in client.get("/office/rota/setup").get_data(as_text=True)
    for form, message in [
        ({"week_hours_limit": "101", "hourly_rate": ""}, "1 to 100"),
        ({"week_hours_limit": "", "hourly_rate": "12,60"}, "no commas"),
        ({"week_hours_limit": "", "hourly_rate": "12.605"}, "whole pence"),
    ]:
        response = post(client, f"/office/rota/setup/people/{ada.id}", form)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    post(client, f"/office/rota/setup/people/{ada.id}", {"week_hours_limit": "", "hourly_rate": ""})
    db.session.expire_all()
    assert (profile.week_hours_limit, profile.hourly_rate_pence) == (None, None)
    assert post(client, "/office/rota/setup/people/99999", {"week_hours_limit": "3"}).status_code == 404


def test_the_setup_page_lists_people_who_clock_in(client, manager):
    person("Ada Baker")
    page = client.get("/office/rota/setup").get_data(as_text=True)
    assert "Ada Baker" in page and "Rota roles and skills" in page
    assert "Nobody clocks in yet" not in page
