"""Real-browser harness: Debian's Chromium driven by Playwright against a live server.

* Playwright's **async** API, in pytest-asyncio's session-scoped event loop (the one the
  Piccolo builders and the truncation fixture already use). The sync API refuses to run
  inside a running asyncio loop, and a second thread for it would split the tests in two
  loops; the async API simply shares the loop.
* The browser is Debian's ``/usr/bin/chromium`` (never a downloaded one). When it is missing
  or cannot start, every browser test is SKIPPED with a loud banner, unless
  ``FACILITIES_REQUIRE_BROWSER=1`` (CI), in which case they FAIL.
* ``server`` (``live_server`` = its URL) runs the real app (``python -m facilities serve --no-migrate``) in a
  subprocess on a free port, on the same database as the test process: tests create rows with
  ``tests/builders.py``, the browser talks to the server, and the autouse ``clean_state``
  fixture of ``tests/conftest.py`` truncates the tables after each test.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.helpers import PHONE

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("FACILITIES_REQUIRE_BROWSER") == "1"
TIMEOUT_MS = 10_000
# Bounded; FACILITIES_SERVER_START_SECONDS raises it on a machine loaded beyond the usual.
SERVER_START_SECONDS = float(os.environ.get("FACILITIES_SERVER_START_SECONDS", "30"))

_problem: list[str] = []  # why the browser tests were skipped (for the terminal summary)


# ---- marking and reporting ------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _problem:
        terminalreporter.write_line(_banner(_problem[0]), red=True, bold=True)


def _banner(reason: str) -> str:
    rule = "!" * 78
    return (
        f"\n{rule}\n Chromium cannot be used for the browser tests: {reason}\n"
        " Install Debian's Chromium:  sudo apt-get install chromium\n"
        " (Playwright drives /usr/bin/chromium; never run `playwright install`.)\n"
        " The browser tests were SKIPPED. Set FACILITIES_REQUIRE_BROWSER=1 to make them fail.\n"
        f"{rule}"
    )


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(
            f"browser tests are required (FACILITIES_REQUIRE_BROWSER=1) but {reason}; "
            "install it with: apt-get install chromium",
            pytrace=False,
        )
    if not _problem:
        _problem.append(reason)
        print(_banner(reason), file=sys.stderr)
    pytest.skip(f"Chromium unavailable ({reason}); install it with: apt-get install chromium")


# ---- browser --------------------------------------------------------------------------


def _chromium_installed() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    if not _chromium_installed():
        _unavailable(f"{CHROMIUM} does not exist")
    try:
        from playwright.async_api import Error, async_playwright
    except ImportError as error:  # pragma: no cover - the dev extra installs it
        _unavailable(f"the Playwright package is missing ({error}); pip install -e '.[dev]'")
        raise
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        try:
            chromium = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, timeout=30_000
            )
        except Error as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else "?"
            _unavailable(f"Playwright could not launch {CHROMIUM}: {first_line}")
            raise
        try:
            yield chromium
        finally:
            await chromium.close()


NewContext = Callable[..., Awaitable[Any]]


@pytest.fixture
async def new_context(browser: Any, server: LiveServer) -> AsyncIterator[NewContext]:
    """A factory of fresh browser contexts (own cookies) at phone size, in English.

    Afterwards the test fails if the server logged an error meanwhile: a friendly error page
    must never hide a crash.
    """
    contexts: list[Any] = []
    log_offset = server.log_size()

    async def factory(**options: Any) -> Any:
        settings: dict[str, Any] = {
            "base_url": server.url,
            "viewport": PHONE,
            "screen": PHONE,
            "is_mobile": True,
            "has_touch": True,
            "device_scale_factor": 1,
            "locale": "en-GB",
            **options,
        }
        context = await browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield factory
    for context in contexts:
        await context.close()
    logged = server.log_since(log_offset)
    if re.search(r"Traceback|\bERROR\b", logged):
        pytest.fail(f"the live server logged an error during this test:\n{logged[-4000:]}")


@pytest.fixture
async def page(new_context: NewContext) -> Any:
    context = await new_context()
    return await context.new_page()


# ---- live server ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _start_server(port: int, log_path: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ)  # tests/conftest.py put the test database etc. in here
    env.update(
        {
            "FACILITIES_PRINCIPAL_CACHE_SECONDS": "0",  # see the test process's writes at once
            "FACILITIES_SCHEDULER": "false",
            "FACILITIES_BASE_URL": f"http://127.0.0.1:{port}",
            "FACILITIES_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    command = [sys.executable, "-m", "facilities", "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-migrate"]
    with log_path.open("wb") as log_file:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=log_file)


def _stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@dataclass
class LiveServer:
    url: str
    log_path: Path

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")


@pytest.fixture(scope="session")
async def server(database: None) -> AsyncIterator[LiveServer]:
    """The real app in a subprocess, on the test database (migrated by ``database``)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_dir = Path(tempfile.mkdtemp(prefix="facilities-live-"))
    log_path = log_dir / "server.log"
    process = _start_server(port, log_path)
    try:
        await _wait_ready(process, url, log_path)
        yield LiveServer(url=url, log_path=log_path)
    finally:
        _stop_server(process)
        shutil.rmtree(log_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(server: LiveServer) -> str:
    """The base URL of the live server."""
    return server.url


async def _wait_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    """Poll /health/ready (bounded); fail with the server's log when it does not come up."""

    deadline = time.monotonic() + SERVER_START_SECONDS
    last = "no answer"
    async with httpx.AsyncClient(base_url=url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"the live server exited with {process.returncode}:\n{_tail(log_path)}",
                    pytrace=False,
                )
            try:
                response = await client.get("/health/ready")
                if response.status_code == 200:
                    return
                last = f"{response.status_code} {response.text[:200]}"
            except httpx.TransportError as error:
                last = error.__class__.__name__
            await asyncio.sleep(0.05)  # poll interval, not a wait for an outcome
    pytest.fail(
        f"the live server at {url} was not ready within {SERVER_START_SECONDS:.0f} s "
        f"(last: {last}):\n{_tail(log_path)}",
        pytrace=False,
    )
