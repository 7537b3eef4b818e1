"""The administrator's page for the escalation ladder (DESIGN §5): the rules (offset in working days
from the effective due date, recipients in To and Cc), working hours, the catch-up horizon and
the director. notify.config validates, saves and audits; this page only reads the form."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect

from notify import config
from notify.config import MAX_RULES
from notify.ladder import DEFAULT_LADDER, MAX_OFFSET, RECIPIENT_KINDS
from notify.rule_labels import offset_label
from tasks import accounts
from tasks.errors import N_, DomainError
from tasks.i18n import gettext_for
from tasks.permissions import Role, may_admin
from web.deps import DbDep, NowDep
from web.pages.common import ViewerDep, error_message, field_errors, locale_of, render, require
from web.pages.forms import parse_int, text
from web.sessions import Viewer

BLANK_ROWS = 2
RECIPIENT_LABELS = {
    "lead_head": N_("Head of the lead division"), "assignee": N_("Assignee"), "leader_in_charge": N_("Leader in charge"),
    "director": N_("Director"), "office": N_("Office"),
}



def _rows(settings: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": r["name"], "offset": str(r["offset"]), "to": list(r["to"]), "cc": list(r["cc"]), "remove": False}
            for r in settings["rules"]]


def _blank(n: int) -> list[dict[str, Any]]:
    return [{"name": "", "offset": "", "to": [], "cc": [], "remove": False} for _ in range(n)]


async def _page(request: Request, now: datetime, viewer: Viewer, values: dict[str, Any], status_code: int = 200, **extra: Any) -> Response:
    current, leaders = await config.escalation_settings(viewer.actor, now), await accounts.users_with_role(Role.LEADER)
    director = next((u["full_name"] or u["username"] for u in leaders if u["username"] == current["effective_director"]), None)
    context = {"values": values, "effective_director": director, "leaders": leaders,
               "kinds": RECIPIENT_KINDS, "recipient_labels": RECIPIENT_LABELS,
               "offset_label": lambda offset: offset_label(int(offset), gettext_for(locale_of(request))), "errors": {}, "error": None,
               "msg": request.query_params.get("msg")}
    return render(request, "admin_escalation.html", status_code=status_code, **{**context, **extra})


@get("/admin/escalation", include_in_schema=False)
async def ladder_page(request: Request, now: NowDep, viewer: ViewerDep) -> Response:
    current = await config.escalation_settings(viewer.actor, now)
    values = {"rules": _rows(current) + _blank(BLANK_ROWS), **current["working_hours"], "catch_up_days": str(current["catch_up_days"]),
              "director": current["director"] or ""}
    return await _page(request, now, viewer, values)


def _form_values(form) -> dict[str, Any]:
    count = parse_int(form.get("rows"), "rows", 1, MAX_RULES + BLANK_ROWS) or 0
    rules = [{"name": text(form, f"rules.{i}.name"), "offset": text(form, f"rules.{i}.offset"),
              "to": [k for k in RECIPIENT_KINDS if form.get(f"rules.{i}.{k}") == "to"],
              "cc": [k for k in RECIPIENT_KINDS if form.get(f"rules.{i}.{k}") == "cc"],
              "remove": form.get(f"rules.{i}.remove") == "1"} for i in range(count)]
    return {"rules": rules, "start": text(form, "start"), "end": text(form, "end"),
            "catch_up_days": text(form, "catch_up_days"), "director": text(form, "director")}


def _kept(values: dict[str, Any]) -> list[int]:
    """The form rows that make the ladder: removed and untouched blank rows are left out."""
    return [i for i, r in enumerate(values["rules"]) if not r["remove"] and (r["name"] or r["offset"] or r["to"] or r["cc"])]


def _settings_from(values: dict[str, Any], kept: list[int]) -> dict[str, Any]:
    """The ladder as notify.config takes it; rule n comes from form row kept[n]."""
    rules = []
    for n, i in enumerate(kept):
        r = values["rules"][i]
        offset = parse_int(r["offset"], f"rules[{n}].offset", -MAX_OFFSET, MAX_OFFSET)
        rules.append({"name": r["name"], "offset": offset, "to": r["to"], "cc": r["cc"]})
    catch_up = parse_int(values["catch_up_days"], "catch_up_days", 0, MAX_OFFSET)
    data = {"rules": rules, "working_hours": {"start": values["start"], "end": values["end"]},
            "catch_up_days": DEFAULT_LADDER.catch_up_days if catch_up is None else catch_up,
            "director": values["director"] or None}
    return data


def _row_errors(errors: dict[str, str], kept: list[int]) -> dict[str, str]:
    """notify.config names a rule by its place in the list it got (rules[2].offset); the form by its row."""
    mapped = {}
    for key, message in errors.items():
        if key.startswith("rules[") and "]." in key:
            n, field = key[len("rules["):].split("].", 1)
            if n.isdigit() and int(n) < len(kept):
                key = f"rules.{kept[int(n)]}.{field}"
        mapped[key] = message
    return mapped


@post("/admin/escalation", include_in_schema=False)
async def save_ladder(request: Request, now: NowDep, db: DbDep, viewer: ViewerDep) -> Response:
    require(may_admin(viewer.actor))
    form = await request.form()
    values = _form_values(form)
    kept = _kept(values)
    try:
        await config.update_escalation_settings(db, viewer.actor, now, _settings_from(values, kept))
    except DomainError as exc:
        if exc.status == 403:
            raise
        return await _page(request, now, viewer, values, exc.status, errors=_row_errors(field_errors(request, exc), kept), error=error_message(request, exc))
    return Redirect(path="/admin/escalation?msg=ladder_saved", status_code=303)


ROUTES = [ladder_page, save_ladder]
