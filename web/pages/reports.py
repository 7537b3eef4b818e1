"""The report page for the leadership meeting (completion figures with both rates and their formulas,
the 12-week trend as SVG, the weekly overdue list) and its downloads. Who sees what follows the
reports API: leaders, the office and admins every division; a division head their own division."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.params import FromPath

from tasks import overdue, reports
from tasks.errors import Invalid
from tasks.exports import build
from tasks.permissions import sees_all_tasks
from web.deps import CalendarDep, NowDep, SettingsDep
from web.downloads import attachment
from web.pages.charts import SERIES, legend_marker, trend_chart
from web.pages.common import ViewerDep, error_message, formatters, locale_of, render
from web.pages.forms import parse_date

PARAMS = ("from", "to", "group_by")


def _period(params: dict[str, str]) -> tuple[date | None, date | None, str]:
    return parse_date(params["from"], "from"), parse_date(params["to"], "to"), params["group_by"] or "division"


@get("/reports", include_in_schema=False)
async def report_page(request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    params = {k: (request.query_params.get(k) or "").strip()[:20] for k in PARAMS}
    now, due_soon = now, settings.due_soon_days
    error = None
    try:
        start, end, group_by = _period(params)
        report = await reports.completion_report(viewer.actor, calendar, now, start, end, group_by, due_soon)
    except Invalid as exc:
        error = error_message(request, exc)
        start, end, group_by = None, None, "division"
        report = await reports.completion_report(viewer.actor, calendar, now, None, None, group_by, due_soon)
    trend = await reports.weekly_trend(viewer.actor, calendar, now, start, due_soon)
    items = await overdue.overdue_list(viewer.actor, calendar, now, start, end, due_soon)
    fmt_date = formatters(request)["fmt_date"]
    query = urlencode({k: v for k, v in params.items() if v}, safe="/") if error is None else ""
    return render(
        request, "reports.html", status_code=422 if error else 200, report=report, trend=trend, overdue=items, params=params,
        error=error, group_bys=reports.GROUP_BYS, group_labels=reports.GROUP_LABELS, rate_labels=reports.RATE_LABELS,
        no_leader=reports.NO_LEADER, chart=trend_chart(trend, lambda d: fmt_date(d)[:5], locale_of(request)), series=SERIES,
        legend_marker=legend_marker, query=query, scoped=not sees_all_tasks(viewer.actor),
        division_name=viewer.division_name,
    )


@get("/reports/{kind:str}/{fmt:str}", include_in_schema=False)
async def download(request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep, kind: FromPath[str],
                   fmt: FromPath[str]) -> Response:
    """The same export the API and the command line give, for the signed-in reader."""
    params = {k: (request.query_params.get(k) or "").strip()[:20] for k in PARAMS}
    start, end, group_by = _period(params)
    export = await build.export_report(kind, fmt, viewer.actor, calendar, now, start, end, group_by,
                                       settings.due_soon_days, locale_of(request))
    return attachment(export)


ROUTES = [report_page, download]
