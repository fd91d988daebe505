"""The member's purchases, dividend estimate and statements (routes on the members blueprint).

Each page is the signed-in member's own: anyone else's membership number answers 404.
"""

from __future__ import annotations

from flask import Response, render_template

from bakery.members.routes import bp, own_member
from bakery.services import dividends


@bp.get("/members/<number>/purchases")
def show_purchases(number: str) -> str:
    """The member's purchases this period, each with the patronage it earned (net of VAT)."""
    member = own_member(number)
    return render_template(
        "members/purchases.html", member=member, purchases=dividends.purchases_so_far(member.id)
    )


@bp.get("/members/<number>/dividend-estimate")
def show_dividend_estimate(number: str) -> str:
    """An estimate of this period's dividend from the period so far and the last approved rules."""
    member = own_member(number)
    return render_template(
        "members/dividend_estimate.html", member=member, estimate=dividends.estimate_for(member.id)
    )


@bp.get("/members/<number>/statements")
def list_statements(number: str) -> str:
    """The member's dividend statements, one per approved allocation."""
    member = own_member(number)
    return render_template(
        "members/statements.html", member=member, statements=dividends.list_statements(member.id)
    )


@bp.get("/members/<number>/statements/<int:allocation_id>.pdf")
def download_statement(number: str, allocation_id: int) -> Response:
    """One of the member's own statements as a PDF."""
    member = own_member(number)
    pdf, filename = dividends.statement_pdf(allocation_id, member.id)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
