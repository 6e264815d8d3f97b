"""The problem-report list: search, filters as selects, sort and pages, API and page alike."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from facilities.maintenance.enums import ProblemCategory, Urgency
from facilities.maintenance.tables import ProblemReport
from tests import builders
from tests import maintenance_builders as mb


async def _ids(api: Any, query: str) -> list[int]:
    response = await api.get(f"/api/v1/problem-reports?{query}")
    assert response.status_code == 200, response.text
    return [r["id"] for r in response.json()["items"]]


async def test_api_searches_filters_and_sorts(make_client: Any) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    leak = (await mb.report(asset_id=asset_id, description="Water under the sink")).report.id
    noise = (
        await mb.report(
            asset_id=asset_id,
            description="The fan rattles 100% of the time",
            category=ProblemCategory.noise,
            urgency=Urgency.urgent,
        )
    ).report.id
    old = (await mb.report(asset_id=asset_id, description="Dusty shelf")).report.id
    await ProblemReport.update({ProblemReport.status: "rejected"}).where(ProblemReport.id == old)
    api = await builders.api(make_client, await builders.user(Role.admin))
    assert await _ids(api, "q=sink") == [leak]
    assert await _ids(api, "q=100%25") == [noise]
    assert await _ids(api, "q=_") == []
    assert await _ids(api, f"q=%23{old}") == [old]
    assert await _ids(api, "category=noise") == [noise]
    assert await _ids(api, "urgency=urgent") == [noise]
    assert set(await _ids(api, f"site_id={site.id}&status=new")) == {leak, noise}
    assert await _ids(api, "sort=oldest") == [leak, noise, old]
    assert await _ids(api, "sort=newest") == [old, noise, leak]
    assert (await _ids(api, "sort=urgency"))[0] == noise
    assert await _ids(api, "status=new&sort=queue") == [leak, noise]  # the queue: oldest first
    assert await _ids(api, "sort=newest&limit=1&offset=1") == [noise]
    bad = await api.get("/api/v1/problem-reports?category=wet")
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "category"


async def test_the_page_is_the_queue_first_then_any_filter(make_client: Any) -> None:
    site, asset_id, _code = await mb.scanned_asset()
    await mb.report(asset_id=asset_id, description="Mine and new")
    done = await mb.report(asset_id=asset_id, description="Mine but rejected")
    await ProblemReport.update({ProblemReport.status: "rejected"}).where(
        ProblemReport.id == done.report.id
    )
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    client = await builders.browser_session(make_client, cm)
    queue = (await client.get("/triage")).text
    assert "Mine and new" in queue and "Mine but rejected" not in queue
    for name in ("status", "category", "urgency", "sort"):
        assert f'<select name="{name}">' in queue, name
    assert 'type="search" name="q"' in queue
    anything = (await client.get("/triage?q=&status=&category=&urgency=&sort=queue")).text
    assert "Mine and new" in anything and "Mine but rejected" in anything
    for n in range(51):
        await mb.report(asset_id=asset_id, description=f"Report number {n}")
    first = (await client.get("/triage?status=new&sort=newest")).text
    assert "1–50 of 52" in first
    assert "offset=50" in first and "sort=newest" in first
