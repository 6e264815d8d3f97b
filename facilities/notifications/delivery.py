"""Delivering the outbox: claim due rows, send them (SMTP or webhook POST), settle each.

A message is marked ``sent`` right after the SMTP server (or the webhook receiver) accepted
it, so in practice each recipient gets it once. Its ``Message-ID`` derives from the outbox
row id (``<outbox-<id>@<host>>``), so should a message ever go out twice (a worker dying
between the server's acceptance and the mark) the copies are recognisable.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email import encoders
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime as email_date
from email.utils import parseaddr
from urllib.parse import urlparse

import aiosmtplib
import httpx

from facilities.kit import clock, uploads
from facilities.kit.errors import FacilitiesError
from facilities.notifications import outbox, webhooks
from facilities.notifications.enums import Kind, Status
from facilities.notifications.settings import get_outbox_settings
from facilities.notifications.tables import WebhookAttempt, WebhookEndpoint
from facilities.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass
class PassResult:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: PassResult) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.errors.extend(other.errors)


def worker_id() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def message_id(outbox_id: int) -> str:
    host = urlparse(get_settings().base_url).hostname or "facilities"
    return f"<outbox-{outbox_id}@{host}>"


def _header(value: str) -> str:
    """ASCII as is; anything else RFC 2047-encoded (UTF-8)."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def build_email(settings: Settings, row: outbox.Claimed) -> tuple[str, bytes]:
    """(envelope sender, the message's bytes): text and HTML alternatives, UTF-8.

    Built with the ``email.mime`` classes (compat32): the modern ``EmailMessage`` API parses
    every header through its registry and took most of the delivery time in the benchmark.
    """
    body = MIMEMultipart("alternative")
    body.attach(MIMEText(row.body_text, "plain", "utf-8"))
    if row.body_html:
        body.attach(MIMEText(row.body_html, "html", "utf-8"))
    if row.attachment is None:
        message = body
    else:
        key, filename, content_type = row.attachment
        message = MIMEMultipart("mixed")
        message.attach(body)
        maintype, _sep, subtype = (content_type or "application/octet-stream").partition("/")
        part = MIMEBase(maintype, subtype or "octet-stream")
        part.set_payload(uploads.read(key))
        encoders.encode_base64(part)
        part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename))
        message.attach(part)
    message["From"] = _header(settings.mail_from)
    message["To"] = row.recipient
    message["Subject"] = _header(row.subject)
    message["Date"] = email_date(clock.now())
    message["Message-ID"] = message_id(row.id)
    message["Auto-Submitted"] = "auto-generated"
    sender = parseaddr(settings.mail_from)[1] or settings.mail_from
    return sender, message.as_bytes()


def _describe(error: BaseException) -> str:
    """A log-safe description (no credentials: the SMTP settings are never included)."""
    text = str(error).replace(get_settings().smtp_password or "\0", "***")
    return f"{error.__class__.__name__}: {text}"[:500]


async def _settle_failure(row: outbox.Claimed, worker: str, error: str, result: PassResult) -> None:
    status = await outbox.mark_failed_attempt(row.id, worker, row.attempts, error)
    if status is Status.failed:
        result.failed += 1
    else:
        result.retried += 1
    result.errors.append(error)


async def _send_emails(rows: list[outbox.Claimed], worker: str, result: PassResult) -> None:
    """One SMTP connection per sender; a broken connection fails only what it had to send."""
    settings = get_settings()
    queue: asyncio.Queue[outbox.Claimed] = asyncio.Queue()
    for row in rows:
        queue.put_nowait(row)

    async def sender() -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while not queue.empty():
                row = queue.get_nowait()
                try:
                    if client is None or not client.is_connected:
                        client = aiosmtplib.SMTP(
                            hostname=settings.smtp_host,
                            port=settings.smtp_port,
                            username=settings.smtp_username or None,
                            password=settings.smtp_password or None,
                            use_tls=settings.smtp_tls == "tls",
                            start_tls=settings.smtp_tls == "starttls",
                            timeout=30,
                        )
                        await client.connect()
                    sender, data = build_email(settings, row)
                    await client.sendmail(sender, [row.recipient], data)
                except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
                    await _settle_failure(row, worker, _describe(error), result)
                    if client is not None and client.is_connected:
                        client.close()
                    client = None
                    continue
                await outbox.mark_sent(row.id, worker)
                result.sent += 1
        finally:
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    client.close()

    senders = min(get_outbox_settings().outbox_senders, max(len(rows), 1))
    await asyncio.gather(*(sender() for _ in range(senders)))


async def _post_webhook(row: outbox.Claimed, worker: str, result: PassResult) -> None:
    endpoint = (
        await WebhookEndpoint.select(
            WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.secret, WebhookEndpoint.active
        )
        .where(WebhookEndpoint.id == row.endpoint_id)
        .first()
        if row.endpoint_id is not None
        else None
    )
    if endpoint is None or not endpoint["active"]:
        await _settle_failure(row, worker, "endpoint deleted or disabled", result)
        return
    started = time.perf_counter()
    status_code: int | None = None
    error = ""
    try:
        await webhooks.check_url_target(endpoint["url"])  # DNS may have changed since
        timestamp = str(int(clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Facilities-Webhooks/1",
            "X-Facilities-Event": row.event,
            "X-Facilities-Delivery": str(row.id),
            "X-Facilities-Timestamp": timestamp,
            "X-Facilities-Signature": webhooks.sign(endpoint["secret"], timestamp, row.payload),
        }
        timeout = httpx.Timeout(get_outbox_settings().webhook_timeout_seconds)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
            response = await client.post(
                endpoint["url"], content=row.payload.encode(), headers=headers
            )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except FacilitiesError as rule:
        error = rule.message
    except httpx.HTTPError as failure:
        error = f"{failure.__class__.__name__}: {failure}"[:500]
    duration = int((time.perf_counter() - started) * 1000)
    await WebhookAttempt.insert(
        WebhookAttempt(
            endpoint=endpoint["id"],
            message=row.id,
            event=row.event,
            status_code=status_code,
            duration_ms=duration,
            error=error[:500],
            created_at=clock.now(),
        )
    ).run()
    if error:
        await _settle_failure(row, worker, error, result)
    else:
        await outbox.mark_sent(row.id, worker)
        result.sent += 1


async def deliver(rows: Sequence[outbox.Claimed], worker: str) -> PassResult:
    result = PassResult(claimed=len(rows))
    emails = [r for r in rows if r.kind == Kind.email.value]
    hooks = [r for r in rows if r.kind == Kind.webhook.value]
    if emails:
        await _send_emails(emails, worker, result)
    if hooks:
        await asyncio.gather(*(_post_webhook(r, worker, result) for r in hooks))
    return result


async def deliver_due(*, max_batches: int = 50, batch: int | None = None) -> PassResult:
    """One delivery pass: claim and deliver batches until nothing is due (or the cap)."""
    settings = get_outbox_settings()
    worker = worker_id()
    total = PassResult()
    for _ in range(max_batches):
        rows = await outbox.claim(worker, limit=batch or settings.outbox_batch)
        if not rows:
            break
        total.add(await deliver(rows, worker))
    if total.claimed:
        log.info("outbox: %d sent, %d to retry, %d failed", total.sent, total.retried, total.failed)
    return total
