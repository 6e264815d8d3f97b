"""The dashboards through the API and the pages: figures equal the KPI definitions on the
hand-computed data set, scope (a community manager never counts a foreign site), drill-down,
and the bad input that must get a clear answer."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from facilities.kit import clock
from tests import builders
from tests.reporting.kpi_dataset import AFTER, build

JUNE = {"start": "2026-06-01", "end": "2026-06-30"}


def _tiles(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in body["tiles"]}


async def test_ops_dashboard_of_the_region_and_its_drill_down(make_client: Any) -> None:
    data = await build()
    ops = await builders.api(make_client, data.ops)
    region = data.w.site.region_id
    with clock.pinned(AFTER):
        answer = await ops.get(f"/api/v1/reporting/regions/{region}/dashboard", params=JUNE)
        assert answer.status_code == 200, answer.text
        tiles = _tiles(answer.json())
        assert tiles["mttr"]["value"] == 187.5  # (690 + 60) / 4: both sites of the region
        assert tiles["backlog"]["value"] == 3
        assert tiles["sla_attendance"]["value"] == 80.0
        assert tiles["mttr"]["previous"] == 1440.0  # May: WO8, 1 May 00:00 to 2 May 00:00
        assert len(tiles["mttr"]["trend"]) == 8 and tiles["mttr"]["trend"][-1] == 187.5
        assert "pm_compliance" in tiles  # through kit.kpi from maintenance
        drill = await ops.get(tiles["mttr"]["records_url"])
    assert drill.status_code == 200, drill.text
    found = drill.json()
    assert found["count"] == 4
    assert {r["id"] for r in found["items"]} == {
        data.orders[k] for k in ("wo1", "wo2", "wo3", "other")
    }
    assert sum(r["value"] for r in found["items"]) / found["count"] == 187.5


async def test_community_manager_never_counts_a_foreign_site(make_client: Any) -> None:
    data = await build()
    cm = await builders.api(make_client, data.w.cm)
    region = data.w.site.region_id
    with clock.pinned(AFTER):
        mine = await cm.get("/api/v1/reporting/dashboard", params=JUNE)
        region_board = await cm.get(f"/api/v1/reporting/regions/{region}/dashboard", params=JUNE)
        site_board = await cm.get(
            f"/api/v1/reporting/sites/{data.w.site.id}/dashboard", params=JUNE
        )
        foreign = await cm.get(
            f"/api/v1/reporting/sites/{data.w.other_site.id}/dashboard", params=JUNE
        )
        foreign_records = await cm.get(
            "/api/v1/reporting/records",
            params={"kpi": "mttr", "site_id": data.w.other_site.id, **JUNE},
        )
        records = await cm.get("/api/v1/reporting/records", params={"kpi": "mttr", **JUNE})
    for board in (mine, region_board, site_board):
        assert board.status_code == 200, board.text
        assert board.json()["site_ids"] == [data.w.site.id]
        assert _tiles(board.json())["mttr"]["value"] == 230.0  # the other site's 60 min: no
    assert foreign.status_code == 404
    assert foreign_records.status_code == 404
    assert data.orders["other"] not in {r["id"] for r in records.json()["items"]}


async def test_bad_input_gets_a_clear_answer(make_client: Any) -> None:
    data = await build()
    ops = await builders.api(make_client, data.ops)
    reversed_ = await ops.get(
        "/api/v1/reporting/dashboard", params={"start": "2026-06-30", "end": "2026-06-01"}
    )
    too_long = await ops.get(
        "/api/v1/reporting/dashboard", params={"start": "2024-01-01", "end": "2026-06-01"}
    )
    unknown = await ops.get("/api/v1/reporting/dashboard", params={"kpi": "happiness", **JUNE})
    unknown_records = await ops.get("/api/v1/reporting/records", params={"kpi": "happiness"})
    for answer, field in (
        (reversed_, "end"),
        (too_long, "end"),
        (unknown, "kpi"),
        (unknown_records, "kpi"),
    ):
        assert answer.status_code == 422, answer.text
        assert field in answer.text and "Expected" not in answer.text
    assert "366" in too_long.text and "happiness" in unknown.text
    garbled = await ops.get("/api/v1/reporting/dashboard", params={"start": "yesterday"})
    assert garbled.status_code in (400, 422) and "Expected" not in garbled.text


async def test_pages_in_german_with_figures_sparklines_and_records(make_client: Any) -> None:
    data = await build()
    viewer = await builders.user(Role.viewer, locale="de")
    await builders.assign(viewer, regions=[data.w.site.region_id])
    browser = await builders.browser_session(make_client, viewer)
    with clock.pinned(AFTER):
        page = await browser.get("/reporting", params=JUNE)
        records = await browser.get("/reporting/records", params={"kpi": "overdue", **JUNE})
        bad = await browser.get("/reporting", params={"start": "2026-06-30", "end": "2026-06-01"})
    assert page.status_code == 200, page.text
    assert "Mittlere Reparaturdauer (MTTR)" in page.text and "3 Std. 8 Min." in page.text
    assert "pygal-sparkline" in page.text and "kozea.github.io" not in page.text
    assert 'href="/reporting/records?kpi=mttr&amp;start=2026-06-01' in page.text
    assert records.status_code == 200
    assert f"/work-orders/{data.orders['wo4']}" in records.text
    assert f"/work-orders/{data.orders['wo5']}" not in records.text  # not due yet
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text
    assert "nicht vor" in bad.text
