"""The bake plan on a known sales history, on both engines: the suggestion, accepting it (once),
the production list on the kitchen printer, how good the plan was, and sell-through and waste."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import BakePlan, BakePlanLine, Printer, PrintJob
from bakery.services import printing, stock
from bakery.services.audit import SYSTEM
from bakery.services.errors import ServiceError
from bakery.services.printing import PrinterInput
from printers import document_from_json, render_text
from tests.app.stock.bake_history import Counter, at_local, bake, loaf_in_batches_of, waste, worked_example
from tests.app.stock.kitchen import key, make_kitchen, shop_today
from tests.factories import make_member, make_till, make_user, pair, pin_in, post, sign_in

BASE = "/office/bake-plan"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def kitchen(app):
    manager = make_user("manager")
    kitchen = make_kitchen(manager.id)
    loaf_in_batches_of(kitchen, 8)
    return kitchen


@pytest.fixture
def history(kitchen):
    return worked_example(kitchen, Counter())


def kitchen_printer(name: str = "Bakehouse") -> Printer:
    return printing.save_printer(
        None,
        PrinterInput(
            name=name,
            location="kitchen",
            profile="generic-80",
            connection={"kind": "network", "host": "127.0.0.1", "port": 9, "timeout": 2.0},
        ),
        SYSTEM,
    )


def loaf_row(rows, kitchen):
    return next(row for row in rows if row.product_id == kitchen.loaf.id)


# --- the rule on a known history ------------------------------------------------------------


def test_the_worked_example_suggests_three_batches_of_eight(kitchen, history):
    rows = stock.suggestions(history)
    assert [row.name for row in rows] == ["Sourdough"]  # the latte and the juice are not baked in batches
    loaf = loaf_row(rows, kitchen)
    days = [(d.sold, d.sold_out) for d in loaf.suggestion.days]
    assert days == [(20, False), (24, True), (18, False), (22, False)]
    s = loaf.suggestion
    assert (s.demand, s.left, s.needed, s.batch_size, s.batches, s.qty) == (23, 5, 18, 8, 3, 24)


def test_units_past_their_best_before_tomorrow_are_not_counted_as_left(kitchen, history):
    """15 on hand once 10 from a bake 3 days ago (out of date tomorrow) are recorded: stock leaves
    first in, first out, so the 15 on hand are the newest, and only today's 8 of them are in date."""
    old_day = shop_today() - timedelta(days=3)
    stock.record_bake(
        kitchen.loaf.id,
        10,
        key=key(),
        actor=kitchen.actor,
        baked_on=old_day,
        best_before=old_day + timedelta(days=2),
    )
    loaf = loaf_row(stock.suggestions(history), kitchen)
    assert loaf.on_hand == 15
    assert loaf.suggestion.left == 8
    assert (loaf.suggestion.needed, loaf.suggestion.qty) == (15, 16)


def test_more_weeks_look_further_back_and_a_closed_day_is_left_out(kitchen, history):
    loaf = loaf_row(stock.suggestions(history, weeks=6), kitchen)
    assert len(loaf.suggestion.days) == 4  # weeks 5 and 6 had no trading at all
    with pytest.raises(ServiceError, match="1 to 12 weeks"):
        stock.suggestions(history, weeks=13)


# --- accepting ------------------------------------------------------------------------------


def test_accepting_stores_the_plan_and_a_double_tap_stores_one(kitchen, history):
    form = key()
    first = stock.accept_plan(history, {kitchen.loaf.id: 32}, key=form, actor=kitchen.actor)
    again = stock.accept_plan(history, {kitchen.loaf.id: 40}, key=form, actor=kitchen.actor)
    assert first.id == again.id
    assert count(BakePlan) == 1
    line = db.session.scalar(select(BakePlanLine))
    assert (line.suggested, line.qty, line.batch_size, line.demand, line.left) == (24, 32, 8, 23, 5)


def test_a_second_plan_for_the_same_day_is_refused_with_who_accepted_the_first(kitchen, history):
    stock.accept_plan(history, {}, key=key(), actor=kitchen.actor)
    with pytest.raises(stock.AlreadyPlanned, match="already accepted"):
        stock.accept_plan(history, {kitchen.loaf.id: 8}, key=key(), actor=kitchen.actor)
    db.session.rollback()
    assert count(BakePlan) == 1
    assert db.session.scalar(select(BakePlanLine.qty)) == 24  # a product left out keeps its suggestion


@pytest.mark.parametrize(
    ("quantities", "message"),
    [
        ({"loaf": -1}, "0 to 10000"),
        ({"loaf": 10_001}, "0 to 10000"),
        ({"loaf": True}, "0 to 10000"),
        ({"latte": 4}, "Latte is not baked in batches"),
        ({999_999: 4}, "does not exist"),
    ],
)
def test_bad_plans_are_refused_and_store_nothing(kitchen, history, quantities, message):
    ids = {"loaf": kitchen.loaf.id, "latte": kitchen.latte.id}
    with pytest.raises(ServiceError, match=message):
        stock.accept_plan(
            history, {ids.get(k, k): v for k, v in quantities.items()}, key=key(), actor=kitchen.actor
        )
    db.session.rollback()
    assert count(BakePlan) == 0


def test_a_plan_is_for_today_to_a_week_ahead(kitchen, history):
    for day in (shop_today() - timedelta(days=1), shop_today() + timedelta(days=8)):
        with pytest.raises(ServiceError, match="7 days ahead"):
            stock.accept_plan(day, {}, key=key(), actor=kitchen.actor)


# --- the production list ----------------------------------------------------------------------


def test_the_production_list_is_queued_once_on_the_kitchen_printer(kitchen, history):
    printer = kitchen_printer()
    with pytest.raises(ServiceError, match="Accept the plan"):
        stock.print_production_list(history, printer.id, key=key(), actor=kitchen.actor)
    db.session.rollback()
    stock.accept_plan(history, {kitchen.loaf.id: 32}, key=key(), actor=kitchen.actor)
    form = key()
    job = stock.print_production_list(history, printer.id, key=form, actor=kitchen.actor)
    assert stock.print_production_list(history, printer.id, key=form, actor=kitchen.actor).id == job.id
    assert count(PrintJob) == 1
    assert (job.kind, job.printer_id, job.state) == ("kitchen", printer.id, "queued")
    text = render_text(document_from_json(job.document_json), 48)
    assert "PRODUCTION LIST" in text
    assert re.search(r"Sourdough\s+32", text)
    assert "4 batches of 8" in text


def test_the_production_list_goes_only_to_a_kitchen_printer(kitchen, history):
    stock.accept_plan(history, {}, key=key(), actor=kitchen.actor)
    counter_printer = printing.save_printer(
        None,
        PrinterInput(
            name="Counter",
            location="counter",
            profile="generic-80",
            connection={"kind": "network", "host": "127.0.0.1", "port": 9, "timeout": 2.0},
        ),
        SYSTEM,
    )
    for printer_id in (counter_printer.id, 999_999):
        with pytest.raises(ServiceError, match="kitchen printer"):
            stock.print_production_list(history, printer_id, key=key(), actor=kitchen.actor)
        db.session.rollback()
    assert count(PrintJob) == 0


# --- how good the plan was, sell-through ---------------------------------------------------


def test_the_review_shows_planned_baked_sold_and_wasted(kitchen, history):
    """Yesterday's plan is reviewed the day after: here the plan for a past weekday is made on
    that day (a plan may be accepted for today), and the day's trade follows it."""
    counter = Counter()
    today = shop_today()
    stock.accept_plan(today, {kitchen.loaf.id: 16}, key=key(), actor=kitchen.actor)
    bake(kitchen, kitchen.loaf, 16, today, hour=0)
    rows = stock.plan_review(today)
    assert [(r.name, r.planned, r.baked) for r in rows] == [("Sourdough", 16, 24)]  # 8 + 16 baked today
    assert rows[0].sold == 3
    waste(kitchen, kitchen.loaf, 2, today, hour=0)
    counter.sell(kitchen.loaf, 1, at_local(today, 0, 45))
    row = stock.plan_review(today)[0]
    assert (row.sold, row.wasted, row.donated) == (4, 2, 0)
    assert row.wasted_value == 2 * stock.product_facts(kitchen.loaf).cost


def test_the_waste_saved_compares_the_plan_with_last_weeks_bake(kitchen, history):
    """Today a week after a day when 24 were baked: the plan says 16, 10 sell; 14 over becomes 6."""
    today = shop_today()
    counter = Counter()
    last_week = today - timedelta(weeks=1)
    bake(kitchen, kitchen.loaf, 24, last_week, hour=1)
    stock.accept_plan(today, {kitchen.loaf.id: 16}, key=key(), actor=kitchen.actor)
    for _ in range(7):  # 3 sold already today by the history
        counter.sell(kitchen.loaf, 1, at_local(today, 0, 45))
    cost = stock.product_facts(kitchen.loaf).cost
    saved = stock.waste_saved_by_day(today)
    assert [(s.day, s.units, s.value) for s in saved] == [(today, 8, 8 * cost)]


def test_sell_through_per_product_per_day_nets_refunds_and_values_waste_at_cost(kitchen, history):
    start, end = history - timedelta(weeks=3), history - timedelta(weeks=3)
    result = stock.sell_through(start, end)
    by_name = {(r.day, r.name): r.figures for r in result.rows}
    loaf = by_name[(start, "Sourdough")]
    assert (loaf.baked, loaf.sold, loaf.takings, loaf.wasted) == (24, 18, 18 * 450, 6)
    assert loaf.wasted_value == 6 * stock.product_facts(kitchen.loaf).cost
    assert by_name[(start, "Latte")].sold == 1
    assert result.grand.takings == 18 * 450 + 320


def test_sell_through_refuses_a_backwards_or_too_long_range(kitchen):
    today = shop_today()
    with pytest.raises(ServiceError, match="ends before it starts"):
        stock.sell_through(today, today - timedelta(days=1))
    with pytest.raises(ServiceError, match="at most 62 days"):
        stock.sell_through(today - timedelta(days=62), today)


# --- the pages --------------------------------------------------------------------------------


@pytest.fixture
def manager_client(client, kitchen):
    sign_in(client, make_user("manager"))
    return client


def plan_form(day, **quantities) -> dict[str, str]:
    return {
        "day": day.isoformat(),
        "weeks": "4",
        "key": key(),
        **{f"qty-{k}": str(v) for k, v in quantities.items()},
    }


def test_the_plan_page_shows_tomorrows_suggestion(manager_client, kitchen, history):
    page = manager_client.get(f"{BASE}/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sourdough" in html
    assert f'name="qty-{kitchen.loaf.id}"' in html
    assert re.search(rf'name="qty-{kitchen.loaf.id}"[^>]*\s+value="24"', html)
    assert "24*" in html  # the sold-out day is marked
    assert "<svg" not in html and "cdn" not in html.lower()


def test_accepting_through_htmx_swaps_in_the_accepted_plan(manager_client, kitchen, history):
    kitchen_printer()
    form = plan_form(history, **{str(kitchen.loaf.id): 32})
    response = post(manager_client, f"{BASE}/accept", form, htmx=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="bake-plan" id="bake-plan">')
    assert "<html" not in html
    assert response.headers["HX-Trigger"] == "bake-plan-accepted"
    assert "Print on Bakehouse" in html
    again = post(manager_client, f"{BASE}/accept", form, htmx=True)  # the double tap
    assert again.status_code == 200
    assert count(BakePlan) == 1
    assert db.session.scalar(select(BakePlanLine.qty)) == 32


def test_accepting_without_htmx_redirects_to_the_plan(manager_client, kitchen, history):
    response = post(manager_client, f"{BASE}/accept", plan_form(history, **{str(kitchen.loaf.id): 24}))
    assert response.status_code == 302
    assert "accepted" in manager_client.get(f"{BASE}/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("qty", "message"),
    [
        ("-8", "not fewer than none"),
        ("1e3", "whole number"),
        ("99999999999", "whole number"),
        ("10001", "0 to 10000"),
    ],
)
def test_a_negative_or_absurd_quantity_re_renders_the_form_with_the_reason(
    manager_client, kitchen, history, qty, message
):
    response = post(
        manager_client, f"{BASE}/accept", plan_form(history, **{str(kitchen.loaf.id): qty}), htmx=True
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'value="{qty}"' in html  # what was typed stays
    assert count(BakePlan) == 0


def test_a_product_not_baked_in_batches_is_refused(manager_client, kitchen, history):
    form = plan_form(history, **{str(kitchen.latte.id): 4})
    response = post(manager_client, f"{BASE}/accept", form, htmx=True)
    assert response.status_code == 422
    assert "Latte is not baked in batches" in response.get_data(as_text=True)
    assert count(BakePlan) == 0


def test_a_second_accept_for_the_day_is_a_conflict(manager_client, kitchen, history):
    post(manager_client, f"{BASE}/accept", plan_form(history), htmx=True)
    response = post(
        manager_client, f"{BASE}/accept", plan_form(history, **{str(kitchen.loaf.id): 8}), htmx=True
    )
    assert response.status_code == 409
    assert "already accepted" in response.get_data(as_text=True)
    assert db.session.scalar(select(BakePlanLine.qty)) == 24


def test_printing_from_the_page_queues_the_list_and_says_so(manager_client, kitchen, history):
    printer = kitchen_printer()
    post(manager_client, f"{BASE}/accept", plan_form(history), htmx=True)
    data = {"day": history.isoformat(), "printer_id": str(printer.id), "key": key()}
    response = post(manager_client, f"{BASE}/print", data, htmx=True)
    assert response.status_code == 200
    assert "queued on Bakehouse" in response.get_data(as_text=True)
    assert response.headers["HX-Trigger"] == "print-queued"
    post(manager_client, f"{BASE}/print", data, htmx=True)  # the double tap
    assert count(PrintJob) == 1
    panel = response.get_data(as_text=True)
    assert panel.lstrip().startswith('<div class="page-actions plan-actions" id="print-panel">')
    fresh = re.search(r'name="key" value="([^"]+)"', panel).group(1)
    assert fresh != data["key"] and "Print again" in panel
    post(manager_client, f"{BASE}/print", {**data, "key": fresh}, htmx=True)  # asked for again: prints again
    assert count(PrintJob) == 2
    wrong = post(manager_client, f"{BASE}/print", {**data, "printer_id": "abc", "key": key()}, htmx=True)
    assert wrong.status_code == 422
    assert "Choose a kitchen printer" in wrong.get_data(as_text=True)


def test_the_production_list_page(manager_client, kitchen, history):
    assert manager_client.get(f"{BASE}/{history.isoformat()}/production-list").status_code == 404
    assert manager_client.get(f"{BASE}/not-a-day/production-list").status_code == 404
    post(manager_client, f"{BASE}/accept", plan_form(history), htmx=True)
    page = manager_client.get(f"{BASE}/{history.isoformat()}/production-list")
    assert page.status_code == 200
    assert "Production list" in page.get_data(as_text=True)


def test_the_review_page_draws_the_chart_as_an_svg_image(manager_client, kitchen, history):
    today = shop_today()
    bake(kitchen, kitchen.loaf, 24, today - timedelta(weeks=1), hour=1)
    stock.accept_plan(today, {kitchen.loaf.id: 16}, key=key(), actor=kitchen.actor)
    page = manager_client.get(f"{BASE}/review?day={today.isoformat()}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    chart = html.split('id="waste-chart"')[1].split("</figure>")[0]
    assert 'src="data:image/svg+xml' in chart and "%3Crect" in chart
    assert "<script" not in html.split("</head>")[1]
    assert manager_client.get(f"{BASE}/review?day=yesterday").status_code == 422
    assert manager_client.get(f"{BASE}/review?weeks=99").status_code == 422


def test_the_sell_through_page_and_its_fragment(manager_client, kitchen, history):
    day = (history - timedelta(weeks=3)).isoformat()
    page = manager_client.get(f"{BASE}/sell-through?start={day}&end={day}")
    assert page.status_code == 200
    assert "£81.00" in page.get_data(as_text=True)  # 18 loaves at £4.50 net of the refund
    fragment = manager_client.get(
        f"{BASE}/sell-through?start={day}&end={day}", headers={"HX-Request": "true"}
    )
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="sell-through">')
    assert "HX-Request" in fragment.headers["Vary"]
    for query in ("start=2026-13-01", f"start={day}&end=2020-01-01", "start=2020-01-01&end=2020-12-31"):
        bad = manager_client.get(f"{BASE}/sell-through?{query}", headers={"HX-Request": "true"})
        assert bad.status_code == 422
        assert 'role="alert"' in bad.get_data(as_text=True)


# --- who may ----------------------------------------------------------------------------------

PAGES = ["/", "/review", "/sell-through"]


@pytest.mark.parametrize("path", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    response = client.get(BASE + path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize("path", PAGES)
def test_members_and_staff_get_403(client, path):
    mia = make_user("member")
    make_member(mia)
    sign_in(client, mia)
    assert client.get(BASE + path).status_code == 403
    sign_in(client, make_user("staff", password="staff password 1"))
    assert client.get(BASE + path).status_code == 403


def test_staff_on_a_till_cannot_accept_a_plan(client, kitchen, history):
    ada = make_user("staff")
    pair(client, make_till())
    pin_in(client, ada)
    response = post(client, f"{BASE}/accept", plan_form(history), htmx=True)
    assert response.status_code == 403
    assert count(BakePlan) == 0
