"""The week's rota on A4 landscape for the staff-room wall: a row per person, a column per day.

Drawn with reportlab's tables (the printers' documents lay out receipt rolls, not grids).
"""

from __future__ import annotations

from datetime import date
from io import BytesIO
from xml.sax.saxutils import escape

from bakery.services.members.cards import _card_fonts
from bakery.services.rota.plan import ShiftView, week_plan
from bakery.services.settings import current_settings


def _cell(shifts: list[ShiftView]) -> str:
    lines = []
    for s in shifts:
        text = f"<b>{escape(s.times)}</b><br/>{escape(s.role.name)}"
        if s.changed:
            text += " (changed)"
        lines.append(text)
    return "<br/>".join(lines)


def week_pdf(monday: date) -> bytes:
    """The week as a table on one A4 landscape page (more pages when the team is large): each
    person's shifts per day with times and role, open shifts last, the draft marked as a draft."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold = _card_fonts()
    plan = week_plan(monday)
    shop = current_settings().shop_name
    body = ParagraphStyle("cell", fontName=regular, fontSize=10, leading=12.5)
    head = ParagraphStyle("head", fontName=bold, fontSize=10.5, leading=13)
    title = ParagraphStyle("title", fontName=bold, fontSize=17, leading=21)
    note = ParagraphStyle("note", fontName=regular, fontSize=9, leading=11)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(text.replace("<b>", f'<font name="{bold}">').replace("</b>", "</font>"), style)

    rows: list[list[Paragraph]] = [[para("Who", head)] + [para(f"{d:%a %d %b}", head) for d in plan.days]]
    people = [p for p in plan.people if any(plan.by_person.get((p.id, d)) for d in plan.days)]
    for person in people:
        rows.append(
            [para(escape(person.name), head)]
            + [para(_cell(plan.by_person.get((person.id, d), []))) for d in plan.days]
        )
    if any(plan.by_person.get((None, d)) for d in plan.days):
        rows.append(
            [para("Open shifts", head)] + [para(_cell(plan.by_person.get((None, d), []))) for d in plan.days]
        )
    width = landscape(A4)[0] - 20 * mm
    first = 40 * mm
    table = Table(rows, colWidths=[first] + [(width - first) / 7] * 7, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.93, 0.91, 0.87)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LINEBELOW", (0, 1), (-1, -1), 0.5, colors.grey),
            ]
        )
    )
    state = (
        f"Published {plan.published_at:%d %b %Y}" if plan.published_at else "DRAFT: not published, may change"
    )
    story = [
        para(f"{escape(shop)}: rota for the week of {monday:%d %B %Y}", title),
        para(
            escape(state)
            + (f" · {plan.changed_since_publish} changed since" if plan.changed_since_publish else ""),
            note,
        ),
        Spacer(1, 4 * mm),
        table if len(rows) > 1 else para("No shifts planned this week.", note),
    ]
    out = BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=f"Rota, week of {monday:%d %B %Y}",
        author=shop,
    )
    document.build(story)
    return out.getvalue()
