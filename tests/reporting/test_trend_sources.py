"""The dashboard's faster sources give the published figures: MTTR and first-time fix from
maintenance's repair totals equal the live count over the orders, and backlog, backlog age
and overdue read together (``open_at_trends``) equal each one's own trend, on the
hand-computed data set, for weekly and monthly periods up to the current one; so do MTBF
and critical uptime read together (``asset_trends``)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, timedelta

import pytest

from facilities import db
from facilities.kit import clock
from facilities.kit.errors import RuleViolation
from facilities.kit.kpi import Period
from facilities.reporting import dashboard
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


async def test_the_dashboards_reads_at_once_give_the_figures_read_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = await build()
    ops = builders.principal(data.ops)
    watched = _Watched(monkeypatch)
    with clock.pinned(AFTER):
        monkeypatch.setitem(dashboard.READS_AT_ONCE, _engine(), 1)
        alone = await dashboard.dashboard(ops, start=date(2026, 6, 1), end=date(2026, 6, 30))
        assert watched.most == 1
        monkeypatch.setitem(dashboard.READS_AT_ONCE, _engine(), 4)
        monkeypatch.setitem(dashboard.HEAVY_PARTS, _engine(), 3)  # 3 + 3 + 2 periods
        ops.memo.clear()
        together = await dashboard.dashboard(ops, start=date(2026, 6, 1), end=date(2026, 6, 30))
        assert watched.most > 1  # they did overlap
        watched.most = 0
        async with db.transaction():  # one connection: one read at a time
            ops.memo.clear()
            inside = await dashboard.dashboard(ops, start=date(2026, 6, 1), end=date(2026, 6, 30))
        assert watched.most == 1
    assert [t.name for t in together.tiles] == list(dashboard.TILES)
    assert together == alone == inside
    tiles = {t.name: t for t in together.tiles}
    assert (tiles["mttr"].value, tiles["backlog"].value, tiles["mtbf"].value) == (
        187.5,
        3.0,
        460.0,
    )


async def test_tiles_asked_for_twice_or_in_part_keep_their_eight_periods() -> None:
    data = await build()
    ops = builders.principal(data.ops)
    with clock.pinned(AFTER):
        board = await dashboard.dashboard(
            ops,
            start=date(2026, 6, 1),
            end=date(2026, 6, 30),
            chosen=["mttr", "mttr", "backlog", "overdue", "mtbf", "critical_uptime"],
        )
    assert [t.name for t in board.tiles] == [
        "mttr",
        "mttr",
        "backlog",
        "overdue",
        "mtbf",
        "critical_uptime",
    ]
    assert {len(t.trend) for t in board.tiles} == {dashboard.TREND_POINTS}
    assert (board.tiles[0].value, board.tiles[2].value, board.tiles[4].value) == (
        187.5,
        3.0,
        460.0,
    )


async def test_a_failing_read_is_raised_as_it_is_and_stops_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(dashboard.READS_AT_ONCE, _engine(), 4)
    started: list[str] = []
    finished: list[str] = []
    gate = asyncio.Event()

    async def waits() -> dict[str, list[float | None]]:
        started.append("waits")
        await gate.wait()  # never set: only the failure ends it
        finished.append("waits")
        return {}

    async def fails() -> dict[str, list[float | None]]:
        started.append("fails")
        raise RuleViolation("kpi", "refused")

    with pytest.raises(RuleViolation):
        await dashboard._together([waits, fails])
    assert started == ["waits", "fails"] and finished == []


class _Watched:
    """The most reads of the dashboard in flight at once (``kpis`` reads through ``db.raw``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 0
        self.most = 0
        raw = db.raw

        async def counted(sql: str, *args: object) -> list[dict[str, object]]:
            self.now += 1
            self.most = max(self.most, self.now)
            try:
                await asyncio.sleep(0)  # let the other reads start
                return await raw(sql, *args)
            finally:
                self.now -= 1

        monkeypatch.setattr(db, "raw", counted)


def _engine() -> str:
    return "sqlite" if db.is_sqlite() else "postgres"
