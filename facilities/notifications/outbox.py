"""The outbox's SQL: queue (``ON CONFLICT DO NOTHING`` on the dedupe key), claim a batch
with a lease, and settle each claimed row (sent, retry later, failed).

Claiming is one statement. PostgreSQL: ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
LOCKED) RETURNING``, so concurrent workers take disjoint rows. SQLite: the same statement
without the locking clause inside a ``BEGIN IMMEDIATE`` transaction; SQLite has one writer
at a time (across processes too), so two claims can never interleave.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from facilities import db
from facilities.kit import clock
from facilities.notifications.enums import Status
from facilities.notifications.settings import get_outbox_settings


@dataclass(frozen=True, slots=True)
class NewMessage:
    kind: str
    event: str
    recipient: str
    user_id: int | None = None
    endpoint_id: int | None = None
    locale: str = "en"
    site_id: int | None = None
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    payload: str = ""
    dedupe_key: str | None = None
    # a file sent with an e-mail: (storage key in ``kit.uploads``, file name, content type)
    attachment: tuple[str, str, str] | None = None


_INSERT = (
    'INSERT INTO outbox_message (kind, event, status, "user", endpoint, recipient, locale, '
    "site_id, subject, body_text, body_html, payload, dedupe_key, attempts, next_attempt_at, "
    "claimed_by, claimed_until, last_error, created_at, sent_at, attachment_key, "
    "attachment_name, attachment_type) "
    "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 0, {}, '', NULL, '', {}, NULL, "
    "{}, {}, {}) "
    "ON CONFLICT DO NOTHING RETURNING id"
)


async def queue(message: NewMessage, *, now: datetime | None = None) -> int | None:
    """Insert one message (joins the caller's transaction); None when the dedupe key exists."""
    moment = now or clock.now()
    rows = await db.raw(
        _INSERT,
        message.kind,
        message.event,
        Status.pending.value,
        message.user_id,
        message.endpoint_id,
        message.recipient,
        message.locale,
        message.site_id,
        message.subject[:300],
        message.body_text,
        message.body_html,
        message.payload,
        message.dedupe_key[:300] if message.dedupe_key else None,
        moment,
        moment,
        *(message.attachment or (None, None, None)),
    )
    return int(rows[0]["id"]) if rows else None


# Rows per multi-row INSERT: 18 parameters each stays under both engines' limits (SQLite
# 32,766, PostgreSQL 32,767 parameters per statement).
BULK_ROWS = 500


async def queue_many(messages: list[NewMessage], *, now: datetime | None = None) -> int:
    """The bulk path: insert many messages with one statement per ``BULK_ROWS`` (joins the
    caller's transaction); a message whose dedupe key exists is skipped. Returns how many
    were written."""
    moment = now or clock.now()
    head, _, tail = _INSERT.partition(" VALUES ")
    row_sql = tail.split(" ON CONFLICT")[0]
    written = 0
    for first in range(0, len(messages), BULK_ROWS):
        chunk = messages[first : first + BULK_ROWS]
        args: list[Any] = []
        for m in chunk:
            args += [
                m.kind,
                m.event,
                Status.pending.value,
                m.user_id,
                m.endpoint_id,
                m.recipient,
                m.locale,
                m.site_id,
                m.subject[:300],
                m.body_text,
                m.body_html,
                m.payload,
                m.dedupe_key[:300] if m.dedupe_key else None,
                moment,
                moment,
                *(m.attachment or (None, None, None)),
            ]
        sql = f"{head} VALUES " + ", ".join([row_sql] * len(chunk))
        written += len(await db.raw(sql + " ON CONFLICT DO NOTHING RETURNING id", *args))
    return written


_COLUMNS = (
    'id, kind, event, "user", endpoint, recipient, locale, subject, body_text, body_html, '
    "payload, attempts, created_at, attachment_key, attachment_name, attachment_type"
)


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    kind: str
    event: str
    user_id: int | None
    endpoint_id: int | None
    recipient: str
    locale: str
    subject: str
    body_text: str
    body_html: str
    payload: str
    attempts: int  # including this one
    attachment: tuple[str, str, str] | None = None  # (storage key, file name, content type)


async def claim(worker: str, *, limit: int, now: datetime | None = None) -> list[Claimed]:
    """Take up to ``limit`` due rows (pending and due, or sending with an expired lease)."""
    moment = now or clock.now()
    lease = moment + timedelta(seconds=get_outbox_settings().outbox_lease_seconds)
    lock = "" if db.is_sqlite() else " FOR UPDATE SKIP LOCKED"
    sql = (
        "UPDATE outbox_message SET status = {}, claimed_by = {}, claimed_until = {}, "  # noqa: S608
        "attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM outbox_message "
        "WHERE (status = {} AND next_attempt_at <= {}) OR (status = {} AND claimed_until < {}) "
        f"ORDER BY next_attempt_at, id LIMIT {int(limit)}{lock}) "
        f"RETURNING {_COLUMNS}"
    )
    async with db.transaction():
        rows = await db.raw(
            sql,
            Status.sending.value,
            worker,
            lease,
            Status.pending.value,
            moment,
            Status.sending.value,
            moment,
        )
    return sorted((_claimed(row) for row in rows), key=lambda c: c.id)


def _claimed(row: dict[str, Any]) -> Claimed:
    return Claimed(
        id=int(row["id"]),
        kind=row["kind"],
        event=row["event"],
        user_id=row["user"],
        endpoint_id=row["endpoint"],
        recipient=row["recipient"],
        locale=row["locale"],
        subject=row["subject"],
        body_text=row["body_text"],
        body_html=row["body_html"],
        payload=row["payload"],
        attempts=int(row["attempts"]),
        attachment=(
            (row["attachment_key"], row["attachment_name"] or "attachment", row["attachment_type"])
            if row.get("attachment_key")
            else None
        ),
    )


async def mark_sent(message_id: int, worker: str, *, now: datetime | None = None) -> None:
    """Settle a delivered message. On PostgreSQL the commit does not wait for the WAL flush
    (``synchronous_commit = off``, this transaction only): a database crash in the next few
    hundred milliseconds could forget the mark, and the message would go out once more after
    its lease, recognisable by its Message-ID, the same window as a worker dying between the
    server's acceptance and this statement. Waiting for each flush cost ~40 % of the delivery
    rate in the benchmark (docs/benchmarks.md)."""
    async with db.transaction():
        if not db.is_sqlite():
            await db.raw("SET LOCAL synchronous_commit TO OFF")
        await _mark_sent(message_id, worker, now)


async def _mark_sent(message_id: int, worker: str, now: datetime | None) -> None:
    await db.raw(
        "UPDATE outbox_message SET status = {}, sent_at = {}, claimed_until = NULL, "
        "last_error = '' WHERE id = {} AND claimed_by = {} AND status = {}",
        Status.sent.value,
        now or clock.now(),
        message_id,
        worker,
        Status.sending.value,
    )


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failed attempt (capped at a day)."""
    minutes = get_outbox_settings().outbox_backoff_minutes * (2 ** max(attempts - 1, 0))
    return timedelta(minutes=min(minutes, 24 * 60))


async def mark_failed_attempt(
    message_id: int, worker: str, attempts: int, error: str, *, now: datetime | None = None
) -> Status:
    """Schedule a retry with back-off, or mark the message failed after the last attempt."""
    moment = now or clock.now()
    final = attempts >= get_outbox_settings().outbox_max_attempts
    status = Status.failed if final else Status.pending
    await db.raw(
        "UPDATE outbox_message SET status = {}, next_attempt_at = {}, claimed_until = NULL, "
        "last_error = {} WHERE id = {} AND claimed_by = {} AND status = {}",
        status.value,
        moment if final else moment + backoff(attempts),
        error[:500],
        message_id,
        worker,
        Status.sending.value,
    )
    return status
