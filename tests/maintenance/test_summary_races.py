"""Two changes at one site at once refresh the same maintained bucket: the second waits for
the first to commit and then recomputes it, instead of inserting the bucket a second time and
failing on its unique key (a 500 for whoever completed the second order).

PostgreSQL only: SQLite's one writer never runs two write transactions at once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

import asyncpg
import pytest

from facilities import db
from facilities.kit import clock
from facilities.maintenance.pm import compliance_summary
from facilities.maintenance.pm.generation import generate_due
from facilities.maintenance.workorders import repair_summary
from tests import assets_builders
from tests.maintenance.pm import helpers
from tests.workorders_builders import step, work_order, world

pytestmark = pytest.mark.one_engine("postgres")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def _race(refresh: Callable[[], Awaitable[None]]) -> None:
    """Run ``refresh`` in a transaction kept open until a second ``refresh`` waits on a
    lock, then let the first commit: the second must then succeed."""
    gate = asyncio.Event()

    async def first() -> None:
        async with db.transaction():
            await refresh()
            await gate.wait()

    async def second() -> None:
        async with db.transaction():
            await refresh()

    watcher = await asyncpg.connect(**db.engine().config)  # type: ignore[attr-defined]
    try:
        holding = asyncio.ensure_future(first())
        for _poll in range(100_000):  # until the first has refreshed (no sleeping)
            if not holding.done() and await _in_transaction(watcher) >= 1:
                break
            await asyncio.sleep(0)
        waiting_one = asyncio.ensure_future(second())
        waiting = 0
        for _poll in range(100_000):  # until the second waits on a lock
            waiting = await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock'"
            )
            if waiting >= 1 or waiting_one.done():
                break
            await asyncio.sleep(0)
        assert waiting == 1
        gate.set()
        await holding
        await waiting_one  # raised UniqueViolationError before the lock
    finally:
        await watcher.close()


async def _in_transaction(watcher: asyncpg.Connection) -> int:
    count: int = await watcher.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state = 'idle in transaction'"
    )
    return count


async def test_two_refreshes_of_one_compliance_bucket_at_once() -> None:
    w = await assets_builders.world()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(w.site.id)
        await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            dtstart_local="2027-01-04T08:00:00",
            skip_closed_days=False,
        )
    await generate_due(utc(2027, 1, 20))
    day = date(2027, 1, 4)
    before = await db.raw(
        "SELECT on_time, late, pending FROM pm_compliance_summary"
        " WHERE grain = 'd' AND site = {} AND period_start = {}",
        w.site.id,
        day,
    )
    assert [r["pending"] for r in before] == [1]

    await _race(lambda: compliance_summary.refresh([w.site.id], day, day))

    kept = await db.raw(
        "SELECT grain, period_start, site, on_time, late, pending FROM pm_compliance_summary"
        " ORDER BY grain, period_start, site"
    )
    await compliance_summary.rebuild()
    assert kept == await db.raw(
        "SELECT grain, period_start, site, on_time, late, pending FROM pm_compliance_summary"
        " ORDER BY grain, period_start, site"
    )


async def test_two_refreshes_of_one_repair_day_at_once() -> None:
    w = await world(time_zone="UTC")
    with clock.pinned(utc(2026, 6, 1, 10)):
        order = await work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    with clock.pinned(utc(2026, 6, 1, 11)):
        await step(order.id, w.partner, "start")
    with clock.pinned(utc(2026, 6, 1, 12)):
        await step(order.id, w.partner, "complete", note="Done")
    day = date(2026, 6, 1)

    await _race(lambda: repair_summary.refresh([w.site.id], day, day))

    rows = await db.raw(f"SELECT site, repairs FROM {repair_summary.TABLE}")
    assert [(r["site"], r["repairs"]) for r in rows] == [(w.site.id, 1)]
