"""The schedule and meter-reading API: bad input gets a clear answer naming the field."""

from __future__ import annotations

from facilities.accounts.enums import Role
from facilities.kit import clock
from tests import assets_builders, builders
from tests.maintenance.pm.helpers import utc


async def _world():  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    asset = await assets_builders.asset(world.site.id)
    foreign = await assets_builders.asset(world.other_site.id)
    return world, asset, foreign


BASE = {
    "name": "Filters",
    "rrule": "FREQ=MONTHLY;BYMONTHDAY=1",
    "dtstart_local": "2027-01-01T08:00:00",
}


async def test_create_with_builder_fields_and_read_back(make_client) -> None:  # type: ignore[no-untyped-def]
    world, asset, _ = await _world()
    client = await builders.api(make_client, world.cm)
    body = {
        "name": "Filters",
        "asset_id": asset.id,
        "recurrence": {"frequency": "monthly", "interval": 3, "weekdays": ["MO"], "nth": 1},
        "dtstart_local": "2027-01-04T08:00:00",
        "lead_days": 3,
    }
    response = await client.post("/api/v1/pm/schedules", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["rrule"] == "FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO"
    assert created["site_ids"] == [] and created["asset_id"] == asset.id
    listed = await client.get("/api/v1/pm/schedules")
    assert [s["id"] for s in listed.json()["items"]] == [created["id"]]
    # Another site's community manager does not see it.
    other = await builders.api(make_client, world.cm_other)
    assert (await other.get(f"/api/v1/pm/schedules/{created['id']}")).status_code == 404
    assert (await other.get("/api/v1/pm/schedules")).json()["items"] == []


async def test_invalid_and_impossible_rules_name_rrule(make_client) -> None:  # type: ignore[no-untyped-def]
    world, asset, _ = await _world()
    client = await builders.api(make_client, world.ops)
    for rule in ("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", "FREQ=SOMETIMES", "BYDAY=XX"):
        response = await client.post(
            "/api/v1/pm/schedules", json={**BASE, "asset_id": asset.id, "rrule": rule}
        )
        assert response.status_code == 422, (rule, response.text)
        assert response.json()["fields"][0]["field"] == "rrule", rule
    preview = await client.post(
        "/api/v1/pm/schedules/preview",
        json={
            "rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "dtstart_local": "2027-01-01T08:00:00",
        },
    )
    assert preview.status_code == 422
    assert preview.json()["fields"][0]["field"] == "rrule"


async def test_preview_in_the_site_time_zone(make_client) -> None:  # type: ignore[no-untyped-def]
    region = await builders.region()
    site = await builders.site(region.id, time_zone="America/New_York", holiday_country="US")
    client = await builders.api(make_client, await builders.user())
    with clock.pinned(utc(2027, 3, 1)):
        response = await client.post(
            "/api/v1/pm/schedules/preview",
            json={
                "rrule": "FREQ=WEEKLY;BYDAY=MO",
                "dtstart_local": "2027-03-01T09:00:00",
                "site_id": site.id,
                "count": 3,
            },
        )
    assert response.status_code == 200, response.text
    # 14 March 2027: DST starts in the US; 09:00 local stays 09:00.
    assert response.json()["occurrences"] == [
        "2027-03-01T09:00:00-05:00",
        "2027-03-08T09:00:00-05:00",
        "2027-03-15T09:00:00-04:00",
    ]


async def test_community_manager_cannot_schedule_at_a_foreign_site(make_client) -> None:  # type: ignore[no-untyped-def]
    world, _asset, foreign = await _world()
    category = await assets_builders.category()
    client = await builders.api(make_client, world.cm)
    response = await client.post("/api/v1/pm/schedules", json={**BASE, "asset_id": foreign.id})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "asset_id"
    response = await client.post(
        "/api/v1/pm/schedules",
        json={**BASE, "category_id": category.id, "site_ids": [world.site.id, world.other_site.id]},
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "site_ids"
    response = await client.post(
        "/api/v1/pm/schedules",
        json={**BASE, "category_id": category.id, "region_id": world.other_site.region_id},
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "region_id"
    ok = await client.post(
        "/api/v1/pm/schedules",
        json={**BASE, "category_id": category.id, "site_ids": [world.site.id]},
    )
    assert ok.status_code == 201, ok.text


async def test_partner_and_viewer_may_not_manage_schedules(make_client) -> None:  # type: ignore[no-untyped-def]
    world, asset, _ = await _world()
    partner = await builders.user(Role.partner)
    for user in (partner, world.viewer):
        client = await builders.api(make_client, user)
        response = await client.post("/api/v1/pm/schedules", json={**BASE, "asset_id": asset.id})
        assert response.status_code == 403, user.role


async def test_stale_edit_is_a_conflict(make_client) -> None:  # type: ignore[no-untyped-def]
    world, asset, _ = await _world()
    client = await builders.api(make_client, world.ops)
    created = (
        await client.post("/api/v1/pm/schedules", json={**BASE, "asset_id": asset.id})
    ).json()
    first = await client.patch(
        f"/api/v1/pm/schedules/{created['id']}", json={"version": 1, "name": "Renamed"}
    )
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = await client.patch(
        f"/api/v1/pm/schedules/{created['id']}", json={"version": 1, "name": "Again"}
    )
    assert stale.status_code == 409
    bad = await client.patch(
        f"/api/v1/pm/schedules/{created['id']}",
        json={"version": 2, "rrule": "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31"},
    )
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "rrule"


async def test_meter_reading_lower_than_the_last_needs_replacement(make_client) -> None:  # type: ignore[no-untyped-def]
    world, asset, foreign = await _world()
    client = await builders.api(make_client, world.cm)
    url = f"/api/v1/assets/{asset.id}/meter-readings"
    assert (await client.post(url, json={"value": 120.5})).status_code == 201
    lower = await client.post(url, json={"value": 100})
    assert lower.status_code == 422
    assert lower.json()["fields"][0]["field"] == "value"
    replaced = await client.post(url, json={"value": 3, "replacement": True})
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["replacement"] is True
    listed = await client.get(url)
    assert [r["value"] for r in listed.json()] == [3.0, 120.5]
    foreign_url = f"/api/v1/assets/{foreign.id}/meter-readings"
    assert (await client.post(foreign_url, json={"value": 1})).status_code == 404


async def test_meter_reading_page_form(make_client) -> None:  # type: ignore[no-untyped-def]
    world, asset, _ = await _world()
    client = await builders.browser_session(make_client, world.cm)
    path = f"/assets/{asset.id}/meter-readings"
    saved = await builders.post_form(client, path, {"value": "50"}, form_page=path)
    assert saved.status_code in (302, 303)
    lower = await builders.post_form(client, path, {"value": "10"}, form_page=path)
    assert lower.status_code == 422
    assert "replacement" in lower.text and 'aria-invalid="true"' in lower.text
    ok = await builders.post_form(
        client, path, {"value": "10", "replacement": "on"}, form_page=path
    )
    assert ok.status_code in (302, 303)
