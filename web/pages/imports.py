"""The office's Excel import: upload a workbook, see what would be imported and every row refused
(the importer's dry run), then confirm to import it all at once, or nothing.

Between preview and confirmation the workbook travels back with the confirm form (base64 in a
hidden field), so any app instance can take the confirmation, and the import reads and checks the
file again before writing: whatever changed in between, the result is exact.
"""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile

from tasks import importer
from tasks.calendar import WorkingCalendar
from tasks.db import Db
from tasks.errors import N_, DomainError, Invalid
from tasks.exports import task_list
from tasks.i18n import gettext_for
from tasks.permissions import may_import
from web.deps import CalendarDep, DbDep, NowDep
from web.downloads import attachment
from web.pages.common import ViewerDep, error_message, field_errors, locale_of, render, require
from web.sessions import Viewer

# The confirmation carries the file in the form; Litestar accepts 10 MB bodies, base64 adds a third.
MAX_PAGE_IMPORT_BYTES = 5 * 1024 * 1024



def _page(request: Request, status_code: int = 200, **context: Any) -> Response:
    base = {"result": None, "content": "", "filename": "", "error": None, "errors": {}, "max_mb": MAX_PAGE_IMPORT_BYTES // 1024 // 1024}
    return render(request, "import.html", status_code=status_code, **{**base, **context})


def _checked(content: bytes) -> bytes:
    if not content:
        raise Invalid(N_("Choose the Excel file (.xlsx) to import."), fields={"file": N_("Required")})
    if len(content) > MAX_PAGE_IMPORT_BYTES:
        raise Invalid(N_("The file is too large for the page (at most {n} MB); the command dondoc import-xlsx takes larger files."),
                      fields={"file": N_("Too large")}, n=MAX_PAGE_IMPORT_BYTES // 1024 // 1024)
    return content


async def _run(request: Request, db: Db, now: datetime, viewer: Viewer, calendar: WorkingCalendar, content: bytes, filename: str,
               dry_run: bool) -> Response:
    try:
        result = await importer.import_xlsx(db, viewer.actor, now, calendar, _checked(content),
                                            dry_run=dry_run, source_name=filename)
    except DomainError as exc:
        if exc.status == 403:
            raise
        return _page(request, exc.status, filename=filename, error=error_message(request, exc), errors=field_errors(request, exc))
    summary = importer.result_dict(result, gettext_for(locale_of(request)))
    return _page(request, 422 if result.errors else 200, result=summary, filename=filename,
                 content=base64.b64encode(content).decode() if dry_run and result.new_tasks else "")


@get("/import", include_in_schema=False)
async def import_form(request: Request, viewer: ViewerDep) -> Response:
    require(may_import(viewer.actor))
    return _page(request)


@post("/import", include_in_schema=False)
async def preview(request: Request, db: DbDep, now: NowDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    require(may_import(viewer.actor))
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _run(request, db, now, viewer, calendar, b"", "", dry_run=True)
    content = await upload.read(MAX_PAGE_IMPORT_BYTES + 1)
    return await _run(request, db, now, viewer, calendar, content, upload.filename[:200], dry_run=True)


@post("/import/confirm", include_in_schema=False)
async def confirm(request: Request, db: DbDep, now: NowDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    require(may_import(viewer.actor))
    form = await request.form()
    try:
        content = base64.b64decode(form.get("content") or "", validate=True)
    except (binascii.Error, ValueError):
        content = b""
    return await _run(request, db, now, viewer, calendar, content, (form.get("filename") or "")[:200], dry_run=False)


@get("/import/template", include_in_schema=False)
async def template(request: Request, now: NowDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    """An empty workbook in the import's layout, with one example row that imports as it stands."""
    require(may_import(viewer.actor))
    return attachment(await task_list.template_xlsx(now, calendar))


ROUTES = [import_form, template, preview, confirm]
