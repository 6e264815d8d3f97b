"""MTTR and first-time fix read maintenance's per-UTC-day repair totals
(``workorders.repair_summary``) for the whole UTC days of a period: repairs completed in
the last second before the period and at its first instant, in its last second and at the
end's first instant, at a site in another time zone, land in the right period (the period
is whole UTC days, as published); a span with partial days counts its edges live and gives
the same sums as the orders themselves."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock, kpi
from facilities.kit.kpi import KpiValue, Period
from facilities.reporting.kpis import SPECS
from facilities.reporting.kpis._run import grouped
from facilities.reporting.kpis._sql import Bounds
from tests import builders
from tests.workorders_builders import step, work_order, world

JUNE = Period(date(2026, 6, 1), date(2026, 7, 1))
MAY = Period(date(2026, 5, 1), date(2026, 6, 1))
JULY = Period(date(2026, 7, 1), date(2026, 8, 1))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


async def _repair(site_id: int, partner: Any, org: int, created: datetime, done: datetime) -> int:
    with clock.pinned(created):
        order = await work_order(site_id, partner_organisation_id=org)
        await step(order.id, partner, "start")
    with clock.pinned(done):
        await step(order.id, partner, "complete", note="Done")
    return order.id


def _total(values: list[KpiValue]) -> float | None:
    return next(v.value for v in values if v.subject is None)


async def _edges() -> Any:
    w = await world(time_zone="Europe/Berlin")  # UTC+2 in summer: the period stays UTC
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    p, org = w.partner, w.partner_org_id
    await _repair(w.site.id, p, org, utc(2026, 5, 31, 22, 59, 59), utc(2026, 5, 31, 23, 59, 59))
    await _repair(w.site.id, p, org, utc(2026, 5, 31, 22, 30), utc(2026, 6, 1))  # 90 min
    await _repair(w.site.id, p, org, utc(2026, 6, 30, 23, 29, 59), utc(2026, 6, 30, 23, 59, 59))
    await _repair(w.site.id, p, org, utc(2026, 6, 30, 22), utc(2026, 7, 1))  # 120 min
    return builders.principal(ops)


async def test_completions_at_the_edges_of_whole_utc_days() -> None:
    ops = await _edges()
    with clock.pinned(utc(2026, 8, 10)):
        mttr = kpi.get("mttr")
        assert _total(await mttr.compute(ops, MAY)) == 60.0
        assert _total(await mttr.compute(ops, JUNE)) == 60.0  # (90 + 30) / 2
        assert _total(await mttr.compute(ops, JULY)) == 120.0
        assert _total(await kpi.get("first_time_fix").compute(ops, JUNE)) == 100.0
        inside = Period(date(2026, 6, 2), date(2026, 6, 30))  # no repair completed in it
        assert _total(await mttr.compute(ops, inside)) is None


@pytest.mark.parametrize("name", ["mttr", "first_time_fix"])
async def test_partial_days_at_the_edges_are_counted_live(name: str) -> None:
    await _edges()
    spec = SPECS[name]
    live = dataclasses.replace(spec, summary=None)
    now = utc(2026, 8, 10)
    with clock.pinned(now):
        for start, end in (
            (utc(2026, 5, 31, 23, 30), utc(2026, 6, 30, 23, 45)),  # both edges partial
            (utc(2026, 5, 31, 23, 59, 59), utc(2026, 7, 1)),  # the start's second only
            (utc(2026, 6, 30, 23), utc(2026, 7, 1, 0, 0, 1)),  # no whole day
            (utc(2026, 6, 1, 0, 0, 1), utc(2026, 6, 30)),  # nothing in it
        ):
            b = Bounds(start, end, min(end, now))

            def key(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
                return sorted(
                    (int(r["site"]), round(float(r["num"]), 6), float(r["den"]), int(r["n"]))
                    for r in rows
                )

            assert key(await grouped(spec, b, "")) == key(await grouped(live, b, ""))
