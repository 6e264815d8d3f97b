"""``facilities demo`` loads the shipped factors and a year of sustainability data, once."""

from __future__ import annotations

from facilities.accounts.enums import Role
from facilities.maintenance.tables import WorkOrder
from facilities.sustainability.defaults import DEFAULT_FACTORS
from facilities.sustainability.tables import (
    Anomaly,
    EmissionFactor,
    Meter,
    MeterPeriod,
    MeterReading,
)
from tests import builders


async def test_demo_loads_factors_and_a_site_year_idempotently(make_client) -> None:
    from facilities.demo import load_demo

    await load_demo()
    counts = (
        await EmissionFactor.count(),
        await Meter.count(),
        await MeterReading.count(),
        await MeterPeriod.count(),
    )
    await load_demo()
    assert (
        await EmissionFactor.count(),
        await Meter.count(),
        await MeterReading.count(),
        await MeterPeriod.count(),
    ) == counts
    assert counts[0] == len(DEFAULT_FACTORS)
    # six utility meters with 13 readings, and the air conditioning's operating-hours meter
    # (the operations demo) with 13 weekly readings
    assert counts[1] == 7 and counts[2] == 26
    usage = await Meter.select(Meter.id).where(Meter.carrier == "operating_hours")
    assert len(usage) == 1
    # The night-time water leak shows as an anomaly with its work order.
    leaks = await Anomaly.select().where(Anomaly.kind == "night_flow")
    assert len(leaks) == 1 and leaks[0]["work_order"] is not None
    order = (
        await WorkOrder.select(WorkOrder.site, WorkOrder.title, WorkOrder.description)
        .where(WorkOrder.id == leaks[0]["work_order"])
        .first()
    )
    assert order["site"] == leaks[0]["site"] and "Wasser" in order["title"]
    assert "01:00" in order["description"]
    site_id = (await Meter.select(Meter.site).first())["site"]  # type: ignore[index]
    admin = await builders.api(make_client, await builders.user(Role.admin))
    from facilities.kit import clock

    year = clock.now().year
    body = (await admin.get(f"/api/v1/sustainability/results?year={year}&site_id={site_id}")).json()
    assert body["total"]["energy_kwh"] > 0
    assert body["total"]["scope2_location_kg"] > 0
    assert body["total"]["missing_factors"] == []
