"""Readings, bills, factors and occupancy through the API: every bad input gets a plain
answer naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock
from tests import builders
from tests.sustainability.helpers import meter, reading, utc

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
READINGS = "/api/v1/sustainability/meters/{}/readings"


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _setup(make_client: Any, role: Role = Role.community_manager, **meter_values: Any):
    region = await builders.region()
    site = await builders.site(region.id, floor_area_m2=250, desks=40)
    m = await meter(site.id, **meter_values)
    u = await builders.user(role)
    if role is Role.ops_manager:
        await builders.assign(u, regions=[region.id])
    elif role in (Role.community_manager, Role.viewer):
        await builders.assign(u, sites=[site.id])
    return site, m, await builders.api(make_client, u)


def _field(response: Any) -> str:
    fields = response.json()["fields"]
    assert fields, response.json()
    return fields[0]["field"]


async def test_cm_enters_readings_and_sees_consumption(make_client) -> None:
    _site, m, api = await _setup(make_client)
    first = await api.post(
        READINGS.format(m.id), json={"value": 1000, "read_at": "2026-06-01T08:00:00Z"}
    )
    assert first.status_code == 201, first.text
    second = await api.post(READINGS.format(m.id), json={"value": 1250.5})
    assert second.status_code == 201, second.text
    assert second.json()["consumption"] == 250.5
    assert second.json()["read_at"].startswith("2026-06-15T10:00:00")
    listed = (await api.get(READINGS.format(m.id))).json()
    assert [r["value"] for r in listed] == [1250.5, 1000]


async def test_lower_reading_without_rollover_is_refused_naming_value(make_client) -> None:
    _site, m, api = await _setup(make_client)
    await reading(m.id, 5000, utc(2026, 5, 1))
    response = await api.post(READINGS.format(m.id), json={"value": 4990})
    assert response.status_code == 422
    assert _field(response) == "value"
    assert "lower than the previous one" in response.json()["message"]


async def test_rollover_and_replacement_are_accepted(make_client) -> None:
    _site, m, api = await _setup(make_client, register_digits=5)
    await reading(m.id, 99_900, utc(2026, 5, 1))
    rolled = await api.post(
        READINGS.format(m.id),
        json={"value": 50, "kind": "rollover", "read_at": "2026-05-02T00:00:00Z"},
    )
    assert rolled.status_code == 201, rolled.text
    assert rolled.json()["consumption"] == 150
    replaced = await api.post(
        READINGS.format(m.id),
        json={
            "value": 3,
            "kind": "replacement",
            "replaced_final": 200,
            "read_at": "2026-05-03T00:00:00Z",
        },
    )
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["consumption"] == 150


async def test_rollover_on_a_meter_without_register_size_names_kind(make_client) -> None:
    _site, m, api = await _setup(make_client)
    await reading(m.id, 500, utc(2026, 5, 1))
    response = await api.post(READINGS.format(m.id), json={"value": 5, "kind": "rollover"})
    assert response.status_code == 422
    assert _field(response) == "kind"


async def test_replacement_needs_the_old_final_reading(make_client) -> None:
    _site, m, api = await _setup(make_client)
    await reading(m.id, 500, utc(2026, 5, 1))
    response = await api.post(READINGS.format(m.id), json={"value": 0, "kind": "replacement"})
    assert response.status_code == 422
    assert _field(response) == "replaced_final"


async def test_reading_in_the_future_is_refused(make_client) -> None:
    _site, m, api = await _setup(make_client)
    when = (NOW + timedelta(days=1)).isoformat()
    response = await api.post(READINGS.format(m.id), json={"value": 1, "read_at": when})
    assert response.status_code == 422
    assert _field(response) == "read_at"
    assert "future" in response.json()["message"]


async def test_reading_before_the_install_date_is_refused(make_client) -> None:
    _site, m, api = await _setup(make_client, installed_on="2026-03-01")
    response = await api.post(
        READINGS.format(m.id), json={"value": 1, "read_at": "2026-02-28T12:00:00Z"}
    )
    assert response.status_code == 422
    assert _field(response) == "read_at"
    assert "installed" in response.json()["message"]


async def test_naive_time_is_refused(make_client) -> None:
    _site, m, api = await _setup(make_client)
    response = await api.post(
        READINGS.format(m.id), json={"value": 1, "read_at": "2026-06-01T08:00:00"}
    )
    assert response.status_code == 422
    assert _field(response) == "read_at"


async def test_duplicate_time_is_refused(make_client) -> None:
    _site, m, api = await _setup(make_client)
    await reading(m.id, 10, utc(2026, 6, 1))
    response = await api.post(
        READINGS.format(m.id), json={"value": 20, "read_at": "2026-06-01T00:00:00Z"}
    )
    assert response.status_code == 422
    assert _field(response) == "read_at"


async def test_reading_above_a_later_one_is_refused(make_client) -> None:
    _site, m, api = await _setup(make_client)
    await reading(m.id, 10, utc(2026, 6, 1))
    await reading(m.id, 30, utc(2026, 6, 10))
    response = await api.post(
        READINGS.format(m.id), json={"value": 40, "read_at": "2026-06-05T00:00:00Z"}
    )
    assert response.status_code == 422
    assert _field(response) == "value"


async def test_jump_of_ten_times_the_usual_needs_confirmation(make_client) -> None:
    _site, m, api = await _setup(make_client)
    # 10 kWh a day for three weeks.
    for day, value in ((1, 0), (8, 70), (15, 140), (22, 210)):
        await reading(m.id, value, utc(2026, 5, day))
    body = {"value": 210 + 7 * 101, "read_at": "2026-05-29T00:00:00Z"}
    warned = await api.post(READINGS.format(m.id), json=body)
    assert warned.status_code == 409
    assert _field(warned) == "confirm_jump"
    assert "ten times" in warned.json()["message"]
    confirmed = await api.post(READINGS.format(m.id), json={**body, "confirm_jump": True})
    assert confirmed.status_code == 201, confirmed.text
    # Within ten times: no question asked.
    normal = await api.post(
        READINGS.format(m.id), json={"value": 917 + 7 * 99, "read_at": "2026-06-05T00:00:00Z"}
    )
    assert normal.status_code == 201, normal.text


async def test_negative_reading_names_value(make_client) -> None:
    _site, m, api = await _setup(make_client)
    response = await api.post(READINGS.format(m.id), json={"value": -1})
    assert response.status_code == 422
    assert _field(response) == "value"
    assert "Expected" not in response.text


async def test_every_reading_is_audited(make_client) -> None:
    from facilities import db

    _site, m, api = await _setup(make_client)
    await api.post(READINGS.format(m.id), json={"value": 10})
    rows = await db.raw(
        "SELECT action, object_id FROM audit_event WHERE action = {}", "meter_reading.create"
    )
    assert [(r["action"], r["object_id"]) for r in rows] == [("meter_reading.create", str(m.id))]


# ---- bill periods -------------------------------------------------------------------------

PERIODS = "/api/v1/sustainability/meters/{}/periods"


async def test_bill_periods_may_share_one_boundary_day_but_not_overlap(make_client) -> None:
    _site, m, api = await _setup(make_client)
    january = {"starts_on": "2026-01-01", "ends_on": "2026-02-01", "quantity": 310, "cost": 93}
    assert (await api.post(PERIODS.format(m.id), json=january)).status_code == 201
    february = {"starts_on": "2026-02-01", "ends_on": "2026-02-28", "quantity": 280}
    assert (await api.post(PERIODS.format(m.id), json=february)).status_code == 201
    overlapping = {"starts_on": "2026-02-20", "ends_on": "2026-03-20", "quantity": 1}
    response = await api.post(PERIODS.format(m.id), json=overlapping)
    assert response.status_code == 409
    assert _field(response) == "starts_on"
    assert "overlaps" in response.json()["message"]
    # Another meter's bills do not count.
    other = await meter(_site.id, name="Second meter")
    assert (await api.post(PERIODS.format(other.id), json=overlapping)).status_code == 201


async def test_bill_period_backwards_or_in_the_future_is_refused(make_client) -> None:
    _site, m, api = await _setup(make_client)
    backwards = await api.post(
        PERIODS.format(m.id),
        json={"starts_on": "2026-03-01", "ends_on": "2026-02-01", "quantity": 1},
    )
    assert backwards.status_code == 422 and _field(backwards) == "ends_on"
    future = await api.post(
        PERIODS.format(m.id),
        json={"starts_on": "2026-06-01", "ends_on": "2026-07-01", "quantity": 1},
    )
    assert future.status_code == 422 and _field(future) == "ends_on"


# ---- emission factors ------------------------------------------------------------------------

FACTORS = "/api/v1/sustainability/factors"


async def test_factor_needs_a_source_and_a_non_negative_value(make_client) -> None:
    ops = await builders.user(Role.ops_manager)
    api = await builders.api(make_client, ops)
    body = {
        "carrier": "electricity_grid",
        "region": "DE",
        "year": 2025,
        "method": "market",
        "value": 0.05,
        "source": "Supplier disclosure 2025 (Stromkennzeichnung)",
    }
    no_source = await api.post(FACTORS, json={**body, "source": "  "})
    assert no_source.status_code == 422 and _field(no_source) == "source"
    negative = await api.post(FACTORS, json={**body, "value": -0.1})
    assert negative.status_code == 422 and _field(negative) == "value"
    water = await api.post(FACTORS, json={**body, "carrier": "water"})
    assert water.status_code == 422 and _field(water) == "carrier"
    first = await api.post(FACTORS, json=body)
    second = await api.post(FACTORS, json={**body, "value": 0.04})
    assert (first.status_code, second.status_code) == (201, 201)
    assert (first.json()["version"], second.json()["version"]) == (1, 2)
    assert first.json()["unit"] == "kWh"


async def test_cm_may_not_manage_factors_or_meters(make_client) -> None:
    site, _m, api = await _setup(make_client)
    body = {
        "carrier": "natural_gas",
        "region": "DE",
        "year": 2025,
        "method": "location",
        "value": 0.2,
        "source": "x",
    }
    assert (await api.post(FACTORS, json=body)).status_code == 403
    created = await api.post(
        "/api/v1/sustainability/meters",
        json={"site_id": site.id, "name": "Gas", "carrier": "natural_gas", "unit": "kWh"},
    )
    assert created.status_code == 403


async def test_seed_of_default_factors_is_idempotent() -> None:
    from facilities.sustainability import actions, queries
    from facilities.sustainability.defaults import DEFAULT_FACTORS

    assert await actions.seed_default_factors() == len(DEFAULT_FACTORS)
    assert await actions.seed_default_factors() == 0
    listed = await queries.list_factors()
    assert len(listed) == len(DEFAULT_FACTORS)
    assert all(f.shipped and "verify" in f.source for f in listed)


# ---- meters -------------------------------------------------------------------------------------

METERS = "/api/v1/sustainability/meters"


async def test_meter_settings_are_checked(make_client) -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    api = await builders.api(make_client, ops)
    wrong_unit = await api.post(
        METERS, json={"site_id": site.id, "name": "Water", "carrier": "water", "unit": "kWh"}
    )
    assert wrong_unit.status_code == 422 and _field(wrong_unit) == "unit"
    gas = {"site_id": site.id, "name": "Gas", "carrier": "natural_gas", "unit": "m3"}
    no_factor = await api.post(METERS, json=gas)
    assert no_factor.status_code == 422 and _field(no_factor) == "correction_factor"
    ok = await api.post(
        METERS, json={**gas, "correction_factor": 0.9636, "calorific_value": 11.331}
    )
    assert ok.status_code == 201, ok.text
    other_site = await builders.site(region.id)
    asset_site = await api.post(
        METERS, json={**gas, "asset_id": 999_999, "correction_factor": 1, "calorific_value": 11}
    )
    assert asset_site.status_code == 422 and _field(asset_site) == "asset_id"
    assert other_site.id != site.id
    patched = await api.patch(
        f"{METERS}/{ok.json()['id']}", json={"active": False, "name": "Gas old"}
    )
    assert patched.status_code == 200 and patched.json()["active"] is False
    cleared = await api.patch(f"{METERS}/{ok.json()['id']}", json={"correction_factor": None})
    assert cleared.status_code == 422 and _field(cleared) == "correction_factor"


async def test_meter_with_history_is_deactivated_not_deleted(make_client) -> None:
    _site, m, _api = await _setup(make_client)
    admin = await builders.api(make_client, await builders.user(Role.admin))
    await reading(m.id, 1, utc(2026, 6, 1))
    refused = await admin.delete(f"{METERS}/{m.id}")
    assert refused.status_code == 409 and _field(refused) == "active"
    empty = await meter(_site.id, name="Unused")
    assert (await admin.delete(f"{METERS}/{empty.id}")).status_code == 204


# ---- occupancy ----------------------------------------------------------------------------------


async def test_occupancy_per_month_replaces_the_figure(make_client) -> None:
    site, _m, api = await _setup(make_client)
    url = f"/api/v1/sustainability/sites/{site.id}/occupancy"
    assert (await api.put(f"{url}/2026-03-17", json={"visits": 800})).status_code == 200
    again = await api.put(f"{url}/2026-03-01", json={"visits": 850})
    assert again.json() == {"site_id": site.id, "month": "2026-03-01", "visits": 850}
    assert (await api.get(f"{url}?year=2026")).json() == [again.json()]
    negative = await api.put(f"{url}/2026-04-01", json={"visits": -3})
    assert negative.status_code == 422 and _field(negative) == "visits"
    bad = await api.put(f"{url}/2026-13", json={"visits": 3})
    assert bad.status_code == 422 and _field(bad) == "month"
    assert "YYYY-MM" in bad.json()["message"]
