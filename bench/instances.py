"""Real `dondoc serve` processes for the benchmarks that run several instances on one database."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """One instance on a free loopback port, in its own process group, its output in `logs/NAME.log`.
    `app_root` is the checkout it runs (another one, to measure an earlier version)."""

    def __init__(self, name: str, env: dict[str, str], logs: Path, app_root: Path = ROOT) -> None:
        self.name, self.logs, self.app_root = name, logs, app_root
        self.env = {**os.environ, **env, "PYTHONPATH": str(app_root)}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        out = (self.logs / f"{self.name}.log").open("a")
        self.process = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(self.port), "--no-access-log"],
                                        cwd=self.app_root, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    async def ready(self, client: httpx.AsyncClient, within_s: float = 60) -> bool:
        """True once GET /readyz answers 200 (database, migrations and scheduler all well)."""
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            try:
                if (await client.get(self.base + "/readyz")).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
        return False
