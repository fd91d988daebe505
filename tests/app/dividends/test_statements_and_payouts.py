"""Statements (PDF, own only) and payouts (cash, store credit, shares; each line once)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from bakery.extensions import db
from bakery.models import AllocationLine, AuditEvent, Payout, ShareTransaction, StoreCredit
from bakery.services import dividends
from bakery.services.audit import Actor
from bakery.services.dividends import statements
from bakery.services.errors import ServiceError
from tests.app.dividends.helpers import Coop
from tests.factories import make_user, post, sign_in


@pytest.fixture
def approved(app):
    coop = Coop()
    coop.allocation = coop.approve(coop.propose().id)
    return coop


def line_of(coop, member) -> AllocationLine:
    return db.session.scalar(
        select(AllocationLine).where(
            AllocationLine.allocation_id == coop.allocation.id, AllocationLine.member_id == member.id
        )
    )


def pdf_title(pdf: bytes) -> str:
    found = re.search(rb"/Title \((.*?)\)", pdf)
    assert found, "no /Title in the PDF"
    return found.group(1).decode("latin-1")


def test_a_member_downloads_their_own_statement_as_a_pdf_naming_their_number(client, approved):
    sign_in(client, approved.ada.user)
    response = client.get(f"/members/W-001/statements/{approved.allocation.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    assert "W-001" in pdf_title(pdf)
    assert "attachment" in response.headers["Content-Disposition"]


def test_another_members_statement_answers_404(client, approved):
    sign_in(client, approved.ben.user)
    assert client.get(f"/members/W-001/statements/{approved.allocation.id}.pdf").status_code == 404
    assert client.get("/members/W-001/statements").status_code == 404


def test_a_statement_of_an_allocation_not_yet_approved_answers_404(client, app):
    coop = Coop()
    proposed = coop.propose()
    sign_in(client, coop.ada.user)
    assert client.get(f"/members/W-001/statements/{proposed.id}.pdf").status_code == 404


def test_an_admin_downloads_any_members_statement_and_a_manager_cannot(client, approved):
    sign_in(client, approved.admin)
    response = client.get(
        f"/admin/dividends/allocations/{approved.allocation.id}/statements/{approved.cat.id}.pdf"
    )
    assert response.status_code == 200 and "C-001" in pdf_title(response.get_data())
    manager_client = client.application.test_client()
    sign_in(manager_client, make_user("manager"))
    url = f"/admin/dividends/allocations/{approved.allocation.id}/statements/{approved.cat.id}.pdf"
    assert manager_client.get(url).status_code == 403


def test_the_statement_explains_the_figure_from_the_approved_line(approved):
    line = line_of(approved, approved.ada)
    document = statements.statement_document(approved.allocation.id, approved.ada.id)
    texts = [
        getattr(b, "text", "") + " " + getattr(b, "left", "") + " " + getattr(b, "right", "")
        for b in document.blocks
    ]
    joined = "\n".join(texts)
    assert "AGM-2026/3" in joined
    assert "13 h 00 min" in joined  # Ada's 780 approved minutes
    assert "20 h 00 min" in joined  # all workers: 780 + 420
    assert "65.00 %" in joined
    assert f"£{line.allocation_amount // 100:,}.{line.allocation_amount % 100:02d}" in joined


def test_the_member_lists_their_past_statements(client, approved):
    sign_in(client, approved.cat.user)
    page = client.get("/members/C-001/statements").get_data(as_text=True)
    assert f"/members/C-001/statements/{approved.allocation.id}.pdf" in page
    assert "2025" in page


def test_each_payout_is_recorded_once_with_its_store_credit_or_share_rows(approved):
    actor = Actor(approved.admin.id)
    ada, cat = line_of(approved, approved.ada), line_of(approved, approved.cat)
    dividends.record_payout(ada.id, "credit", actor)
    dividends.record_payout(cat.id, "shares", actor)
    credit = db.session.scalar(select(StoreCredit).where(StoreCredit.member_id == approved.ada.id))
    assert (credit.amount, credit.reason) == (ada.paid, "dividend")
    movement = db.session.scalar(
        select(ShareTransaction).where(ShareTransaction.member_id == approved.cat.id)
    )
    assert (movement.kind, movement.amount) == ("dividend", cat.paid)
    with pytest.raises(ServiceError, match="already paid"):
        dividends.record_payout(ada.id, "cash", actor)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(Payout.line_id == ada.id)) == 1
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "dividend.paid")) == 2


def test_paying_all_remaining_pays_each_unpaid_line_once_and_a_second_run_is_refused(client, approved):
    actor = Actor(approved.admin.id)
    first = line_of(approved, approved.ada)
    dividends.record_payout(first.id, "shares", actor)
    sign_in(client, approved.admin)
    url = f"/admin/dividends/allocations/{approved.allocation.id}/payouts"
    assert post(client, url, {"method": "cash"}).status_code == 302
    owed = db.session.scalar(
        select(func.count()).where(
            AllocationLine.allocation_id == approved.allocation.id, AllocationLine.paid > 0
        )
    )
    assert db.session.scalar(select(func.count()).select_from(Payout)) == owed
    assert db.session.scalar(select(Payout.method).where(Payout.line_id == first.id)) == "shares"
    again = post(client, url, {"method": "cash"})
    assert again.status_code == 422 and "already been paid" in again.get_data(as_text=True)


def test_a_payout_through_the_page_for_a_line_already_paid_is_refused_clearly(client, approved):
    line = line_of(approved, approved.dan)
    sign_in(client, approved.admin)
    url = f"/admin/dividends/allocations/{approved.allocation.id}/lines/{line.id}/payout"
    assert post(client, url, {"method": "credit"}).status_code == 302
    response = post(client, url, {"method": "cash"})
    assert response.status_code == 422 and "paid once" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).where(StoreCredit.member_id == approved.dan.id)) == 1


def test_nothing_is_paid_from_an_allocation_that_is_only_proposed(app):
    coop = Coop()
    proposed = coop.propose()
    with pytest.raises(ServiceError, match="approved allocation"):
        dividends.pay_remaining(proposed.id, "cash", Actor(coop.admin.id))


def test_the_payouts_page_lists_what_is_owed(client, approved):
    sign_in(client, approved.admin)
    page = client.get(f"/admin/dividends/allocations/{approved.allocation.id}/payouts").get_data(as_text=True)
    assert "Pay all remaining" in page and "W-001" in page


def test_the_approved_resolution_date_cannot_be_in_the_future(app):
    coop = Coop()
    proposed = coop.propose()
    with pytest.raises(ServiceError, match="future"):
        dividends.approve(proposed.id, "AGM", date(2999, 1, 1), Actor(coop.second.id))
