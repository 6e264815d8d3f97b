"""The audit trail: every write action records who, what, when and before/after.

Call ``record`` inside the action's transaction so the event commits with the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from facilities.accounts.principal import Principal
from facilities.db import executemany, fetch
from facilities.kit import clock
from facilities.kit.i18n import N_, _

_SECRET_KEYS = {"password", "password_hash", "token", "token_hash"}

# Who did it, as the trail stores it: a person "Name <email>"; the product itself
# (``actor=None``: a job, device monitoring's status change, the anomaly scan) "system"; a
# part of the product that acts through the actions as a principal of its own (device
# monitoring moving its work order, a roll-out registering a device) "Name <…@facilities.invalid>".
SYSTEM_LABEL = "system"
AUTOMATIC_DOMAIN = "@facilities.invalid>"
_AUTOMATIC_NAMES = {"Device monitoring": N_("Device monitoring"), "Roll-out": N_("Roll-out")}


def actor_words(label: str) -> str:
    """The stored actor in the reader's plain words: a person as stored, the product itself
    "Facilities (automatic)", a part of it by its name, "Device monitoring (automatic)"."""
    if label == SYSTEM_LABEL or not label:
        return _("Facilities (automatic)")
    name, _sep, rest = label.partition(" <")
    if ("<" + rest).endswith(AUTOMATIC_DOMAIN):
        known = _AUTOMATIC_NAMES.get(name)
        return _("%(name)s (automatic)") % {"name": _(known) if known else name}
    return label


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
    # Through the driver (not the ORM's insert): one of these rides in nearly every write,
    # and building Piccolo's insert cost more than running it.
    await fetch(
        INSERT,
        *values(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            summary=summary,
            site_id=site_id,
            before=before,
            after=after,
        ),
    )


_TEN = ", ".join(["{}"] * 10)
COLUMNS = (
    "actor, actor_label, action, object_type, object_id, site_id, summary, before, after,"
    " created_at"
)


def values(
    *,
    actor: Principal | None,
    action: str,
    object_type: str,
    object_id: Any,
    summary: str = "",
    site_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> tuple[Any, ...]:
    """One audit row's values in ``COLUMNS`` order, for an action that writes it inside a
    statement of its own (``record`` does the same in one INSERT)."""
    return (
        actor.user_id if actor else None,
        actor.label if actor else SYSTEM_LABEL,
        action,
        object_type,
        str(object_id),
        site_id,
        summary[:500],
        _json(before),
        _json(after),
        clock.now(),
    )


@dataclass(frozen=True, slots=True)
class Entry:
    """One audit row of a bulk write (``record_many``)."""

    action: str
    object_type: str
    object_id: Any
    summary: str = ""
    site_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


INSERT = f"INSERT INTO audit_event ({COLUMNS}) VALUES ({_TEN})"  # noqa: S608 - constants


def _json(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(_plain(value))


async def record_many(
    *, actor: Principal | None, entries: list[Entry], at: datetime | None = None
) -> None:
    """Many audit rows by one actor in one statement (bulk actions; caller's transaction)."""
    when = at or clock.now()
    user_id = actor.user_id if actor else None
    label = actor.label if actor else SYSTEM_LABEL
    await executemany(
        INSERT,
        [
            (
                user_id,
                label,
                e.action,
                e.object_type,
                str(e.object_id),
                e.site_id,
                e.summary[:500],
                _json(e.before),
                _json(e.after),
                when,
            )
            for e in entries
        ],
    )
