"""One meter model: an asset's operating-hours or counter meter is a ``meter`` like any other.
Readings at the asset's addresses go through ``record_reading`` (checks, rollover,
replacement, QR label, audit); such meters never reach a monthly figure or a result; PM reads
them through ``assets.meters.asset_registers``; the migration turns the old
``asset_meter_reading`` rows into meters and readings."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.assets import actions as asset_actions
from facilities.assets import meters
from facilities.assets.queries import target_codes
from facilities.assets.schemas import AssetUpdate
from facilities.db import raw
from facilities.kit import clock
from facilities.sustainability import queries
from facilities.sustainability.piccolo_migrations import (
    sustainability_2026_12_07t11_50_01_000000 as move_migration,
)
from facilities.sustainability.tables import Meter, MeterMonth, MeterReading
from tests import assets_builders, builders
from tests.sustainability.helpers import meter, reading, utc

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _world(make_client: Any):
    region = await builders.region()
    site = await builders.site(region.id)
    other = await builders.site(region.id)
    asset = await assets_builders.asset(site.id, name="Boiler 1")
    foreign = await assets_builders.asset(other.id)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    return site, asset, foreign, await builders.api(make_client, cm)


async def test_asset_readings_make_one_meter_with_label_and_no_figures(make_client) -> None:
    site, asset, foreign, api = await _world(make_client)
    url = f"/api/v1/assets/{asset.id}/meter-readings"
    first = await api.post(url, json={"value": 100, "read_at": "2026-04-01T08:00:00Z"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["unit"] == "h" and body["kind"] == "regular" and body["replacement"] is False
    for value, day in ((300, "2026-05-01"), (520, "2026-06-01")):
        saved = await api.post(url, json={"value": value, "read_at": f"{day}T08:00:00Z"})
        assert saved.status_code == 201, saved.text
    listed = (await api.get(url)).json()
    assert [r["value"] for r in listed] == [520.0, 300.0, 100.0]
    # One meter of the one model: site, asset, carrier, a QR label, audited creation.
    meters_of_site = (await api.get(f"/api/v1/sustainability/meters?site_id={site.id}")).json()
    assert len(meters_of_site) == 1
    found = meters_of_site[0]
    assert found["carrier"] == "operating_hours" and found["asset_id"] == asset.id
    assert found["name"] == "Boiler 1" and found["qr_code"]
    assert found["id"] == body["meter_id"]
    # Never an energy, carbon or reported figure.
    assert await MeterMonth.count().where(MeterMonth.meter == found["id"]) == 0
    results = (await api.get(f"/api/v1/sustainability/results?year=2026&site_id={site.id}")).json()
    assert results["total"]["carriers"] == []
    assert all(m["carriers"] == [] for m in results["months"])
    # Another site's asset answers 404, both ways.
    foreign_url = f"/api/v1/assets/{foreign.id}/meter-readings"
    assert (await api.post(foreign_url, json={"value": 1})).status_code == 404
    assert (await api.get(foreign_url)).status_code == 404


async def test_asset_readings_keep_the_reading_rules(make_client) -> None:
    _site, asset, _foreign, api = await _world(make_client)
    url = f"/api/v1/assets/{asset.id}/meter-readings"
    for value, day in ((100, 1), (110, 2), (120, 3), (130, 4)):
        saved = await api.post(url, json={"value": value, "read_at": f"2026-06-0{day}T08:00:00Z"})
        assert saved.status_code == 201, saved.text
    future = await api.post(url, json={"value": 140, "read_at": "2026-07-01T08:00:00Z"})
    assert future.status_code == 422 and future.json()["fields"][0]["field"] == "read_at"
    lower = await api.post(url, json={"value": 90, "read_at": "2026-06-05T08:00:00Z"})
    assert lower.status_code == 422 and lower.json()["fields"][0]["field"] == "value"
    jump = await api.post(url, json={"value": 5000, "read_at": "2026-06-05T08:00:00Z"})
    assert jump.status_code == 409 and jump.json()["fields"][0]["field"] == "confirm_jump"
    # A swapped meter: the old one's final value defaults to its previous reading.
    swapped = await api.post(
        url, json={"value": 2, "replacement": True, "read_at": "2026-06-06T08:00:00Z"}
    )
    assert swapped.status_code == 201, swapped.text
    assert swapped.json()["kind"] == "replacement" and swapped.json()["replaced_final"] == 130.0
    registers = await meters.asset_registers()
    register = registers[asset.id]
    assert [(r.value, r.replacement) for r in register.readings][-2:] == [
        (Decimal("130.000"), False),
        (Decimal("2.000"), True),
    ]
    assert register.cumulative()[-1][1] == Decimal(30)


async def test_a_moved_asset_takes_its_meter_to_the_new_site(make_client) -> None:
    _site, asset, foreign, api = await _world(make_client)
    url = f"/api/v1/assets/{asset.id}/meter-readings"
    assert (await api.post(url, json={"value": 100, "read_at": "2026-06-01T08:00:00Z"})).is_success
    new_site = foreign.site_id
    moved = await asset_actions.update_asset(
        actor=await builders.system(),
        asset_id=asset.id,
        data=AssetUpdate(version=asset.version, site_id=new_site),
    )
    assert moved.site_id == new_site
    there = await builders.user(Role.community_manager)
    await builders.assign(there, sites=[new_site])
    there_api = await builders.api(make_client, there)
    saved = await there_api.post(url, json={"value": 150, "read_at": "2026-06-10T08:00:00Z"})
    assert saved.status_code == 201, saved.text
    meter_id = saved.json()["meter_id"]
    listed = (await there_api.get(f"/api/v1/sustainability/meters?site_id={new_site}")).json()
    assert [m["id"] for m in listed] == [meter_id]
    # The old site's manager no longer sees it; the history stayed with the meter.
    assert (await api.post(url, json={"value": 160})).status_code == 404
    assert [r["value"] for r in (await there_api.get(url)).json()] == [150.0, 100.0]


async def test_usage_meters_belong_to_one_asset(make_client) -> None:
    site, asset, _foreign, _api = await _world(make_client)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[site.region_id])
    api = await builders.api(make_client, ops)
    base = {"site_id": site.id, "name": "Hours", "carrier": "operating_hours", "unit": "h"}
    no_asset = await api.post("/api/v1/sustainability/meters", json=base)
    assert no_asset.status_code == 422 and no_asset.json()["fields"][0]["field"] == "asset_id"
    first = await api.post("/api/v1/sustainability/meters", json={**base, "asset_id": asset.id})
    assert first.status_code == 201, first.text
    second = await api.post(
        "/api/v1/sustainability/meters",
        json={**base, "carrier": "counter", "unit": "count", "asset_id": asset.id},
    )
    assert second.status_code == 409 and second.json()["fields"][0]["field"] == "asset_id"
    bill = await api.post(
        f"/api/v1/sustainability/meters/{first.json()['id']}/periods",
        json={"starts_on": "2026-05-01", "ends_on": "2026-05-31", "quantity": 300},
    )
    assert bill.status_code == 422 and bill.json()["fields"][0]["field"] == "quantity"


async def test_rollover_reaches_pm_usage() -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    asset = await assets_builders.asset(site.id)
    m = await meter(
        site.id,
        name="Cycles",
        carrier="counter",
        unit="count",
        asset_id=asset.id,
        register_digits=4,
    )
    await reading(m.id, 9900, utc(2026, 6, 1))
    await reading(m.id, 9990, utc(2026, 6, 2))
    await reading(m.id, 60, utc(2026, 6, 3), kind="rollover")
    register = (await meters.asset_registers())[asset.id]
    assert register.rollover_at == Decimal(10000)
    assert register.cumulative()[-1][1] == Decimal(160)


async def test_migration_moves_old_asset_readings() -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    asset = await assets_builders.asset(site.id, name="Pump 3")
    await raw(
        "CREATE TABLE meter_reading_move (id INTEGER, asset INTEGER, value NUMERIC(16, 2),"
        " read_at TIMESTAMP WITH TIME ZONE, replacement BOOLEAN, entered_by INTEGER,"
        " note VARCHAR(300), created_at TIMESTAMP WITH TIME ZONE)"
    )
    rows = [
        (1, Decimal("100.50"), utc(2026, 5, 1), False),
        (2, Decimal("150"), utc(2026, 5, 3), False),
        (3, Decimal("151"), utc(2026, 5, 3), False),  # same moment: the later row wins
        (4, Decimal("4"), utc(2026, 5, 9), True),
    ]
    for row_id, value, at, replacement in rows:
        await raw(
            "INSERT INTO meter_reading_move VALUES ({}, {}, {}, {}, {}, NULL, 'old', {})",
            row_id,
            asset.id,
            value,
            at,
            replacement,
            at,
        )
    manager = await move_migration.forwards()
    await manager.run()
    made = await Meter.select().where(Meter.asset == asset.id)
    assert len(made) == 1
    assert made[0]["carrier"] == "operating_hours" and made[0]["unit"] == "h"
    assert made[0]["site"] == site.id and made[0]["name"] == "Pump 3"
    moved = (
        await MeterReading.select(
            MeterReading.value, MeterReading.kind, MeterReading.replaced_final
        )
        .where(MeterReading.meter == made[0]["id"])
        .order_by(MeterReading.read_at)
    )
    assert [(Decimal(str(r["value"])), r["kind"]) for r in moved] == [
        (Decimal("100.5"), "regular"),
        (Decimal("151"), "regular"),
        (Decimal("4"), "replacement"),
    ]
    assert Decimal(str(moved[2]["replaced_final"])) == Decimal("151")
    assert not await move_migration._table_exists("meter_reading_move")
    # The moved meter has its label code, so printing its label only reads.
    assert made[0]["id"] in await target_codes(queries.METER_LABEL, [made[0]["id"]])
    assert (await meters.asset_registers())[asset.id].cumulative()[-1][1] == Decimal("50.5")


async def test_a_usage_meter_page_calls_it_a_kind_not_an_energy_carrier(make_client) -> None:
    site, asset, _foreign, api = await _world(make_client)
    made = await api.post(f"/api/v1/assets/{asset.id}/meter-readings", json={"value": 100})
    assert made.status_code == 201, made.text
    cm = await builders.user(Role.community_manager, locale="de")
    await builders.assign(cm, sites=[site.id])
    page = await (await builders.browser_session(make_client, cm)).get(
        f"/sustainability/meters/{made.json()['meter_id']}"
    )
    assert page.status_code == 200
    assert "<dt>Art</dt><dd>Betriebsstunden · h</dd>" in page.text
    assert "Energieträger" not in page.text
