"""Cross-site benchmarking: ranking per m², per desk and per member visit, median, quartiles
and Tukey's outliers, on hand-made sites."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.reporting.benchmark import fences
from tests import builders
from tests.workorders_builders import work_order

NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)


def test_fences() -> None:
    stats = fences([1.0, 2.0, 3.0, 4.0, 100.0])
    assert stats == {"median": 3.0, "q1": 2.0, "q3": 4.0, "low": -1.0, "high": 7.0}
    assert fences([5.0]) is None


async def test_backlog_per_m2_ranked_with_an_outlier(make_client: Any) -> None:
    region = await builders.region()
    # open work orders / floor area: 2/100, 3/100, 4/100, 5/100, 40/100 per m²
    counts = {"A": 2, "B": 3, "C": 4, "D": 5, "E": 40}
    sites = {}
    with clock.pinned(datetime(2026, 6, 1, tzinfo=UTC)):
        for name, n in counts.items():
            site = await builders.site(region.id, name=f"Site {name}", floor_area_m2=100, desks=10)
            sites[name] = site.id
            for _ in range(n):
                await work_order(site.id)
        bare = await builders.site(region.id, name="Site F")  # no floor area: apart
        await work_order(bare.id)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    client = await builders.api(make_client, ops)
    with clock.pinned(NOW):
        answer = await client.get(
            "/api/v1/reporting/benchmark",
            params={
                "kpi": "backlog",
                "per": "m2",
                "start": "2026-06-01",
                "end": "2026-06-30",
                "region_id": region.id,
            },
        )
        bad = await client.get(
            "/api/v1/reporting/benchmark", params={"kpi": "backlog", "per": "km"}
        )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert [e["site"] for e in found["ranked"]] == [f"Site {n}" for n in "ABCDE"]  # lower first
    assert [e["value"] for e in found["ranked"]] == [0.02, 0.03, 0.04, 0.05, 0.4]
    assert found["stats"]["median"] == 0.04
    assert [e["outlier"] for e in found["ranked"]] == [False, False, False, False, True]
    assert [e["site"] for e in found["apart"]] == ["Site F"]
    assert bad.status_code == 422 and "per" in bad.text
    browser = await builders.browser_session(make_client, ops)
    with clock.pinned(NOW):
        page = await browser.get(
            "/reporting/benchmark",
            params={"kpi": "backlog", "per": "desk", "start": "2026-06-01", "end": "2026-06-30"},
        )
    assert page.status_code == 200 and "Site E" in page.text and "pygal" in page.text
    assert date(2026, 6, 1)  # the period the figures cover
