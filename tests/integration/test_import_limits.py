"""The Excel import reads with limits (issue 10, defect 3): a workbook of a few kilobytes that would
unpack into a sheet of millions of cells, or into more than 50 MB, is refused at once over the API,
on both engines, within a small memory budget; a sheet past 50,000 rows or 50 columns is refused;
text comes back with Word's line breaks as line breaks, and a cell holding another control
character refuses its row."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import openpyxl

from tests.integration.conftest import World
from tests.integration.test_import import HEADER

API = "/api/v1/import/xlsx"
# Far below what the bombs below take when read without limits (hundreds of MB), far above what
# refusing them needs (the rows of a real file, openpyxl's own parts).
MEMORY_BUDGET = 40 * 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def with_sheet(xml: str | bytes) -> bytes:
    """A real workbook whose first sheet is replaced by `xml` (inline strings, so no shared strings)."""
    wb = openpyxl.Workbook()
    wb.active.append(["x"])
    source = io.BytesIO()
    wb.save(source)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, (xml.encode() if isinstance(xml, str) else xml) if item.filename == SHEET else src.read(item))
    return out.getvalue()


def cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def header_row() -> str:
    return '<row r="1">' + "".join(cell(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADER)) + "</row>"


def sheet(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}>{dim}<sheetData>{rows}</sheetData></worksheet>'


def declared_huge() -> bytes:
    """Declares A1:XFD1048576: read as declared, each of its 3,000 rows is padded to 16,384 cells."""
    rows = "".join(f'<row r="{n}">{cell(f"A{n}", "x")}</row>' for n in range(2, 3002))
    return with_sheet(sheet(header_row() + rows, "A1:XFD1048576"))


def wide_rows() -> bytes:
    """No dimension, but every row ends in column XFD: read whole, every row is 16,384 cells wide."""
    rows = "".join(f'<row r="{n}">{cell(f"A{n}", "x")}{cell(f"XFD{n}", "y")}</row>' for n in range(2, 3002))
    return with_sheet(sheet(header_row() + rows))


def unpacks_past_50_mb() -> bytes:
    """60 MB of blanks inside the sheet, which deflate packs into some 60 KB."""
    return with_sheet(sheet(header_row()).replace("<sheetData>", "<sheetData>" + " " * (60 * 1024 * 1024)))


def entity_expansion() -> bytes:
    """The "billion laughs": ten nested entities of ten each, a few hundred bytes on disk."""
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    return with_sheet(f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]><worksheet {NS}><sheetData>'
                      f'<row r="1">{cell("A1", "&a9;")}</row></sheetData></worksheet>')


def forged_size() -> bytes:
    """The zip says the sheet unpacks to 100 bytes (in its directory and in the entry's own header); it unpacks to more."""
    content = bytearray(with_sheet(sheet(header_row() + "".join(f'<row r="{n}">{cell(f"A{n}", "x" * 50)}</row>' for n in range(2, 500)))))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as z:
        info = z.getinfo(SHEET)
    forged = (100).to_bytes(4, "little")
    content[info.header_offset + 22:info.header_offset + 26] = forged  # the local file header's uncompressed size
    end = content.rfind(b"PK\x05\x06")
    at = int.from_bytes(content[end + 16:end + 20], "little")  # the central directory
    while content[at:at + 4] == b"PK\x01\x02":
        name_length, extra, comment = (int.from_bytes(content[at + i:at + i + 2], "little") for i in (28, 30, 32))
        if content[at + 46:at + 46 + name_length] == SHEET.encode():
            content[at + 24:at + 28] = forged
        at += 46 + name_length + extra + comment
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as z:
        assert z.getinfo(SHEET).file_size == 100
    return bytes(content)


def rows_past_the_limit() -> bytes:
    """A valid header and one task, on row 60,000: a sheet longer than dondoc reads."""
    row = [cell(f"{chr(65 + i)}60000", v) for i, v in enumerate(["", "05/01/2026", "PGV-9", "", "Việc ở dòng 60.000", "QLNL", "", ""])]
    return with_sheet(sheet(header_row() + '<row r="60000">' + "".join(row) + "</row>"))


def columns_past_the_limit() -> bytes:
    return with_sheet(sheet(header_row() + f'<row r="2">{cell("BA2", "cột 53")}</row>', "A1:BA2"))


async def upload(world: World, content: bytes, dry_run: bool = True):
    return await world.client.post(API, params={"dry_run": "true" if dry_run else "false"}, headers=world.auth("vanphong"),
                                   files={"file": ("bom.xlsx", content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})


async def measured(world: World, content: bytes):
    """The response, and the most memory the request held at once (Python allocations)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        started = time.monotonic()
        r = await upload(world, content)
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return r, peak, elapsed


async def test_a_small_workbook_that_would_unpack_into_millions_of_cells_is_refused_at_once_within_a_small_budget(world):
    failures = []
    for name, make, expected in [
        ("declares 16,384 columns × 1,048,576 rows", declared_huge, "50 cột"),
        ("unpacks to 60 MB", unpacks_past_50_mb, "50 MB"),
        ("entity expansion", entity_expansion, "không phải là bảng tính Excel"),
        ("forged size in the zip's directory", forged_size, "không phải là bảng tính Excel"),
    ]:
        content = make()
        assert len(content) < 200_000, (name, len(content))
        r, peak, elapsed = await measured(world, content)
        if r.status_code != 422 or expected not in r.json().get("message", ""):
            failures.append(f"{name}: {r.status_code} {r.text[:300]}")
        if peak > MEMORY_BUDGET:
            failures.append(f"{name}: held {peak / 2**20:.0f} MB (budget {MEMORY_BUDGET / 2**20:.0f} MB) for a {len(content) / 1024:.0f} KB file")
        print(f"{name}: {len(content) / 1024:.0f} KB file, {r.status_code}, peak {peak / 2**20:.1f} MB, {elapsed:.2f} s")
    assert not failures, "\n".join(failures)


async def test_rows_are_read_only_up_to_column_50_so_wide_rows_cost_no_more_than_narrow_ones(world):
    content = wide_rows()
    r, peak, _ = await measured(world, content)
    assert r.status_code == 200, r.text
    assert peak < MEMORY_BUDGET, f"held {peak / 2**20:.0f} MB for a {len(content) / 1024:.0f} KB file"
    # The rows hold no task data dondoc can use: each is refused for its missing fields, none crashes the read.
    assert r.json()["rows_read"] == 3000 and r.json()["errors"]


async def test_a_sheet_past_50000_rows_or_50_columns_is_refused_and_nothing_is_imported(world):
    r = await upload(world, rows_past_the_limit(), dry_run=False)
    assert r.status_code == 422 and "50.000 dòng" in r.json()["message"], r.text
    assert r.json()["fields"] == {"file": "Quá nhiều dòng"}
    r = await upload(world, columns_past_the_limit(), dry_run=False)
    assert r.status_code == 422 and "50 cột" in r.json()["message"], r.text
    tasks = await world.get("vanphong", "/api/v1/tasks")
    assert tasks.json()["total"] == 0


async def test_words_line_breaks_in_a_cell_import_as_line_breaks_and_other_control_characters_refuse_the_row(world):
    def dms_row(n: int, title: str) -> str:
        values = ["", "05/01/2026", f"PGV-{n}", "", title, "QLNL", "", "20/03/2026"]
        return f'<row r="{n}">' + "".join(cell(f"{chr(65 + i)}{n}", v) for i, v in enumerate(values)) + "</row>"

    # Excel stores Word's line break (U+000B) as the escape _x000B_; openpyxl hands the escape over as text.
    clean = with_sheet(sheet(header_row() + dms_row(2, "Dòng một_x000B_dòng hai") + dms_row(3, "Tiêu đề\r\nhai dòng")))
    r = await upload(world, clean)
    assert r.status_code == 200 and r.json()["errors"] == [], r.text
    assert [p["title"] for p in r.json()["preview"]] == ["Dòng một\ndòng hai", "Tiêu đề\nhai dòng"]

    bad = with_sheet(sheet(header_row() + dms_row(2, "Việc tốt") + dms_row(3, "Có ký tự _x0007_ chuông")))
    r = await upload(world, bad, dry_run=False)
    assert r.status_code == 200, r.text
    assert [(e["row"], e["message"]) for e in r.json()["errors"]] == [
        (3, "Ô ở cột Tên nhiệm vụ có ký tự điều khiển không nhìn thấy (U+0007); hãy xoá ký tự đó.")]
    assert r.json()["imported"] is False
