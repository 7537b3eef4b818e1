"""The `dondoc` command line: serve, migrate, create-user, seed-demo."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import ipaddress
import os
import sys

from tasks.errors import DomainError
from tasks.i18n import translate_error
from web.cli.backup import add_backup_commands
from web.cli.db import connected
from web.cli.notify import add_notify_commands
from web.cli.reports import add_report_commands
from web.clock import SystemClock
from web.settings import Settings, SettingsError


def listens_on_loopback_only(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from web.app import create_app

    from web.logs import redacted_url, startup_line

    if settings.uses_development_key:
        # The development key is in the source: with it anyone can forge an admin's API token.
        if not listens_on_loopback_only(args.host):
            print(f"dondoc: refusing to serve on {args.host} with the public development secret key: set DONDOC_SECRET_KEY "
                  "(or DONDOC_SECRET_KEY_FILE), or listen on 127.0.0.1 only", file=sys.stderr)
            return 2
        print(startup_line(settings.log_format, "dondoc: WARNING: using the public development secret key; sessions and API tokens "
                           "can be forged. Serving on loopback only; set DONDOC_SECRET_KEY before serving anyone else."),
              file=sys.stderr, flush=True)
    print(startup_line(settings.log_format, f"dondoc: serving on http://{args.host}:{args.port} with {args.workers} worker(s)  (database: {redacted_url(settings.database_url)})"), flush=True)
    # uvicorn[standard] (through litestar[standard]) brings uvloop and httptools, which "auto" picks.
    options = {"host": args.host, "port": args.port, "log_level": "info", "access_log": args.access_log}
    if settings.log_format == "json":
        from web.logs import log_config

        # One JSON line per request comes from the app itself (web.observe), with its id and user.
        options.update(log_config=log_config("json"), access_log=False)
    if args.workers == 1:
        uvicorn.run(create_app(settings), **options)
    else:
        # Each worker is a process of its own, so it builds its app from the environment, as every
        # instance does (the caches and the scheduler are safe across instances).
        uvicorn.run("web.app:app_from_env", factory=True, workers=args.workers, **options)
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from web.cli.migrate import migrate, piccolo_environment

    # This process exists to run the migration, so it may set its own environment for Piccolo.
    os.environ.update(piccolo_environment(settings.database_url))
    print(f"dondoc migrate: {asyncio.run(migrate(settings.database_url))}")
    return 0


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from tasks.accounts import create_user

    password = os.environ.get("DONDOC_PASSWORD") or getpass.getpass(f"Password for {args.username}: ")

    async def run() -> dict:
        async with connected(settings) as db:
            return await create_user(
                db, None, SystemClock().now(), username=args.username, full_name=args.full_name or args.username,
                email=args.email, role=args.role, division_code=args.division, password=password, locale=args.locale,
            )

    user = asyncio.run(run())
    print(f"dondoc: created user {user['username']} ({user['role']})")
    return 0


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from web.cli.demo import DEMO_PASSWORD, seed_demo

    async def run() -> bool:
        async with connected(settings) as db:
            return await seed_demo(db, SystemClock().now(), settings.timezone)

    created = asyncio.run(run())
    print("dondoc: demo data loaded" if created else "dondoc: demo data already present, nothing added")
    print(f"dondoc: open {settings.base_url}  — sign in as vanphong (office), truongphong.qlnl (division head),")
    print(f"        giamdoc (leader) or quantri (admin); password for all: {DEMO_PASSWORD}")
    return 0


# Each area of dondoc that brings commands of its own (escalation, reports, import) registers a
# function here that adds its subparsers; each sets `func(settings, args) -> exit code`.
EXTRA_COMMANDS: list = [add_notify_commands, add_report_commands, add_backup_commands]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dondoc", description="Đôn đốc: directives, tasks, deadlines.")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the web app and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="server processes (one a core; each holds its own pool of 10 connections)")
    serve.add_argument("--no-access-log", dest="access_log", action="store_false", help="no log line per request")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="bring the database up to date").set_defaults(func=cmd_migrate)
    user = sub.add_parser("create-user", help="add a user (password from DONDOC_PASSWORD or a prompt)")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=["office", "head", "leader", "admin"])
    user.add_argument("--email", required=True)
    user.add_argument("--division")
    user.add_argument("--full-name")
    user.add_argument("--locale", default="vi", choices=["vi", "en"])
    user.set_defaults(func=cmd_create_user)
    sub.add_parser("seed-demo", help="load a demo Sở Công Thương (once)").set_defaults(func=cmd_seed_demo)
    for add_commands in EXTRA_COMMANDS:
        add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return args.func(settings, args)
    except SettingsError as exc:
        print(f"dondoc: configuration error: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"dondoc: {translate_error('vi', exc.message, exc.params)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
