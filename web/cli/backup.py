"""`dondoc backup FILE` and `dondoc restore FILE`: the whole database to one file and back.

SQLite: the online backup API (`sqlite3.Connection.backup`), a consistent copy while instances keep
writing; the file is itself a SQLite database. PostgreSQL: `pg_dump -Fc` (a consistent snapshot
too) and `pg_restore --clean --if-exists --single-transaction` (all or nothing). The password
goes to pg_dump and pg_restore through PGPASSWORD, never on their command line.

Restore replaces what the database holds: stop the app instances first (`dondoc restore` refuses
a file that is not a dondoc backup before it touches anything)."""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse, urlunparse

from web.logs import redacted_url
from web.settings import Settings


class BackupError(Exception):
    """A backup or restore that could not be done; the message is the one line shown."""


def _sqlite_path(database_url: str) -> Path:
    return Path(unquote(database_url[len("sqlite:///"):]))


def _is_dondoc_sqlite(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()
    return {"migration", "task"} <= names


def _sqlite_copy(source: Path, target: Path) -> None:
    """Page by page through SQLite's online backup API; readers and writers of `source` go on."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found on PATH: install the PostgreSQL client tools (Debian: apt-get install postgresql-client)")
    return path


def _pg_target(database_url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment that carries the password."""
    parsed = urlparse(database_url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = unquote(parsed.password)
        netloc = parsed.hostname or ""
        if parsed.username:
            netloc = f"{parsed.username}@{netloc}"
        if parsed.port:
            netloc = f"{netloc}:{parsed.port}"
        parsed = parsed._replace(netloc=netloc)
    return urlunparse(parsed._replace(scheme="postgresql")), env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise BackupError(f"{Path(command[0]).name} failed: {detail[-1] if detail else f'exit {result.returncode}'}")


def backup(database_url: str, file: Path) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    partial = file.with_name(file.name + ".partial")
    partial.unlink(missing_ok=True)
    if database_url.startswith("sqlite"):
        source = _sqlite_path(database_url)
        if not source.is_file():
            raise BackupError(f"no database at {source}")
        _sqlite_copy(source, partial)
    else:
        url, env = _pg_target(database_url)
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}", f"--dbname={url}"], env)
    # Renamed only when complete: FILE is never a half-written backup.
    partial.replace(file)


def restore(database_url: str, file: Path) -> None:
    if not file.is_file():
        raise BackupError(f"no backup at {file}")
    if database_url.startswith("sqlite"):
        if not _is_dondoc_sqlite(file):
            raise BackupError(f"{file} is not a dondoc SQLite backup")
        target = _sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Into the database itself (not a file copy), so its WAL and other connections stay coherent.
        _sqlite_copy(file, target)
        return
    pg_restore = _pg_tool("pg_restore")
    url, env = _pg_target(database_url)
    listing = subprocess.run([pg_restore, "--list", str(file)], capture_output=True, text=True)
    if listing.returncode != 0 or " TABLE public migration " not in listing.stdout:
        raise BackupError(f"{file} is not a dondoc PostgreSQL backup (pg_dump -Fc)")
    _run([pg_restore, "--clean", "--if-exists", "--single-transaction", "--no-owner", "--no-privileges",
          "--exit-on-error", f"--dbname={url}", str(file)], env)


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    try:
        backup(settings.database_url, Path(args.file))
    except BackupError as exc:
        print(f"dondoc backup: {exc}", file=sys.stderr)
        return 1
    print(f"dondoc backup: {settings_target(settings)} written to {args.file}")
    return 0


def cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    try:
        restore(settings.database_url, Path(args.file))
    except BackupError as exc:
        print(f"dondoc restore: {exc}", file=sys.stderr)
        return 1
    print(f"dondoc restore: {settings_target(settings)} restored from {args.file}; run `dondoc migrate` if this version is newer than the backup")
    return 0


def settings_target(settings: Settings) -> str:
    """The database named without its password."""
    return redacted_url(settings.database_url)


def add_backup_commands(sub) -> None:
    b = sub.add_parser("backup", help="write the whole database to FILE (SQLite online backup; pg_dump -Fc)")
    b.add_argument("file", metavar="FILE")
    b.set_defaults(func=cmd_backup)
    r = sub.add_parser("restore", help="replace the database with the backup in FILE (stop the instances first)")
    r.add_argument("file", metavar="FILE")
    r.set_defaults(func=cmd_restore)
