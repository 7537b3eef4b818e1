"""Running a Litestar app's lifespan from a test, for fixtures and tests alike."""

import asyncio
import contextlib


@contextlib.asynccontextmanager
async def running(app):
    """Run the app's lifespan in a task of its own: anyio's cancel scopes must be left by the task
    that entered them, and pytest-asyncio tears fixtures down in another task."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold():
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()
    try:
        yield
    finally:
        stop.set()
        await task
