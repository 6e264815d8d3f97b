"""Helpers for raw-SQL reads on both engines: rows as plain dicts, and the column values
SQLite hands back as text (timestamps, dates, JSON) turned into Python values."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from facilities import db


async def dict_rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    """``db.raw`` as plain dicts (asyncpg answers records)."""
    return [r if isinstance(r, dict) else dict(r) for r in await db.raw(sql, *args)]


def aware(value: Any) -> datetime:
    """A timestamp from either driver (a datetime, naive on SQLite, or ISO text) → aware UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def aware_or_none(value: Any) -> datetime | None:
    return None if value is None else aware(value)


def to_date(value: Any) -> date:
    """A date from either driver (a date, a datetime or ISO text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def to_date_or_none(value: Any) -> date | None:
    return None if value is None else to_date(value)


def json_list(value: Any) -> list[Any]:
    """A JSON array column (text on SQLite, decoded on PostgreSQL)."""
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return list(value or [])


def decimal_or_none(value: Any) -> Decimal | None:
    """A numeric column (a float or text on SQLite) as an exact Decimal."""
    return None if value is None else Decimal(str(value))
