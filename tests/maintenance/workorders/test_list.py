"""The work-order list people can work with: search, filters, sort, pages, overdue marker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.maintenance.tables import WorkOrder
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb


async def _world() -> tuple[wb.World, dict[str, int]]:
    w = await wb.world()
    boiler = await mb.asset(w.site.id, "Boiler Vaillant ecoTEC")
    orders = {
        "late": (await wb.work_order(w.site.id, priority="p1")).id,
        "soon": (await wb.work_order(w.site.id, title="Replace 100% of the filters")).id,
        "boiler": (await wb.work_order(w.site.id, asset_id=boiler, priority="p2")).id,
        "partner": (
            await wb.work_order(w.other_site.id, partner_organisation_id=w.partner_org_id)
        ).id,
    }
    now = clock.now()
    await WorkOrder.update({WorkOrder.due_at: now - timedelta(hours=3)}).where(
        WorkOrder.id == orders["late"]
    )
    await WorkOrder.update({WorkOrder.due_at: now + timedelta(days=2)}).where(
        WorkOrder.id == orders["soon"]
    )
    return w, orders


async def _ids(api: Any, query: str) -> list[int]:
    response = await api.get(f"/api/v1/work-orders?{query}")
    assert response.status_code == 200, response.text
    return [o["id"] for o in response.json()["items"]]


async def test_api_filters_search_and_sorts(make_client: Any) -> None:
    w, orders = await _world()
    api = await builders.api(make_client, await builders.user(Role.admin))
    assert await _ids(api, "overdue=true") == [orders["late"]]
    assert await _ids(api, "priority=p2") == [orders["boiler"]]
    assert await _ids(api, f"partner_organisation_id={w.partner_org_id}") == [orders["partner"]]
    assert await _ids(api, "q=vaillant") == [orders["boiler"]]  # the asset's name
    assert await _ids(api, "q=100%25") == [orders["soon"]]  # a wildcard is a character
    assert await _ids(api, f"q=%23{orders['late']}") == [orders["late"]]  # "#12"
    assert await _ids(api, "q=_") == []
    due = await _ids(api, "sort=due")
    assert due[:2] == [orders["late"], orders["soon"]]
    assert (await _ids(api, "sort=newest"))[0] == orders["partner"]
    assert await _ids(api, "sort=newest&limit=1&offset=1") == [orders["boiler"]]
    bad = await api.get("/api/v1/work-orders?sort=colour")
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "sort"


async def test_the_page_has_selects_pages_and_marks_overdue_work(make_client: Any) -> None:
    w, orders = await _world()
    admin = await builders.user(Role.admin)
    client = await builders.browser_session(make_client, admin)
    response = await client.get("/work-orders?overdue=true&sort=due")
    assert response.status_code == 200
    html = response.text
    for name in ("status", "site_id", "priority", "partner_organisation_id", "trade", "sort"):
        assert f'<select name="{name}">' in html, name
    assert 'type="search" name="q"' in html
    assert f"/work-orders/{orders['late']}" in html
    assert f"/work-orders/{orders['soon']}" not in html
    assert 'class="marker late"' in html
    assert "1 work order" in html

    for _ in range(48):
        await wb.work_order(w.site.id)
    first = await client.get("/work-orders?sort=oldest")
    assert "offset=50" in first.text and "sort=oldest" in first.text
    second = await client.get("/work-orders?sort=oldest&offset=50")
    assert second.status_code == 200
    assert "← Previous" in second.text
    assert "Next →" not in second.text


async def test_unassigned_keeps_open_orders_without_partner_or_person(make_client: Any) -> None:
    w, orders = await _world()
    done = await wb.work_order(w.site.id, title="Done already")
    await WorkOrder.update({WorkOrder.status: "cancelled"}).where(WorkOrder.id == done.id)
    api = await builders.api(make_client, await builders.user(Role.admin))
    unassigned = set(await _ids(api, "unassigned=true"))
    assert unassigned == {orders["late"], orders["soon"], orders["boiler"]}
    admin = await builders.user(Role.admin)
    client = await builders.browser_session(make_client, admin)
    page = await client.get("/work-orders?unassigned=true")  # the home page's "See all"
    assert page.status_code == 200
    assert "3 work orders" in page.text
    assert f"/work-orders/{orders['partner']}" not in page.text
    assert 'name="unassigned" value="true" checked' in page.text


async def test_an_empty_filter_from_the_form_means_any(make_client: Any) -> None:
    await _world()
    admin = await builders.user(Role.admin)
    client = await builders.browser_session(make_client, admin)
    query = "q=&status=&site_id=&priority=&partner_organisation_id=&trade=&sort=due"
    response = await client.get(f"/work-orders?{query}")
    assert response.status_code == 200, response.text
    assert "4 work orders" in response.text
    api = await builders.api(make_client, admin)
    assert len(await _ids(api, "status=&site_id=&q=")) == 4
    bad = await api.get("/api/v1/work-orders?site_id=99999999999")
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "site_id"
    assert "Expected" not in bad.text


async def test_rows_carry_the_sla_marker(make_client: Any) -> None:
    from tests.services.sla import helpers

    world = await helpers.world()
    await helpers.policy(response_minutes=30, resolution_minutes=120, calendar="24_7")
    with clock.pinned(helpers.T0):
        fresh = await wb.work_order(world.w.site.id, priority="p1", title="Fresh")
        clock.advance(timedelta(minutes=100))
        client = await builders.browser_session(make_client, world.ops)
        html = (await client.get("/work-orders")).text
    assert f"/work-orders/{fresh.id}" in html
    assert 'class="marker late"' in html  # the response target (30 min) is breached
    assert "SLA breached: Response was due" in html
