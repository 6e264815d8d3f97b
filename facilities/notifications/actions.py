"""Writes: preferences, retrying outbox messages, webhook endpoints, the daily digest."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit import clock, uploads
from facilities.kit.errors import Conflict
from facilities.kit.i18n import _
from facilities.notifications import queries, webhooks
from facilities.notifications.enums import Event, Status
from facilities.notifications.notify import Recipient, notify
from facilities.notifications.schemas import (
    OutboxMessageDetail,
    PreferencesRead,
    PreferencesUpdate,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from facilities.notifications.tables import (
    DigestItem,
    NotificationPreference,
    OutboxMessage,
    WebhookEndpoint,
)
from facilities.sites.tables import SiteAssignment

DIGEST_HOUR = 7  # local time from which the day's digest goes out
DEFAULT_TIME_ZONE = "Europe/Berlin"


# ---- preferences ----------------------------------------------------------------------


async def set_preferences(*, actor: Principal, data: PreferencesUpdate) -> PreferencesRead:
    assert actor.user_id is not None
    async with transaction():
        for event, mode in data.preferences.items():
            if event is Event.digest:
                continue
            await NotificationPreference.delete().where(
                (NotificationPreference.user == actor.user_id)
                & (NotificationPreference.event == event.value)
            )
            await NotificationPreference.insert(
                NotificationPreference(user=actor.user_id, event=event.value, mode=mode.value)
            ).run()
        await audit.record(
            actor=actor,
            action="notification_preferences.update",
            object_type="user",
            object_id=actor.user_id,
            after={e.value: m.value for e, m in data.preferences.items()},
        )
    return await queries.preferences(actor.user_id, actor.role)


# ---- outbox ---------------------------------------------------------------------------


async def retry_message(*, actor: Principal, message_id: int) -> OutboxMessageDetail:
    """A failed (or waiting) message goes back to the queue with a fresh set of attempts."""
    async with transaction():
        message = await queries.get_message(actor, message_id)
        if message.status not in (Status.failed, Status.pending):
            raise Conflict(_("Only failed or waiting messages can be retried."), field="status")
        await db.raw(
            "UPDATE outbox_message SET status = {}, attempts = 0, next_attempt_at = {}, "
            "claimed_until = NULL, claimed_by = '' WHERE id = {} AND status IN ({}, {})",
            Status.pending.value,
            clock.now(),
            message_id,
            Status.failed.value,
            Status.pending.value,
        )
        await audit.record(
            actor=actor,
            action="outbox.retry",
            object_type="outbox_message",
            object_id=message_id,
            summary=message.subject,
            site_id=message.site_id,
            before={"status": message.status, "attempts": message.attempts},
        )
    return await queries.get_message(actor, message_id)


# ---- webhooks -------------------------------------------------------------------------


async def create_webhook(*, actor: Principal, data: WebhookCreate) -> WebhookCreated:
    url = await webhooks.check_url(data.url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    async with transaction():
        row = WebhookEndpoint(
            name=data.name.strip(),
            url=url,
            secret=secret,
            events=sorted({e.value for e in data.events}),
            active=data.active,
            created_by=actor.user_id,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="webhook.create",
            object_type="webhook_endpoint",
            object_id=row.id,
            summary=f"{data.name}: {url}",
            after={"url": url, "events": row.events, "active": data.active},
        )
    created = await queries.get_webhook(int(row.id))
    return WebhookCreated(**msgspec.structs.asdict(created), secret=secret)


async def update_webhook(*, actor: Principal, webhook_id: int, data: WebhookUpdate) -> WebhookRead:
    before = await queries.get_webhook(webhook_id)
    values: dict[object, object] = {}
    if data.url is not msgspec.UNSET:
        values[WebhookEndpoint.url] = await webhooks.check_url(data.url)
    if data.name is not msgspec.UNSET:
        values[WebhookEndpoint.name] = data.name.strip()
    if data.events is not msgspec.UNSET:
        values[WebhookEndpoint.events] = sorted({e.value for e in data.events})
    if data.active is not msgspec.UNSET:
        values[WebhookEndpoint.active] = data.active
    async with transaction():
        if values:
            await WebhookEndpoint.update(values).where(WebhookEndpoint.id == webhook_id)  # type: ignore[arg-type]
        after = await queries.get_webhook(webhook_id)
        old, new = audit.diff(msgspec.structs.asdict(before), msgspec.structs.asdict(after))
        await audit.record(
            actor=actor,
            action="webhook.update",
            object_type="webhook_endpoint",
            object_id=webhook_id,
            summary=after.name,
            before=old,
            after=new,
        )
    return after


async def delete_webhook(*, actor: Principal, webhook_id: int) -> None:
    before = await queries.get_webhook(webhook_id)
    async with transaction():
        # Messages still waiting for it cannot be delivered any more: fail them visibly.
        await db.raw(
            "UPDATE outbox_message SET status = {}, last_error = {} "
            "WHERE endpoint = {} AND status IN ({}, {})",
            Status.failed.value,
            "endpoint deleted",
            webhook_id,
            Status.pending.value,
            Status.sending.value,
        )
        await WebhookEndpoint.delete().where(WebhookEndpoint.id == webhook_id)
        await audit.record(
            actor=actor,
            action="webhook.delete",
            object_type="webhook_endpoint",
            object_id=webhook_id,
            summary=f"{before.name}: {before.url}",
        )


# ---- digest ---------------------------------------------------------------------------


async def _user_time_zone(user_id: int) -> str:
    row = (
        await SiteAssignment.select(SiteAssignment.site.time_zone.as_alias("tz"))
        .where(SiteAssignment.user == user_id)
        .order_by(SiteAssignment.id)
        .first()
    )
    return row["tz"] if row and row["tz"] else DEFAULT_TIME_ZONE


async def send_digests(now: datetime | None = None) -> int:
    """Job (hourly): each user with waiting digest items gets one mail per local day, from
    ``DIGEST_HOUR`` on in their (first) site's time zone. Idempotent: the dedupe key holds the
    user and the local date, and the items are marked in the same transaction."""
    moment = now or clock.now()
    rows = (
        await DigestItem.select(DigestItem.user).where(DigestItem.digested_at.is_null()).distinct()
    )
    sent = 0
    for user_id in sorted({row["user"] for row in rows}):
        local = moment.astimezone(ZoneInfo(await _user_time_zone(user_id)))
        if local.hour < DIGEST_HOUR:
            continue
        async with transaction():
            items = (
                await DigestItem.select(DigestItem.id, DigestItem.line, DigestItem.link)
                .where((DigestItem.user == user_id) & DigestItem.digested_at.is_null())
                .order_by(DigestItem.id)
            )
            if not items:
                continue
            written = await notify(
                Event.digest.value,
                recipients=[Recipient(user_id=user_id)],
                context={"items": [{"line": i["line"], "link": i["link"]} for i in items]},
                dedupe_key=f"digest:{user_id}:{local.date().isoformat()}",
                webhooks=False,
                respect_preferences=False,
            )
            if not written:
                continue  # today's digest already went out: these wait for tomorrow's
            await DigestItem.update({DigestItem.digested_at: moment}).where(
                DigestItem.id.is_in([i["id"] for i in items])
            )
            sent += 1
    return sent


async def purge_old(now: datetime | None = None, *, days: int = 90) -> int:
    """Job (daily): sent messages and digested items older than ``days`` go; failed stay.
    A purged message's attachment (a subscription's PDF) leaves the upload store with it,
    unless a message still kept names the same file."""
    cutoff = (now or clock.now()) - timedelta(days=days)
    async with transaction():
        gone = await db.raw(
            "DELETE FROM outbox_message WHERE status = {} AND sent_at < {} "
            "RETURNING id, attachment_key",
            Status.sent.value,
            cutoff,
        )
        await DigestItem.delete().where(DigestItem.digested_at < cutoff)
        keys = sorted({row["attachment_key"] for row in gone if row["attachment_key"]})
        kept = set()
        if keys:
            named = await OutboxMessage.select(OutboxMessage.attachment_key).where(
                OutboxMessage.attachment_key.is_in(keys)
            )
            kept = {row["attachment_key"] for row in named}
    for key in keys:
        if key not in kept:
            uploads.delete(key)
    return len(gone)
