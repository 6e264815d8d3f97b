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


async def test_progress_of_many_targets_equals_their_results(make_client) -> None:
    """Progress is read for all targets at once; each figure equals the total of the
    target's own results (a region: its active sites, refrigerant top-ups included)."""
    from datetime import UTC, datetime

    from facilities.kit import clock
    from facilities.sites.tables import Site
    from tests import workorders_builders as wb
    from tests.sustainability.helpers import meter, reading

    region_id, site_id = await _site_with_data()
    second = await builders.site(region_id, floor_area_m2=100)
    power = await meter(second.id)
    with clock.pinned(datetime(2025, 9, 1, tzinfo=UTC)):
        await reading(power.id, 0, datetime(2024, 12, 31, 23, tzinfo=UTC))
        await reading(power.id, 900, datetime(2025, 1, 31, 23, tzinfo=UTC))
    archived = await builders.site(region_id)
    gone = await meter(archived.id)
    with clock.pinned(datetime(2025, 9, 1, tzinfo=UTC)):
        await reading(gone.id, 0, datetime(2024, 12, 31, 23, tzinfo=UTC))
        await reading(gone.id, 5000, datetime(2025, 1, 31, 23, tzinfo=UTC))
    await Site.update({Site.archived: True}).where(Site.id == archived.id)
    order = await wb.work_order(second.id, trade="hvac")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region_id])
    api = await builders.api(make_client, ops)
    with clock.pinned(datetime(2025, 7, 14, 10, tzinfo=UTC)):
        top_up = await api.post(
            f"/api/v1/work-orders/{order.id}/costs",
            json={
                "kind": "refrigerant",
                "gas": "R-32",
                "description": "Top-up",
                "quantity": "2",
                "unit_cost": "80",
            },
        )
    assert top_up.status_code == 201, top_up.text
    made = []
    for body in (
        {"metric": "co2e", "region_id": region_id},
        {"metric": "energy", "region_id": region_id},
        {"metric": "energy", "site_id": site_id},
        {"metric": "co2e", "site_id": second.id},
        {"metric": "co2e", "site_id": archived.id},
    ):
        created = await api.post(
            "/api/v1/sustainability/targets",
            json={"baseline_year": 2024, "target_year": 2030, "reduction_pct": 30, **body},
        )
        assert created.status_code == 201, created.text
        made.append(created.json()["id"])
    listed = (await api.get("/api/v1/sustainability/targets?year=2025")).json()
    assert [t["id"] for t in listed] == made
    for target in listed:
        where = (
            {"site_id": target["site_id"]}
            if target["site_id"]
            else {"region_id": target["region_id"]}
        )
        for key, year in (("current", 2025), ("baseline", 2024)):
            total = (
                await api.get("/api/v1/sustainability/results", params={"year": year, **where})
            ).json()["total"]
            expected = (
                total["energy_kwh"]
                if target["metric"] == "energy"
                else total["scope1_kg"] + total["scope2_location_kg"]
            )
            assert target["progress"][key] == pytest.approx(expected), (target, key)
    by_id = {t["id"]: t["progress"] for t in listed}
    assert by_id[made[3]]["current"] == pytest.approx(900 * 0.4 + 2 * 771)  # R-32, AR6
    assert by_id[made[4]]["current"] == pytest.approx(5000 * 0.4)  # archived: its own target
    assert by_id[made[1]]["current"] == pytest.approx(
        by_id[made[2]]["current"] + 900
    )  # the region: without the archived site
