"""Report API: completion figures, the overdue list, their downloads (XLSX, DOCX, CSV), the report
header, and the Excel import. Leaders, the office and admins see every division; a division head
sees the figures of the tasks their own division leads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, Response, get, post, put
from litestar.datastructures import State, UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter

from tasks import importer, overdue, reports
from tasks.dates import check_date
from tasks.errors import N_, Forbidden, Invalid
from tasks.exports import build, header
from tasks.i18n import gettext_for
from tasks.permissions import sees_all_tasks
from web.api import replies
from web.api.answers import TOO_LARGE, UNREADABLE, answers, download
from web.deps import ActorDep, CalendarDep, DbDep, DueSoonDep, NowDep
from web.downloads import attachment


MAX_IMPORT_BYTES = 20 * 1024 * 1024

FromDate = Annotated[date | None, QueryParameter(name="from", description="first day of the period (assignment date), dd inclusive")]
ToDate = Annotated[date | None, QueryParameter(name="to", description="last day of the period; default: the as-of day")]
AsOf = Annotated[datetime | None, QueryParameter(description="the instant the figures are taken at (ISO 8601 with offset); default: now")]
GroupBy = Annotated[str, QueryParameter(description="division, leader, issuer or directive")]


def _period(period_from: date | None, period_to: date | None) -> tuple[date | None, date | None]:
    return check_date(period_from, "from"), check_date(period_to, "to")


def _as_of(as_of: datetime | None, now: datetime) -> datetime:
    if as_of is None:
        return now
    if as_of.tzinfo is None:
        raise Invalid(N_("Give the as-of time with its offset, e.g. 2026-03-03T09:00:00+07:00."), fields={"as_of": N_("No time zone")})
    check_date(as_of.date(), "as_of")
    return as_of


class ReportController(Controller):
    path = "/reports"

    @get("/completion", responses=answers(replies.Completion, UNREADABLE))
    async def completion(
        self, actor: ActorDep, now: NowDep, calendar: CalendarDep, due_soon_days: DueSoonDep,
        period_from: FromDate = None, period_to: ToDate = None, as_of: AsOf = None, group_by: GroupBy = "division",
        trend: FromQuery[bool] = False,
    ) -> dict[str, Any]:
        at = _as_of(as_of, now)
        period_from, period_to = _period(period_from, period_to)
        report = await reports.completion_report(actor, calendar, at, period_from, period_to, group_by, due_soon_days)
        points = await reports.weekly_trend(actor, calendar, at, period_from, due_soon_days) if trend else None
        return reports.completion_dict(report, gettext_for(actor.locale), points)

    @get("/overdue", responses=answers(replies.OverdueList, UNREADABLE))
    async def overdue(
        self, actor: ActorDep, now: NowDep, calendar: CalendarDep, due_soon_days: DueSoonDep,
        period_from: FromDate = None, period_to: ToDate = None, as_of: AsOf = None,
        group_by: Annotated[str | None, QueryParameter(description="division or leader: the list ordered by it first")] = None,
    ) -> dict[str, Any]:
        at = _as_of(as_of, now)
        period_from, period_to = _period(period_from, period_to)
        items = await overdue.overdue_list(actor, calendar, at, period_from, period_to, due_soon_days, group_by=group_by)
        return {"as_of": at, "total": len(items), "items": overdue.overdue_dict(items)}

    @get("/{kind:str}/export", responses=answers(None, UNREADABLE), operation_class=download(build.FORMATS.values()),
         description="Download a report: format xlsx, docx or csv.")
    async def export(
        self, kind: FromPath[str], actor: ActorDep, now: NowDep, calendar: CalendarDep, due_soon_days: DueSoonDep,
        export_format: Annotated[str, QueryParameter(name="format")] = "xlsx",
        period_from: FromDate = None, period_to: ToDate = None, as_of: AsOf = None, group_by: GroupBy = "division",
    ) -> Response[bytes]:
        at = _as_of(as_of, now)
        period_from, period_to = _period(period_from, period_to)
        export = await build.export_report(kind, export_format, actor, calendar, at, period_from, period_to, group_by,
                                           due_soon_days, actor.locale)
        return attachment(export)

    @get("/calendar-feeds", responses=answers(list[replies.CalendarFeed]),
         description="The secret iCalendar feed URL of each division's open deadlines "
         "(a head gets their own division's only). POST /divisions/{code}/feed-token rotates one; changing the secret key revokes them all.")
    async def calendar_feeds(self, actor: ActorDep, state: State) -> list[dict[str, Any]]:
        from tasks.accounts import list_divisions
        from web.feeds import feed_url

        divisions = [d for d in await list_divisions() if d["active"] and (sees_all_tasks(actor) or d["id"] == actor.division_id)]
        return [{"division": d["code"], "name": d["name"], "url": feed_url(state.settings, d)} for d in divisions]

    @get("/header", responses=answers(replies.ReportHeader))
    async def get_header(self, actor: ActorDep) -> dict[str, Any]:
        return header.as_dict(await header.load_header())

    @put("/header", responses=answers(replies.ReportHeader, UNREADABLE, Forbidden))
    async def put_header(self, data: JSONBody[dict[str, Any]], actor: ActorDep, now: NowDep, db: DbDep) -> dict[str, Any]:
        return header.as_dict(await header.save_header(db, actor, now, data))


@dataclass
class ImportForm:
    """The multipart form of the import: the workbook in `file` (the handler refuses a form without it)."""

    file: UploadFile | None = None


class ImportController(Controller):
    path = "/import"

    @post("/xlsx", status_code=200, responses=answers(replies.ImportResult, UNREADABLE, Forbidden, TOO_LARGE),
          description="Import tasks from an XLSX file (multipart field `file`). "
          "With dry_run=true nothing is written: the answer previews what would be imported and every unreadable row.")
    async def import_xlsx(
        self, actor: ActorDep, now: NowDep, db: DbDep, calendar: CalendarDep,
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        dry_run: FromQuery[bool] = False,
    ) -> dict[str, Any]:
        upload = data.file
        if upload is None:
            raise Invalid(N_("Attach the spreadsheet as the form field 'file'."), fields={"file": N_("Required")})
        content = await upload.read()
        if len(content) > MAX_IMPORT_BYTES:
            raise Invalid(N_("The file is too large (at most {n} MB)."), fields={"file": N_("Too large")}, n=MAX_IMPORT_BYTES // 1024 // 1024)
        result = await importer.import_xlsx(db, actor, now, calendar, content, dry_run=dry_run)
        return importer.result_dict(result, gettext_for(actor.locale))


CONTROLLERS = [ReportController, ImportController]
