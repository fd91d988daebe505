"""The manager's dashboard: each figure against a hand-computed day, the filters, CSV and PDF."""

from __future__ import annotations

from datetime import timedelta

from bakery.domain.clock import to_local
from bakery.services import reports
from bakery.services.settings import current_settings
from tests.app.reports.helpers import known_day
from tests.factories import make_user, sign_in


def today_scope(till_id: int | None = None) -> reports.Scope:
    today = reports.today()
    return reports.scope(reports.Period(today, today), till_id)


def test_the_dashboard_figures_match_a_hand_computed_day(app):
    day = known_day()
    d = reports.dashboard(today_scope())
    h = d.headline
    assert (h.sales, h.refunds_count) == (3, 1)
    assert h.gross_sales == 500 + 320 + 200
    assert h.refunds == -250
    assert h.net_sales == 770
    assert h.average_basket == 340  # 1020 / 3
    assert h.items == 2 + 1 + 1 - 1
    assert h.discounts == 50
    assert h.vat == 0 + 53 + 33
    assert [(p.name, p.qty, p.gross) for p in d.top] == [("Croissant", 2, 450), ("Latte", 1, 320)]
    assert [(p.name, p.qty, p.gross) for p in d.bottom] == [("Latte", 1, 320), ("Croissant", 2, 450)]
    assert [(r.name, r.count, r.amount) for r in d.eat_in] == [("Eat in", 2, 520), ("Takeaway", 1, 250)]
    assert [(r.name, r.count, r.amount) for r in d.methods] == [("Card", 1, 320), ("Cash", 3, 450)]
    assert [(r.name, r.count, r.amount) for r in d.discounts] == [
        ("Line discounts", 1, 50),
        ("Order discounts", 0, 0),
    ]
    assert [(r.name, r.count, r.amount) for r in d.discounts_by_staff] == [("Sam Counter", 1, 50)]
    assert [(r.reason, r.orders, r.order_amount, r.lines) for r in d.discount_reasons] == [
        ("staff discount", 0, 0, 1)
    ]
    assert [(r.staff, r.authorised_by, r.reason, r.count, r.amount) for r in d.refunds] == [
        ("Sam Counter", "Maria Boss", "stale", 1, -250)
    ]
    assert [(r.staff, r.reason, r.count, r.amount) for r in d.voids] == [
        ("Sam Counter", "rung up by mistake", 1, 320)
    ]
    zone = current_settings().timezone
    hours: dict[int, list[int]] = {}
    for sale in [*day.sales, day.refund]:
        cell = hours.setdefault(to_local(sale.created_at, zone).hour, [0, 0])
        cell[0] += sale.kind == "sale"
        cell[1] += sale.total
    assert [(r.hour, r.sales, r.net) for r in d.by_hour] == [
        (k, v[0], v[1]) for k, v in sorted(hours.items())
    ]
    assert d.variances == []
    assert [c.name for c in d.compared] == [
        "Previous period",
        "1 week before",
        "2 weeks before",
        "3 weeks before",
        "4 weeks before",
    ]
    assert all(c.headline.sales == 0 and c.change == 770 and c.change_pct is None for c in d.compared)


def test_a_z_report_shows_its_variance_and_another_till_or_day_shows_nothing(app):
    day = known_day(close=True)
    d = reports.dashboard(today_scope(day.till.id))
    assert [(r.z_reports, r.expected, r.counted, r.variance) for r in d.variances] == [(1, 5450, 5400, -50)]
    yesterday = reports.today() - timedelta(days=1)
    quiet = reports.dashboard(reports.scope(reports.Period(yesterday, yesterday)))
    assert quiet.headline.sales == 0 and quiet.by_hour == [] and quiet.top == []
    week = reports.dashboard(reports.scope(reports.Period(yesterday, reports.today())))
    assert week.headline.net_sales == 770
    assert [(r.day, r.net) for r in week.by_day] == [(reports.today(), 770)]


def test_the_dashboard_page_shows_the_figures_with_charts_beside_their_tables(app, client):
    known_day()
    sign_in(client, make_user("manager"))
    page = client.get("/office/reports/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "£7.70" in html and "£3.40" in html
    assert 'src="data:image/svg+xml' in html
    assert "Sales by hour" in html and "Croissant" in html and "rung up by mistake" in html
    fragment = client.get("/office/reports/", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.get_data(as_text=True).lstrip().startswith('<section id="report"')


def test_downloads_are_csv_and_a_pdf_that_opens(app, client):
    known_day()
    sign_in(client, make_user("manager"))
    today = reports.today().isoformat()
    csv = client.get(f"/office/reports/dashboard.csv?start={today}&end={today}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data(as_text=True)
    assert "Net sales,7.70" in text and "Refunds,-2.50" in text
    pdf = client.get(f"/office/reports/dashboard.pdf?start={today}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and b"Sales dashboard" in pdf.data


def test_bad_filters_are_refused_with_a_clear_message(app, client):
    sign_in(client, make_user("manager"))
    for query, message in [
        ("start=2026-13-01", "Type the first day as a date (YYYY-MM-DD)."),
        ("start=2026-02-10&end=2026-02-01", "The last day is before the first day"),
        ("start=2020-01-01&end=2026-01-01", "Choose at most 400 days."),
        ("till=abc", "Choose a till from the list, or all tills."),
        ("till=99999", "Choose a till from the list, or all tills."),
    ]:
        for url in ("/office/reports/", "/office/reports/dashboard.csv", "/office/reports/dashboard.pdf"):
            response = client.get(f"{url}?{query}")
            assert response.status_code == 422, (url, query)
            assert message in response.get_data(as_text=True)


def test_staff_cannot_see_reports_and_managers_cannot_see_the_vat_report(app, client):
    sign_in(client, make_user("manager"))
    assert client.get("/office/reports/vat").status_code == 403
    assert client.get("/office/reports/sales-lines.csv").status_code == 403


def test_earlier_periods_that_overlap_are_each_counted_in_full(app):
    from tests.app.reports.helpers import make_menu
    from tests.app.stock.bake_history import Counter, at_local

    croissant = make_menu()["croissant"]
    counter = Counter()
    today = reports.today()
    counter.sell(croissant, 1, at_local(today, 9))
    counter.sell(croissant, 1, at_local(today - timedelta(days=8), 10))
    counter.sell(croissant, 2, at_local(today - timedelta(days=20), 23, 30))  # late evening: still that day
    counter.sell(croissant, 1, at_local(today - timedelta(days=8), 11), refund=True)
    counter.sell(croissant, 1, at_local(today - timedelta(days=9), 12))
    week = reports.scope(reports.Period(today - timedelta(days=6), today))
    d = reports.dashboard(week)
    assert (d.headline.sales, d.headline.net_sales, d.headline.items) == (1, 250, 1)
    by_name = {c.name: c for c in d.compared}
    previous = by_name["Previous period"]
    assert previous.period == reports.Period(today - timedelta(days=13), today - timedelta(days=7))
    assert (previous.headline.sales, previous.headline.refunds_count, previous.headline.net_sales) == (
        2,
        1,
        250,
    )
    assert by_name["1 week before"].headline == previous.headline  # the same days, counted again
    assert by_name["2 weeks before"].headline.net_sales == 500
    assert by_name["3 weeks before"].headline.sales == 0
    assert by_name["2 weeks before"].change == -250 and by_name["2 weeks before"].change_pct == -50


def test_discount_reasons_come_from_the_baskets_the_sales_were_rung_up_in(app):
    from bakery.services.audit import Actor
    from bakery.services.till import baskets, checkout, order_extras

    day = known_day()
    actor = Actor(day.staff.id, day.till.id)
    baskets.add_line(day.till.id, day.menu["croissant"].id, actor, qty=2)
    order_extras.set_basket_discount(day.till.id, "amount", 100, "staff discount", actor, threshold_bp=10_000)
    basket = baskets.open_basket(day.till.id)
    checkout.tender(day.till.id, basket.key, "cash", baskets.price(basket).totals.total, actor)
    d = reports.dashboard(today_scope())
    assert [(r.reason, r.orders, r.order_amount, r.lines) for r in d.discount_reasons] == [
        ("staff discount", 1, 100, 1)
    ]
    assert ("Order discounts", 1, 100) in [(r.name, r.count, r.amount) for r in d.discounts]
