"""Targets: a site's or a region's reduction against a baseline year, with progress; a target
year before its baseline is refused naming the field; foreign ids answer 404 or 422."""

from __future__ import annotations

import pytest

from facilities.accounts.enums import Role
from facilities.sustainability.targets import progress
from tests import builders
from tests.sustainability.test_results import _site_with_data


def test_progress_on_a_straight_path() -> None:
    # -40 % from 2020 to 2030: in 2025 the path stands at -20 %.
    p = progress(
        baseline=1000,
        current=850,
        baseline_year=2020,
        target_year=2030,
        reduction_pct=40,
        year=2025,
    )
    assert p.goal == pytest.approx(600)
    assert p.path == pytest.approx(800)
    assert p.reduction_pct == pytest.approx(15)
    assert p.on_track is False
    ahead = progress(
        baseline=1000,
        current=700,
        baseline_year=2020,
        target_year=2030,
        reduction_pct=40,
        year=2025,
    )
    assert ahead.on_track is True
    none = progress(
        baseline=0, current=5, baseline_year=2020, target_year=2030, reduction_pct=40, year=2025
    )
    assert none.reduction_pct is None and none.on_track is None


async def test_target_of_a_region_with_progress(make_client) -> None:
    region_id, site_id = await _site_with_data()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region_id])
    api = await builders.api(make_client, ops)
    created = await api.post(
        "/api/v1/sustainability/targets",
        json={
            "metric": "energy",
            "baseline_year": 2024,
            "target_year": 2030,
            "reduction_pct": 30,
            "region_id": region_id,
        },
    )
    assert created.status_code == 201, created.text
    listed = (await api.get(f"/api/v1/sustainability/targets?year=2025&site_id={site_id}")).json()
    assert [t["id"] for t in listed] == [created.json()["id"]]
    p = listed[0]["progress"]
    assert p["baseline"] == 0 and p["current"] > 0 and p["on_track"] is None


async def test_target_year_before_baseline_is_a_422(make_client) -> None:
    region_id, _site_id = await _site_with_data()
    admin = await builders.api(make_client, await builders.user(Role.admin))
    response = await admin.post(
        "/api/v1/sustainability/targets",
        json={
            "metric": "co2e",
            "baseline_year": 2025,
            "target_year": 2020,
            "reduction_pct": 50,
            "region_id": region_id,
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "target_year"
    both = await admin.post(
        "/api/v1/sustainability/targets",
        json={"metric": "co2e", "baseline_year": 2020, "target_year": 2030, "reduction_pct": 50},
    )
    assert both.status_code == 422 and both.json()["fields"][0]["field"] == "site_id"


async def test_foreign_targets_are_hidden(make_client) -> None:
    region_id, site_id = await _site_with_data()
    other_region, _other_site = await _site_with_data()
    admin = await builders.api(make_client, await builders.user(Role.admin))
    foreign = await admin.post(
        "/api/v1/sustainability/targets",
        json={
            "metric": "co2e",
            "baseline_year": 2020,
            "target_year": 2030,
            "reduction_pct": 50,
            "region_id": other_region,
        },
    )
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region_id])
    api = await builders.api(make_client, ops)
    assert (await api.get("/api/v1/sustainability/targets")).json() == []
    gone = await api.delete(f"/api/v1/sustainability/targets/{foreign.json()['id']}")
    assert gone.status_code == 404
    refused = await api.post(
        "/api/v1/sustainability/targets",
        json={
            "metric": "co2e",
            "baseline_year": 2020,
            "target_year": 2030,
            "reduction_pct": 50,
            "region_id": other_region,
        },
    )
    assert refused.status_code == 422 and refused.json()["fields"][0]["field"] == "region_id"
    assert site_id
