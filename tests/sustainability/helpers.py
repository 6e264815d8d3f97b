"""Builders for sustainability tests (through the real actions)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from facilities.sustainability import actions
from facilities.sustainability.schemas import MeterCreate, MeterRead, ReadingCreate, ReadingRead
from tests import builders


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


async def meter(site_id: int, **values: Any) -> MeterRead:
    data = msgspec.convert(
        {
            "site_id": site_id,
            "name": "Main electricity",
            "carrier": "electricity_grid",
            "unit": "kWh",
            **values,
        },
        MeterCreate,
    )
    return await actions.create_meter(actor=await builders.system(), data=data)


async def reading(meter_id: int, value: float, read_at: datetime, **values: Any) -> ReadingRead:
    data = msgspec.convert({"value": value, "read_at": read_at, **values}, ReadingCreate)
    return await actions.record_reading(actor=await builders.system(), meter_id=meter_id, data=data)
