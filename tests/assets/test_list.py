"""The asset list: search, filters as selects (warranty as a choice of periods), sort and
pages, API and page alike."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from facilities.kit import clock
from tests import assets_builders as ab
from tests import builders


async def _names(api: Any, query: str) -> list[str]:
    response = await api.get(f"/api/v1/assets?{query}")
    assert response.status_code == 200, response.text
    return [a["name"] for a in response.json()["items"]]


async def test_api_sorts_and_filters(make_client: Any) -> None:
    w = await ab.world()
    today = clock.now().date()
    await ab.asset(w.site.id, "Boiler", criticality="critical", warranty_end=today + timedelta(20))
    await ab.asset(w.site.id, "Air handler", criticality="low", warranty_end=today + timedelta(200))
    await ab.asset(w.site.id, "Chiller", criticality="high")
    api = await ab.api(make_client, w.admin)
    assert await _names(api, "") == ["Air handler", "Boiler", "Chiller"]
    assert await _names(api, "sort=criticality") == ["Boiler", "Chiller", "Air handler"]
    assert await _names(api, "sort=warranty") == ["Boiler", "Air handler", "Chiller"]
    assert (await _names(api, "sort=newest"))[0] == "Chiller"
    assert await _names(api, "warranty_expiring_days=30") == ["Boiler"]
    assert await _names(api, "criticality=high&q=chill") == ["Chiller"]
    assert await _names(api, "sort=name&limit=1&offset=1") == ["Boiler"]
    bad = await api.get("/api/v1/assets?sort=colour")
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "sort"


async def test_the_page_offers_selects_only(make_client: Any) -> None:
    w = await ab.world()
    await ab.asset(w.site.id, "Boiler", criticality="critical")
    client = await builders.browser_session(make_client, w.admin)
    html = (await client.get("/assets?q=&status=&warranty_expiring_days=&sort=criticality")).text
    assert "Boiler" in html
    for name in ("category_id", "status", "criticality", "warranty_expiring_days", "sort"):
        assert f'<select name="{name}">' in html, name
    assert 'type="number"' not in html.split("</form>")[0]  # no free-typed filter codes
