"""The daily purge: sent messages older than the retention go, and the files attached to
them (a subscription's PDF) leave the upload store with them; failed messages and files
still named by a kept message stay."""

from __future__ import annotations

from datetime import timedelta

import pytest

from facilities import db
from facilities.kit import clock, uploads
from facilities.notifications import outbox
from facilities.notifications.actions import purge_old
from facilities.notifications.enums import Kind, Status
from tests.notifications.helpers import outbox_rows

PDF = b"%PDF-1.4\n%report\n"


async def _message(key: str, *, sent_days_ago: int | None) -> int:
    message_id = await outbox.queue(
        outbox.NewMessage(
            kind=Kind.email.value,
            event="report.subscription",
            recipient="ops@example.com",
            subject="Monthly report",
            body_text="attached",
            attachment=(key, "report.pdf", "application/pdf"),
        )
    )
    assert message_id is not None
    if sent_days_ago is not None:
        await db.raw(
            "UPDATE outbox_message SET status = {}, sent_at = {} WHERE id = {}",
            Status.sent.value,
            clock.now() - timedelta(days=sent_days_ago),
            message_id,
        )
    return message_id


async def test_an_old_sent_message_takes_its_attachment_with_it() -> None:
    old = uploads.store_document(PDF, field="report")
    recent = uploads.store_document(PDF, field="report")
    await _message(old.key, sent_days_ago=120)
    await _message(recent.key, sent_days_ago=3)

    assert await purge_old() == 1

    assert [r["attachment_key"] for r in await outbox_rows()] == [recent.key]
    with pytest.raises(FileNotFoundError):
        uploads.read(old.key)
    assert uploads.read(recent.key) == PDF


async def test_a_file_still_named_by_a_waiting_message_stays() -> None:
    shared = uploads.store_document(PDF, field="report")
    await _message(shared.key, sent_days_ago=120)
    waiting = await _message(shared.key, sent_days_ago=None)

    assert await purge_old() == 1

    assert [r["id"] for r in await outbox_rows()] == [waiting]
    assert uploads.read(shared.key) == PDF
