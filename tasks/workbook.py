"""Opening an uploaded workbook with limits, so a small file cannot take the server's memory.

An .xlsx is a zip of XML files, and a few kilobytes can unpack into gigabytes or declare a sheet of
16,384 × 1,048,576 cells that the reader would pad every row to. Before openpyxl sees the file:
- the archive must be a zip of at most MAX_MEMBERS files whose declared sizes add up to at most
  MAX_UNCOMPRESSED_BYTES (50 MB), checked on the zip's directory, before anything is unpacked;
- every member is then unpacked in chunks and counted, and the file is refused as soon as one
  holds more than it declared or the total passes the bound (a forged directory cannot get past),
  or it carries a DTD (`<!DOCTYPE`, `<!ENTITY`: the entity-expansion bombs; no workbook has one).
Then openpyxl reads it in read-only mode: a first sheet that declares more than MAX_COLUMNS (50)
columns or MAX_ROWS (50,000) rows is refused before a row is read; rows are read only up to
column 50 (whatever lies beyond is not read), and a sheet that turns out longer than 50,000 rows is
refused as soon as row 50,001 is reached. Text comes back with Excel's _xHHHH_ escapes undone and
its line breaks made \\n (tasks.text). Each refusal is an ImportFileError (a 422 naming the file)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from openpyxl import load_workbook

from tasks.errors import N_, Invalid
from tasks.text import normalise_breaks

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 50
MAX_MEMBERS = 10_000
CHUNK = 1024 * 1024
_DTD = (b"<!DOCTYPE", b"<!ENTITY")
_EMPTY = (None,) * MAX_COLUMNS


class ImportFileError(Invalid):
    """The file as a whole cannot be read (not its rows)."""


def not_a_workbook() -> ImportFileError:
    return ImportFileError(N_("The file is not an Excel workbook (.xlsx)."), fields={"file": N_("Not an XLSX file")})


def too_large() -> ImportFileError:
    return ImportFileError(N_("The workbook unpacks to more than {n} MB; split it into several files."),
                           fields={"file": N_("Too large")}, n=MAX_UNCOMPRESSED_BYTES // 1024 // 1024)


def too_many_rows() -> ImportFileError:
    return ImportFileError(N_("The sheet has more than {n} rows; split it into several files."),
                           fields={"file": N_("Too many rows")}, n=f"{MAX_ROWS:,}".replace(",", "."))


def too_many_columns() -> ImportFileError:
    return ImportFileError(N_("The sheet has more than {n} columns; delete the columns dondoc does not read."),
                           fields={"file": N_("Too many columns")}, n=MAX_COLUMNS)


def check_archive(content: bytes) -> None:
    """Refuse, before any XML is parsed, a zip that is not one or unpacks past the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise not_a_workbook() from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise too_large()
        if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
            raise too_large()
        total = 0
        for member in members:
            seen = 0
            tail = b""
            try:
                with archive.open(member) as stream:
                    # zipfile stops at the declared size (and then checks the CRC), so counting
                    # past it means a forged entry; the total bounds the archive as a whole.
                    while chunk := stream.read(CHUNK):
                        seen += len(chunk)
                        total += len(chunk)
                        if seen > member.file_size or total > MAX_UNCOMPRESSED_BYTES:
                            raise too_large()
                        window = tail + chunk
                        if any(marker in window for marker in _DTD):
                            raise not_a_workbook()
                        tail = chunk[-16:]
            except ImportFileError:
                raise
            except Exception:  # a bad CRC, an unknown compression, a truncated entry, encryption…
                raise not_a_workbook() from None


def read_rows(content: bytes) -> tuple[int, list[tuple[int, tuple]]]:
    """The first sheet's rows as (row number, values of columns 1–50), and the number of rows
    read; text with its line breaks made \\n. ImportFileError when the file is not a workbook
    or passes a limit."""
    check_archive(content)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises whatever the malformed part makes its parser raise
        raise not_a_workbook() from None
    try:
        if not wb.worksheets:
            raise not_a_workbook()
        ws = wb.worksheets[0]
        try:
            declared_columns, declared_rows = ws.max_column, ws.max_row
        except Exception:
            raise not_a_workbook() from None
        if declared_columns is not None and declared_columns > MAX_COLUMNS:
            raise too_many_columns()
        if declared_rows is not None and declared_rows > MAX_ROWS:
            raise too_many_rows()
        rows: list[tuple[int, tuple]] = []
        try:
            for number, row in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
                if number > MAX_ROWS:
                    raise too_many_rows()
                rows.append((number, tuple(_value(v) for v in row) if any(v is not None for v in row) else _EMPTY))
        except ImportFileError:
            raise
        except Exception:
            raise not_a_workbook() from None
    finally:
        wb.close()
    return len(rows), rows


# Excel writes a character XML cannot hold as _xHHHH_ (ECMA-376 ST_Xstring): Word's line break
# pasted into a cell is stored as _x000B_. openpyxl leaves the escape as it is.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _value(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if "_x" in value:
        value = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return normalise_breaks(value)
