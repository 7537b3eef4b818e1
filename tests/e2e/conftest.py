"""Browser tests: the real app served by uvicorn on 127.0.0.1 in a thread, a fresh SQLite
database, a clock the tests hold, and one headless Chromium (Debian's) for the whole session."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import pytest

from tasks.clock import FixedClock
from tests.conftest import TUESDAY_2026_03_03_0900, run_migrate
from tests.e2e.browser_helpers import CHROMIUM, CHROMIUM_ARGS, DESKTOP

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _in_thread(work):
    """pytest-asyncio keeps its session loop running here, so loop-owning work goes to a thread."""
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", work()))
    thread.start()
    thread.join()
    if "value" not in result:
        raise RuntimeError("seeding the e2e database failed (see the thread's traceback above)")
    return result["value"]


class Server:
    def __init__(self, base_url: str, clock: FixedClock, ids: dict[str, int], database_url: str):
        self.base_url, self.clock, self.ids, self.database_url = base_url, clock, ids, database_url


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    import uvicorn

    from tests.e2e.e2e_seed import seed
    from web.app import create_app
    from web.settings import Settings

    database_url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'dondoc-e2e.sqlite3'}"
    run_migrate(database_url)
    clock = FixedClock(TUESDAY_2026_03_03_0900)
    ids = _in_thread(lambda: asyncio.run(seed(database_url, clock.now())))
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    app = create_app(Settings(database_url=database_url, base_url=base_url), clock=clock)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the dondoc server did not start")
        time.sleep(0.05)
    yield Server(base_url, clock, ids, database_url)
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
async def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)")
    playwright_api = pytest.importorskip("playwright.async_api")
    async with playwright_api.async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        await b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
async def open_page(browser, server):
    """await open_page(viewport) → a fresh page (own cookies) on the served app; closed after the test."""
    contexts = []
    # What the browser refused under the Content-Security-Policy (web.security): must stay empty.
    violations: list[str] = []

    def watch(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    async def make(viewport=DESKTOP):
        context = await browser.new_context(viewport=viewport, base_url=server.base_url, locale="vi-VN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = await context.new_page()
        page.on("console", watch)
        return page

    yield make
    for c in contexts:
        await c.close()
    assert not violations, "the browser refused under the Content-Security-Policy:\n" + "\n".join(violations)
