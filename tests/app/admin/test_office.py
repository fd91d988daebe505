"""The back office: tills and pairing, settings, users, the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, ShopSettings, Till, TillDevice, User
from tests.factories import make_till, make_user, post, sign_in

SETTINGS = {
    "shop_name": "Second Rise",
    "address": "12 Mill Lane",
    "vat_number": "GB123",
    "currency": "GBP",
    "locale": "en_GB",
    "timezone": "Europe/London",
    "receipt_footer": "Thank you",
    "till_idle_seconds": "120",
    "void_manager_above": "20.00",
    "receipt_after_pay": "always",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_manager_adds_a_till_and_pairs_this_tablet(client):
    sign_in(client, make_user("manager"))
    assert post(client, "/office/tills", {"name": "Counter", "location": "front"}).status_code == 302
    till = db.session.scalar(select(Till).where(Till.name == "Counter"))
    response = post(client, f"/office/tills/{till.id}/pair", {"label": "Front tablet"})
    assert response.headers["Location"] == "/till/"
    cookie = response.headers["Set-Cookie"]
    assert "bakery_till=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert count(TillDevice) == 1
    assert "Who is serving?" in client.get("/till/").get_data(as_text=True)


def test_a_duplicate_till_name_is_refused_and_nothing_is_added(client):
    sign_in(client, make_user("manager"))
    make_till("Counter")
    response = post(client, "/office/tills", {"name": "Counter"})
    assert response.status_code == 422
    assert "already a till called Counter" in response.get_data(as_text=True)
    assert count(Till) == 1


def test_an_over_long_till_name_is_refused(client):
    sign_in(client, make_user("manager"))
    response = post(client, "/office/tills", {"name": "x" * 61})
    assert response.status_code == 422
    assert count(Till) == 0


def test_pairing_ends_the_managers_session_on_that_tablet(client):
    sign_in(client, make_user("manager"))
    till = make_till()
    post(client, f"/office/tills/{till.id}/pair", {"label": "t"})
    assert client.get("/office/tills").status_code == 302


def test_unpairing_a_tablet_stops_it_at_once(client):
    manager = make_user("manager")
    sign_in(client, manager)
    till = make_till()
    post(client, f"/office/tills/{till.id}/pair", {"label": "t"})
    sign_in(client, manager)
    device = db.session.scalar(select(TillDevice))
    post(client, f"/office/devices/{device.id}/revoke")
    assert "not a till yet" in client.get("/till/").get_data(as_text=True)


def test_an_admin_changes_the_settings_and_the_change_is_audited(client):
    sign_in(client, make_user("admin"))
    response = post(client, "/admin/settings", SETTINGS)
    assert response.status_code == 302
    saved = db.session.get(ShopSettings, 1)
    assert saved.shop_name == "Second Rise" and saved.till_idle_seconds == 120
    assert saved.void_manager_above == 2000 and saved.receipt_after_pay == "always"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert "Second Rise" in event.details


def test_bad_settings_are_refused_and_nothing_changes(client):
    sign_in(client, make_user("admin"))
    for field, value, message in [
        ("currency", "XYZ", "currency code"),
        ("timezone", "Mars/Olympus", "timezone"),
        ("locale", "zz_ZZ", "locale"),
        ("till_idle_seconds", "5", "Between 30 and 3600"),
        ("void_manager_above", "-1.00", "negative"),
        ("void_manager_above", "20.001", "whole pence"),
        ("receipt_after_pay", "sometimes", "receipt after Pay"),
        ("shop_name", "", "shop"),
    ]:
        response = post(client, "/admin/settings", {**SETTINGS, field: value})
        assert response.status_code == 422, field
        assert message in response.get_data(as_text=True), field
    assert db.session.get(ShopSettings, 1) is None


def test_settings_offer_the_receipt_after_pay_choices_and_a_new_shop_asks(client):
    sign_in(client, make_user("admin"))
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "The receipt after Pay" in page
    for label in ("Ask after each sale", "Always print the receipt at Pay", "Never print at Pay"):
        assert label in page
    assert '<option selected value="ask">' in page  # a shop without settings yet asks


def test_a_unicode_shop_name_is_kept_exactly(client):
    sign_in(client, make_user("admin"))
    post(client, "/admin/settings", {**SETTINGS, "shop_name": "Café Żółć ☕"})
    assert db.session.get(ShopSettings, 1).shop_name == "Café Żółć ☕"
    assert "Café Żółć ☕" in client.get("/office/").get_data(as_text=True)


def test_an_admin_adds_staff_with_a_pin_and_changes_a_role_with_an_audit_row(client):
    admin = make_user("admin")
    sign_in(client, admin)
    response = post(client, "/admin/users", {"display_name": "Dee Baker", "role": "staff", "pin": "4455"})
    assert response.status_code == 302
    dee = db.session.scalar(select(User).where(User.display_name == "Dee Baker"))
    assert dee.pin_hash and dee.pin_hash != "4455"
    post(client, f"/admin/users/{dee.id}/password", {"password": "long enough pass"})
    assert post(client, f"/admin/users/{dee.id}", {"role": "manager", "active": "y"}).status_code == 422
    dee.email = "dee@example.test"
    db.session.commit()
    post(client, f"/admin/users/{dee.id}/password", {"password": "long enough pass"})
    post(client, f"/admin/users/{dee.id}", {"role": "manager", "active": "y"})
    assert db.session.get(User, dee.id).role == "manager"
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "user.role_changed" in actions and "user.pin_changed" not in actions
    assert "4455" not in " ".join(db.session.scalars(select(AuditEvent.details)))


def test_a_bad_pin_for_a_new_user_is_refused_and_nothing_is_added(client):
    sign_in(client, make_user("admin"))
    before = count(User)
    response = post(client, "/admin/users", {"display_name": "X", "role": "staff", "pin": "12a4"})
    assert response.status_code == 422
    assert "4 to 6 digits" in response.get_data(as_text=True)
    assert count(User) == before


def test_an_admin_cannot_demote_themself(client):
    admin = make_user("admin")
    sign_in(client, admin)
    response = post(client, f"/admin/users/{admin.id}", {"role": "staff", "active": "y"})
    assert response.status_code == 422
    assert db.session.get(User, admin.id).role == "admin"


def test_a_manager_unlocks_a_locked_user(client):
    from datetime import timedelta

    from bakery.models.types import utcnow

    ada = make_user("staff")
    ada.locked_until = utcnow() + timedelta(minutes=5)
    db.session.commit()
    sign_in(client, make_user("manager"))
    post(client, f"/office/users/{ada.id}/unlock")
    assert db.session.get(User, ada.id).locked_until is None


def test_the_audit_log_lists_and_filters_events(client):
    manager = make_user("manager")
    sign_in(client, manager)
    post(client, "/office/tills", {"name": "Window"})
    everything = client.get("/office/audit").get_data(as_text=True)
    assert "added the till Window" in everything and "signed in with a password" in everything
    only_tills = client.get("/office/audit?action=till.").get_data(as_text=True)
    assert "added the till Window" in only_tills and "signed in with a password" not in only_tills
    assert client.get("/office/audit?day_from=yesterday").status_code == 422


def test_the_settings_page_offers_currencies_locales_and_timezones_to_choose_from(client):
    sign_in(client, make_user("admin"))
    page = client.get("/admin/settings").get_data(as_text=True)
    assert '<select id="currency" name="currency">' in page
    assert '<option selected value="GBP">GBP · British Pound</option>' in page
    assert '<option value="fr_CA">French (Canada) · fr_CA</option>' in page
    assert '<optgroup label="Europe">' in page and '<option value="Europe/Rome">Rome</option>' in page


def test_a_currency_or_timezone_outside_the_lists_is_refused_and_nothing_changes(client):
    sign_in(client, make_user("admin"))
    assert post(client, "/admin/settings", SETTINGS).status_code == 302
    before = db.session.get(ShopSettings, 1)
    saved = (before.currency, before.locale, before.timezone, before.shop_name)
    for field, value in [
        ("currency", "XAU"),  # a real ISO code, but gold is not a shop's currency
        ("currency", "gbpx"),
        ("timezone", "UTC"),
        ("timezone", "US/Eastern"),
        ("timezone", "Europe/Atlantis"),
        ("locale", "tlh"),
    ]:
        response = post(client, "/admin/settings", {**SETTINGS, "shop_name": "Changed", field: value})
        assert response.status_code == 422, (field, value)
        assert "Choose a" in response.get_data(as_text=True), (field, value)
        db.session.expire_all()
        after = db.session.get(ShopSettings, 1)
        assert (after.currency, after.locale, after.timezone, after.shop_name) == saved


def test_a_currency_locale_and_timezone_from_the_lists_are_saved(client):
    sign_in(client, make_user("admin"))
    choice = {"currency": "CAD", "locale": "fr_CA", "timezone": "America/Toronto"}
    assert post(client, "/admin/settings", {**SETTINGS, **choice}).status_code == 302
    saved = db.session.get(ShopSettings, 1)
    assert (saved.currency, saved.locale, saved.timezone) == ("CAD", "fr_CA", "America/Toronto")


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("week_hours_limit", "0", "Between 1 and 80 hours."),
        ("week_hours_limit", "81", "Between 1 and 80 hours."),
        ("week_hours_limit", "forty", "whole number"),
        ("impact_threshold_bp", "101", ""),
        ("impact_threshold_bp", "a third", ""),
    ],
)
def test_the_rota_hours_limit_and_the_impact_threshold_refuse_what_is_out_of_range(
    client, field, typed, message
):
    sign_in(client, make_user("admin"))
    response = post(client, "/admin/settings", {**SETTINGS, field: typed})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(ShopSettings, 1)
    assert saved is None or (saved.week_hours_limit, saved.impact_threshold_bp) == (48, 3000)


def test_an_admin_sets_the_rota_hours_limit_and_the_impact_threshold(client):
    sign_in(client, make_user("admin"))
    response = post(
        client, "/admin/settings", {**SETTINGS, "week_hours_limit": "40", "impact_threshold_bp": "25"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(ShopSettings, 1)
    assert (saved.week_hours_limit, saved.impact_threshold_bp) == (40, 2500)
