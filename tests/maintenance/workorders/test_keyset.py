"""Long work-order lists page by cursor (keyset): every sort walks the same rows in the same
order as one big page, ties and missing due times included; bad cursors are a 422."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.maintenance.tables import WorkOrder
from facilities.maintenance.workorders import queries
from tests import builders
from tests import workorders_builders as wb


async def _orders(site_id: int) -> list[int]:
    """Twelve orders with ties on priority and due time, and some without a due time."""
    now = clock.now().replace(microsecond=0)
    ids = []
    for n in range(12):
        order = await wb.work_order(site_id, priority=("p1", "p2", "p3")[n % 3])
        due = None if n % 4 == 0 else now + timedelta(hours=n % 2)  # many equal due times
        await WorkOrder.update({WorkOrder.due_at: due}).where(WorkOrder.id == order.id)
        ids.append(order.id)
    return ids


async def _walk(api: Any, query: str, limit: int) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(50):
        url = f"/api/v1/work-orders?{query}&limit={limit}"
        if cursor:
            url += f"&cursor={cursor}"
        response = await api.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        # Counted on the first page only: a page after a cursor carries no total (counting
        # the whole scope again on every page grew with the list; issue 16).
        assert body["total"] == (None if cursor else 12) and body["total_exact"]
        seen += [o["id"] for o in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the cursor never ended")


@pytest.mark.parametrize("sort", ["priority", "due", "newest", "oldest", "updated"])
async def test_cursor_pages_match_one_big_page(make_client: Any, sort: str) -> None:
    w = await wb.world()
    ids = await _orders(w.site.id)
    api = await builders.api(make_client, await builders.user(Role.admin))
    whole = await api.get(f"/api/v1/work-orders?sort={sort}&limit=200")
    expected = [o["id"] for o in whole.json()["items"]]
    assert sorted(expected) == sorted(ids)
    assert whole.json()["next_cursor"] is None
    for limit in (1, 5):
        assert await _walk(api, f"sort={sort}", limit) == expected


async def test_cursor_keeps_filters_and_scope(make_client: Any) -> None:
    w = await wb.world()
    await _orders(w.site.id)
    mine = [
        (await wb.work_order(w.other_site.id, partner_organisation_id=w.partner_org_id)).id
        for _ in range(3)
    ]
    partner = await builders.api(make_client, w.partner)
    first = (await partner.get("/api/v1/work-orders?limit=2")).json()
    second = (
        await partner.get(f"/api/v1/work-orders?limit=2&cursor={first['next_cursor']}")
    ).json()
    assert sorted(o["id"] for o in first["items"] + second["items"]) == sorted(mine)
    assert first["total"] == 3  # the scope's count, on the first page
    assert second["next_cursor"] is None and second["total"] is None  # not counted again


async def test_bad_cursors_and_deep_offsets_are_refused_in_words(make_client: Any) -> None:
    w = await wb.world()
    await _orders(w.site.id)
    api = await builders.api(make_client, await builders.user(Role.admin))
    cursor = (await api.get("/api/v1/work-orders?limit=2")).json()["next_cursor"]
    for bad in ("nonsense", "W10", cursor[:-3], "WyJwcmlvcml0eSIsInAxIiwxLCJ4Il0"):
        response = await api.get(f"/api/v1/work-orders?cursor={bad}")
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["fields"][0]["field"] == "cursor"
        assert "page link" in response.json()["fields"][0]["message"]
    other_sort = await api.get(f"/api/v1/work-orders?sort=newest&cursor={cursor}")
    assert other_sort.status_code == 422
    deep = await api.get(f"/api/v1/work-orders?offset={queries.MAX_OFFSET + 1}")
    assert deep.status_code == 422
    assert deep.json()["fields"][0]["field"] == "offset"


async def test_the_page_follows_the_cursor(make_client: Any) -> None:
    w = await wb.world()
    for _ in range(51):
        await wb.work_order(w.site.id)
    client = await builders.browser_session(make_client, await builders.user(Role.admin))
    first = await client.get("/work-orders")
    assert "cursor=" in first.text and "offset=50" in first.text
    pager = first.text.split('class="pager"')[1].split("</nav>")[0]
    link = pager.split('rel="next"')[0].split('href="')[-1].split('"')[0]
    second = await client.get("/work-orders" + link.replace("&amp;", "&"))
    assert second.status_code == 200
    assert "← Previous" in second.text and "Next →" not in second.text
    assert "51–51</span>" in second.text  # its position; no total after a cursor
    assert second.text.count('href="/work-orders/') >= 1


async def test_the_count_stops_at_its_limit(make_client: Any, monkeypatch: Any) -> None:
    """The first page counts up to ``COUNT_LIMIT`` (here lowered to 5) and then says "more
    than": the count reads at most that many rows however long the list is."""
    w = await wb.world()
    await _orders(w.site.id)
    monkeypatch.setattr(queries, "COUNT_LIMIT", 5)
    api = await builders.api(make_client, await builders.user(Role.admin))
    body = (await api.get("/api/v1/work-orders?limit=2")).json()
    assert (body["total"], body["total_exact"]) == (5, False)
    exact = (await api.get(f"/api/v1/work-orders?limit=2&site_id={w.other_site.id}")).json()
    assert (exact["total"], exact["total_exact"]) == (0, True)
    client = await builders.browser_session(make_client, await builders.user(Role.admin))
    page = await client.get("/work-orders")
    assert "More than 5 work orders" in page.text and "1–12 of more than 5" in page.text
    following = await client.get(f"/work-orders?offset=50&cursor={body['next_cursor']}")
    assert following.status_code == 200
