"""The audit trail: every write action records who, what, when and before/after.

Call ``record`` inside the action's transaction so the event commits with the change.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from facilities.accounts.principal import Principal
from facilities.accounts.tables import AuditEvent
from facilities.kit import clock

_SECRET_KEYS = {"password", "password_hash", "token", "token_hash"}


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in _SECRET_KEYS}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys that changed, as JSON-ready values."""
    keys = {k for k in after if before.get(k) != after.get(k)}
    return _plain({k: before.get(k) for k in keys}), _plain({k: after.get(k) for k in keys})


async def record(
    *,
    actor: Principal | None,
    action: str,
    object_type: str,
    object_id: Any,
    summary: str = "",
    site_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    await AuditEvent.insert(
        AuditEvent(
            actor=actor.user_id if actor else None,
            actor_label=actor.label if actor else "system",
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            site_id=site_id,
            summary=summary[:500],
            before=_plain(before) if before is not None else None,
            after=_plain(after) if after is not None else None,
            created_at=clock.now(),
        )
    ).run()
