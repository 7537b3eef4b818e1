"""Who the report comes from: agency names, place, signer and recipients of the DOCX (DESIGN §6).

Stored as one Setting row (key `report.header`, a JSON object) holding only what the admin set;
any key left out falls back to the defaults below (a Sở Công Thương of Quảng Trị), so a fresh
install prints a sensible document. The signer and the recipients come from the people when
not set: the signer is the director (tasks.authority.director, the one the extensions know), and
"Nơi nhận" lists "Như trên", the province, the director and the other leaders by name, and the
archive ("Lưu: VT, VP.").
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any


from tasks.audit import refuse, write_event
from tasks.authority import director
from tasks.db import Db
from tasks.errors import N_, Invalid
from tasks.permissions import Actor, Role, may_admin
from tasks.tables import Setting, User
from tasks.text import clean_text

SETTING_KEY = "report.header"


@dataclass(frozen=True)
class ReportHeader:
    parent_body: str = "UBND TỈNH QUẢNG TRỊ"
    agency: str = "SỞ CÔNG THƯƠNG"
    agency_abbreviation: str = "SCT"
    agency_name: str = "Sở Công Thương"  # as it reads inside a sentence
    place: str = "Quảng Trị"
    signer_title: str = "GIÁM ĐỐC"
    signer_on_behalf: str = ""  # e.g. "KT. GIÁM ĐỐC" above a deputy's title
    signer_name: str = ""  # empty: the director's name
    recipients: tuple[str, ...] = ()  # empty: default_recipients()

    def document_number(self, kind: str = "BC") -> str:
        # The number itself is given by the clerk when the report is signed and registered.
        return f"Số:        /{kind}-{self.agency_abbreviation}"


def as_dict(header: ReportHeader) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(header).items()}


def header_from(values: dict[str, Any] | None) -> ReportHeader:
    known = {f.name for f in fields(ReportHeader)}
    clean = {k: v for k, v in (values or {}).items() if k in known}
    if "recipients" in clean:
        clean["recipients"] = tuple(str(r) for r in clean["recipients"])
    return replace(ReportHeader(), **clean)


MAX_LEADERS_LISTED = 8


def default_recipients(director_name: str | None, deputies: list[str]) -> tuple[str, ...]:
    """"Nơi nhận" when the admin set none (ND 30/2020: each line ends with ";", the last with ".")."""
    people = ([f"Đ/c {director_name} - Giám đốc Sở;"] if director_name else []) + [f"Đ/c {n} - Phó Giám đốc Sở;" for n in deputies]
    return ("Như trên;", "UBND tỉnh (để báo cáo);", *people, "Lưu: VT, VP.")


async def _stored() -> dict[str, Any]:
    row = await Setting.select(Setting.value).where(Setting.key == SETTING_KEY).first().run()
    if row is None:
        return {}
    value = row["value"]
    value = json.loads(value) if isinstance(value, str) else value
    return value if isinstance(value, dict) else {}


async def load_header() -> ReportHeader:
    """The header as the DOCX prints it: what the admin set, the defaults, and the people."""
    header = header_from(await _stored())
    if header.signer_name and header.recipients:
        return header
    chosen, _ = await director()
    leaders = await User.select(User.id, User.full_name, User.username).where(
        (User.role == Role.LEADER.value) & (User.active == True)).order_by(User.id).run()  # noqa: E712
    names = {u["id"]: u["full_name"] or u["username"] for u in leaders}
    deputies = [name for uid, name in names.items() if uid != chosen][:MAX_LEADERS_LISTED]
    return replace(header, signer_name=header.signer_name or names.get(chosen, ""),
                   recipients=header.recipients or default_recipients(names.get(chosen), deputies))


async def save_header(db: Db, actor: Actor, now: datetime, values: dict[str, Any]) -> ReportHeader:
    if not may_admin(actor):
        raise await refuse(actor, now, "save_report_header", "setting", None, N_("Only an administrator may change the report header."))
    known = {f.name for f in fields(ReportHeader)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise Invalid(N_("Unknown report header fields: {value}"), value=", ".join(unknown))
    if not isinstance(values.get("recipients", []), list):
        raise Invalid(N_("The recipients are a list of lines."), fields={"recipients": N_("Not a list")})
    async with db.transaction():
        before = await load_header()
        # Only what the admin set is stored: the rest keeps following the defaults and the people.
        stored = {**{k: v for k, v in (await _stored()).items() if k in known},
                  **{k: ([clean_text(str(r), k).strip() for r in v] if k == "recipients" else clean_text(str(v), k).strip())
                     for k, v in values.items()}}
        payload = json.dumps(stored, ensure_ascii=False)
        existing = await Setting.select(Setting.id).where(Setting.key == SETTING_KEY).first().run()
        if existing is None:
            await Setting.insert(Setting(key=SETTING_KEY, value=payload)).run()
        else:
            await Setting.update({Setting.value: payload}).where(Setting.id == existing["id"]).run()
        header = await load_header()
        await write_event(actor=actor, at=now, action="save_report_header", entity_type="setting", entity_id=None,
                          before=asdict(before), after=asdict(header))
    return header
