"""The contract list: search, filters as selects, sort and pages, API and page alike."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from tests import builders
from tests.services.test_contracts import body
from tests.workorders_builders import world


async def test_search_filters_sort_and_pages(make_client: Any) -> None:
    w = await world()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    api = await builders.api(make_client, ops)
    for name, values in (
        ("Window cleaning", {"end_date": "2027-06-30", "reference": "WC-1"}),
        ("Canteen", {"contract_type": "catering", "end_date": "2027-03-31"}),
        ("Heating", {"contract_type": "maintenance", "trades": ["hvac"]}),
    ):
        response = await api.post(
            "/api/v1/contracts", json=body(w.partner_org_id, [w.site.id], name=name, **values)
        )
        assert response.status_code == 201, response.text

    async def names(query: str) -> list[str]:
        response = await api.get(f"/api/v1/contracts?{query}")
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["items"]]

    assert await names("") == ["Canteen", "Heating", "Window cleaning"]
    assert await names("q=wc-1") == ["Window cleaning"]  # the reference
    assert await names("contract_type=catering") == ["Canteen"]
    assert await names("sort=ending") == ["Canteen", "Window cleaning", "Heating"]
    assert await names("sort=newest") == ["Heating", "Canteen", "Window cleaning"]
    page = (await api.get("/api/v1/contracts?limit=1&offset=2")).json()
    assert page["total"] == 3 and [c["name"] for c in page["items"]] == ["Window cleaning"]
    bad = await api.get("/api/v1/contracts?status=finished")
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "status"

    client = await builders.browser_session(make_client, ops)
    html = (await client.get("/contracts?q=&status=&contract_type=&provider_id=&sort=ending")).text
    assert html.index("Canteen") < html.index("Window cleaning") < html.index("Heating")
    for name in ("status", "contract_type", "provider_id", "sort"):
        assert f'<select name="{name}">' in html, name
