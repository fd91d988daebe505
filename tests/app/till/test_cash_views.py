"""The till's cash screens: X report, paid in/out, the count to close, and numbered Z reports."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import Basket, CashMovement, CashSession, LedgerEntry, Sale, ZReport
from bakery.services.audit import Actor
from bakery.services.till import cash, refunds
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_till, make_user, post


def ring_up(client, *product_ids, method="cash", amount="20.00"):
    """Add products to the basket and pay; return the sale."""
    for product_id in product_ids:
        post(client, "/till/lines", {"product_id": str(product_id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open").order_by(Basket.id.desc()))
    response = post(client, "/till/pay", {"basket_key": key, "method": method, "amount": amount}, htmx=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return db.session.scalar(select(Sale).order_by(Sale.id.desc()))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def close(client, **counts):
    """Submit the count sheet and confirm in the panel: n2000="5" is five £20 notes."""
    return post(
        client, "/till/close", {name: str(value) for name, value in counts.items()} | {"confirmed": "yes"}
    )


def test_the_x_report_totals_match_the_sales_made(client):
    menu = make_menu()
    open_till_for(client, opening_float=10000)
    ring_up(client, menu["croissant"].id, menu["croissant"].id, amount="5.00")
    post(
        client,
        "/till/lines",
        {"product_id": str(menu["latte"].id), "variant_id": str(menu["latte"].variants[0].id)},
        htmx=True,
    )
    ring_up(client, method="card", amount="3.20")

    page = client.get("/till/cash")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="x-sales-count">2<' in body
    assert 'id="x-gross">£8.20<' in body
    assert '<td>Cash</td><td class="num">£5.00</td>' in body
    assert '<td>Card</td><td class="num">£3.20</td>' in body
    assert '<td>20%</td><td class="num">£3.20</td><td class="num">£0.53</td>' in body
    assert 'id="x-expected">£105.00<' in body
    total_sold = db.session.scalar(select(func.sum(Sale.total)))
    figures = cash.current_totals(db.session.scalar(select(CashSession.till_id)))
    assert figures.gross_sales == total_sold == 820
    assert figures.expected_cash == 10000 + 500


def test_paying_out_without_a_reason_is_refused_and_nothing_moves(client):
    open_till_for(client)
    response = post(
        client, "/till/cash/moves", {"direction": "out", "amount": "5.00", "reason": "  "}, htmx=True
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give a reason" in body and 'id="cash-x"' in body and "<html" not in body
    assert count(CashMovement) == 0


def test_paying_cash_in_and_out_moves_the_expected_cash(client):
    till, _ = open_till_for(client, opening_float=10000)
    paid_in = post(
        client,
        "/till/cash/moves",
        {"direction": "in", "amount": "20.00", "reason": "change from the bank"},
        htmx=True,
    )
    assert paid_in.status_code == 200
    assert paid_in.headers["HX-Trigger"] == "cash-moved"
    assert 'id="x-expected">£120.00<' in paid_in.get_data(as_text=True)
    paid_out = post(
        client, "/till/cash/moves", {"direction": "out", "amount": "5.40", "reason": "milk"}, htmx=True
    )
    body = paid_out.get_data(as_text=True)
    assert "Paid out £5.40: milk" in body
    assert 'id="x-paid-in-out">£14.60<' in body and 'id="x-expected">£114.60<' in body
    assert db.session.scalars(select(CashMovement.amount).order_by(CashMovement.id)).all() == [2000, -540]
    assert cash.current_totals(till.id).expected_cash == 11460


def test_paying_out_more_than_the_drawer_holds_or_a_sub_penny_amount_is_refused(client):
    open_till_for(client, opening_float=1000)
    too_much = post(
        client, "/till/cash/moves", {"direction": "out", "amount": "10.01", "reason": "x"}, htmx=True
    )
    assert too_much.status_code == 422 and "more cash than the drawer" in too_much.get_data(as_text=True)
    fraction = post(
        client, "/till/cash/moves", {"direction": "in", "amount": "1.005", "reason": "x"}, htmx=True
    )
    assert fraction.status_code == 422 and "whole pence" in fraction.get_data(as_text=True)
    assert count(CashMovement) == 0


def test_a_plain_paid_in_form_redirects_back_to_the_x_report(client):
    open_till_for(client)
    response = post(client, "/till/cash/moves", {"direction": "in", "amount": "1", "reason": "tips jar"})
    assert response.status_code == 302 and response.headers["Location"] == "/till/cash"
    assert "Paid in £1.00: tips jar" in client.get("/till/cash").get_data(as_text=True)


def test_the_count_sheet_lists_every_note_and_coin_and_not_the_expected_cash(client):
    open_till_for(client)
    body = client.get("/till/close").get_data(as_text=True)
    for label in ["£50", "£20", "£10", "£5", "£2", "£1", "50p", "20p", "10p", "5p", "2p", "1p"]:
        assert f"<span>{label}</span>" in body
    assert "Expected" not in body  # a blind count


def test_the_count_asks_in_the_tills_confirm_panel_before_anything_closes(client):
    menu = make_menu()
    open_till_for(client, opening_float=10000)
    ring_up(client, menu["croissant"].id, amount="2.50")
    response = post(client, "/till/close", {"n2000": "5", "n200": "1", "n20": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="alertdialog"' in body and "now?" in body
    assert 'You counted <strong class="money">£102.20</strong>' in body
    assert "Expected" not in body and "£102.50" not in body  # still a blind count
    assert 'name="confirmed" value="yes"' in body and "Back to the count" in body
    assert 'value="5"' in body  # the count is kept behind the panel
    assert "data-confirm" not in body and "confirm(" not in body
    assert count(ZReport) == 0 and cash.current_totals(db.session.scalar(select(CashSession.till_id)))
    assert close(client, n2000=5, n200=1, n20=1).status_code == 302
    assert count(ZReport) == 1


def test_a_bad_count_is_refused_before_the_confirm_panel(client):
    open_till_for(client)
    response = post(client, "/till/close", {"n2000": "-1"})
    assert response.status_code == 422 and 'role="alertdialog"' not in response.get_data(as_text=True)
    absurd = post(client, "/till/close", {"n1": "999999"})
    assert absurd.status_code == 422 and "alertdialog" not in absurd.get_data(as_text=True)
    assert count(ZReport) == 0


def test_closing_shows_counted_against_expected_and_the_variance(client):
    menu = make_menu()
    open_till_for(client, opening_float=10000)
    ring_up(client, menu["croissant"].id, amount="2.50")
    response = close(client, n2000=5, n200=1, n20=1)  # £102.20 counted, £102.50 expected
    assert response.status_code == 302
    report = db.session.scalar(select(ZReport))
    assert response.headers["Location"] == f"/till/z/{report.id}"
    assert (report.z_no, report.counted_cash, report.expected_cash, report.variance) == (1, 10220, 10250, -30)
    counted = dict(json.loads(report.totals_json)["denominations"])
    assert counted[2000] == 5 and counted[200] == 1 and counted[20] == 1 and counted[1] == 0

    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Z report 1" in body
    assert 'id="z-counted">£102.20<' in body and 'id="z-expected">£102.50<' in body
    assert 'class="variance variance-short"' in body and "-£0.30 short" in body
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "z"))
    assert f'id="z-chain">{entry.hash[:8].upper()}<' in body
    assert '<td>£20</td><td class="num">5</td><td class="num">£100.00</td>' in body


def test_z_reports_are_numbered_without_gaps_across_sessions(client):
    till, _ = open_till_for(client, opening_float=0)
    assert close(client, n100=0).status_code == 302
    assert post(client, "/till/open", {"opening_float": "50.00"}).status_code == 302
    assert close(client, n1="-3").status_code == 422  # refused: no number is used up
    assert close(client, n2000=2, n500=2).status_code == 302
    post(client, "/till/open", {"opening_float": "0"})
    close(client)
    assert db.session.scalars(
        select(ZReport.z_no).where(ZReport.till_id == till.id).order_by(ZReport.id)
    ).all() == [
        1,
        2,
        3,
    ]
    second = db.session.scalar(select(ZReport).where(ZReport.z_no == 2))
    assert second.variance == 0


def test_z_totals_equal_the_sessions_sales_in_the_till_ledger(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    first = ring_up(client, menu["croissant"].id, menu["loaf"].id, amount="10.00")
    ring_up(client, menu["croissant"].id, method="card", amount="2.50")
    manager = make_user("manager", pin="8080")
    croissant_line = next(line for line in first.lines if line.description == "Croissant")
    refunds.refund(
        till.id, first.id, {croissant_line.id: 1}, "cash", "dropped", manager.id, "8080", Actor(staff.id)
    )
    session_id = db.session.scalar(select(CashSession.id))
    close(client, n5000=2)

    report = db.session.scalar(select(ZReport))
    figures = json.loads(report.totals_json)
    records = [
        json.loads(entry.record_json)
        for entry in db.session.scalars(
            select(LedgerEntry).where(
                LedgerEntry.till_id == till.id, LedgerEntry.kind.in_(["sale", "refund"])
            )
        )
    ]
    in_session = [r for r in records if r["cash_session_id"] == session_id]
    assert len(in_session) == 3
    assert figures["gross_sales"] == sum(r["total"] for r in in_session if r["kind"] == "sale") == 950
    assert figures["refunds"] == sum(r["total"] for r in in_session if r["kind"] == "refund") == -250
    assert figures["by_method"] == {"card": 250, "cash": 450}
    assert report.expected_cash == 10000 + 450


def test_a_closed_till_refuses_a_sale_and_a_second_close(client):
    menu = make_menu()
    open_till_for(client)
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    assert close(client, n1000=10).status_code == 302

    paying = post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "2.50"}, htmx=True)
    assert paying.status_code == 422 and "closed" in paying.get_data(as_text=True)
    again = close(client, n1000=10)
    assert again.status_code == 422 and "closed" in again.get_data(as_text=True)
    assert count(ZReport) == 1 and count(Sale) == 0
    assert "Count the float" in client.get("/till/sell").get_data(as_text=True)
    assert client.get("/till/close").headers["Location"] == "/till/sell"


def test_a_negative_or_absurd_count_is_refused_and_the_till_stays_open(client):
    till, _ = open_till_for(client)
    negative = close(client, n100=3, n50="-1")
    assert negative.status_code == 422 and "cannot be negative" in negative.get_data(as_text=True)
    absurd = close(client, n1=250000)
    assert absurd.status_code == 422 and "more than a drawer holds" in absurd.get_data(as_text=True)
    words = close(client, n1="lots")
    assert words.status_code == 422 and "whole number" in words.get_data(as_text=True)
    assert count(ZReport) == 0
    assert db.session.scalar(select(CashSession.open_till_id)) == till.id


def test_grand_totals_add_up_across_z_reports(client):
    menu = make_menu()
    till, _ = open_till_for(client, opening_float=0)
    ring_up(client, menu["croissant"].id, amount="2.50")
    close(client, n200=1, n50=1)
    post(client, "/till/open", {"opening_float": "0"})
    ring_up(client, menu["croissant"].id, menu["croissant"].id, amount="5.00")
    close(client, n500=1, n1=1)

    second = db.session.scalar(select(ZReport).where(ZReport.z_no == 2))
    grand = cash.perpetual_totals(till.id, 2)
    assert (grand.z_reports, grand.sales_count, grand.gross_sales, grand.variance) == (2, 2, 750, 1)
    assert json.loads(second.totals_json)["perpetual"] == {
        "z_reports": 2,
        "sales": 2,
        "gross_sales": 750,
        "refunds": 0,
        "variance": 1,
    }
    assert cash.perpetual_totals(till.id, 1).gross_sales == 250  # an old Z keeps its figures
    body = client.get(f"/till/z/{second.id}").get_data(as_text=True)
    assert 'id="z-grand-gross">£7.50<' in body and 'id="z-gross">£5.00<' in body


def test_another_tills_z_report_is_not_found(client):
    open_till_for(client)
    other = make_till()
    closer = make_user("staff")
    cash.open_session(other.id, 0, Actor(closer.id, other.id))
    report = cash.close_session(other.id, 0, Actor(closer.id, other.id))
    assert client.get(f"/till/z/{report.id}").status_code == 404
