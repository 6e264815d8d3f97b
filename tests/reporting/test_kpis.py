"""The operational KPIs on the hand-computed data set (``kpi_dataset``): exact figures, the
scope, and the drill-down rows that make each figure."""

from __future__ import annotations

from typing import Any

import pytest

from facilities.kit import clock, kpi
from facilities.kit.kpi import KpiValue
from facilities.reporting.kpis import SPECS, records
from tests import builders
from tests.reporting.kpi_dataset import AFTER, JUNE, build


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
