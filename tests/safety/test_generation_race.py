"""Two generation runs at once (two scheduler processes on one database): the unique index
(programme, target, occurrence) lets exactly one of them insert each inspection."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest

from facilities.kit import clock
from facilities.safety.inspections.tables import Inspection
from tests.safety.helpers import generate, programme, starter, world

NOW = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(datetime(2026, 3, 1, 7, 0, tzinfo=UTC)):
        yield


async def test_concurrent_runs_create_each_inspection_once(make_client: Any) -> None:
    w = await world()
    template = await starter()
    await programme(template.id, scope="region", region_id=w.region_id, rrule="FREQ=WEEKLY")
    await programme(template.id, scope="category", category_id=w.category_id)
    created = await asyncio.gather(generate(NOW), generate(NOW), generate(NOW))
    rows = await Inspection.select(
        Inspection.programme, Inspection.target_key, Inspection.occurrence_key
    )
    keys = [(r["programme"], r["target_key"], r["occurrence_key"]) for r in rows]
    assert len(keys) == len(set(keys)) > 0
    assert sum(created) == len(keys)
    assert await generate(NOW) == 0
