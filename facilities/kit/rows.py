"""Helpers for reads on both engines: rows as plain dicts, the column values SQLite hands
back as text (timestamps, dates, JSON) turned into Python values, and a row turned into a
read schema by ``msgspec.convert`` (``to_struct``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from facilities import db


async def dict_rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    """``db.raw`` as plain dicts (asyncpg answers records)."""
    return [r if isinstance(r, dict) else dict(r) for r in await db.raw(sql, *args)]


IDS_PER_STATEMENT = 500  # well under SQLite's limit of variables per statement


async def rows_for_ids(sql: str, ids: Sequence[Any]) -> list[Mapping[str, Any]]:
    """``db.raw``'s rows of ``sql`` for every id of ``ids``: ``sql`` holds one ``IN ({ids})``,
    filled with placeholders and run once per ``IDS_PER_STATEMENT`` ids (an ``ORDER BY``
    holds within each run, so per id when each id's rows are wanted)."""
    found: list[Mapping[str, Any]] = []
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        chunk = list(ids[start : start + IDS_PER_STATEMENT])
        found += await db.raw(sql.replace("{ids}", ", ".join("{}" for _ in chunk)), *chunk)
    return found


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


S = TypeVar("S", bound=msgspec.Struct)


def to_struct(
    schema: type[S], row: Mapping[str, Any], keys: Mapping[str, str] | None = None, /, **values: Any
) -> S:
    """One row → ``schema`` by ``msgspec.convert`` (enum values, ISO text from SQLite, numbers):
    each field from the column of its name, or of ``keys[field]`` (``{"user_id": "user"}``);
    ``values`` give fields computed by the caller. Columns no field names are ignored."""
    data: dict[str, Any] = {}
    for name in schema.__struct_fields__:
        if name in values:
            data[name] = values[name]
            continue
        key = keys.get(name, name) if keys else name
        if key in row:
            data[name] = row[key]
    return msgspec.convert(data, schema, strict=False)
