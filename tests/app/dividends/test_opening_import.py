"""Opening balances from the old system: a CSV upload previewed per member and confirmed into an
open period, counted in patronage, shown on statements, audited; a file that does not add up is
refused naming the row, with nothing written; a confirm sent twice imports once."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AuditEvent, OpeningImport, OpeningPatronage
from bakery.services import dividends
from bakery.services.audit import Actor
from bakery.services.dividends import statements
from tests.app.dividends.helpers import RULES, Coop
from tests.app.dividends.words import statement_lines, visible_text
from tests.conftest import csrf_token
from tests.factories import make_user, post, sign_in

HEADER = "member_number,date,purchases_net_of_vat,approved_hours"
GOOD = f"{HEADER}\nC-001,2025-03-31,123.45,0\nW-002,2025-03-31,0,10:30\nTOTAL,,123.45,10:30\n"


@pytest.fixture
def coop(app):
    return Coop()


BOUNDARY = "opening-file-boundary-7MA4YWxk"


def upload(client, period_id: int, data: bytes, name: str = "opening.csv"):
    """POST the file as a browser would (the body encoded here: the test client would spool a
    large one to a temporary file it never closes)."""
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    return client.post(
        f"/admin/dividends/periods/{period_id}/opening-balances",
        data=body,
        headers={"X-CSRFToken": csrf_token(client)},
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )


def import_file(client, period_id: int, data: bytes, *, replace: bool = False) -> int:
    staged = upload(client, period_id, data)
    assert staged.status_code == 302, visible_text(staged.get_data(as_text=True))
    import_id = int(staged.headers["Location"].rsplit("/", 1)[1])
    confirmed = post(
        client,
        f"/admin/dividends/periods/{period_id}/opening-balances/{import_id}/confirm",
        {"replace": "y"} if replace else {},
    )
    assert confirmed.status_code == 302, visible_text(confirmed.get_data(as_text=True))
    return import_id


def rows_stored() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(OpeningImport.id))) or 0,
        db.session.scalar(select(func.count(OpeningPatronage.id))) or 0,
    )


def test_an_upload_is_previewed_per_member_and_counts_only_once_confirmed(client, coop):
    sign_in(client, coop.admin)
    before = {m.number: m.patronage for m in dividends.preview(coop.period.id, RULES).members}
    staged = upload(client, coop.period.id, GOOD.encode())
    assert staged.status_code == 302
    page = client.get(staged.headers["Location"])
    text = visible_text(page.get_data(as_text=True))
    assert "C-001 · Cat Customer: purchases net of VAT and refunds 1 £123.45 0 h 00 min" in text
    assert "W-002 · Ben Worker: approved hours 1 £0.00 10 h 30 min" in text
    assert "Total purchases net of VAT £123.45" in text and "Total approved hours 10 h 30 min" in text
    staged_only = {m.number: m.patronage for m in dividends.preview(coop.period.id, RULES).members}
    assert staged_only == before  # a staged file counts for nothing

    import_id = int(staged.headers["Location"].rsplit("/", 1)[1])
    confirmed = post(
        client, f"/admin/dividends/periods/{coop.period.id}/opening-balances/{import_id}/confirm"
    )
    assert confirmed.status_code == 302
    after = {m.number: m.patronage for m in dividends.preview(coop.period.id, RULES).members}
    assert after["C-001"] == before["C-001"] + 12345
    assert after["W-002"] == before["W-002"] + 630
    assert after["W-001"] == before["W-001"] and after["C-002"] == before["C-002"]
    assert rows_stored() == (1, 2)

    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "opening.imported"))
    assert event is not None and json.loads(event.details)["sha256"]
    log = visible_text(client.get("/office/audit?action=opening.").get_data(as_text=True))
    assert (
        "imported opening balances from the old system into 2025: 2 rows for 2 members, £123.45 of purchases "
        "and 10 h 30 min of hours from the file opening.csv"
    ) in log


def test_a_confirm_sent_twice_imports_once(client, coop):
    sign_in(client, coop.admin)
    staged = upload(client, coop.period.id, GOOD.encode())
    url = staged.headers["Location"] + "/confirm"
    assert post(client, url).status_code == 302
    assert post(client, url).status_code == 302
    assert rows_stored() == (1, 2)
    assert (
        db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "opening.imported"))
        == 1
    )


def test_a_second_import_is_refused_unless_it_replaces_the_first_explicitly(client, coop):
    sign_in(client, coop.admin)
    first = import_file(client, coop.period.id, GOOD.encode())
    second = f"{HEADER}\nC-001,2025-04-30,10.00,0\nTOTAL,,10.00,0\n".encode()
    staged = upload(client, coop.period.id, second)
    refused = post(client, staged.headers["Location"] + "/confirm")
    assert refused.status_code == 422
    assert "2025 already has opening balances: import #" in visible_text(refused.get_data(as_text=True))
    assert rows_stored() == (2, 2)  # the first, and the second only staged
    assert post(client, staged.headers["Location"] + "/confirm", {"replace": "y"}).status_code == 302
    assert db.session.get(OpeningImport, first).status == "replaced"
    brought = dividends.preview(coop.period.id, RULES).members
    cat = next(m for m in brought if m.number == "C-001")
    cat_before = next(m for m in dividends.build_view(*_no_opening(coop)).members if m.number == "C-001")
    assert cat.patronage == cat_before.patronage + 1000


def _no_opening(coop):
    scenario = dividends.build_scenario(coop.period, RULES)
    for m in scenario["members"]:
        m["patronage"] -= m.pop("opening", 0)
    return scenario, dividends.run(scenario)


BAD_FILES = {
    "empty": (b"", "The file is empty"),
    "only a header": (HEADER.encode(), "The last row must be the control total"),
    "huge": (
        HEADER.encode() + b"\n" + b"C-001,2025-03-31,1.00,0\n" * 45_000,
        "at most 1,000,000 can be imported",
    ),
    "wrong encoding": (GOOD.replace("C-001", "C-001é").encode("latin-1"), "not UTF-8 text"),
    "utf-16": (GOOD.encode("utf-16"), "NUL bytes"),
    "nul bytes": (GOOD.replace("123.45", "12\x003.45").encode(), "NUL bytes"),
    "formula": (
        GOOD.replace("C-001,", '=cmd|" /C calc"!A0,').encode(),
        "Row 2: the member_number cell starts with '='",
    ),
    "unknown member": (GOOD.replace("C-001", "C-999").encode(), "Row 2: there is no member C-999"),
    "duplicate": (
        f"{HEADER}\nC-001,2025-03-31,1.00,0\nC-001,2025-03-31,1.00,0\nTOTAL,,2.00,0\n".encode(),
        "Row 3: member C-001 on 2025-03-31 repeats row 2",
    ),
    "negative": (GOOD.replace("123.45", "-123.45").encode(), "Row 2: purchases cannot be negative"),
    "sub-penny": (GOOD.replace("123.45,0\n", "123.455,0\n").encode(), "Row 2: purchases '123.455'"),
    "outside the period": (
        GOOD.replace("C-001,2025-03-31", "C-001,2026-01-02").encode(),
        "Row 2: 2026-01-02 is outside",
    ),
    "control total": (
        GOOD.replace("TOTAL,,123.45", "TOTAL,,123.46").encode(),
        "Row 4: the control total of purchases",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_file_that_does_not_add_up_is_refused_beside_the_field_and_nothing_is_written(client, coop, case):
    data, says = BAD_FILES[case]
    sign_in(client, coop.admin)
    response = upload(client, coop.period.id, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="opening-upload"' in page
    assert says in visible_text(page)
    assert rows_stored() == (0, 0)
    assert "<script" not in page.split('id="opening-error"')[1][:400]


def test_a_request_over_the_upload_limit_answers_a_clear_413_and_writes_nothing(client, coop):
    sign_in(client, coop.admin)
    response = upload(client, coop.period.id, b"x" * (3 * 1024 * 1024))
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
    assert rows_stored() == (0, 0)


def test_an_upload_without_a_file_is_refused_beside_the_field(client, coop):
    sign_in(client, coop.admin)
    response = post(client, f"/admin/dividends/periods/{coop.period.id}/opening-balances", {})
    assert response.status_code == 422
    assert "Choose the CSV file to upload." in response.get_data(as_text=True)


def test_a_closed_or_proposed_period_takes_no_opening_balances(client, coop):
    allocation = coop.propose()
    sign_in(client, coop.admin)
    proposed = upload(client, coop.period.id, GOOD.encode())
    assert proposed.status_code == 422
    assert "has a proposed allocation: withdraw it" in visible_text(proposed.get_data(as_text=True))
    coop.approve(allocation.id)
    closed = upload(client, coop.period.id, GOOD.encode())
    assert closed.status_code == 422
    assert "2025 is closed: its allocation has been approved" in visible_text(closed.get_data(as_text=True))
    assert rows_stored() == (0, 0)


def test_a_staged_file_cannot_be_confirmed_once_its_period_is_proposed(client, coop):
    sign_in(client, coop.admin)
    staged = upload(client, coop.period.id, GOOD.encode())
    coop.propose()
    refused = post(client, staged.headers["Location"] + "/confirm")
    assert refused.status_code == 422
    assert db.session.scalar(select(func.count(OpeningPatronage.id))) == 0


@pytest.mark.parametrize("role", ["manager", "staff", "member"])
def test_only_admins_import_opening_balances(client, coop, role):
    sign_in(client, make_user(role, password="correct horse battery"))
    assert client.get(f"/admin/dividends/periods/{coop.period.id}/opening-balances").status_code == 403
    assert upload(client, coop.period.id, GOOD.encode()).status_code in (403, 400)
    assert rows_stored() == (0, 0)


def test_the_statement_and_purchases_page_show_the_opening_balance_brought_from_the_old_system(client, coop):
    sign_in(client, coop.admin)
    import_file(client, coop.period.id, GOOD.encode())
    allocation = coop.approve(coop.propose().id)
    cat = statement_lines(statements.statement_document(allocation.id, coop.cat.id))
    assert "of which opening balance brought from the old system  £123.45" in cat
    ben = statement_lines(statements.statement_document(allocation.id, coop.ben.id))
    assert "of which opening balance brought from the old system  10 h 30 min" in ben

    today = datetime.now(UTC).date()
    current = dividends.create_period(
        "Current", date(2026, 1, 1), today + timedelta(days=30), Actor(coop.admin.id)
    )
    now_file = f"{HEADER}\nC-001,{today.isoformat()},20.00,0\nTOTAL,,20.00,0\n".encode()
    import_file(client, current.id, now_file)
    member = client.application.test_client()
    sign_in(member, coop.cat.user)
    text = visible_text(member.get("/members/C-001/purchases").get_data(as_text=True))
    assert "of the purchases, opening balance brought from the old system £20.00" in text
    total = re.search(r"Your patronage so far: purchases net of VAT and refunds (£[\d,.]+)", text)
    assert total and total.group(1) != "£20.00"  # the opening balance and this year's purchases
