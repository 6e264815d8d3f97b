"""The KPI interface (``kit/kpi.py``): every registered KPI answers through one signature
with the same figures as the domain's own computation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from facilities import db
from facilities.assets import actions as asset_actions
from facilities.assets import queries as asset_queries
from facilities.assets.enums import AssetStatus
from facilities.assets.schemas import StatusChange
from facilities.kit import clock, kpi
from facilities.maintenance.pm import compliance
from facilities.maintenance.pm.generation import generate_due
from facilities.services import scorecards
from facilities.wiring import EXPECTED
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc


def test_period_is_half_open_and_ordered() -> None:
    with pytest.raises(ValueError):
        kpi.Period(date(2027, 1, 2), date(2027, 1, 2))
    assert kpi.percent(1, 3) == 33.33 and kpi.percent(1, 0) is None


def test_every_definition_says_what_it_measures() -> None:
    assert set(kpi.names()) == EXPECTED["kpis"]
    for definition in kpi.all_kpis():
        assert definition.title and definition.formula and definition.population
        assert definition.unit in kpi.UNITS


async def test_kpis_equal_the_domain_computations() -> None:
    world = await assets_builders.world()
    admin = builders.principal(world.admin)
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(world.site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
            skip_closed_days=False,
        )
    await generate_due(utc(2027, 4, 30))
    first = (await helpers.work_orders(schedule.id))[0]
    await db.raw(
        "UPDATE work_order SET status = 'completed', completed_at = {} WHERE id = {}",
        utc(2027, 1, 10, 9),
        first["id"],
    )
    with clock.pinned(utc(2027, 3, 1)):
        await asset_actions.change_status(
            actor=admin, asset_id=asset.id, data=StatusChange(status=AssetStatus.down)
        )
    period = kpi.Period(date(2027, 1, 1), date(2027, 5, 1))
    with clock.pinned(utc(2027, 5, 1)):
        direct = await compliance.compute(admin, start=period.start, end=period.end)
        values = await kpi.get("pm_compliance").compute(admin, period)
        total = next(v for v in values if v.subject is None)
        assert total.value == direct.total.percent and total.denominator == direct.total.due
        assert {v.subject: v.value for v in values if v.subject} == {
            f"site:{r.key}": r.percent for r in direct.rows
        }
        start, end = utc(2027, 1, 1), utc(2027, 5, 1)
        uptime = await kpi.get("asset_uptime").compute(admin, period)
        by_asset = {v.subject: v.value for v in uptime}
        one = await asset_queries.uptime(asset.id, start, end)
        assert by_asset[f"asset:{asset.id}"] == one.uptime_percent
        assert one.uptime_percent is not None and one.uptime_percent < 100
        partner = await builders.partner_org("Cool GmbH")
        card = await scorecards.scorecard(
            admin, partner.id, period.start, period.end - timedelta(days=1)
        )
        fix = await kpi.get("partner_first_time_fix").compute(admin, period)
        assert {v.subject: v.value for v in fix}[f"partner:{partner.id}"] == (
            None if card.first_time_fix_rate is None else card.first_time_fix_rate * 100
        )
