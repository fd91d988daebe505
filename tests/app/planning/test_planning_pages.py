"""The rota planner's pages and htmx fragments: the grid, the shift panel, bad input, publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bakery.extensions import db
from bakery.models import RotaShift
from tests.app.planning.helpers import WINTER_MONDAY, person, setup_roles, shift, shift_count, week
from tests.factories import make_user, post, sign_in

WEEK = WINTER_MONDAY.isoformat()


@pytest.fixture
def roles(app):
    return setup_roles()


@pytest.fixture
def manager(client, roles):
    boss = make_user("manager", name="Marek Manager")
    sign_in(client, boss)
    return boss


def shift_form(roles, **over) -> dict[str, str]:
    form = {
        "day": WEEK,
        "start": "07:00",
        "end": "15:00",
        "role": str(roles["counter"]),
        "person": "",
        "break_minutes": "30",
        "skill": "",
        "note": "",
        "view": "people",
    }
    form.update(over)
    return form


def test_the_week_shows_people_days_shifts_and_warnings(client, manager, roles):
    ada = person("Ada Baker")
    shift(WINTER_MONDAY, "07:00", "15:00", roles["baker"], ada)
    page = client.get(f"/office/rota/?week={WEEK}").get_data(as_text=True)
    assert "Rota · week of Mon 16 November 2026" in page
    assert "Ada Baker" in page and "07:00-15:00" in page
    assert "Draft: only managers see it" in page
    assert "needs Bread, which Ada Baker does not hold" in page
    assert 'class="chip role-' in page and " warned" in page
    by_role = client.get(f"/office/rota/?week={WEEK}&view=roles").get_data(as_text=True)
    assert "Shifts by role and day" in by_role and "at least 2 a day" in by_role


def test_any_day_shows_its_week_and_a_bad_week_is_refused_plainly(client, manager):
    assert "week of Mon 16 November 2026" in client.get("/office/rota/?week=2026-11-19").get_data(
        as_text=True
    )
    response = client.get("/office/rota/?week=2026-13-40")
    assert response.status_code == 422 and "That is not a date" in response.get_data(as_text=True)
    far = client.get("/office/rota/?week=2099-01-02")
    assert far.status_code == 422 and "too far away" in far.get_data(as_text=True)


def test_role_colours_come_as_a_stylesheet(client, manager, roles):
    css = client.get("/office/rota/roles.css")
    assert css.mimetype == "text/css"
    assert f".role-{roles['counter']} {{ --role: #2a9d8f; }}" in css.get_data(as_text=True)


def test_the_new_shift_panel_is_a_fragment_for_the_cell_it_came_from(client, manager, roles):
    ada = person("Ada Baker")
    response = client.get(
        f"/office/rota/shifts/new?day={WEEK}&person={ada.id}", headers={"HX-Request": "true"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.startswith('<section id="shift-panel"') and "<html" not in body
    assert f'<option value="{ada.id}" selected>Ada Baker</option>' in body
    assert response.headers["HX-Retarget"] == "#shift-panel"


def test_adding_a_shift_by_htmx_swaps_the_week_with_its_warnings(client, manager, roles):
    ada = person("Ada Baker")
    response = post(
        client,
        "/office/rota/shifts",
        shift_form(roles, person=str(ada.id), role=str(roles["baker"])),
        htmx=True,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.startswith('<div id="rota-week"')
    assert "Shift added: Mon 16 Nov 07:00." in body
    assert "needs Bread, which Ada Baker does not hold" in body
    assert response.headers["HX-Trigger"] == "rota-changed"
    assert shift_count(WINTER_MONDAY) == 1


def test_a_night_shift_is_typed_with_an_end_before_its_start(client, manager, roles):
    post(
        client,
        "/office/rota/shifts",
        shift_form(roles, start="22:00", end="06:00", break_minutes="0"),
        htmx=True,
    )
    db.session.expire_all()
    stored = db.session.query(RotaShift).one()
    assert (stored.start_minute, stored.end_minute) == (22 * 60, 30 * 60)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start", "7.30", "is not a time"),
        ("end", "25:00", "is not a time of day"),
        ("end", "07:00", "must end after it starts"),
        ("day", "2026-02-30", "Choose a day of the week"),
        ("day", "2026-11-30", "That day is not in this week"),
        ("role", "", "Choose a role"),
        ("role", "99999", "Choose a role"),
        ("person", "abc", "Choose a person from the list"),
        ("person", "99999", "cannot be put on the rota"),
        ("break_minutes", "-5", "A break is 0 to 180 minutes"),
        ("break_minutes", "\u0663\u0660", "Enter a whole number"),
        ("note", "x" * 201, "at most 200 characters"),
    ],
)
def test_bad_shift_input_is_refused_in_the_panel_and_changes_nothing(
    client, manager, roles, field, value, message
):
    if value == "2026-11-30":  # a day of another week, sent from this week's panel
        shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"])
        target = f"/office/rota/shifts/{db.session.query(RotaShift).one().id}"
        form = shift_form(roles, version="1", **{field: value})
    else:
        target, form = "/office/rota/shifts", shift_form(roles, **{field: value})
    before = shift_count(WINTER_MONDAY)
    response = post(client, target, form, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body
    assert body.startswith('<section id="shift-panel"')
    assert shift_count(WINTER_MONDAY) == before and shift_count(WINTER_MONDAY + timedelta(days=14)) == 0


def test_moving_a_shift_to_another_day_and_person(client, manager, roles):
    ada, ben = person("Ada Baker"), person("Ben Barista", "2222")
    first = shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], ada)
    panel = client.get(f"/office/rota/shifts/{first.id}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert 'name="version" value="1"' in panel and "Copy to" in panel and "Remove shift" in panel
    tuesday = (WINTER_MONDAY + timedelta(days=1)).isoformat()
    response = post(
        client,
        f"/office/rota/shifts/{first.id}",
        shift_form(roles, day=tuesday, person=str(ben.id), version="1"),
        htmx=True,
    )
    assert response.status_code == 200 and "Shift changed." in response.get_data(as_text=True)
    db.session.expire_all()
    moved = db.session.get(RotaShift, first.id)
    assert (moved.day.isoformat(), moved.user_id, moved.version) == (tuesday, ben.id, 2)


def test_a_second_manager_with_a_stale_grid_is_told_and_sees_the_week_reloaded(client, manager, roles):
    ada = person("Ada Baker")
    first = shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], ada)
    post(client, f"/office/rota/shifts/{first.id}", shift_form(roles, start="08:00", version="1"), htmx=True)
    stale = post(
        client, f"/office/rota/shifts/{first.id}", shift_form(roles, start="09:00", version="1"), htmx=True
    )
    body = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "Someone else changed that shift meanwhile: the rota has been reloaded." in body
    assert body.startswith('<div id="rota-week"') and "08:00-15:00" in body
    db.session.expire_all()
    assert db.session.get(RotaShift, first.id).start_minute == 8 * 60


def test_copy_a_shift_and_remove_one(client, manager, roles):
    ada = person("Ada Baker")
    first = shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], ada)
    first_id = first.id
    friday = (WINTER_MONDAY + timedelta(days=4)).isoformat()
    copied = post(
        client,
        f"/office/rota/shifts/{first.id}/copy",
        {"to_day": friday, "to_person": str(ada.id)},
        htmx=True,
    )
    assert "Shift copied to Fri 20 Nov." in copied.get_data(as_text=True)
    bad = post(
        client, f"/office/rota/shifts/{first.id}/copy", {"to_day": "2027-01-01", "to_person": ""}, htmx=True
    )
    assert bad.status_code == 422 and "not in this week" in bad.get_data(as_text=True)
    removed = post(client, f"/office/rota/shifts/{first.id}/remove", {"version": "1"}, htmx=True)
    assert "Shift removed." in removed.get_data(as_text=True)
    assert shift_count(WINTER_MONDAY) == 1
    assert client.get(f"/office/rota/shifts/{first_id}").status_code == 404


def test_copy_last_week_templates_and_publish_by_plain_forms(client, manager, roles):
    ada = person("Ada Baker")
    shift(WINTER_MONDAY - timedelta(days=7), "07:00", "15:00", roles["counter"], ada)
    copied = post(client, "/office/rota/week/copy-last", {"week": WEEK, "version": "0"})
    assert copied.status_code == 302
    assert "1 shift copied from last week." in client.get(copied.headers["Location"]).get_data(as_text=True)
    saved = post(
        client, "/office/rota/week/template", {"week": WEEK, "version": "1", "name": "Winter week"}, htmx=True
    )
    assert "Saved as the template Winter week." in saved.get_data(as_text=True)
    stale = post(client, "/office/rota/week/publish", {"week": WEEK, "version": "0"}, htmx=True)
    assert stale.status_code == 409 and "check it again, then publish" in stale.get_data(as_text=True)
    assert week(WINTER_MONDAY).published_at is None
    published = post(client, "/office/rota/week/publish", {"week": WEEK, "version": "1"}, htmx=True)
    body = published.get_data(as_text=True)
    assert "is published: members can see their shifts" in body and "Published" in body
    assert week(WINTER_MONDAY).published_at is not None


def test_week_forms_with_bad_versions_or_weeks_are_refused(client, manager, roles):
    for url, form in [
        ("/office/rota/week/copy-last", {"week": WEEK, "version": "x"}),
        ("/office/rota/week/publish", {"week": "nope", "version": "0"}),
        ("/office/rota/week/apply-template", {"week": WEEK, "version": "0", "template": ""}),
        ("/office/rota/week/template", {"week": WEEK, "version": "0", "name": ""}),
    ]:
        response = post(client, url, form, htmx=True)
        assert response.status_code == 422, url
    assert week(WINTER_MONDAY) is None


def test_the_week_pdf_downloads(client, manager, roles):
    shift(WINTER_MONDAY, "07:00", "15:00", roles["counter"], person("Ada Baker"))
    response = client.get(f"/office/rota/week.pdf?week={WEEK}")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF")


def test_staff_and_members_cannot_see_the_planner(client, roles):
    sign_in(client, make_user("staff", name="Sam Staff", password="correct horse battery"))
    assert client.get(f"/office/rota/?week={WEEK}").status_code in (302, 403)


@pytest.mark.parametrize("day", ["0001-01-01", "0001-01-02", "9999-12-27", "9999-12-31"])
def test_days_at_the_ends_of_the_calendar_are_refused_never_a_server_error(client, manager, roles, day):
    response = post(
        client, "/office/rota/shifts", shift_form(roles, day=day, start="22:00", end="06:00"), htmx=True
    )
    assert response.status_code == 422 and "too far away" in response.get_data(as_text=True)
    for url in [
        f"/office/rota/?week={day}",
        f"/office/rota/shifts/new?day={day}",
        f"/office/rota/day?day={day}",
    ]:
        assert client.get(url).status_code == 422, url
    assert client.get(f"/office/rota/week.pdf?week={day}").status_code == 404
    for url in ["/office/rota/week/copy-last", "/office/rota/week/publish", "/office/rota/week/template"]:
        assert post(client, url, {"week": day, "version": "0", "name": "x"}, htmx=True).status_code == 422, (
            url
        )
    assert week(WINTER_MONDAY) is None
