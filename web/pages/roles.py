"""The division head's "my division" and the leader's overview."""

from __future__ import annotations

from litestar import Request, Response, get

from tasks import calendar_feed, overdue, overview, queries, reports
from tasks.permissions import has_division_home, has_leader_overview
from tasks.state import LIVE
from web.deps import CalendarDep, NowDep, SettingsDep
from web.feeds import feed_url
from web.pages.tasks import leader_names
from web.pages.common import ViewerDep, render, require


@get("/division", include_in_schema=False)
async def my_division(request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    require(has_division_home(viewer.actor))
    f = queries.TaskFilter(states=tuple(LIVE), limit=queries.MAX_PAGE)
    result = await queries.list_tasks(viewer.actor, f, now, calendar, settings.due_soon_days)
    items = await overview.with_progress_right(viewer.actor, result["items"])
    groups = overview.group_by_timeliness(overview.with_days_overdue(items, now, calendar))
    division = await calendar_feed.division_by_id(viewer.actor.division_id)
    return render(request, "division.html", groups=groups, total=result["total"], msg=request.query_params.get("msg"),
                  feed_url=feed_url(settings, division) if division else None)


@get("/leader", include_in_schema=False)
async def leader_overview(request: Request, now: NowDep, settings: SettingsDep, viewer: ViewerDep, calendar: CalendarDep) -> Response:
    require(has_leader_overview(viewer.actor))
    now, due_soon = now, settings.due_soon_days
    # The same figures as the completion report (tasks.reports), so a leader never sees two answers.
    completion = await reports.completion_report(viewer.actor, calendar, now, due_soon_days=due_soon)
    # The report page's overdue list: the same tasks, order, working days overdue and last notes.
    overdue_items = await overdue.overdue_list(viewer.actor, calendar, now, due_soon_days=due_soon)
    starred = await queries.list_tasks(viewer.actor, queries.TaskFilter(starred=True, limit=queries.MAX_PAGE), now, calendar, due_soon)
    return render(request, "leader.html", figures=completion.rows, total=completion.total,
                  overdue=overdue_items[: queries.MAX_PAGE], overdue_total=len(overdue_items), starred=starred["items"],
                  extensions=await overview.pending_extensions(viewer.actor), leaders=await leader_names(), msg=request.query_params.get("msg"))


ROUTES = [my_division, leader_overview]
