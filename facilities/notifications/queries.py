"""Reads: a user's preferences, the outbox (scoped), webhook endpoints and their log."""

from __future__ import annotations

import re
from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit.errors import NotFound
from facilities.kit.i18n import _
from facilities.kit.rows import to_struct
from facilities.kit.schema import Page
from facilities.kit.security import unsign
from facilities.maintenance.enums import REPORT_STATUS_LABELS, ReportStatus
from facilities.maintenance.tables import ProblemReport
from facilities.notifications.enums import (
    CHOOSABLE,
    EVENT_LABELS,
    Mode,
    Status,
    default_mode,
)
from facilities.notifications.schemas import (
    OutboxCounts,
    OutboxMessageDetail,
    OutboxMessageRead,
    PreferenceRead,
    PreferencesRead,
    WebhookAttemptRead,
    WebhookRead,
)
from facilities.notifications.tables import (
    NotificationPreference,
    OutboxMessage,
    WebhookAttempt,
    WebhookEndpoint,
)
from facilities.settings import get_settings
from facilities.sites.scope import visible_site_ids


async def preferences(user_id: int, role: Role) -> PreferencesRead:
    rows = await NotificationPreference.select(
        NotificationPreference.event, NotificationPreference.mode
    ).where(NotificationPreference.user == user_id)
    chosen = {row["event"]: row["mode"] for row in rows}
    return PreferencesRead(
        preferences=[
            PreferenceRead(
                event=event,
                mode=Mode(chosen.get(event.value, default_mode(role, event))),
                default=default_mode(role, event),
                label=_(EVENT_LABELS[event]),
            )
            for event in CHOOSABLE
        ]
    )


# ---- outbox ---------------------------------------------------------------------------

_ORDER = "CASE status WHEN 'failed' THEN 0 WHEN 'pending' THEN 1 WHEN 'sending' THEN 2 ELSE 3 END"
_READ_COLUMNS = (
    'id, kind, event, status, recipient, "user", endpoint, site_id, subject, attempts, '
    "next_attempt_at, last_error, created_at, sent_at"
)


async def _scope_sql(principal: Principal) -> tuple[str, list[Any]]:
    """Admins see every message; ops managers those of their sites and those of no site."""
    sites = await visible_site_ids(principal)
    if sites is None:
        return "", []
    ids = sorted(sites)
    if not ids:
        return " AND site_id IS NULL", []
    marks = ", ".join("{}" for _ in ids)
    return f" AND (site_id IS NULL OR site_id IN ({marks}))", ids


_BEARER_LINK = re.compile(r"(/(?:m|r|n/report)/)[A-Za-z0-9_.\-]+")


def redact(text: str) -> str:
    """Bearer links (magic links, reporter status links) are not shown to ops."""
    return _BEARER_LINK.sub(lambda m: m.group(1) + "…", text)


def _read(row: dict[str, Any]) -> OutboxMessageRead:
    return to_struct(OutboxMessageRead, row, {"user_id": "user", "endpoint_id": "endpoint"})


async def list_outbox(
    principal: Principal, *, status: Status | None, limit: int, offset: int
) -> Page[OutboxMessageRead]:
    scope_sql, args = await _scope_sql(principal)
    where = "WHERE 1 = 1" + scope_sql
    if status is not None:
        where += " AND status = {}"
        args = [*args, status.value]
    total = await db.raw(f"SELECT COUNT(*) AS n FROM outbox_message {where}", *args)  # noqa: S608
    rows = await db.raw(
        f"SELECT {_READ_COLUMNS} FROM outbox_message {where} "  # noqa: S608
        f"ORDER BY {_ORDER}, id DESC LIMIT {int(limit)} OFFSET {int(offset)}",
        *args,
    )
    return Page(
        items=[_read(row) for row in rows], total=int(total[0]["n"]), limit=limit, offset=offset
    )


async def outbox_counts(principal: Principal) -> OutboxCounts:
    scope_sql, args = await _scope_sql(principal)
    rows = await db.raw(
        f"SELECT status, COUNT(*) AS n FROM outbox_message WHERE 1 = 1{scope_sql} "  # noqa: S608
        "GROUP BY status",
        *args,
    )
    counts = {row["status"]: int(row["n"]) for row in rows}
    return OutboxCounts(**{s.value: counts.get(s.value, 0) for s in Status})


async def get_message(principal: Principal, message_id: int) -> OutboxMessageDetail:
    scope_sql, args = await _scope_sql(principal)
    rows = await db.raw(
        f"SELECT {_READ_COLUMNS}, body_text, payload FROM outbox_message "  # noqa: S608
        f"WHERE id = {{}}{scope_sql}",
        message_id,
        *args,
    )
    if not rows:
        raise NotFound()
    base = _read(rows[0])
    return OutboxMessageDetail(
        **{f: getattr(base, f) for f in base.__struct_fields__},
        body_text=redact(rows[0]["body_text"]),
        payload=rows[0]["payload"],
    )


async def message_status(message_id: int) -> str | None:
    row = (
        await OutboxMessage.select(OutboxMessage.status)
        .where(OutboxMessage.id == message_id)
        .first()
    )
    return row["status"] if row else None


# ---- webhooks -------------------------------------------------------------------------

_ENDPOINT_COLUMNS = (
    WebhookEndpoint.id,
    WebhookEndpoint.name,
    WebhookEndpoint.url,
    WebhookEndpoint.events,
    WebhookEndpoint.active,
    WebhookEndpoint.created_by,
    WebhookEndpoint.created_at,
)


def _endpoint(row: dict[str, Any]) -> WebhookRead:
    return to_struct(WebhookRead, row, events=row["events"] or [])


async def list_webhooks() -> list[WebhookRead]:
    rows = (
        await WebhookEndpoint.select(*_ENDPOINT_COLUMNS)
        .order_by(WebhookEndpoint.id)
        .output(load_json=True)
    )
    return [_endpoint(row) for row in rows]


async def get_webhook(webhook_id: int) -> WebhookRead:
    row = (
        await WebhookEndpoint.select(*_ENDPOINT_COLUMNS)
        .where(WebhookEndpoint.id == webhook_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise NotFound()
    return _endpoint(row)


async def webhook_attempts(webhook_id: int, *, limit: int = 50) -> list[WebhookAttemptRead]:
    rows = (
        await WebhookAttempt.select()
        .where(WebhookAttempt.endpoint == webhook_id)
        .order_by(WebhookAttempt.id, ascending=False)
        .limit(limit)
    )
    return [to_struct(WebhookAttemptRead, row, {"message_id": "message"}) for row in rows]


async def webhook_messages(webhook_id: int, *, limit: int = 50) -> list[OutboxMessageRead]:
    rows = await db.raw(
        f"SELECT {_READ_COLUMNS} FROM outbox_message WHERE endpoint = {{}} "  # noqa: S608
        f"ORDER BY id DESC LIMIT {int(limit)}",
        webhook_id,
    )
    return [_read(row) for row in rows]


# ---- the reporter's signed status link ------------------------------------------------


async def reporter_view(signed: str) -> dict[str, Any] | None:
    """What the reporter may see of their report: title, site, status, last change."""
    payload = unsign(get_settings().resolved_secret_key(), signed)
    if payload is None or not payload.startswith("report-"):
        return None
    try:
        report_id = int(payload.removeprefix("report-"))
    except ValueError:
        return None
    row = (
        await ProblemReport.select(
            ProblemReport.title,
            ProblemReport.status,
            ProblemReport.created_at,
            ProblemReport.updated_at,
            ProblemReport.rejection_reason,
            ProblemReport.site.name.as_alias("site_name"),
            ProblemReport.site.time_zone.as_alias("time_zone"),
        )
        .where(ProblemReport.id == report_id)
        .first()
    )
    if row is None:
        return None
    return {**row, "status_label": REPORT_STATUS_LABELS[ReportStatus(row["status"])]}
