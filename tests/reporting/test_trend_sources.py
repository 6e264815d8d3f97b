"""The dashboard's faster sources give the published figures: MTTR and first-time fix from
maintenance's repair totals equal the live count over the orders, and backlog, backlog age
and overdue read together (``open_at_trends``) equal each one's own trend, on the
hand-computed data set, for weekly and monthly periods up to the current one; so do MTBF
and critical uptime read together (``asset_trends``)."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

from facilities.kit import clock
from facilities.kit.kpi import Period
from facilities.reporting.kpis import (
    ASSET_TIME,
    OPEN_AT,
    SPECS,
    asset_trends,
    open_at_trends,
    trend,
)
from tests import builders
from tests.reporting.kpi_dataset import AFTER, build

WEEKS = [
    Period(date(2026, 7, 6) - timedelta(weeks=back), date(2026, 7, 13) - timedelta(weeks=back))
    for back in range(11, -1, -1)
]  # the last one is the current week (AFTER is 10 July)
MONTHS = [Period(date(2026, m, 1), date(2026, m + 1, 1)) for m in (4, 5, 6, 7)]


async def test_repair_totals_equal_the_live_count() -> None:
    data = await build()
    ops = builders.principal(data.ops)
    with clock.pinned(AFTER):
        for name in ("mttr", "first_time_fix"):
            live = dataclasses.replace(SPECS[name], summary=None)
            for periods in (WEEKS, MONTHS):
                assert await trend(SPECS[name], ops, periods) == await trend(live, ops, periods)
        assert (await trend(SPECS["mttr"], ops, MONTHS))[1:3] == [1440.0, 187.5]


async def test_backlog_overdue_and_age_read_together_equal_their_own_trends() -> None:
    data = await build()
    for user in (data.ops, data.w.cm):
        me = builders.principal(user)
        with clock.pinned(AFTER):
            for periods in (WEEKS, MONTHS):
                together = await open_at_trends(me, periods)
                for name in OPEN_AT:
                    assert together[name] == await trend(SPECS[name], me, periods), name
            assert (await open_at_trends(me, [MONTHS[2]]))["backlog"] == [3.0]


async def test_mtbf_and_critical_uptime_read_together_equal_their_own_trends() -> None:
    data = await build()
    for user in (data.ops, data.w.cm):
        me = builders.principal(user)
        with clock.pinned(AFTER):
            for periods in (WEEKS, MONTHS):
                together = await asset_trends(me, periods)
                for name in ASSET_TIME:
                    assert together[name] == await trend(SPECS[name], me, periods), name
            june = await asset_trends(me, [MONTHS[2]])
            assert (june["mtbf"], june["critical_uptime"]) == ([460.0], [95.0])
