"""Monthly results end to end: readings and bills → calendarised months → kWh → Scope 1 and
2 (both methods) → intensities per m², desk and member visit; scoped to the caller."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec
import pytest

from facilities.accounts.enums import Role
from facilities.sustainability import actions
from facilities.sustainability.schemas import FactorCreate, OccupancySet, PeriodCreate
from tests import builders
from tests.sustainability.helpers import meter, reading


def berlin_midnight(year: int, month: int, day: int) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(year, month, day, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)


async def _factor(**values: Any) -> None:
    data = msgspec.convert(
        {"region": "DE", "year": 2025, "method": "location", "source": "test", **values},
        FactorCreate,
    )
    await actions.create_factor(actor=await builders.system(), data=data)


async def _site_with_data() -> tuple[int, int]:
    region = await builders.region()
    site = await builders.site(region.id, floor_area_m2=200, desks=20)
    electricity = await meter(site.id)
    # January 3100 kWh, February 2800 kWh (readings at local midnight).
    await reading(electricity.id, 10_000, berlin_midnight(2025, 1, 1))
    await reading(electricity.id, 13_100, berlin_midnight(2025, 2, 1))
    await reading(electricity.id, 15_900, berlin_midnight(2025, 3, 1))
    gas = await meter(
        site.id,
        name="Gas",
        carrier="natural_gas",
        unit="m3",
        correction_factor=0.95,
        calorific_value=11.0,
    )
    # A bill 15 Jan – 14 Feb (31 days): 310 m³ → 17 days in January, 14 in February.
    await actions.add_period(
        actor=await builders.system(),
        meter_id=gas.id,
        data=PeriodCreate(
            starts_on=date(2025, 1, 15), ends_on=date(2025, 2, 14), quantity=310, cost=124
        ),
    )
    for carrier, kg in (("waste_residual", 30), ("waste_paper", 70)):
        waste = await meter(site.id, name=carrier, carrier=carrier, unit="kg")
        await actions.add_period(
            actor=await builders.system(),
            meter_id=waste.id,
            data=PeriodCreate(starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 31), quantity=kg),
        )
    await actions.set_occupancy(
        actor=await builders.system(),
        site_id=site.id,
        month=date(2025, 1, 1),
        data=OccupancySet(visits=500),
    )
    await _factor(carrier="electricity_grid", value=0.4)
    await _factor(carrier="natural_gas", value=0.2)
    return region.id, site.id


async def test_results_of_a_site(make_client) -> None:
    region_id, site_id = await _site_with_data()
    await _factor(carrier="electricity_grid", method="market", value=0.1)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region_id])
    api = await builders.api(make_client, ops)
    response = await api.get(f"/api/v1/sustainability/results?year=2025&site_id={site_id}")
    assert response.status_code == 200, response.text
    body = response.json()
    january, february, march = body["months"][:3]
    carriers = {c["carrier"]: c for c in january["carriers"]}
    assert carriers["electricity_grid"]["quantity"] == pytest.approx(3100)
    gas_january = 170 * 0.95 * 11.0  # 17/31 of 310 m³, then × Zustandszahl × Brennwert
    assert carriers["natural_gas"]["quantity"] == pytest.approx(gas_january)
    assert carriers["natural_gas"]["cost"] == pytest.approx(68)
    assert january["scope1_kg"] == pytest.approx(gas_january * 0.2)
    assert january["scope2_location_kg"] == pytest.approx(3100 * 0.4)
    assert january["scope2_market_kg"] == pytest.approx(3100 * 0.1)
    assert january["market_fallback"] is False
    location = gas_january * 0.2 + 3100 * 0.4
    intensities = january["intensities"]
    assert intensities["co2e_location_kg_per_m2"] == pytest.approx(location / 200)
    assert intensities["co2e_location_kg_per_desk"] == pytest.approx(location / 20)
    assert intensities["co2e_location_kg_per_visit"] == pytest.approx(location / 500)
    assert intensities["energy_kwh_per_m2"] == pytest.approx((3100 + gas_january) / 200)
    assert january["diversion_rate"] == pytest.approx(70)
    assert february["scope2_location_kg"] == pytest.approx(2800 * 0.4)
    assert february["intensities"]["co2e_location_kg_per_visit"] is None
    assert march["carriers"] == []
    total = body["total"]
    assert total["energy_kwh"] == pytest.approx(5900 + 310 * 0.95 * 11.0)
    # Per visit over the year: only the months that have an occupancy figure.
    assert total["intensities"]["co2e_location_kg_per_visit"] == pytest.approx(location / 500)
    assert len(body["factor_ids"]) == 3


async def test_missing_factor_and_market_fallback_are_shown(make_client) -> None:
    _region_id, site_id = await _site_with_data()
    heat = await meter(site_id, name="Heat", carrier="district_heating", unit="MWh")
    await actions.add_period(
        actor=await builders.system(),
        meter_id=heat.id,
        data=PeriodCreate(starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 31), quantity=2),
    )
    admin = await builders.api(make_client, await builders.user(Role.admin))
    january = (await admin.get("/api/v1/sustainability/results?year=2025")).json()["months"][0]
    assert january["missing_factors"] == ["district_heating"]
    assert january["market_fallback"] is True
    assert january["scope2_market_kg"] == pytest.approx(january["scope2_location_kg"])


async def test_results_and_lists_cover_only_the_callers_sites(make_client) -> None:
    _region_id, site_id = await _site_with_data()
    other_region, other_site = await _site_with_data()
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site_id])
    api = await builders.api(make_client, cm)
    body = (await api.get("/api/v1/sustainability/results?year=2025")).json()
    assert body["site_count"] == 1
    assert body["months"][0]["energy_kwh"] == pytest.approx(3100 + 170 * 0.95 * 11.0)
    meters = (await api.get("/api/v1/sustainability/meters")).json()
    assert meters and {m["site_id"] for m in meters} == {site_id}
    assert other_site != site_id and other_region


async def test_year_out_of_range_names_year(make_client) -> None:
    admin = await builders.api(make_client, await builders.user(Role.admin))
    response = await admin.get("/api/v1/sustainability/results?year=99999")
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "year"


async def test_supplier_factor_of_a_meter_for_market_based(make_client) -> None:
    region_id, site_id = await _site_with_data()
    await _factor(carrier="electricity_grid", method="market", value=0.3)
    admin = await builders.api(make_client, await builders.user(Role.admin))
    meters = (await admin.get(f"/api/v1/sustainability/meters?site_id={site_id}")).json()
    power = next(m for m in meters if m["carrier"] == "electricity_grid")
    missing = await admin.patch(
        f"/api/v1/sustainability/meters/{power['id']}", json={"market_factor": 0.02}
    )
    assert missing.status_code == 422
    assert missing.json()["fields"][0]["field"] == "market_factor_source"
    changed = await admin.patch(
        f"/api/v1/sustainability/meters/{power['id']}",
        json={"market_factor": 0.02, "market_factor_source": "Supplier green tariff 2025"},
    )
    assert changed.status_code == 200, changed.text
    body = (await admin.get(f"/api/v1/sustainability/results?year=2025&site_id={site_id}")).json()
    january = body["months"][0]
    assert january["scope2_market_kg"] == pytest.approx(3100 * 0.02)
    assert january["scope2_location_kg"] == pytest.approx(3100 * 0.4)
    gas = next(m for m in meters if m["carrier"] == "natural_gas")
    wrong = await admin.patch(
        f"/api/v1/sustainability/meters/{gas['id']}",
        json={"market_factor": 0.02, "market_factor_source": "x"},
    )
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["field"] == "market_factor"
    assert region_id


async def test_years_read_together_equal_each_year_alone() -> None:
    """The report reads its year and the year before in one go: the same figures as two
    separate results."""
    from facilities.sustainability import results

    region_id, _site_id = await _site_with_data()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region_id])
    me = builders.principal(ops)
    together = await results.results_of_years(me, first=2024, last=2025, region_id=region_id)
    alone = [await results.results(me, year=y, region_id=region_id) for y in (2024, 2025)]
    assert together == alone
    assert together[1].total.energy_kwh > 0 and together[0].total.energy_kwh == 0
