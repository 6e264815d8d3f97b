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


@dataclass(frozen=True, slots=True)
class Notification:
    """One ``notify`` call's arguments, for ``notify_many``."""

    event: str
    recipients: Sequence[Recipient]
    context: Mapping[str, Any]
    dedupe_key: str | None = None
    webhooks: bool = True
    respect_preferences: bool = True


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
    return await notify_many(
        [Notification(event, recipients, context, dedupe_key, webhooks, respect_preferences)]
    )


async def _sites(contexts: list[dict[str, Any]]) -> dict[int, str | None]:
    """Fill each context's ``site_id`` (from its work order if missing); site → time zone."""
    missing = {
        int(c["work_order_id"])
        for c in contexts
        if c.get("site_id") is None and c.get("work_order_id") is not None
    }
    order_sites: dict[int, int] = {}
    if missing:
        ids = ",".join(str(i) for i in sorted(missing))
        rows = await db.raw(f"SELECT id, site FROM work_order WHERE id IN ({ids})")  # noqa: S608 - integer ids only
        order_sites = {int(r["id"]): int(r["site"]) for r in rows}
    for c in contexts:
        if c.get("site_id") is None and c.get("work_order_id") is not None:
            c["site_id"] = order_sites.get(int(c["work_order_id"]))
    wanted = sorted({int(c["site_id"]) for c in contexts if c.get("site_id") is not None})
    if not wanted:
        return {}
    rows = await Site.select(Site.id, Site.time_zone).where(Site.id.is_in(wanted))
    zones: dict[int, str | None] = dict.fromkeys(wanted)
    zones.update({int(r["id"]): r["time_zone"] for r in rows})
    return zones


async def notify_many(notifications: Sequence[Notification]) -> int:
    """Many ``notify`` calls at once (the bulk path, e.g. one escalation run): the users,
    their preferences, the sites and the webhooks are read once for all of them and the
    outbox rows are written by ``outbox.queue_many`` (one statement per 500 rows). Same
    rules and answer as calling ``notify`` for each."""
    kinds = [Event(n.event) for n in notifications]  # ValueError for an unknown event
    contexts = [dict(n.context) for n in notifications]
    for kind, values in zip(kinds, contexts, strict=True):
        check_context(kind.value, values)
    if not notifications:
        return 0
    async with db.transaction():
        zones = await _sites(contexts)
        now = clock.now()
        written = 0
        base_url = get_settings().base_url
        user_ids = sorted(
            {r.user_id for n in notifications for r in n.recipients if r.user_id is not None}
        )
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
        chosen: dict[tuple[int, str], str] = {}
        for event in sorted({k.value for k in kinds}):
            for user_id, mode in (await preferences_of(user_ids, event)).items():
                chosen[(user_id, event)] = mode
        messages: list[outbox.NewMessage] = []
        endpoints: list[dict[str, Any]] | None = None
        for n, kind, values in zip(notifications, kinds, contexts, strict=True):
            site_id = values.get("site_id")
            site_id = int(site_id) if site_id is not None else None
            values["site_id"] = site_id
            site_tz = zones.get(site_id) if site_id is not None else None
            seen: set[str] = set()
            for recipient in n.recipients:
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
                if user is not None and n.respect_preferences and kind is not Event.digest:
                    default = default_mode(Role(user["role"]), kind)
                    mode = Mode(chosen.get((user["id"], kind.value), default))
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
                key = f"{n.dedupe_key}|{who}" if n.dedupe_key else None
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
                messages.append(
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
                    )
                )
            if n.webhooks and kind is not Event.digest:
                if endpoints is None:
                    endpoints = await _endpoints()
                messages += _webhook_messages(
                    endpoints, kind.value, values, site_id, n.dedupe_key, now
                )
        written += await outbox.queue_many(messages, now=now)
    return written


async def _endpoints() -> list[dict[str, Any]]:
    return list(
        await WebhookEndpoint.select(
            WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.events
        )
        .where(WebhookEndpoint.active.eq(True))
        .output(load_json=True)
    )


def _webhook_messages(
    endpoints: list[dict[str, Any]],
    event: str,
    context: Mapping[str, Any],
    site_id: int | None,
    dedupe_key: str | None,
    now: datetime,
) -> list[outbox.NewMessage]:
    messages = []
    payload: str | None = None
    for endpoint in endpoints:
        if event not in (endpoint["events"] or []):
            continue
        payload = payload or webhook_payload(event, context, now)
        messages.append(
            outbox.NewMessage(
                kind=Kind.webhook.value,
                event=event,
                recipient=endpoint["url"],
                endpoint_id=endpoint["id"],
                site_id=site_id,
                subject=event,
                payload=payload,
                dedupe_key=f"{dedupe_key}|w{endpoint['id']}" if dedupe_key else None,
            )
        )
    return messages
