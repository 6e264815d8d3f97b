"""The agenda's version stamp and key, asked by every calendar read and every feed poll
(issue 16: a feed's ``304`` under 20 ms): what they depend on, and that they read no table
whole (SQLite's plans; PostgreSQL's follow its statistics and are read in ``bench.scale``).
"""

from __future__ import annotations

import re

import pytest

from facilities import db
from facilities.kit import clock
from facilities.maintenance.pm import planned, versions
from facilities.safety.inspections import queries as inspection_queries
from tests import assets_builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc

# the tables that grow with the network (the small ones — sites, closure days, schedule
# sites — may be counted whole)
_BIG = re.compile(r"\bFROM (pm_schedule|asset|inspection|work_order)\b")
_SUBQUERY = re.compile(r"\(SELECT [^()]*(?:\([^()]*\)[^()]*)*\)")


async def _plan(sql: str) -> list[str]:
    rows = await db.raw("EXPLAIN QUERY PLAN " + sql)
    return [str(dict(r)["detail"]) for r in rows]


async def _unindexed(sql: str) -> list[str]:
    """Each subquery on a big table whose plan uses no index (``max(id)`` is the rowid's
    end: always cheap; SQLite calls a full scan for ``max(x)`` a "SEARCH" too)."""
    found = []
    for sub in _SUBQUERY.findall(sql):
        if not _BIG.search(sub) or sub.startswith("(SELECT max(id) "):
            continue
        plan = await _plan(sub[1:-1])
        if not any("INDEX" in line for line in plan):
            found.append(f"{sub}: {plan}")
    return found


@pytest.mark.one_engine("sqlite")
async def test_the_stamp_and_the_key_read_no_table_whole() -> None:
    world = await assets_builders.world()
    asset = await assets_builders.asset(world.site.id)
    await helpers.schedule(
        asset_id=asset.id, rrule="FREQ=WEEKLY", dtstart_local="2027-01-04T09:00:00"
    )
    stamp_sql = versions._STAMP_SQL.replace("SELECT ", "SELECT " + versions._WORK_ORDERS, 1)
    literals = [f"'{v}'" if isinstance(v, str) else str(int(v)) for v in planned.MODES_ARGS]
    key_sql = planned.MODES_SQL.format(*literals)
    inspections_sql = inspection_queries.AGENDA_VERSION_SQL
    for sql in (stamp_sql, key_sql, inspections_sql):
        assert await _unindexed(sql) == []
    # and the queries as written in the code still answer
    assert await versions.stamp()
    assert await inspection_queries.agenda_version()


async def test_the_key_follows_the_day_or_the_hour_and_the_work_orders_when_it_must() -> None:
    world = await assets_builders.world()
    asset = await assets_builders.asset(world.site.id)
    now = utc(2027, 1, 4, 10, 30)
    with clock.pinned(utc(2027, 1, 1)):
        await helpers.schedule(
            asset_id=asset.id, rrule="FREQ=WEEKLY", dtstart_local="2027-01-04T09:00:00"
        )
    fixed = await planned.current_key(now)
    assert fixed.split("|")[1] == "2027-01-04"  # fixed schedules only: the day is enough
    assert len(fixed.split("|")) == 2 + len(await versions.stamp(work_orders=False))
    with clock.pinned(utc(2027, 1, 1)):
        other = await assets_builders.asset(world.site.id)
        await helpers.schedule(
            asset_id=other.id,
            rrule="FREQ=WEEKLY",
            dtstart_local="2027-01-04T09:00:00",
            catch_up="latest_only",
        )
    hourly = await planned.current_key(now)
    assert hourly.split("|")[1] == "2027-01-04T10:00:00+00:00"  # "now" is an input
    with clock.pinned(utc(2027, 1, 1)):
        third = await assets_builders.asset(world.site.id)
        await helpers.schedule(
            asset_id=third.id, mode="floating", floating_every=30, floating_unit="days"
        )
    floating = await planned.current_key(now)
    # a floating schedule follows its orders: the work orders' stamp is part of the key
    assert len(floating.split("|")) == 2 + len(await versions.stamp(work_orders=True))
