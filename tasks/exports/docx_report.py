"""DOCX export in the administrative format of Nghị định 30/2020/NĐ-CP, Phụ lục I (DESIGN §6):
A4, margins 20/20/30/15 mm, Times New Roman; the two-column header (agency | Quốc hiệu, tiêu ngữ),
number and place-date line, title "BÁO CÁO" with its subject, justified body, tables with an STT
column, and "Nơi nhận" beside the signature block."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tasks.dates import format_date
from tasks.errors import N_
from tasks.exports.cells import display, text_out
from tasks.exports.header import ReportHeader
from tasks.exports.tables import Table
from tasks.formatting import format_percent
from tasks.i18n import Gettext
from tasks.overdue import OverdueItem
from tasks.reports import RATE_LABELS, CompletionReport

FONT = "Times New Roman"
CENTER, LEFT, RIGHT, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.JUSTIFY
TEXT_WIDTH_MM = 210 - 30 - 15


def _font(run, size: float, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def para(container, text: str = "", size: float = 14, bold=False, italic=False, align=JUSTIFY, after: float = 6,
         before: float = 0, first_line_mm: float | None = None, underline=False):
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after, fmt.space_before = Pt(after), Pt(before)
    fmt.line_spacing = 1.0 if size < 13 else 1.15
    fmt.keep_with_next = bold  # a heading never ends a page
    if first_line_mm is not None:
        fmt.first_line_indent = Mm(first_line_mm)
    if text:
        run = p.add_run(text_out(text))
        _font(run, size, bold, italic)
        run.font.underline = underline
    return p


def rule(container, width_mm: float, cell_width_mm: float) -> None:
    """A short horizontal line, centred (the rule under the agency name and under the tiêu ngữ)."""
    p = container.add_paragraph()
    side = max((cell_width_mm - width_mm) / 2, 0)
    fmt = p.paragraph_format
    fmt.left_indent, fmt.right_indent = Mm(side), Mm(side)
    fmt.space_before, fmt.space_after = Pt(3), Pt(2)
    fmt.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    p._p.get_or_add_pPr().append(borders)


def _cell(cell, width_mm: float) -> None:
    cell.width = Mm(width_mm)
    # A fresh cell holds one empty paragraph; our paragraphs are appended after it, so drop it.
    first = cell.paragraphs[0]
    if not first.text and len(cell.paragraphs) > 1:
        first._p.getparent().remove(first._p)


def _widths(table, widths_mm: list[float]) -> None:
    """Column widths in the table grid too: LibreOffice lays out by the grid, Word by the cells."""
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    tbl_pr.append(borders)


def place_and_date(place: str, day: date) -> str:
    # ND 30/2020: days below 10 and the months January and February are written with a leading 0.
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _header(doc, header: ReportHeader, day: date) -> None:
    left_w, right_w = 68, TEXT_WIDTH_MM - 68
    t = doc.add_table(rows=2, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _no_borders(t)
    _widths(t, [left_w, right_w])
    left, right = t.cell(0, 0), t.cell(0, 1)
    para(left, header.parent_body.upper(), 13, align=CENTER, after=0)
    para(left, header.agency.upper(), 13, bold=True, align=CENTER, after=0)
    rule(left, 25, left_w)
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12.5, bold=True, align=CENTER, after=0)
    para(right, "Độc lập - Tự do - Hạnh phúc", 13.5, bold=True, align=CENTER, after=0)
    rule(right, 58, right_w)
    para(t.cell(1, 0), header.document_number(), 13, align=CENTER, after=0, before=4)
    para(t.cell(1, 1), place_and_date(header.place, day), 14, italic=True, align=CENTER, after=0, before=4)
    for row in t.rows:
        _cell(row.cells[0], left_w)
        _cell(row.cells[1], right_w)


def grid(doc, table: Table, widths_mm: list[float], size: float = 11, wrap_rates: bool = True, locale: str = "vi") -> None:
    t = doc.add_table(rows=1, cols=len(table.headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _widths(t, widths_mm)
    for i, h in enumerate(table.headers):
        c = t.rows[0].cells[i]
        para(c, h, size - 1, bold=True, align=CENTER, after=0)
        _cell(c, widths_mm[i])
    # The header row repeats on every page of a long table.
    tr_pr = t.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for row in table.rows:
        cells = t.add_row().cells
        for i, value in enumerate(row):
            text = format_percent(value, locale) if i in table.rate_columns else display(value)
            numeric = isinstance(value, (int, float)) or i in table.rate_columns
            bold = row is table.rows[-1] and row[0] == ""
            para(cells[i], text, size, bold=bold, align=CENTER if numeric or i == 0 else LEFT, after=0)
            _cell(cells[i], widths_mm[i])


def report_docx(
    report: CompletionReport, summary: Table, overdue_items: list[OverdueItem], overdue: Table, header: ReportHeader, _: Gettext,
    locale: str = "vi",
) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(14)
    normal.element.get_or_add_rPr()
    day = report.as_of.date() if report.period_to is None else report.period_to

    _header(doc, header, day)
    para(doc, _(N_("REPORT")), 14, bold=True, align=CENTER, before=18, after=0)
    para(doc, _(N_("On the implementation of the tasks assigned by the leadership")), 14, bold=True, align=CENTER, after=0)
    period = (_(N_("(tasks assigned from {start} to {end})"), start=format_date(report.period_from), end=format_date(report.period_to))
              if report.period_from else _(N_("(tasks assigned up to {end})"), end=format_date(report.period_to)))
    para(doc, period, 14, italic=True, align=CENTER, after=4)
    rule(doc, 40, TEXT_WIDTH_MM)

    t = report.total
    rates = t.rates()
    para(doc, _(N_("{agency} reports on the implementation of the tasks assigned by the leadership, as of {day}, as follows:"),
                agency=header.agency_name, day=format_date(day)), first_line_mm=12.7, before=6)
    para(doc, _(N_("I. OVERALL RESULTS")), 14, bold=True, first_line_mm=12.7)
    lines = [
        _(N_("Tasks assigned: {n}, of which {stopped} paused or cancelled."), n=t.assigned, stopped=t.stopped),
        _(N_("Done: {done} ({on_time} on time, {late} late)."), done=t.done, on_time=t.done_on_time, late=t.done_late),
        _(N_("In progress: {running} ({on_track} on track, {due_soon} due soon, {no_deadline} without a deadline)."),
          running=t.on_track + t.due_soon + t.no_deadline, on_track=t.on_track + t.due_soon, due_soon=t.due_soon, no_deadline=t.no_deadline),
        _(N_("Overdue and not done: {n}."), n=t.overdue),
    ]
    for line in lines:
        para(doc, "- " + line, first_line_mm=12.7, after=3)
    for key, (label, formula) in RATE_LABELS.items():
        r = rates[key]
        para(doc, f"- {_(label)} = {_(formula)} = {r.numerator}/{r.denominator} = {format_percent(r.value, locale)}.", first_line_mm=12.7, after=3)

    para(doc, _(N_("II. RESULTS BY {group}"), group=summary.headers[1].upper()), 14, bold=True, first_line_mm=12.7, before=6)
    compact = Table(summary.title, [summary.headers[0], summary.headers[1], *summary.headers[2:10], summary.headers[10]],
                    [[*row[:10], row[10]] for row in summary.rows], rate_columns=(10,))
    grid(doc, compact, [10, 30, 12.5, 12.5, 12.5, 12.5, 12.5, 12.5, 12.5, 12.5, 25], size=10, locale=locale)
    para(doc, f"{compact.headers[10]} = {_(RATE_LABELS['completion_of_due'][1])}", 12, italic=True, after=6, before=3)

    para(doc, _(N_("III. OVERDUE TASKS")), 14, bold=True, first_line_mm=12.7, before=6)
    if overdue_items:
        h = overdue.headers
        rows = [[row[0], row[1], f"{row[2]}\n{display(row[3])}", row[4], display(row[5]).replace(" (→ ", "\n→ ").rstrip(")"), row[6], row[7]]
                for row in overdue.rows]
        grid(doc, Table(overdue.title, [h[0], h[1], h[2], h[4], h[5], h[6], h[7]], rows), [10, 44, 27, 27, 24, 14, 19], size=10)
        with_notes = [i for i in overdue_items if i.last_note]
        if with_notes:
            para(doc, _(N_("Last progress reported on the overdue tasks:")), first_line_mm=12.7, before=6, after=3)
            for n, item in enumerate(overdue_items, start=1):
                if item.last_note:
                    para(doc, f"{n}. {item.title}: {item.last_note} ({format_date(item.last_note_on)}).", 13, first_line_mm=12.7, after=2)
    else:
        para(doc, _(N_("No task is overdue.")), first_line_mm=12.7)
    para(doc, _(N_("{agency} respectfully reports./."), agency=header.agency_name), first_line_mm=12.7, before=6)

    _signature(doc, header, _)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _signature(doc, header: ReportHeader, _: Gettext) -> None:
    left_w, right_w = 85, TEXT_WIDTH_MM - 85
    t = doc.add_table(rows=1, cols=2)
    t.autofit = False
    _no_borders(t)
    _widths(t, [left_w, right_w])
    left, right = t.cell(0, 0), t.cell(0, 1)
    para(left, _(N_("Recipients:")), 12, bold=True, italic=True, align=LEFT, after=0, before=12)
    for r in header.recipients:
        para(left, f"- {r}", 11, align=LEFT, after=0)
    first = True
    for line in (header.signer_on_behalf, header.signer_title):
        if line:
            para(right, line.upper(), 14, bold=True, align=CENTER, after=0, before=12 if first else 0)
            first = False
    for _i in range(4):
        para(right, "", 14, align=CENTER, after=0)
    if header.signer_name:
        para(right, header.signer_name, 14, bold=True, align=CENTER, after=0)
    _cell(left, left_w)
    _cell(right, right_w)
