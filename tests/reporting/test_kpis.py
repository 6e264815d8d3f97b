"""The operational KPIs on the hand-computed data set (``kpi_dataset``): exact figures, the
scope, and the drill-down rows that make each figure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
import pytest

from facilities.accounts.enums import Role
from facilities.assets import actions as asset_actions
from facilities.assets.schemas import StatusChange
from facilities.kit import clock, kpi
from facilities.kit.kpi import KpiValue, Period
from facilities.reporting.kpis import SPECS, records
from tests import assets_builders, builders
from tests.maintenance.pm.helpers import utc
from tests.reporting.kpi_dataset import AFTER, JUNE, build
from tests.workorders_builders import world


def _total(values: list[KpiValue]) -> float | None:
    return next(v.value for v in values if v.subject is None)


EXPECTED = {
    "mttr": 230.0,  # (120 + 360 + 210) / 3 minutes, on hold included (SMRP)
    "first_time_fix": 66.67,  # 2 of 3
    "backlog": 3.0,  # WO4, WO5, WO7 at the end of June
    "backlog_age": 6.38,  # (10.625 + 2.5 + 6) / 3 = 6.375 days
    "overdue": 2.0,  # WO4, WO7
    "critical_uptime": 95.0,  # 684 h of 720 h
    "mtbf": 460.0,  # (684 + 696) h / 3 failures
    "sla_response": 40.0,  # WO1, WO4 met; WO2, WO3, WO7 breached
    "sla_attendance": 80.0,  # WO7 breached
    "sla_resolution": 33.33,  # WO1 met; WO2, WO3 breached
}


async def test_hand_computed_figures_for_the_community_manager() -> None:
    data = await build()
    me = builders.principal(data.w.cm)
    with clock.pinned(AFTER):
        got = {name: _total(await kpi.get(name).compute(me, JUNE)) for name in EXPECTED}
    assert got == EXPECTED


async def test_the_region_adds_the_other_site_and_per_site_rows_add_up() -> None:
    data = await build()
    ops = builders.principal(data.ops)
    with clock.pinned(AFTER):
        values = await kpi.get("mttr").compute(ops, JUNE)
    total = values[0]
    assert total.subject is None and total.value == 187.5  # (690 + 60) / 4
    by_site = {v.subject: v for v in values[1:]}
    assert by_site[f"site:{data.w.site.id}"].value == 230.0
    assert by_site[f"site:{data.w.other_site.id}"].value == 60.0
    assert kpi.aggregate("minutes", values[1:]).value == 187.5


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("mttr", {"wo1", "wo2", "wo3"}),
        ("first_time_fix", {"wo1", "wo2", "wo3"}),
        ("backlog", {"wo4", "wo5", "wo7"}),
        ("overdue", {"wo4", "wo7"}),
        ("sla_resolution", {"wo1", "wo2", "wo3"}),
    ],
)
async def test_drill_down_lists_exactly_the_records_behind_the_figure(
    name: str, ids: set[str]
) -> None:
    data = await build()
    me = builders.principal(data.w.cm)
    with clock.pinned(AFTER):
        count, rows = await records(SPECS[name], me, JUNE, None, limit=50, offset=0)
    assert count == len(ids)
    assert {r["id"] for r in rows} == {data.orders[k] for k in ids}


async def test_drill_down_rows_carry_each_contribution() -> None:
    data = await build()
    me = builders.principal(data.w.cm)
    with clock.pinned(AFTER):
        _, rows = await records(SPECS["mttr"], me, JUNE, None, limit=50, offset=0)
        _, assets = await records(SPECS["critical_uptime"], me, JUNE, None, limit=50, offset=0)
    minutes = {r["id"]: round(float(r["num"]), 2) for r in rows}
    held = {r["id"]: round(float(r["held"]), 2) for r in rows}
    o = data.orders
    assert minutes == {o["wo1"]: 120.0, o["wo2"]: 360.0, o["wo3"]: 210.0}
    assert held[o["wo2"]] == 180.0
    assert [(a["id"], round(float(a["num"]) / 3600, 2)) for a in assets] == [
        (data.assets["critical"], 684.0)
    ]


async def test_nothing_visible_no_figure() -> None:
    data = await build()
    stranger = builders.principal(data.w.stranger)  # a partner of another organisation
    with clock.pinned(AFTER):
        values: list[Any] = await kpi.get("mttr").compute(stranger, JUNE)
    assert _total(values) is None


async def test_mtbf_reads_an_assets_status_from_before_the_period() -> None:
    """The intervals are read from each asset's last change before the period (not its whole
    history): an asset down since 31 May 12:00 and back on 1 June 12:00 is down 12 h in June
    and no new failure; one going down exactly at 1 June 00:00 from operational is a failure
    (its previous status lies before the period). June read on 1 July: up (720 − 12) +
    (720 − 24) = 1,404 h over 2 failures (the second asset's, and its again on 15 June) →
    702 h."""
    w = await world(time_zone="UTC")
    admin = builders.principal(await builders.user(Role.admin))

    async def status(at: datetime, asset_id: int, value: str) -> None:
        with clock.pinned(at):
            await asset_actions.change_status(
                actor=admin,
                asset_id=asset_id,
                data=msgspec.convert({"status": value}, StatusChange),
            )

    with clock.pinned(utc(2026, 3, 1)):
        first = await assets_builders.asset(w.site.id)
        second = await assets_builders.asset(w.site.id)
    await status(utc(2026, 4, 10), first.id, "down")  # an old failure, long repaired
    await status(utc(2026, 4, 11), first.id, "operational")
    await status(utc(2026, 5, 31, 12), first.id, "down")
    await status(utc(2026, 6, 1, 12), first.id, "operational")
    await status(utc(2026, 6, 1), second.id, "down")
    await status(utc(2026, 6, 1, 6), second.id, "operational")
    await status(utc(2026, 6, 15), second.id, "down")
    await status(utc(2026, 6, 15, 18), second.id, "operational")
    june = Period(date(2026, 6, 1), date(2026, 7, 1))
    with clock.pinned(utc(2026, 7, 1)):
        values = await kpi.get("mtbf").compute(admin, june)
        _, rows = await records(SPECS["mtbf"], admin, june, {w.site.id}, limit=10, offset=0)
    assert _total(values) == 702.0
    by_asset = {int(r["id"]): (float(r["num"]), int(r["den"])) for r in rows}
    assert by_asset == {first.id: (708.0, 0), second.id: (696.0, 2)}
