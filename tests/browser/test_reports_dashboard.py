"""In a real browser on a 1280x800 tablet: the manager opens the sales dashboard, its charts draw
under the CSP (an SVG image beside its table), the filters swap the report in place, and nothing
leaves 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from bakery.extensions import db
from bakery.models import Category, Product, TaxCategory
from bakery.services import demo
from bakery.services.audit import Actor
from bakery.services.till import cash, tills
from tests.app.reports.helpers import sell
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_the_manager_opens_the_dashboard_on_a_tablet_and_filters_it(page, live_server, live_app):  # type: ignore[no-untyped-def]
    demo.load_demo_data()
    cold = TaxCategory(code="report-cold", name="cold food", takeaway_bp=0, eat_in_bp=2000)
    scone = Product(name="Cheese scone", category=Category(name="Report shelf"), tax_category=cold, price=275)
    db.session.add(scone)
    db.session.commit()
    staff = make_user("staff", pin="1234")
    till = tills.create_till("Side hatch", "counter", Actor(staff.id))
    actor = Actor(staff.id, till.id)
    cash.open_session(till.id, 5000, actor)
    for qty in (1, 2, 3):
        sell(till, actor, [(scone, qty)], "cash", eat_in=qty == 2)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email").fill("manager@demo.bakery.coop")
    page.get_by_label("Password").fill("demo-manager-pass")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("heading", name="Sales dashboard").wait_for()
    page.get_by_role("link", name="Last 7 days").click()
    page.locator("#headline").wait_for()
    assert page.locator("#headline dt").first.inner_text() == "Net sales"
    chart = page.locator("img.report-chart").first
    chart.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", chart.element_handle())
    figure = page.locator(".report-figure").first
    assert figure.locator("table tbody tr").count() > 0, "a chart's numbers are in a table beside it"
    chart_box, table_box = chart.bounding_box(), figure.locator("table").bounding_box()
    assert chart_box and table_box and table_box["x"] > chart_box["x"] + chart_box["width"] - 1, (
        "side by side"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    before = page.locator("#report h2").inner_text()
    page.get_by_label("Till").select_option(index=1)
    page.get_by_role("button", name="Show").click()
    page.wait_for_function(
        "(before) => document.querySelector('#report h2').innerText !== before", arg=before
    )
    assert "all tills" not in page.locator("#report h2").inner_text()
    assert "till=" in page.url
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    assert all(urlsplit(url).hostname == "127.0.0.1" or url.startswith("data:") for url in page.requested)
