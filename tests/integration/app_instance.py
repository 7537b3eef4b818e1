"""One app instance in a separate OS process, for the race tests.

    python app_instance.py DATABASE_URL SECRET_KEY AS_OF [--seed-demo]

Builds the real app (scheduler off, the given secret key, the clock standing still at AS_OF) and
serves it with uvicorn on 127.0.0.1 on a free port. Prints "ready PORT" once it accepts
connections, then serves until it is sent SIGTERM or its stdin closes (the test process holds
the other end, so an instance never outlives the run that started it). With --seed-demo it first
loads `dondoc seed-demo`'s department as of AS_OF into the (migrated, empty) database.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import uvicorn  # noqa: E402

from tasks.clock import FixedClock  # noqa: E402
from web.app import app_db, create_app  # noqa: E402
from web.cli.demo import seed_demo  # noqa: E402
from web.settings import Settings  # noqa: E402


async def main(database_url: str, secret_key: str, as_of: str, *options: str) -> None:
    settings = Settings(database_url=database_url, secret_key=secret_key, scheduler=False, base_url="http://dondoc.test")
    clock = FixedClock(datetime.fromisoformat(as_of))
    if "--seed-demo" in options:
        db = app_db(database_url)
        db.bind()
        await db.open()
        try:
            await seed_demo(db, clock.now(), settings.timezone)
        finally:
            await db.close()
    app = create_app(settings, clock=clock)
    # Bound here rather than by uvicorn, so the port is known before serving and no two runs collide.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by each accepted connection: without it (uvloop sets it only on sockets it makes
    # itself) every request after the first on a kept-alive connection waits 40 ms for Nagle.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if serving.done():
            serving.result()  # failed to start: let its error reach stderr
            raise SystemExit(1)
        await asyncio.sleep(0.02)
    print(f"ready {sock.getsockname()[1]}", flush=True)
    loop = asyncio.get_running_loop()
    parent_gone = loop.run_in_executor(None, sys.stdin.read)
    await asyncio.wait({serving, parent_gone}, return_when=asyncio.FIRST_COMPLETED)
    server.should_exit = True
    await serving


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:]))
