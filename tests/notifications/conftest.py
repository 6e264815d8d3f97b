"""A real SMTP server (aiosmtpd, in-process thread) and a real HTTP receiver for webhooks."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from facilities.kit import clock

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def pinned() -> Iterator[None]:
    with clock.pinned(NOW):
        yield


# ---- webhook receiver -----------------------------------------------------------------


@dataclass
class Receiver:
    url: str
    requests: list[dict[str, Any]]
    statuses: list[int]  # answers to give, in order; 200 once exhausted

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    requests: list[dict[str, Any]] = []
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            requests.append({"headers": dict(self.headers.items()), "body": body})
            code = statuses.pop(0) if statuses else 200
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(
            url=f"http://127.0.0.1:{server.server_address[1]}/hook",
            requests=requests,
            statuses=statuses,
        )
    finally:
        server.shutdown()
        server.server_close()
