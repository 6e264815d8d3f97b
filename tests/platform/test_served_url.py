"""`make run PORT=8100` prints, links and encodes in QR codes the URL actually served."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import pytest

from facilities.__main__ import _use_served_url, dev_base_url
from facilities.assets.queries import qr_url
from facilities.settings import get_settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_development_url_follows_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACILITIES_BASE_URL", raising=False)
    monkeypatch.setenv("FACILITIES_ENV", "development")
    assert dev_base_url("127.0.0.1", 8100) == "http://localhost:8100"
    assert dev_base_url("0.0.0.0", 9000) == "http://localhost:9000"
    assert dev_base_url("192.168.1.20", 8000) == "http://192.168.1.20:8000"


def test_explicit_base_url_and_production_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACILITIES_ENV", "development")
    monkeypatch.setenv("FACILITIES_BASE_URL", "https://cmms.example.com")
    assert dev_base_url("127.0.0.1", 8100) is None
    monkeypatch.delenv("FACILITIES_BASE_URL")
    monkeypatch.setenv("FACILITIES_ENV", "production")
    assert dev_base_url("127.0.0.1", 8100) is None


def test_qr_codes_follow_the_served_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACILITIES_BASE_URL", raising=False)
    monkeypatch.setenv("FACILITIES_ENV", "development")
    try:
        _use_served_url("127.0.0.1", 8100)
        assert qr_url("abc") == "http://localhost:8100/q/abc"
    finally:
        os.environ["FACILITIES_BASE_URL"] = "http://testserver"
        get_settings.cache_clear()
    assert qr_url("abc") == "http://testserver/q/abc"


async def test_serve_prints_the_port_it_serves_on() -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "FACILITIES_BASE_URL"}
    env["FACILITIES_ENV"] = "development"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "facilities",
        "serve",
        "--port",
        str(port),
        "--no-migrate",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 120)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), 60)
    assert line.decode().strip() == f"Open http://localhost:{port}"
