"""`GET /healthz` (the process answers) and `GET /readyz` (it can serve: the database answers, every
migration on disk is applied and no other, the scheduler runs when it is on), both without sign-in,
for a load balancer or an orchestrator to ask."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from pathlib import Path

from litestar import Response, get
from litestar.datastructures import State

from tasks.db import Db
from tasks.tables import Task

# A probe must answer within a load balancer's timeout, even when the database hangs.
DB_TIMEOUT_S = 3.0
_ID = re.compile(r'^ID\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)


@lru_cache(maxsize=1)
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """(app, migration ID) of every migration file this code carries, read from the files (the
    `ID = "…"` line Piccolo writes and stores in its `migration` table), without importing them."""
    from notify.piccolo_app import APP_CONFIG as notify_app
    from tasks.piccolo_app import APP_CONFIG as tasks_app
    from web.piccolo_app import APP_CONFIG as web_app

    found = set()
    for app in (tasks_app, web_app, notify_app):
        for path in Path(app.migrations_folder_path).glob("*.py"):
            match = _ID.search(path.read_text(encoding="utf-8")) if path.name != "__init__.py" else None
            if match:
                found.add((app.app_name, match.group(1)))
    return frozenset(found)


async def applied_migrations() -> set[tuple[str, str]]:
    """(app, migration ID) of every migration Piccolo recorded as run on this database."""
    rows = await Task.raw("SELECT app_name, name FROM migration").run()
    return {(r["app_name"], r["name"]) for r in rows}


def _listed(items: set[tuple[str, str]]) -> str:
    names = [f"{app} {name}" for app, name in sorted(items)]
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


async def readiness_problems(db: Db, scheduler_wanted: bool, scheduler: object | None) -> list[str]:
    """Why this instance should not be sent requests; empty when it may."""
    problems = []
    try:
        await asyncio.wait_for(Task.raw("SELECT 1 AS one").run(), DB_TIMEOUT_S)
    except Exception as exc:  # any failure to answer is the same verdict: not ready
        problems.append(f"database unreachable: {type(exc).__name__}: {exc}".strip())
    else:
        try:
            applied = await asyncio.wait_for(applied_migrations(), DB_TIMEOUT_S)
        except Exception:
            applied = set()  # no migration table yet: nothing was ever migrated
        on_disk = migrations_on_disk()
        if on_disk - applied:
            problems.append(f"migrations not applied (run dondoc migrate): {_listed(on_disk - applied)}")
        if applied - on_disk:
            problems.append(f"the database has migrations this version does not know: {_listed(applied - on_disk)}")
    if scheduler_wanted and not getattr(scheduler, "running", False):
        problems.append("escalation scheduler not running")
    return problems


NO_STORE = {"Cache-Control": "no-store"}


@get("/healthz", include_in_schema=False, sync_to_thread=False)
def healthz() -> Response:
    return Response({"ok": True}, headers=NO_STORE)


@get("/readyz", include_in_schema=False)
async def readyz(state: State) -> Response:
    problems = await readiness_problems(state.db, state.settings.scheduler, getattr(state, "scheduler", None))
    if problems:
        return Response({"ready": False, "problems": problems}, status_code=503, headers=NO_STORE)
    return Response({"ready": True}, headers=NO_STORE)


HEALTH_ROUTES = [healthz, readyz]
