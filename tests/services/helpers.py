"""Builders for facility-services tests (through the real actions)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec

from facilities import db
from facilities.services import actions
from facilities.services.schemas import ContractCreate, ContractRead, VisitPlanCreate, VisitPlanRead
from tests import builders


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def contract(provider_id: int, site_ids: list[int], **values: Any) -> ContractRead:
    data = msgspec.convert(
        {
            "provider_id": provider_id,
            "name": "Cleaning Heidelberg",
            "contract_type": "cleaning",
            "start_date": date(2026, 1, 1),
            "end_date": date(2027, 12, 31),
            "site_ids": site_ids,
            "status": "active",
            "confirm_overlap": True,
            **values,
        },
        ContractCreate,
    )
    return await actions.create_contract(actor=await builders.system(), data=data)


async def plan(contract_id: int, **values: Any) -> VisitPlanRead:
    data = msgspec.convert(
        {
            "name": "Weekly cleaning round",
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "dtstart_local": "2026-03-02T08:00:00",
            "window_minutes": 120,
            "lead_days": 7,
            **values,
        },
        VisitPlanCreate,
    )
    return await actions.create_plan(
        actor=await builders.system(), contract_id=contract_id, data=data
    )


async def visits(plan_id: int | None = None) -> list[dict[str, Any]]:
    where = "" if plan_id is None else f" WHERE plan = {int(plan_id)}"
    rows = await db.raw(
        "SELECT id, plan, site, occurrence_key, scheduled_for, window_end, status, rating"
        f" FROM service_visit{where} ORDER BY scheduled_for, site"
    )
    return [dict(r) for r in rows]
