"""`dondoc serve` with the public development secret key: refused on every interface, allowed on
loopback only and then with a warning line. Runs the real command in a process of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from web.settings import DEV_SECRET_KEY


def serve_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DONDOC_")}
    return {**env, "DONDOC_DATABASE_URL": database_url, "DONDOC_SCHEDULER": "off"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_refuses_the_development_key_on_every_interface(database_url, tmp_path):
    for env in (serve_env(database_url), {**serve_env(database_url), "DONDOC_SECRET_KEY": DEV_SECRET_KEY}):
        result = subprocess.run([sys.executable, "-m", "web.cli", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
                                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 2
        assert "refusing to serve on 0.0.0.0 with the public development secret key" in result.stderr
        assert "serving on" not in result.stdout


def test_serve_starts_on_loopback_with_the_development_key_and_says_so(database_url, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                  cwd=tmp_path, env=serve_env(database_url), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        answer = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None and answer.status_code == 200, log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = log.read_text().splitlines()
    assert any(line.startswith("dondoc: WARNING: using the public development secret key") for line in lines), lines


def test_serve_with_a_key_of_its_own_says_nothing_about_the_development_key(database_url, tmp_path):
    # Refused for another reason (the port is taken), so nothing listens on every interface.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**serve_env(database_url), "DONDOC_SECRET_KEY": "khoa-bi-mat-rieng-cua-so-cong-thuong-2026"}
        result = subprocess.run([sys.executable, "-m", "web.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert "development secret key" not in result.stdout + result.stderr
    assert "serving on http://127.0.0.1" in result.stdout
