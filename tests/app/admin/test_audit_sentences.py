"""The audit log reads as sentences: names, money and receipts, never codes, ids or JSON."""

from __future__ import annotations

import re

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import AuditEvent, Basket, Sale
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.members import safeguarding
from bakery.services.till import refunds
from tests.app.till.helpers import make_menu, open_till_for
from tests.factories import make_member, make_till, make_user, post, sign_in


def sentences(client, query: str = "") -> str:
    """The text of the log's sentence cells."""
    page = client.get(f"/office/audit{query}").get_data(as_text=True)
    return " | ".join(re.findall(r'<td class="sentence">(.*?)</td>', page, re.S))


def refund_a_croissant(client):
    menu = make_menu()
    till, staff = open_till_for(client)
    post(client, "/till/lines", {"product_id": str(menu["croissant"].id)}, htmx=True)
    key = db.session.scalar(select(Basket.key).where(Basket.status == "open"))
    post(client, "/till/pay", {"basket_key": key, "method": "cash", "amount": "5"}, htmx=True)
    sale = db.session.scalar(select(Sale))
    manager = make_user("manager", name="Mo Manager", pin="8080")
    [line] = sale.lines
    refunds.refund(
        till.id, sale.id, {line.id: 1}, "cash", "cold tea", manager.id, "8080", Actor(staff.id, till.id)
    )
    return till, staff, sale


def test_a_refund_reads_as_who_refunded_how_much_on_which_receipt_and_why(client):
    till, staff, sale = refund_a_croissant(client)
    sign_in(client, make_user("admin"))
    text = sentences(client)
    assert (
        f"{staff.display_name} refunded £2.50 on receipt {sale.receipt_no} at {till.name}, "
        "reason: cold tea, authorised by Mo Manager"
    ) in text


def test_a_sign_in_names_the_person_and_the_till(client):
    till, staff, _ = refund_a_croissant(client)
    admin = make_user("admin", name="Chris Admin")
    sign_in(client, admin)
    text = sentences(client)
    assert f"{staff.display_name} signed in at {till.name}" in text
    assert "Chris Admin signed in with a password" in text


def test_a_role_change_names_both_people_and_both_roles(client):
    admin = make_user("admin", name="Chris Admin")
    ada = make_user("staff", name="Ada Baker", password="long enough pass")
    sign_in(client, admin)
    assert post(client, f"/admin/users/{ada.id}", {"role": "manager", "active": "y"}).status_code == 302
    assert "Chris Admin changed Ada Baker&#39;s role from staff to manager" in sentences(client)


def test_the_page_shows_no_action_codes_target_ids_or_details(client):
    refund_a_croissant(client)
    member = make_member(number="M-0042")
    admin = make_user("admin")
    sign_in(client, admin)
    post(client, "/office/tills", {"name": "Window"})
    audit.record("shares.bought", Actor(admin.id), target=f"member:{member.id}", details={"amount": 2500})
    db.session.commit()
    page = client.get("/office/audit").get_data(as_text=True)
    body = page[page.index("<table") : page.index("</table>")]
    assert "member:" not in body and "till:" not in body and "user:" not in body and "sale:" not in body
    assert "{" not in body and "till.refund" not in body and "auth.signed_in" not in body
    assert "recorded £25.00 of shares bought by member M-0042" in body


def test_a_safeguarding_read_is_listed_without_its_reason(client):
    admin = make_user("admin", name="Chris Admin")
    admin.can_safeguard = True
    db.session.commit()
    member = make_member(number="M-0007")
    safeguarding.read_record(member.id, "probation review next week", Actor(admin.id))
    sign_in(client, admin)
    text = sentences(client)
    assert "Chris Admin opened the safeguarding record of member M-0007" in text
    assert "probation" not in client.get("/office/audit").get_data(as_text=True)


def test_an_unknown_action_still_reads_as_words_without_its_details(client):
    admin = make_user("admin", name="Chris Admin")
    till = make_till("Counter")
    audit.record(
        "stock.waste_logged", Actor(admin.id), target=f"till:{till.id}", details={"secret_shape": [1, 2]}
    )
    audit.record("mystery.thing", Actor(admin.id), target="widget:99")
    db.session.commit()
    sign_in(client, admin)
    text = sentences(client)
    assert "Chris Admin: stock: waste logged (Counter)" in text
    assert "Chris Admin: mystery: thing (a widget that no longer exists)" in text
    assert "secret_shape" not in text


def test_names_are_loaded_once_per_kind_not_once_per_row(client, app):
    from sqlalchemy import event

    admin = make_user("admin")
    tills = [make_till(f"Till {n}") for n in range(30)]
    for till in tills:
        audit.record(
            "till.opened", Actor(admin.id, till.id), target=f"till:{till.id}", details={"float": 100}
        )
    db.session.commit()
    sign_in(client, admin)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        text = sentences(client)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert "opened Till 29 with a float of £1.00" in text
    assert sum("FROM tills" in s for s in statements) <= 2


def test_the_filter_narrows_to_one_kind_of_event(client):
    manager = make_user("manager", name="Mo Manager")
    sign_in(client, manager)
    post(client, "/office/tills", {"name": "Window"})
    only_tills = sentences(client, "?action=till.")
    assert "Mo Manager added the till Window" in only_tills and "signed in" not in only_tills
    only_sign_ins = sentences(client, "?action=auth.signed_in")
    assert "Mo Manager signed in with a password" in only_sign_ins and "Window" not in only_sign_ins
    page = client.get("/office/audit").get_data(as_text=True)
    assert '<option value="till.refund">Refunds</option>' in page
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "till.created")) is not None
