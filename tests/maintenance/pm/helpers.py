"""Builders for preventive-maintenance tests (through the real actions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from facilities import db
from facilities.maintenance.pm import actions, queries
from facilities.maintenance.pm.schemas import ScheduleCreate, ScheduleRead
from tests import builders


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def schedule(**values: Any) -> ScheduleRead:
    data = msgspec.convert({"name": "Descale", **values}, ScheduleCreate)
    return await actions.create_schedule(actor=await builders.system(), data=data)


async def work_orders(schedule_id: int | None = None) -> list[dict[str, Any]]:
    where = "" if schedule_id is None else f" WHERE schedule = {int(schedule_id)}"
    raw = await db.raw(
        "SELECT id, asset, due_at, occurrence_key, status, kind, origin, checklist_version,"
        " partner_organisation, priority, estimated_minutes"
        f" FROM work_order{where} ORDER BY due_at, asset"
    )
    rows = [dict(r) for r in raw]
    for row in rows:
        due = row["due_at"]
        if isinstance(due, str):
            due = datetime.fromisoformat(due)
        row["due_at"] = due.astimezone(UTC) if due.tzinfo else due.replace(tzinfo=UTC)
    return rows


async def occurrences(schedule_id: int) -> list[dict[str, Any]]:
    rows = await db.raw(
        "SELECT asset, occurrence_key, status, work_order FROM pm_occurrence"
        " WHERE schedule = {} ORDER BY occurrence_key, asset",
        schedule_id,
    )
    return [dict(r) for r in rows]


async def count(table: str) -> int:
    rows = await db.raw(f'SELECT count(*) AS n FROM "{table}"')
    return int(rows[0]["n"])


async def get_schedule(schedule_id: int) -> ScheduleRead:
    return await queries.get_schedule(await builders.system(), schedule_id)
