"""Faults under load: two `dondoc serve` instances on one PostgreSQL take writes and send reminders
while one is killed with SIGKILL (and started again), PostgreSQL restarts once and the SMTP server is
down for a minute. Afterwards: notifications lost or received twice, acknowledged writes missing
from the database, and whether both instances serve again. (Issue 10, acceptance 2.)

    .venv/bin/python bench/faults.py            # about 8 minutes; loopback only

Everything it breaks is its own: a private PostgreSQL cluster in a temporary directory on a free
port (initdb / pg_ctl from the machine's PostgreSQL), an aiosmtpd server in this process, and the
two instances. The load: office staff record directives of two tasks each (due in three working
days, so each new task is urged at the next pass) and heads report progress, through both
instances at once; every write acknowledged with a 2xx is looked for in the database at the end.

It uses the wall clock, so it must run in working hours (07:30–17:00 province time on a working
day). Exit status 0 only when nothing was lost or doubled and both instances are ready again.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from aiosmtpd.controller import Controller  # noqa: E402

from fresh_db import migrate  # noqa: E402
from instances import ServeProcess, free_port  # noqa: E402

ZONE = "Asia/Ho_Chi_Minh"
BASE_URL = "http://dondoc.faults"
PASSWORD = "mat-khau-cua-bai-thu"
SECRET_KEY = "faults-secret-key-not-the-development-one"


def log(started: float, text: str) -> None:
    print(f"  {time.monotonic() - started:6.1f} s  {text}", flush=True)


# --- a private PostgreSQL -------------------------------------------------------------------------

class PrivatePostgres:
    """A throwaway cluster on a free loopback port, so restarting it disturbs nobody else."""

    def __init__(self) -> None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not versions:
            raise SystemExit("faults: no PostgreSQL server binaries under /usr/lib/postgresql")
        self.bin = versions[-1].parent
        self.dir = Path(tempfile.mkdtemp(prefix="dondoc-faults-pg-"))
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/dondoc"

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        # Not into pipes: a server pg_ctl starts would hold them open, and this would wait forever.
        subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        data = str(self.dir / "data")
        self._as_postgres(str(self.bin / "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", data, "-l", str(self.dir / "log"), "-w", "-o",
                          f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
                          "-c fsync=off -c max_connections=100", "start")
        self._as_postgres(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "dondoc")

    def restart(self) -> None:
        self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        try:
            self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- a mail server that can be switched off --------------------------------------------------------

class Sink:
    def __init__(self, per_message_s: float) -> None:
        self.per_message_s = per_message_s
        self.lock = threading.Lock()
        # outbox row id -> the Message-IDs of the emails that carried it (the X-Dondoc-Notifications header)
        self.rows: dict[int, list[str]] = defaultdict(list)
        self.emails = 0
        self.last_at = time.monotonic()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await asyncio.sleep(self.per_message_s)  # slow before DATA: a sender killed here delivered nothing
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.emails += len(envelope.rcpt_tos)
            for row in str(message.get("X-Dondoc-Notifications", "")).split():
                self.rows[int(row)].append(message["Message-ID"])
            self.last_at = time.monotonic()
        return "250 OK"


class SwitchableSmtp:
    def __init__(self, sink: Sink) -> None:
        self.sink, self.port, self.controller = sink, free_port(), None

    def up(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


# --- the instances ---------------------------------------------------------------------------------

# --- seeding and load ------------------------------------------------------------------------------

async def seed(url: str, divisions: int, now: datetime) -> dict:
    from tasks.db import Db
    from tasks.passwords import hash_password
    from tasks.tables import Division, User

    db = Db.from_url(url, [Division, User])
    db.bind()
    await db.open()
    try:
        hashed = hash_password(PASSWORD)
        codes = [f"P{i:02}" for i in range(divisions)]
        ids = [r["id"] for r in await Division.insert(*[
            Division(code=c, name=f"Phòng số {i}", email=f"{c.lower()}@faults.example.vn") for i, c in enumerate(codes)
        ]).returning(Division.id).run()]
        await User.insert(
            User(username="vanphong", full_name="Văn phòng", email="vanphong@faults.example.vn", role="office", active=True,
                 locale="vi", password_hash=hashed),
            *[User(username=f"truong.{c.lower()}", full_name=f"Trưởng phòng {c}", email=f"truong.{c.lower()}@faults.example.vn",
                   role="head", division=d, active=True, locale="vi", password_hash=hashed) for c, d in zip(codes, ids)],
        ).run()
        return {"codes": codes, "code_of": dict(zip(ids, codes))}
    finally:
        await db.close()


class Load:
    """Writers through both instances; each acknowledged write is remembered to be looked for."""

    def __init__(self, instances: list[ServeProcess], code_of: dict[int, str], due_on: str) -> None:
        self.instances, self.code_of, self.codes, self.due_on = instances, code_of, sorted(code_of.values()), due_on
        self.acked_directives: set[str] = set()
        self.acked_notes: set[str] = set()
        self.refused: dict[str, int] = defaultdict(int)  # not acknowledged: status or error -> count
        self.tasks: list[tuple[int, str]] = []  # (task id, lead division code)
        self.tokens: dict[tuple[str, str], str] = {}
        self.serial = 0
        self.stopping = False

    async def token(self, client: httpx.AsyncClient, instance: ServeProcess, username: str) -> str:
        key = (instance.name, username)
        if key not in self.tokens:
            r = await client.post(instance.base + "/api/v1/auth/token", json={"username": username, "password": PASSWORD})
            r.raise_for_status()
            self.tokens[key] = r.json()["token"]
        return self.tokens[key]

    async def write(self, client: httpx.AsyncClient, rng: random.Random) -> None:
        instance = rng.choice(self.instances)
        self.serial += 1
        serial = self.serial
        try:
            if not self.tasks or rng.random() < 0.4:
                number = f"{serial}/FAULTS"
                leads = rng.sample(self.codes, 2)
                body = {"number": number, "issuer": "UBND tỉnh", "summary": "Bài thử sự cố",
                        "tasks": [{"title": f"Nhiệm vụ {serial}-{k}", "lead_division": code, "due_on": self.due_on}
                                  for k, code in enumerate(leads)]}
                r = await client.post(instance.base + "/api/v1/directives", json=body,
                                      headers={"Authorization": f"Bearer {await self.token(client, instance, 'vanphong')}"})
                if 200 <= r.status_code < 300:
                    self.acked_directives.add(number)
                    self.tasks += [(t["id"], self.code_of[t["lead_division"]]) for t in r.json()["tasks"]]
                else:
                    self.refused[f"HTTP {r.status_code}"] += 1
            else:
                task_id, code = rng.choice(self.tasks)
                note = f"Báo cáo tiến độ số {serial}"
                r = await client.post(instance.base + f"/api/v1/tasks/{task_id}/progress", json={"percent": rng.randint(1, 90), "note": note},
                                      headers={"Authorization": f"Bearer {await self.token(client, instance, f'truong.{code.lower()}')}"})
                if 200 <= r.status_code < 300:
                    self.acked_notes.add(note)
                else:
                    self.refused[f"HTTP {r.status_code}"] += 1
        except (httpx.HTTPError, KeyError) as exc:
            self.refused[type(exc).__name__] += 1

    async def run(self, workers: int, pause_s: float) -> None:
        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            async with httpx.AsyncClient(timeout=30) as client:
                while not self.stopping:
                    await self.write(client, rng)
                    await asyncio.sleep(pause_s)

        await asyncio.gather(*(worker(i) for i in range(workers)))


# --- the run ---------------------------------------------------------------------------------------

async def sending_instance(instances: list[ServeProcess], smtp_port: int, until: float) -> ServeProcess | None:
    """The instance that holds a connection to the mail server (it is in a batch), by `ss`."""
    by_pid = {i.process.pid: i for i in instances}
    while time.monotonic() < until:
        out = subprocess.run(["ss", "-Htnp", "state", "established", "dst", f"127.0.0.1:{smtp_port}"],
                             capture_output=True, text=True).stdout
        for pid in re.findall(r"pid=(\d+)", out):
            if int(pid) in by_pid:
                return by_pid[int(pid)]
        await asyncio.sleep(0.1)
    return None


async def expected_pairs(conn: asyncpg.Connection) -> set[tuple[str, int]]:
    """Every (head's address, task) a remind_3 must reach: each open task due on the day, to each
    active head of its lead division."""
    rows = await conn.fetch(
        "SELECT u.email, t.id FROM task t JOIN app_user u ON u.division = t.lead_division AND u.role = 'head' AND u.active "
        "WHERE t.state IN ('open', 'in_progress')")
    return {(r["email"], r["id"]) for r in rows}


async def run(args: argparse.Namespace) -> int:
    from notify.ladder import DEFAULT_LADDER
    from tasks.calendar import build_calendar

    now = datetime.now(timezone.utc)
    calendar = build_calendar(ZONE, [])
    if not DEFAULT_LADDER.hours.contains(now, calendar):
        raise SystemExit("faults: outside working hours (07:30–17:00 province time on a working day): "
                         "the instances would send nothing. Run it inside them.")
    due_on = calendar.add_working_days(calendar.today(now), 3).isoformat()
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    pg = PrivatePostgres()
    sink = Sink(args.per_message)
    smtp = SwitchableSmtp(sink)
    instances: list[ServeProcess] = []
    started = time.monotonic()
    try:
        pg.start()
        migrate(pg.url)
        world = await seed(pg.url, args.divisions, now)
        smtp.up()
        env = {"DONDOC_DATABASE_URL": pg.url, "DONDOC_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}", "DONDOC_BASE_URL": BASE_URL,
               "DONDOC_SECRET_KEY": SECRET_KEY, "DONDOC_OUTBOX_LEASE_MINUTES": "1"}
        instances = [ServeProcess(name, env, logs) for name in ("a", "b")]
        for i in instances:
            i.start()
        async with httpx.AsyncClient(timeout=10) as client:
            if not all([await i.ready(client) for i in instances]):
                raise SystemExit(f"faults: the instances did not become ready; see {logs}")
        started = time.monotonic()
        print(f"faults: two instances on a private PostgreSQL (port {pg.port}), {args.divisions} divisions, "
              f"tasks due {due_on}", flush=True)
        load = Load(instances, world["code_of"], due_on)
        loading = asyncio.create_task(load.run(args.workers, args.pause))

        async def at(second: float) -> None:
            await asyncio.sleep(max(0.0, second - (time.monotonic() - started)))

        # The first passes run about a minute after start: kill the instance that is sending, in
        # the middle of its batch (or the first one, if none is sending by 100 s).
        await at(45)
        sending = await sending_instance(instances, smtp.port, until=started + 100)
        victim = sending or instances[0]
        victim.kill()
        killed_at = time.monotonic() - started
        log(started, f"instance {victim.name} killed with SIGKILL" + (" while it was sending" if sending else "")
            + f" ({sink.emails} emails received so far)")
        await at(killed_at + 20)
        victim.start()
        log(started, f"instance {victim.name} started again")
        await at(killed_at + 60)
        pg.restart()
        log(started, "PostgreSQL restarted")
        await at(killed_at + 90)
        smtp.down()
        log(started, "SMTP server stopped")
        await at(killed_at + 150)
        smtp.up()
        log(started, "SMTP server started again")
        await at(killed_at + args.load_after_s)
        load.stopping = True
        await loading
        log(started, f"load stopped: {len(load.acked_directives)} directives and {len(load.acked_notes)} progress reports "
                     f"acknowledged; not acknowledged: {dict(load.refused) or 0}")

        conn = await asyncpg.connect(pg.url)
        try:
            deadline = time.monotonic() + args.settle_s
            while True:
                pending = await conn.fetchval("SELECT count(*) FROM notification WHERE state = 'pending'")
                rows = {r["id"] for r in await conn.fetch("SELECT id FROM notification")}
                if (not pending and rows <= set(sink.rows) and time.monotonic() - sink.last_at > 5) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(5)
            log(started, "outbox settled" if not pending else f"gave up waiting: {pending} notifications still pending")
            states = {r["state"]: r["n"] for r in await conn.fetch("SELECT state, count(*) AS n FROM notification GROUP BY state")}
            directives = {r["number"] for r in await conn.fetch("SELECT number FROM directive")}
            notes = {r["note"] for r in await conn.fetch("SELECT note FROM progress_report")}
            expected = await expected_pairs(conn)
            planned = {(r["email"], r["task"]) for r in await conn.fetch(
                "SELECT u.email, n.task FROM notification n JOIN app_user u ON u.id = n.recipient WHERE n.kind = 'task'")}
        finally:
            await conn.close()

        # Lost: an outbox row never received, or a reminder a task should have had that was never planned.
        lost = len(rows - set(sink.rows)) + len(expected - planned)
        twice = sum(1 for ids in sink.rows.values() if len(set(ids)) > 1)  # in two different emails
        resent = sum(1 for ids in sink.rows.values() if len(ids) > len(set(ids)))  # the same email again
        lost_writes = len(load.acked_directives - directives) + len(load.acked_notes - notes)
        async with httpx.AsyncClient(timeout=10) as client:
            serving = [await i.ready(client, within_s=30) for i in instances]
            for i in instances:
                await load.write(client, random.Random(i.port))  # one more write through each
        print(f"faults: {sink.emails} emails carrying {len(rows)} outbox rows ({len(expected)} reminders due): lost {lost}, "
              f"received twice {twice} (the same email re-sent with its Message-ID: {resent}); outbox {states}")
        print(f"faults: acknowledged writes missing from the database: {lost_writes}; both instances ready again: {all(serving)}; "
              f"took {time.monotonic() - started:.0f} s")
        return 0 if lost == 0 and twice == 0 and lost_writes == 0 and all(serving) else 1
    finally:
        for i in instances:
            i.stop()
        smtp.down()
        pg.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--divisions", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4, help="concurrent writers")
    parser.add_argument("--pause", type=float, default=0.2, help="seconds each writer waits between writes")
    parser.add_argument("--per-message", type=float, default=0.5, help="seconds the SMTP server takes per message")
    parser.add_argument("--load-after-s", type=float, default=190,
                        help="seconds of load after the kill (the other faults happen in the first 150)")
    parser.add_argument("--settle-s", type=float, default=420, help="at most this long to wait for the outbox to empty")
    parser.add_argument("--logs", default="var/bench-faults", help="where the instances' logs go")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
