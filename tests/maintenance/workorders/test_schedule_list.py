"""The schedule list resolves the covered sites of all schedules at once (no query per
schedule) and still shows each caller only the schedules of its sites."""

from __future__ import annotations

from typing import Any

from tests import assets_builders, builders

RULE = {"rrule": "FREQ=MONTHLY;BYMONTHDAY=1", "dtstart_local": "2027-01-01T08:00:00"}


async def test_each_caller_lists_the_schedules_of_its_sites(make_client) -> None:
    world = await assets_builders.world()
    category = await assets_builders.category("Air handling unit")
    here = await assets_builders.asset(world.site.id)
    there = await assets_builders.asset(world.other_site.id)
    admin = await builders.api(make_client, world.admin)

    async def create(name: str, **values: Any) -> int:
        response = await admin.post("/api/v1/pm/schedules", json={"name": name, **RULE, **values})
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    by_asset_here = await create("A asset here", asset_id=here.id)
    by_sites_here = await create("B sites here", category_id=category.id, site_ids=[world.site.id])
    by_region_there = await create(
        "C region there", category_id=category.id, region_id=world.other_site.region_id
    )
    by_asset_there = await create("D asset there", asset_id=there.id)
    both = await create(
        "E both sites", category_id=category.id, site_ids=[world.site.id, world.other_site.id]
    )

    async def listed(user: Any) -> list[int]:
        client = await builders.api(make_client, user)
        response = await client.get("/api/v1/pm/schedules")
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()]

    assert await listed(world.cm) == [by_asset_here, by_sites_here, both]
    assert await listed(world.cm_other) == [by_region_there, by_asset_there, both]
    assert await listed(world.admin) == [
        by_asset_here,
        by_sites_here,
        by_region_there,
        by_asset_there,
        both,
    ]
    everything = (await admin.get("/api/v1/pm/schedules")).json()
    assert [s["site_ids"] for s in everything] == [
        [],
        [world.site.id],
        [],
        [],
        sorted([world.site.id, world.other_site.id]),
    ]

    page = await builders.browser_session(make_client, world.cm)
    html = (await page.get("/schedules")).text
    assert "A asset here" in html and "E both sites" in html
    assert "C region there" not in html and "D asset there" not in html
