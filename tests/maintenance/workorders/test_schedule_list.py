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
        return [s["id"] for s in response.json()["items"]]

    assert await listed(world.cm) == [by_asset_here, by_sites_here, both]
    assert await listed(world.cm_other) == [by_region_there, by_asset_there, both]
    assert await listed(world.admin) == [
        by_asset_here,
        by_sites_here,
        by_region_there,
        by_asset_there,
        both,
    ]
    everything = (await admin.get("/api/v1/pm/schedules")).json()["items"]
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


async def test_search_filters_sort_and_pages(make_client) -> None:
    world = await assets_builders.world()
    category = await assets_builders.category("Boilers")
    here = await assets_builders.asset(world.site.id)
    admin = await builders.api(make_client, world.admin)
    ids = {}
    for name, values in (
        ("Boiler service", {"asset_id": here.id, "priority": "p2"}),
        ("Gutter 100% clean", {"category_id": category.id, "site_ids": [world.site.id]}),
        ("Fire doors", {"category_id": category.id, "site_ids": [world.other_site.id]}),
    ):
        response = await admin.post("/api/v1/pm/schedules", json={"name": name, **RULE, **values})
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    paused = await admin.patch(
        f"/api/v1/pm/schedules/{ids['Fire doors']}", json={"active": False, "version": 1}
    )
    assert paused.status_code == 200, paused.text

    async def names(query: str) -> list[str]:
        response = await admin.get(f"/api/v1/pm/schedules?{query}")
        assert response.status_code == 200, response.text
        return [s["name"] for s in response.json()["items"]]

    assert await names("q=boil") == ["Boiler service"]
    assert await names("q=100%25") == ["Gutter 100% clean"]
    assert await names("active=false") == ["Fire doors"]
    assert await names("priority=p2") == ["Boiler service"]
    assert await names(f"site_id={world.site.id}") == ["Boiler service", "Gutter 100% clean"]
    assert await names("sort=newest") == ["Fire doors", "Gutter 100% clean", "Boiler service"]
    listed = (await admin.get("/api/v1/pm/schedules?limit=1&offset=1")).json()
    assert listed["total"] == 3 and [s["name"] for s in listed["items"]] == ["Fire doors"]
    assert (await admin.get("/api/v1/pm/schedules?mode=weekly")).status_code == 422

    page = await builders.browser_session(make_client, world.admin)
    html = (await page.get("/schedules?q=&mode=&active=false&sort=name")).text
    assert "Fire doors" in html and "Boiler service" not in html
    for name in ("mode", "priority", "active", "sort"):
        assert f'<select name="{name}">' in html, name
