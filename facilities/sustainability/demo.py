"""Demo data for sustainability (``facilities demo``): the shipped emission factors, and for
one coworking site a year of meters, readings, bills and member visits. Idempotent: a site
that already has meters is left alone. Everything goes through the real actions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.sustainability import actions, anomalies, queries
from facilities.sustainability.enums import USAGE, Carrier
from facilities.sustainability.schemas import (
    MeterCreate,
    OccupancySet,
    PeriodCreate,
    ReadingCreate,
)


def _months_back(today: date, count: int) -> list[date]:
    months = []
    month = today.replace(day=1)
    for _ in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return sorted(months)


async def load_sustainability(system: Principal, site_id: int) -> None:
    await actions.seed_default_factors(actor=system)
    # (an asset's operating-hours meter from the operations demo does not count)
    if any(m.carrier not in USAGE for m in await queries.list_meters(system, site_id=site_id)):
        return
    zone = ZoneInfo("Europe/Berlin")
    today = clock.now().astimezone(zone).date()
    months = _months_back(today, 12)
    power = await actions.create_meter(
        actor=system,
        data=MeterCreate(
            site_id=site_id,
            name="Hauptzähler Strom",
            number="1ESY1160123456",
            carrier=Carrier.electricity_grid,
            unit="kWh",
            register_digits=6,
            installed_on=months[0] - timedelta(days=400),
        ),
    )
    value = 48_210.0
    for index, month in enumerate([*months, today.replace(day=1)]):
        read_at = min(datetime(month.year, month.month, 1, 8, 0, tzinfo=zone), clock.now())
        await actions.record_reading(
            actor=system,
            meter_id=power.id,
            data=ReadingCreate(value=value, read_at=read_at),
        )
        winter = month.month in (11, 12, 1, 2)
        value += 2_900 + (600 if winter else 0) + 40 * index
    gas = await actions.create_meter(
        actor=system,
        data=MeterCreate(
            site_id=site_id,
            name="Gaszähler",
            carrier=Carrier.natural_gas,
            unit="m3",
            correction_factor=0.9636,
            calorific_value=11.331,
        ),
    )
    for month in months:
        following = (month + timedelta(days=32)).replace(day=1)
        heating = month.month in (10, 11, 12, 1, 2, 3, 4)
        await actions.add_period(
            actor=system,
            meter_id=gas.id,
            data=PeriodCreate(
                starts_on=month,
                ends_on=following,
                quantity=1_150 if heating else 180,
                cost=1_380 if heating else 260,
            ),
        )
    for carrier, name, kg in (
        (Carrier.waste_residual, "Restmüll", 240),
        (Carrier.waste_paper, "Papier", 310),
        (Carrier.waste_packaging, "Gelber Sack", 120),
    ):
        waste = await actions.create_meter(
            actor=system,
            data=MeterCreate(site_id=site_id, name=name, carrier=carrier, unit="kg"),
        )
        for month in months:
            last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            await actions.add_period(
                actor=system,
                meter_id=waste.id,
                data=PeriodCreate(starts_on=month, ends_on=last, quantity=kg),
            )
    await _water_with_leak(system, site_id, zone)
    for index, month in enumerate(months):
        await actions.set_occupancy(
            actor=system,
            site_id=site_id,
            month=month,
            data=OccupancySet(visits=780 + 15 * index),
        )


async def _water_with_leak(system: Principal, site_id: int, zone: ZoneInfo) -> None:
    """A water meter with three weeks of 15-minute data (a smart meter's export, imported
    through the real import); last night the water never stopped running: the nightly
    scan finds the leak and opens a work order for it."""
    water = await actions.create_meter(
        actor=system,
        data=MeterCreate(
            site_id=site_id, name="Wasser Hauptzähler", carrier=Carrier.water, unit="m3"
        ),
    )
    today = clock.now().astimezone(zone).date()
    first = datetime.combine(today - timedelta(days=21), datetime.min.time(), zone)
    lines = ["meter_id,start,value,unit"]
    moment = first.astimezone(UTC)
    end = datetime.combine(today, datetime.min.time(), zone).astimezone(UTC)
    leak_from = datetime.combine(today - timedelta(days=1), datetime.min.time(), zone)
    while moment < end:
        local = moment.astimezone(zone)
        daytime = 7 <= local.hour < 20 and local.weekday() < 5
        value = 0.035 if daytime else 0.0
        if moment >= leak_from:
            value += 0.015  # 60 litres an hour, day and night
        lines.append(f"{water.id},{moment.isoformat()},{value:.3f},m3")
        moment += timedelta(minutes=15)
    text = "\n".join(lines).encode()

    async def chunks() -> AsyncIterator[bytes]:
        yield text

    await actions.import_intervals(actor=system, chunks=chunks(), filename="wasser.csv")
    await anomalies.scan()
