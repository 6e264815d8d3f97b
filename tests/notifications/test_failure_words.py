"""Outbox failures in words: "The mail server refused the connection; will retry at 14:05",
the raw SMTP exception only behind "Details" for admins."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.kit.i18n import using_locale
from facilities.notifications.delivery import deliver_due
from facilities.notifications.failures import explain
from tests import builders
from tests.notifications.helpers import assigned_order, outbox_rows
from tests.smtp import Smtp

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 24, 13, 5, tzinfo=UTC)  # 14:05 in Berlin


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (
            "SMTPConnectError: Error connecting to 127.0.0.1 on port 2525; [Errno 111] Connect "
            "call failed",
            "The mail server refused the connection",
        ),
        (
            "ConnectionRefusedError: [Errno 111] Connection refused",
            "The mail server refused the connection",
        ),
        (
            "SMTPRecipientsRefused: {'x@y': (550, b'no such user')}",
            "The mail server refused the recipient address",
        ),
        (
            "SMTPAuthenticationError: (535, b'5.7.8 bad credentials')",
            "The mail server did not accept our login",
        ),
        ("SMTPTimeoutError: Timed out connecting", "The server did not answer in time"),
        ("HTTP 503", "The receiving server had an error (HTTP 503)"),
        ("HTTP 404", "The receiving server refused the message (HTTP 404)"),
        ("Weird: something", "Sending failed"),
    ],
)
def test_failures_in_words(raw: str, words: str) -> None:
    with clock.pinned(NOW), using_locale("en"):
        assert explain(raw, status="pending", next_attempt_at=LATER) == (
            f"{words}; will retry at 14:05."
        )
        assert explain(raw, status="failed", next_attempt_at=None) == f"{words}; no more attempts."


def test_german() -> None:
    with clock.pinned(NOW), using_locale("de"):
        text = explain("SMTPConnectError: x", status="pending", next_attempt_at=LATER)
    assert text == "Der Mailserver hat die Verbindung abgelehnt; neuer Versuch um 14:05."


async def test_outbox_pages_say_it_in_words(
    make_client: Any, smtp_down: Smtp, pinned: None
) -> None:
    await assigned_order(partners=1)
    await deliver_due()  # nothing listens: the attempt fails and is retried later
    (row,) = await outbox_rows(event="work_assigned")
    admin = await builders.browser_session(make_client, await builders.user(Role.admin))
    for path in ("/admin/outbox", f"/admin/outbox/{row['id']}"):
        page = await admin.get(path)
        assert page.status_code == 200
        assert "The mail server refused the connection; will retry at" in page.text
        shown = re.sub(r"<details>.*?</details>", "", page.text, flags=re.S)
        assert row["last_error"] not in shown  # the raw text only behind "Details"
        assert "<summary><small>Details</small></summary>" in page.text or (
            "<summary>Details</summary>" in page.text
        )
