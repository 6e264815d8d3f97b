"""The issue's faults, with a real SMTP server: nothing lost, nothing sent twice."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from facilities import db
from facilities.kit import clock
from facilities.notifications import outbox
from facilities.notifications.delivery import deliver_due, message_id
from facilities.notifications.settings import get_outbox_settings
from tests.notifications.helpers import assigned_order, outbox_rows
from tests.smtp import Smtp

ROOT = Path(__file__).resolve().parents[2]


async def test_smtp_down_backs_off_then_delivers_exactly_once(
    smtp_down: Smtp, pinned: None
) -> None:
    _world, _order_id, emails = await assigned_order(partners=3)
    rows = await outbox_rows(event="work_assigned")
    assert len(rows) == 3 and {r["status"] for r in rows} == {"pending"}

    first = await deliver_due()  # nothing listens on the port
    assert first.sent == 0 and first.retried == 3
    rows = await outbox_rows(event="work_assigned")
    assert {r["attempts"] for r in rows} == {1}
    assert all(
        "ConnectionRefused" in r["last_error"] or "connect" in r["last_error"].lower() for r in rows
    )
    assert {r["status"] for r in rows} == {"pending"}

    # Not due yet: back-off of one minute after the first failure.
    assert (await deliver_due()).claimed == 0
    clock.advance(timedelta(minutes=1, seconds=1))
    second = await deliver_due()
    assert second.retried == 3
    rows = await outbox_rows(event="work_assigned")
    assert {r["attempts"] for r in rows} == {2}
    # The second back-off is two minutes: one minute later nothing is due.
    clock.advance(timedelta(minutes=1, seconds=1))
    assert (await deliver_due()).claimed == 0

    smtp_down.start()
    clock.advance(timedelta(minutes=1))
    done = await deliver_due()
    assert done.sent == 3
    assert sorted(m["To"] for m in smtp_down.messages) == sorted(emails)
    assert smtp_down.duplicates() == {}
    assert {r["status"] for r in await outbox_rows(event="work_assigned")} == {"sent"}
    # Running again sends nothing more.
    clock.advance(timedelta(hours=1))
    assert (await deliver_due()).claimed == 0
    assert len(smtp_down.messages) == 3


async def test_last_attempt_marks_failed_never_dropped(
    smtp_down: Smtp, pinned: None, monkeypatch
) -> None:
    monkeypatch.setattr(get_outbox_settings(), "outbox_max_attempts", 3)
    await assigned_order(partners=1)
    for _ in range(3):
        await deliver_due()
        clock.advance(timedelta(hours=1))
    rows = await outbox_rows(event="work_assigned")
    assert [(r["status"], r["attempts"]) for r in rows] == [("failed", 3)]
    assert rows[0]["last_error"]
    assert (await deliver_due()).claimed == 0  # failed rows wait for a person (retry button)


async def test_killed_between_commit_and_delivery_is_delivered_after_restart(
    smtp: Smtp, pinned: None
) -> None:
    _world, _order_id, emails = await assigned_order(partners=2)
    # The process "dies": its connections go away; a new instance starts on the same DB.
    await db.close_database()
    await db.open_database()
    result = await deliver_due()
    assert result.sent == 2
    assert sorted(m["To"] for m in smtp.messages) == sorted(emails)


async def test_claimed_row_whose_lease_expired_is_delivered_once(smtp: Smtp, pinned: None) -> None:
    await assigned_order(partners=2)
    claimed = await outbox.claim("dead-worker", limit=10)  # claimed, then the worker died
    assert len(claimed) == 2
    assert (await deliver_due()).claimed == 0  # still leased
    clock.advance(timedelta(minutes=6))  # lease is 5 minutes
    result = await deliver_due()
    assert result.sent == 2
    assert len(smtp.messages) == 2 and smtp.duplicates() == {}
    # The dead worker cannot mark what another worker now owns.
    await outbox.mark_sent(claimed[0].id, "dead-worker")
    rows = await outbox_rows(event="work_assigned")
    assert {r["status"] for r in rows} == {"sent"}
    assert {str(m["Message-ID"]) for m in smtp.messages} == {message_id(r["id"]) for r in rows}


async def test_two_delivery_passes_at_once_send_no_duplicates(smtp: Smtp, pinned: None) -> None:
    for _ in range(3):
        await assigned_order(partners=4)
    total = len(await outbox_rows(kind="email"))
    assert total >= 12
    results = await asyncio.gather(*(deliver_due(batch=3) for _ in range(4)))
    assert sum(r.sent for r in results) == total
    assert len(smtp.messages) == total
    assert smtp.duplicates() == {}


@pytest.mark.slow
async def test_two_processes_deliver_at_once_without_duplicates(smtp: Smtp, pinned: None) -> None:
    for _ in range(4):
        await assigned_order(partners=5)
    total = len(await outbox_rows(kind="email"))
    # The child processes use the real clock; make the rows due for them.
    await db.raw("UPDATE outbox_message SET next_attempt_at = {}", clock.now() - timedelta(days=1))
    env = {**os.environ, "FACILITIES_SMTP_PORT": str(smtp.port), "FACILITIES_OUTBOX_BATCH": "2"}
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "facilities.notifications",
            "deliver",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = await asyncio.wait_for(
        asyncio.gather(*(child.communicate() for child in children)), timeout=120
    )
    assert all(child.returncode == 0 for child in children), outputs
    assert len(smtp.messages) == total, outputs
    assert smtp.duplicates() == {}
    assert {r["status"] for r in await outbox_rows(kind="email")} == {"sent"}
