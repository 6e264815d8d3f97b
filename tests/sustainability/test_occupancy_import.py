"""Occupancy CSV import: all rows checked first, all or nothing, foreign sites refused."""

from __future__ import annotations

from facilities.accounts.enums import Role
from facilities.sustainability.tables import Occupancy
from tests import builders

CSV = {"content-type": "text/csv"}


async def test_import_and_all_or_nothing(make_client) -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    foreign = await builders.site((await builders.region()).id)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    api = await builders.api(make_client, cm)
    url = "/api/v1/sustainability/occupancy"
    good = f"site_id,month,visits\n{site.id},2025-01,700\n{site.id},2025-02,650\n"
    response = await api.post(url, content=good, headers=CSV)
    assert response.status_code == 201, response.text
    assert [r["visits"] for r in response.json()] == [700, 650]
    bad = (
        f"site_id,month,visits\n{site.id},2025-03,10\n{foreign.id},2025-03,5\n"
        f"{site.id},March,5\n{site.id},2025-04,many\n"
    )
    refused = await api.post(url, content=bad, headers=CSV)
    assert refused.status_code == 422
    fields = [(f["field"], f["message"].split(":")[0]) for f in refused.json()["fields"]]
    assert fields == [("site_id", "Line 3"), ("month", "Line 4"), ("visits", "Line 5")]
    assert await Occupancy.count() == 2
