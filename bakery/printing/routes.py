"""Printing: printers and jobs (admin), the till's printer state, reprints and the drawer, the
digital receipt, and the JSON API the print agent pulls its jobs from."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from bakery.extensions import csrf, db
from bakery.forms import parse_id
from bakery.htmx import hx
from bakery.models import Category, Printer, Till
from bakery.printing.forms import NoSaleForm, PrinterForm, ReprintForm
from bakery.printing.receipt_html import receipt_parts
from bakery.security import actor
from bakery.services import auth, printing
from bakery.services.errors import ServiceError
from bakery.services.printing import PrinterInput

bp = Blueprint("printing", __name__)
bp.add_app_template_filter(receipt_parts, "receipt_parts")


# --- printers (admin) -----------------------------------------------------------------------


def _choices(form: PrinterForm) -> PrinterForm:
    tills = db.session.scalars(select(Till).where(Till.active.is_(True)).order_by(Till.name))
    form.receipt_till_id.choices = {"": "No till"} | {str(t.id): t.name for t in tills}
    form.category_ids.choices = [
        (c.id, c.name)
        for c in db.session.scalars(select(Category).order_by(Category.sort_order, Category.name))
    ]
    return form


def _printer_input(form: PrinterForm) -> PrinterInput:
    till = form.receipt_till_id.data or ""
    return PrinterInput(
        name=form.name.data or "",
        location=form.location.data or "",
        profile=form.profile.data or "",
        connection=printing.connection_config(
            form.connection_kind.data or "", form.connection_input(), current_app.instance_path
        ),
        # Anything but an id reads as 0, which names no till: the service says so.
        receipt_till_id=(parse_id(till) or 0) if till else None,
        category_ids=list(form.category_ids.data or []),
        via_agent=bool(form.via_agent.data),
        active=bool(form.active.data),
    )


def _printers_page(form: PrinterForm | None = None, error: str | None = None, status: int = 200) -> Any:
    return render_template(
        "printing/printers.html",
        rows=printing.printers_overview(),
        till_names=dict(db.session.execute(select(Till.id, Till.name)).tuples().all()),
        form=_choices(form or PrinterForm(formdata=None)),
        error=error,
    ), status


@bp.get("/admin/printers")
def list_printers() -> Any:
    """Every printer with its state and waiting jobs, and the form to add one."""
    return _printers_page()


@bp.post("/admin/printers")
def create_printer() -> Any:
    """Add a printer."""
    form = _choices(PrinterForm())
    if not form.validate_on_submit():
        return _printers_page(form, status=422)
    try:
        printer = printing.save_printer(None, _printer_input(form), actor())
    except ServiceError as refused:
        db.session.rollback()
        return _printers_page(form, refused.message, 422)
    flash(f"Printer {printer.name} added.")
    return redirect(url_for("printing.edit_printer", printer_id=printer.id))


def _printer_page(
    printer: Printer,
    form: PrinterForm | None = None,
    error: str | None = None,
    status: int = 200,
    token: str | None = None,
) -> Any:
    if form is None:
        form = PrinterForm(
            formdata=None,
            obj=printer,
            receipt_till_id=str(printer.receipt_till_id or ""),
            category_ids=[c.id for c in printer.categories],
            **printing.connection_fields(printer),
        )
    return render_template(
        "printing/printer.html",
        printer=printer,
        form=_choices(form),
        jobs=printing.recent_jobs(printer.id, limit=20),
        waiting=printing.waiting_counts().get(printer.id, 0),
        connection=printing.describe_connection(printer),
        token=token,
        server=request.host_url.rstrip("/"),
        error=error,
    ), status


@bp.get("/admin/printers/<int:printer_id>")
def edit_printer(printer_id: int) -> Any:
    """One printer: its settings, state, agent token, test page and recent jobs."""
    return _printer_page(printing.get_printer(printer_id))


@bp.post("/admin/printers/<int:printer_id>")
def update_printer(printer_id: int) -> Any:
    """Change a printer's settings (audited)."""
    printer = printing.get_printer(printer_id)
    form = _choices(PrinterForm())
    if not form.validate_on_submit():
        return _printer_page(printer, form, status=422)
    try:
        printing.save_printer(printer.id, _printer_input(form), actor())
    except ServiceError as refused:
        db.session.rollback()
        return _printer_page(printing.get_printer(printer_id), form, refused.message, 422)
    flash("Printer saved.")
    return redirect(url_for("printing.edit_printer", printer_id=printer_id))


@bp.post("/admin/printers/<int:printer_id>/token")
def issue_token(printer_id: int) -> Any:
    """A new agent token, shown on this answer only (never redirected, never flashed); only a
    printer printed by an agent has one."""
    try:
        printer, token = printing.issue_token(printer_id, actor())
    except ServiceError as refused:
        db.session.rollback()
        return _printer_page(printing.get_printer(printer_id), error=refused.message, status=422)
    return _printer_page(printer, token=token)


@bp.post("/admin/printers/<int:printer_id>/token/revoke")
def revoke_token(printer_id: int) -> Response:
    """Revoke the printer's agent token."""
    printer = printing.revoke_token(printer_id, actor())
    flash(f"The agent token of {printer.name} no longer works.")
    return redirect(url_for("printing.edit_printer", printer_id=printer_id))


@bp.post("/admin/printers/<int:printer_id>/test")
def print_test_page(printer_id: int) -> Response:
    """Queue a test page."""
    printing.queue_test_page(printer_id, actor())
    flash("Test page queued.")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("printing.list_printers"))


def _same_site(address: str | None) -> bool:
    return bool(address) and str(address).startswith(request.host_url)


@bp.get("/admin/print-jobs")
def list_jobs() -> Any:
    """The newest print jobs of every printer."""
    jobs = printing.recent_jobs(limit=200)
    return render_template("printing/jobs.html", jobs=jobs)


@bp.post("/admin/print-jobs/<int:job_id>/retry")
def retry_job(job_id: int) -> Response:
    """Try a waiting job now, or put a failed one back in the queue."""
    printing.retry_job(job_id, actor())
    flash("The job will be tried again.")
    return redirect(url_for("printing.list_jobs"))


@bp.post("/admin/print-jobs/<int:job_id>/cancel")
def cancel_job(job_id: int) -> Response:
    """Cancel a waiting or failed job."""
    printing.cancel_job(job_id, actor())
    flash("Job cancelled.")
    return redirect(url_for("printing.list_jobs"))


# --- on the till ----------------------------------------------------------------------------


def _status_fragment(
    message: str | None = None, error: str | None = None, status: int = 200, *, poll: bool = False
) -> Response:
    context = {"printing_state": printing.till_printing(g.till.id), "message": message, "error": error}
    if poll:
        # Straight through Jinja: render_template runs Flask-Login's context processor, which
        # loads the user and so would refresh the staff session's idle clock on every poll.
        body = current_app.jinja_env.get_template("till/_printer_status.html").render(**context)
    else:
        body = render_template("till/_printer_status.html", **context)
    return hx(body, status)


@bp.get("/till/printer")
def show_printer_status() -> Response:
    """The till's receipt printer state (polled by the till while something waits).

    Open to the paired tablet without a staff session, and it never loads the user: a poll
    must not keep a till's session alive past its idle lock.
    """
    return _status_fragment(poll=True)


@bp.post("/till/printer/retry")
def retry_printing() -> Response:
    """Try the waiting receipts now."""
    try:
        count = printing.retry_till_printing(g.till.id, actor())
    except ServiceError as refused:
        return _status_fragment(error=refused.message, status=refused.status)
    return _status_fragment(f"Trying {count} again." if count else "Nothing to try again.")


@bp.post("/till/printer/cancel")
def cancel_printing() -> Response:
    """Cancel what waits for the receipt printer."""
    try:
        count = printing.cancel_till_printing(g.till.id, actor())
    except ServiceError as refused:
        return _status_fragment(error=refused.message, status=refused.status)
    return _status_fragment(f"Cancelled {count}." if count else "Nothing was waiting.")


@bp.post("/till/printer/reprint")
def reprint_receipt() -> Response:
    """Reprint the last receipt (or the one named) as a numbered DUPLICATE."""
    form = ReprintForm()
    if not form.validate_on_submit():
        return _status_fragment(error="That receipt cannot be reprinted.", status=422)
    try:
        job = printing.reprint_receipt(g.till.id, actor(), sale_id=form.sale_id.data)
    except ServiceError as refused:
        return _status_fragment(error=refused.message, status=refused.status)
    label = f"DUPLICATE {job.copy_no}" if job.copy_no else "the receipt"
    return _status_fragment(f"Printing {label}.")


@bp.post("/till/printer/uncertain/<int:job_id>/dismiss")
def dismiss_uncertain_receipt(job_id: int) -> Response:
    """Settle a receipt that may not have printed without reprinting it (audited)."""
    try:
        printing.dismiss_uncertain_receipt(g.till.id, job_id, actor())
    except ServiceError as refused:
        return _status_fragment(error=refused.message, status=refused.status)
    return _status_fragment("Dismissed: it will not be reprinted.")


def _no_sale_form(form: NoSaleForm | None = None) -> NoSaleForm:
    form = form or NoSaleForm(formdata=None)
    form.manager_id.choices = [(m.id, m.display_name) for m in auth.managers()]
    return form


@bp.get("/till/drawer")
def show_no_sale() -> str:
    """The no-sale form: a manager's PIN and a reason open the drawer."""
    return render_template("printing/_no_sale.html", form=_no_sale_form())


@bp.post("/till/drawer")
def open_drawer() -> Response:
    """Open the drawer without a sale (audited)."""
    form = _no_sale_form(NoSaleForm())
    if not form.validate_on_submit():
        return hx(render_template("printing/_no_sale.html", form=form), 422)
    try:
        printing.open_drawer_no_sale(
            g.till.id, form.manager_id.data or 0, form.manager_pin.data or "", form.reason.data or "", actor()
        )
    except ServiceError as refused:
        db.session.rollback()
        form.manager_pin.data = ""
        return hx(render_template("printing/_no_sale.html", form=form, error=refused.message), refused.status)
    return hx(render_template("printing/_no_sale.html", done=True, form=None), trigger="printing-changed")


# --- the digital receipt --------------------------------------------------------------------


@bp.get("/r/<token>")
def show_digital_receipt(token: str) -> str:
    """The digital copy of a receipt behind its QR code: no sign-in, read-only."""
    sale = printing.sale_for_link(token)
    return render_template("printing/digital_receipt.html", sale=sale, receipt=printing.for_sale(sale))


# --- the agent API ----------------------------------------------------------------------------
# The agent is a program on a box beside the printer, not a browser: it sends no cookies and
# proves itself with the printer's Bearer token on every request. CSRF protects cookie-borne
# sessions, so these three JSON endpoints (and only these) are exempt from it; the permission
# map marks them public and each view refuses a missing or wrong token with 401.


def _agent_printer() -> Printer | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return printing.printer_for_token(token.strip())


def _refused() -> Response:
    response = jsonify(error="This printer token is missing, wrong or revoked.")
    response.status_code = 401
    response.headers["WWW-Authenticate"] = 'Bearer realm="printers"'
    return response


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _bad_request(message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = 400
    return response


_AGENT_NAME = re.compile(r"[A-Za-z0-9_-]{1,40}")


@bp.post("/printers/agent/claim")
# csrf-exempt: the print agent authenticates with its printer's bearer token and sends no cookies
@csrf.exempt
def claim_job() -> Response:
    """Hand the agent its printer's next job: ``{"job": null}`` or ``{"job": {...}}``, the job's
    id also in the ``X-Print-Job`` header. The body may name the agent (``"agent"``) and the jobs
    it holds (``"holding"``), so that its own unbegun claims come back to it at once."""
    printer = _agent_printer()
    if printer is None:
        return _refused()
    body = _body()
    agent = body.get("agent")
    holding = body.get("holding", [])
    if agent is not None and not (isinstance(agent, str) and _AGENT_NAME.fullmatch(agent)):
        return _bad_request('Send {"agent": up to 40 letters, digits, - or _}.')
    if not (
        isinstance(holding, list)
        and len(holding) <= 200
        and all(type(i) is int and 0 < i < 2**62 for i in holding)
    ):
        return _bad_request('Send {"holding": a list of at most 200 job ids}.')
    job = printing.agent_claim(printer, agent=agent, holding=holding)
    response = jsonify(job=job)
    if job is not None:
        response.headers["X-Print-Job"] = str(job["id"])
    return response


@bp.post("/printers/agent/jobs/<int:job_id>/done")
# csrf-exempt: the print agent authenticates with its printer's bearer token and sends no cookies
@csrf.exempt
def finish_job(job_id: int) -> Response:
    """The agent printed the job. Answers 200 even for a job it cannot settle (the agent
    would otherwise retry the report for ever); ``ok`` says whether it was settled."""
    printer = _agent_printer()
    if printer is None:
        return _refused()
    return jsonify(ok=printing.agent_done(printer, job_id))


@bp.post("/printers/agent/jobs/<int:job_id>/failed")
# csrf-exempt: the print agent authenticates with its printer's bearer token and sends no cookies
@csrf.exempt
def fail_job(job_id: int) -> Response:
    """The agent could not print the job: ``{"error": str, "uncertain": bool}``."""
    printer = _agent_printer()
    if printer is None:
        return _refused()
    body = _body()
    error = body.get("error")
    uncertain = body.get("uncertain")
    if not isinstance(error, str) or not isinstance(uncertain, bool):
        return _bad_request('Send {"error": text, "uncertain": true or false}.')
    return jsonify(ok=printing.agent_failed(printer, job_id, error, uncertain))
