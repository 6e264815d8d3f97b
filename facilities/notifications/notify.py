"""The one way any domain sends a notification.

Call ``notify`` **inside the transaction of the change that causes it**: the message is
written to the outbox in that transaction and delivered later by the outbox job (SMTP with
retries; webhooks subscribed to the event get a signed delivery from the same outbox).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import msgspec

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.tables import User
from facilities.kit import clock
from facilities.kit.i18n import LOCALES
from facilities.notifications import outbox
from facilities.notifications.enums import Event, Kind, Mode, default_mode
from facilities.notifications.rendering import check_context, render
from facilities.notifications.tables import NotificationPreference, WebhookEndpoint
from facilities.settings import get_settings
from facilities.sites.tables import Site

# Context keys never sent to webhooks (bearer links, personal data).
PRIVATE_KEYS = frozenset({"magic_link", "status_url", "token", "reporter_email", "email"})


@dataclass(frozen=True, slots=True)
class Recipient:
    """A user (preferences and language come from the account) or a bare e-mail address
    (an anonymous reporter, a partner organisation's contact) with an explicit language."""

    user_id: int | None = None
    email: str = ""
    name: str = ""
    locale: str = "en"


async def _site(context: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """(site id, time zone) of the event: the context's ``site_id`` or its work order's."""
    site_id = context.get("site_id")
    if site_id is None and context.get("work_order_id") is not None:
        rows = await db.raw(
            "SELECT site FROM work_order WHERE id = {}", int(context["work_order_id"])
        )
        site_id = rows[0]["site"] if rows else None
    if site_id is None:
        return None, None
    row = await Site.select(Site.time_zone).where(Site.id == int(site_id)).first()
    return int(site_id), (row["time_zone"] if row else None)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def webhook_payload(event: str, context: Mapping[str, Any], occurred_at: datetime) -> str:
    data = {k: v for k, v in context.items() if k not in PRIVATE_KEYS}
    body = {"event": event, "occurred_at": occurred_at, "data": data}
    return msgspec.json.encode(body, enc_hook=_json_default, order="sorted").decode()


async def preferences_of(user_ids: Sequence[int], event: str) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await NotificationPreference.select(
        NotificationPreference.user, NotificationPreference.mode
    ).where(
        NotificationPreference.user.is_in(list(user_ids)) & (NotificationPreference.event == event)
    )
    return {row["user"]: row["mode"] for row in rows}


async def notify(
    event: str,
    *,
    recipients: Sequence[Recipient],
    context: Mapping[str, Any],
    dedupe_key: str | None = None,
    webhooks: bool = True,
    respect_preferences: bool = True,
) -> int:
    """Queue ``event`` for each recipient (respecting their preferences) and for every
    webhook subscribed to it; returns how many outbox rows were written.

    ``context`` holds the template variables the event's templates need (JSON-serialisable
    values; datetimes are allowed and rendered in the recipient's language). A missing
    variable raises ``MissingTemplateVariable`` at call time, naming it. ``dedupe_key``
    makes a repeat a no-op (per recipient), e.g.
    ``f"sla:{order_id}:resolution:at_risk:community_manager"``. ``webhooks=False`` skips the
    webhook fan-out (for a second call about the same change).
    """
    kind = Event(event)  # ValueError for an unknown event
    values = dict(context)
    check_context(kind.value, values)
    async with db.transaction():
        site_id, site_tz = await _site(values)
        values.setdefault("site_id", site_id)
        now = clock.now()
        written = 0
        base_url = get_settings().base_url
        user_ids = sorted({r.user_id for r in recipients if r.user_id is not None})
        users = {
            row["id"]: row
            for row in (
                await User.select(
                    User.id, User.email, User.name, User.locale, User.role, User.active
                )
                .where(User.id.is_in(user_ids))
                .run()
                if user_ids
                else []
            )
        }
        chosen = await preferences_of(user_ids, kind.value) if respect_preferences else {}
        seen: set[str] = set()
        for recipient in recipients:
            user = users.get(recipient.user_id) if recipient.user_id is not None else None
            if recipient.user_id is not None and (user is None or not user["active"]):
                continue
            address = (user["email"] if user else recipient.email).strip()
            if not address or address.lower() in seen:
                continue
            seen.add(address.lower())
            locale = (user["locale"] if user else recipient.locale) or "en"
            locale = locale if locale in LOCALES else "en"
            mode = Mode.immediate
            if user is not None and respect_preferences and kind is not Event.digest:
                mode = Mode(chosen.get(user["id"], default_mode(Role(user["role"]), kind)))
            if mode is Mode.off:
                continue
            rendered = render(
                kind.value,
                locale=locale,
                context=values,
                recipient_name=user["name"] if user else recipient.name,
                base_url=base_url,
                site_tz=site_tz,
            )
            who = f"u{user['id']}" if user else f"e{address.lower()}"
            key = f"{dedupe_key}|{who}" if dedupe_key else None
            if mode is Mode.digest and user is not None:
                inserted = await db.raw(
                    'INSERT INTO notification_digest_item ("user", event, site_id, line, '
                    "link, dedupe_key, created_at, digested_at) "
                    "VALUES ({}, {}, {}, {}, {}, {}, {}, NULL) "
                    "ON CONFLICT DO NOTHING RETURNING id",
                    user["id"],
                    kind.value,
                    site_id,
                    rendered.subject[:500],
                    str(values.get("link") or "")[:500],
                    key,
                    now,
                )
                written += len(inserted)
                continue
            queued = await outbox.queue(
                outbox.NewMessage(
                    kind=Kind.email.value,
                    event=kind.value,
                    recipient=address,
                    user_id=user["id"] if user else None,
                    locale=locale,
                    site_id=site_id,
                    subject=rendered.subject,
                    body_text=rendered.text,
                    body_html=rendered.html,
                    dedupe_key=key,
                ),
                now=now,
            )
            written += queued is not None
        if webhooks and kind is not Event.digest:
            written += await _fan_out_webhooks(kind.value, values, site_id, dedupe_key, now)
    return written


async def _fan_out_webhooks(
    event: str,
    context: Mapping[str, Any],
    site_id: int | None,
    dedupe_key: str | None,
    now: datetime,
) -> int:
    endpoints = (
        await WebhookEndpoint.select(
            WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.events
        )
        .where(WebhookEndpoint.active.eq(True))
        .output(load_json=True)
    )
    written = 0
    payload: str | None = None
    for endpoint in endpoints:
        if event not in (endpoint["events"] or []):
            continue
        payload = payload or webhook_payload(event, context, now)
        queued = await outbox.queue(
            outbox.NewMessage(
                kind=Kind.webhook.value,
                event=event,
                recipient=endpoint["url"],
                endpoint_id=endpoint["id"],
                site_id=site_id,
                subject=event,
                payload=payload,
                dedupe_key=f"{dedupe_key}|w{endpoint['id']}" if dedupe_key else None,
            ),
            now=now,
        )
        written += queued is not None
    return written
