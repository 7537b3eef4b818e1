"""Helpers for the escalation tests: a real SMTP server to receive mail, a small department to
urge, and fast bulk seeding for the tests that need thousands of due notifications."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tasks import accounts, register
from tasks.clock import FixedClock
from tasks.permissions import Actor, Role
from tasks.tables import Directive, Division, Notice, Task, User

ZONE = "Asia/Ho_Chi_Minh"
BASE_URL = "http://dondoc.test"
DOMAIN = "sct.example.vn"
TASK_LINK = re.compile(re.escape(BASE_URL) + r"/tasks/(\d+)")


def local(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """A province-time wall clock reading, as an aware UTC datetime."""
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONE)).astimezone(timezone.utc)


class Sink:
    """An aiosmtpd handler that keeps every message per accepted recipient; replies can be set per
    recipient address (e.g. "450 …" or "550 …")."""

    def __init__(self) -> None:
        self.received: list[tuple[str, EmailMessage]] = []
        self.replies: dict[str, str] = {}
        self.lock = threading.Lock()
        # Awaited (on the server's own loop) when a message's DATA arrives, before it is kept: a
        # test can make the server slow, or hold one message back while something else happens.
        self.on_data = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.on_data is not None:
            await self.on_data()
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.received.append((rcpt, message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if rcpt == address]

    def task_links(self) -> list[tuple[str, int]]:
        """(recipient, task id) for every task linked in every plain-text part received."""
        pairs = []
        for rcpt, message in self.received:
            text = message.get_body(("plain",)).get_content()
            pairs += [(rcpt, int(n)) for n in TASK_LINK.findall(text)]
        return pairs


class SinkController(Controller):
    """aiosmtpd's Controller checks the server by connecting to `port`; with port 0 it must learn
    the port the system gave it first."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Department:
    """A Sở with a few divisions and one user per role, built through the real services."""

    engine: object
    clock: FixedClock
    actors: dict[str, Actor] = field(default_factory=dict)
    division_ids: dict[str, int] = field(default_factory=dict)
    directives: int = 0

    async def build(self) -> "Department":
        admin = await accounts.create_user(self.engine, None, self.clock.now(), username="quantri", full_name="Quản trị", email=f"quantri@{DOMAIN}",
                                         role="admin", division_code=None, password="mat-khau-thu")
        self.actors["quantri"] = accounts.actor_from_row({**admin, "password_hash": ""})
        for code, name in (("VP", "Văn phòng Sở"), ("QLNL", "Phòng Quản lý năng lượng"), ("QLTM", "Phòng Quản lý thương mại")):
            row = await accounts.create_division(self.engine, self.actors["quantri"], self.clock.now(), code=code, name=name, email=f"{code.lower()}@{DOMAIN}")
            self.division_ids[code] = row["id"]
        for username, full_name, role, division, locale in (
            ("vanphong", "Nguyễn Thị Văn Phòng", "office", "VP", "vi"),
            ("truong.qlnl", "Trần Văn Năng", "head", "QLNL", "vi"),
            ("pho.qlnl", "Đỗ Thị Phó", "head", "QLNL", "vi"),
            ("truong.qltm", "Lê Thị Thương", "head", "QLTM", "en"),
            ("giamdoc", "Hoàng Minh Đức", "leader", None, "vi"),
            ("pgd.hai", "Phạm Văn Hải", "leader", None, "vi"),
        ):
            row = await accounts.create_user(self.engine, self.actors["quantri"], self.clock.now(), username=username, full_name=full_name,
                                           email=f"{username}@{DOMAIN}", role=role, division_code=division, password="mat-khau-thu", locale=locale)
            self.actors[username] = accounts.actor_from_row({**row, "password_hash": ""})
        return self

    def address(self, username: str) -> str:
        return f"{username}@{DOMAIN}"

    async def task(self, calendar, due_on: date | None, title: str = "Rà soát phương án cung ứng điện mùa khô", lead: str = "QLNL",
                   leader: str | None = "pgd.hai", assignee: str | None = None, announced: bool = True) -> int:
        """A task recorded now. `announced`: as if it was assigned long ago, its "new task" notices
        already queued and mailed, so a test of the ladder sees only the ladder's mail."""
        self.directives += 1
        directive = register.NewDirective(number=f"{100 + self.directives}/UBND-KT", issuer="UBND tỉnh", summary="Về việc bảo đảm điện")
        row = await register.record_directive(self.engine, self.actors["vanphong"], self.clock.now(), calendar, directive, [
            register.NewTask(title=title, lead_division=lead, leader_in_charge=leader, assignee=assignee, due_on=due_on)])
        task_id = row["tasks"][0]["id"]
        if announced:
            await Notice.update({Notice.queued_at: self.clock.now()}).where(Notice.task == task_id).run()
        return task_id


async def bulk_department(now: datetime, divisions: int, leaders: int, tasks_per_division: int, due_on: date) -> dict:
    """Many divisions (one head each), a few leaders and many tasks due on `due_on`, inserted in
    bulk: for the tests that need thousands of notifications. Returns what each should receive."""
    division_ids = [r["id"] for r in await Division.insert(*[
        Division(code=f"D{i:03}", name=f"Phòng số {i}", email=f"d{i}@{DOMAIN}", active=True) for i in range(divisions)
    ]).returning(Division.id).run()]
    heads = await User.insert(*[
        User(username=f"head{i:03}", full_name=f"Trưởng phòng {i}", email=f"head{i:03}@{DOMAIN}", role="head", division=d, active=True, locale="vi")
        for i, d in enumerate(division_ids)
    ]).returning(User.id).run()
    leader_ids = [r["id"] for r in await User.insert(*[
        User(username=f"leader{i}", full_name=f"Phó Giám đốc {i}", email=f"leader{i}@{DOMAIN}", role="leader", active=True, locale="vi")
        for i in range(leaders)
    ]).returning(User.id).run()]
    directive = (await Directive.insert(Directive(number="1/BULK", issuer="UBND tỉnh", created_at=now)).returning(Directive.id).run())[0]["id"]
    rows, expected = [], []
    for i, d in enumerate(division_ids):
        for j in range(tasks_per_division):
            leader = leader_ids[(i + j) % leaders]
            rows.append(Task(directive=directive, title=f"Nhiệm vụ {i}-{j}", lead_division=d, leader_in_charge=leader, due_on=due_on,
                             original_due_on=due_on, deadline_version=1, state="open", created_at=now, updated_at=now))
            expected.append((i, leader))
    ids = []
    for k in range(0, len(rows), 500):
        ids += [r["id"] for r in await Task.insert(*rows[k : k + 500]).returning(Task.id).run()]
    head_by_division = {d: h["id"] for d, h in zip(division_ids, heads)}
    return {"task_ids": ids, "head_of": head_by_division, "division_ids": division_ids, "leader_ids": leader_ids,
            "leader_of_task": {tid: leader for tid, (_, leader) in zip(ids, expected)},
            "division_of_task": {tid: division_ids[i] for tid, (i, _) in zip(ids, expected)}}


def office_actor(user_id: int) -> Actor:
    return Actor(id=user_id, username="vanphong", role=Role.OFFICE)
