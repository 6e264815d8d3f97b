"""A real SMTP server (aiosmtpd on a free port, in a thread) for the tests that send mail.

``smtp_down`` points the app at a port nobody listens on yet (``start()`` brings a server
up); ``smtp`` is a running one. Messages are parsed and kept for inspection.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from facilities.settings import get_settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted"


@dataclass
class Smtp:
    """The port the app sends to; ``start()``/``stop()`` bring a real server up and down."""

    port: int
    collector: _Collector = field(default_factory=_Collector)
    controller: Controller | None = None

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.collector.lock:
            return list(self.collector.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def duplicates(self) -> dict[str, int]:
        counts = Counter(str(m["Message-ID"]) for m in self.messages)
        return {mid: n for mid, n in counts.items() if n > 1}


@pytest.fixture
def smtp_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[Smtp]:
    """Nothing listens yet on the app's SMTP port (call ``start()`` to bring it up)."""
    server = Smtp(port=free_port())
    monkeypatch.setattr(get_settings(), "smtp_port", server.port)
    monkeypatch.setenv("FACILITIES_SMTP_PORT", str(server.port))
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_down: Smtp) -> Smtp:
    smtp_down.start()
    return smtp_down
