"""Safety and sustainability figures on the dashboard, on a hand-computed data set (June 2026,
sites in UTC), their drill-downs, and the scope: a community manager's dashboard never counts
a foreign site.

Site A (100 m², 10 desks; the community manager's) and site B (50 m², 5 desks) in one region:

* inspections due in June: A i1 on time, i2 late, i3 missed; B i5 on time (i4 of A is due in
  July) → completion A 1/3 = 33.33 %, region 2/4 = 50 %;
* scores of inspections submitted in June: A 80, 50, 100 (i4); B 20 → A 76.67, region 62.5;
* findings open at 1 July 00:00: A f1 (open), f3 (closed 5 July); not f2 (closed 20 June);
  B f4 → A 2, region 3;
* incidents in June: A two (one confidential), B one → A 2, region 3; near misses A 1;
* electricity bills for June: A 3,000 kWh, B 1,000 kWh; factor 0.4 kg/kWh → CO2e A 1,200 kg,
  B 400 kg; member visits in June: A 400, B none.
  energy per m² A 30, region 4,000 / 150 = 26.67; per desk A 300, region 266.67;
  CO2e per m² A 12, region 10.67; per desk A 120, region 106.67; per visit A = region = 3.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import msgspec

from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from facilities.kit import clock
from facilities.safety.inspections.tables import Finding, Inspection
from facilities.sustainability import actions as sustainability
from facilities.sustainability.schemas import FactorCreate, OccupancySet, PeriodCreate
from tests import builders
from tests.safety.helpers import incident_body, starter
from tests.sustainability.helpers import meter

JUNE = {"start": "2026-06-01", "end": "2026-06-30"}
AFTER = datetime(2026, 7, 10, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


@dataclass
class Data:
    site_a: int
    site_b: int
    region: int
    cm: UserRead
    ops: UserRead
    inspections: dict[str, int]
    findings: dict[str, int]
    incidents: dict[str, int]
    meters: dict[str, int]


async def _inspection(version: int, site: int, due: datetime, **values: Any) -> int:
    row = Inspection(
        template_version=version,
        site=site,
        target_key=f"site:{site}",
        occurrence_key=due.isoformat(),
        due_at=due,
        **values,
    )
    await row.save()
    return int(row.id)


async def _finding(inspection: int, template: int, site: int, at: datetime, **values: Any) -> int:
    row = Finding(
        inspection=inspection,
        template=template,
        site=site,
        target_key=f"site:{site}",
        item_key="pressure",
        item_label="Pressure gauge in the green",
        created_at=at,
        **values,
    )
    await row.save()
    return int(row.id)


async def build(make_client: Any) -> Data:
    region = await builders.region()
    a = await builders.site(region.id, time_zone="UTC", floor_area_m2=100, desks=10)
    b = await builders.site(region.id, time_zone="UTC", floor_area_m2=50, desks=5)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[a.id])
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    template = await starter()
    v = template.version_id
    done = "submitted"
    i: dict[str, int] = {}
    i["i1"] = await _inspection(
        v, a.id, utc(2026, 6, 5, 9), status=done, submitted_at=utc(2026, 6, 4, 10), score=80
    )
    i["i2"] = await _inspection(
        v, a.id, utc(2026, 6, 10, 9), status=done, submitted_at=utc(2026, 6, 12, 10), score=50
    )
    i["i3"] = await _inspection(v, a.id, utc(2026, 6, 20, 9), status="missed")
    i["i4"] = await _inspection(
        v, a.id, utc(2026, 7, 5, 9), status=done, submitted_at=utc(2026, 6, 30, 10), score=100
    )
    i["i5"] = await _inspection(
        v, b.id, utc(2026, 6, 15, 9), status=done, submitted_at=utc(2026, 6, 15, 8), score=20
    )
    f: dict[str, int] = {}
    f["f1"] = await _finding(i["i2"], template.id, a.id, utc(2026, 6, 10, 9))
    f["f2"] = await _finding(
        i["i1"], template.id, a.id, utc(2026, 6, 2), status="closed", closed_at=utc(2026, 6, 20)
    )
    f["f3"] = await _finding(
        i["i2"], template.id, a.id, utc(2026, 6, 25), status="closed", closed_at=utc(2026, 7, 5)
    )
    f["f4"] = await _finding(i["i5"], template.id, b.id, utc(2026, 6, 15, 9))
    ops_api = await builders.api(make_client, ops)
    n: dict[str, int] = {}
    for key, site, values in (
        ("a1", a.id, {"occurred_at": "2026-06-15T08:30:00Z"}),
        ("a2", a.id, {"occurred_at": "2026-06-20T08:30:00Z", "confidential": True}),
        ("near", a.id, {"occurred_at": "2026-06-16T08:30:00Z", "kind": "near_miss"}),
        ("b1", b.id, {"occurred_at": "2026-06-18T08:30:00Z"}),
        ("july", a.id, {"occurred_at": "2026-07-02T08:30:00Z"}),
    ):
        with clock.pinned(utc(2026, 7, 3)):
            made = await ops_api.post(
                "/api/v1/safety/incidents", json=incident_body(site, **values)
            )
        assert made.status_code == 201, made.text
        n[key] = int(made.json()["id"])
    system = await builders.system()
    await sustainability.create_factor(
        actor=system,
        data=msgspec.convert(
            {
                "carrier": "electricity_grid",
                "region": "DE",
                "year": 2026,
                "method": "location",
                "value": 0.4,
                "source": "test",
            },
            FactorCreate,
        ),
    )
    meters: dict[str, int] = {}
    for key, site, kwh in (("a", a.id, 3000), ("b", b.id, 1000)):
        m = await meter(site)
        meters[key] = m.id
        await sustainability.add_period(
            actor=system,
            meter_id=m.id,
            data=msgspec.convert(
                {"starts_on": "2026-06-01", "ends_on": "2026-06-30", "quantity": kwh},
                PeriodCreate,
            ),
        )
    await sustainability.set_occupancy(
        actor=system,
        site_id=a.id,
        month=date(2026, 6, 1),
        data=msgspec.convert({"visits": 400}, OccupancySet),
    )
    return Data(a.id, b.id, region.id, cm, ops, i, f, n, meters)


NAMES = (
    "inspection_completion",
    "inspection_score",
    "open_findings",
    "incidents",
    "near_misses",
    "energy_per_m2",
    "energy_per_desk",
    "co2e_per_m2",
    "co2e_per_desk",
    "co2e_per_visit",
)

REGION = {
    "inspection_completion": 50.0,
    "inspection_score": 62.5,
    "open_findings": 3,
    "incidents": 3,
    "near_misses": 1,
    "energy_per_m2": 26.67,
    "energy_per_desk": 266.67,
    "co2e_per_m2": 10.67,
    "co2e_per_desk": 106.67,
    "co2e_per_visit": 3.0,
}
SITE_A = {
    "inspection_completion": 33.33,
    "inspection_score": 76.67,
    "open_findings": 2,
    "incidents": 2,
    "near_misses": 1,
    "energy_per_m2": 30.0,
    "energy_per_desk": 300.0,
    "co2e_per_m2": 12.0,
    "co2e_per_desk": 120.0,
    "co2e_per_visit": 3.0,
}


def _tiles(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in body["tiles"]}


async def test_region_figures_trend_and_drill_down(make_client: Any) -> None:
    data = await build(make_client)
    ops = await builders.api(make_client, data.ops)
    with clock.pinned(AFTER):
        answer = await ops.get(f"/api/v1/reporting/regions/{data.region}/dashboard", params=JUNE)
        assert answer.status_code == 200, answer.text
        tiles = _tiles(answer.json())
        for name in NAMES:
            assert tiles[name]["value"] == REGION[name], name
            assert len(tiles[name]["trend"]) == 8, name
            assert tiles[name]["records_url"], name
        assert tiles["incidents"]["previous"] == 0  # nothing in May
        assert tiles["energy_per_m2"]["previous"] is None  # no meter figures in May
        found = {}
        for name in ("inspection_completion", "open_findings", "incidents", "co2e_per_m2"):
            drill = await ops.get(tiles[name]["records_url"])
            assert drill.status_code == 200, drill.text
            found[name] = drill.json()
    completion = found["inspection_completion"]
    assert completion["count"] == 4
    assert {r["id"] for r in completion["items"]} == {
        data.inspections[k] for k in ("i1", "i2", "i3", "i5")
    }
    assert sum(r["value"] for r in completion["items"]) == 2
    first = next(r for r in completion["items"] if r["id"] == data.inspections["i1"])
    assert first["url"] == f"/safety/inspections/{data.inspections['i1']}"
    findings = found["open_findings"]
    assert {r["id"] for r in findings["items"]} == {data.findings[k] for k in ("f1", "f3", "f4")}
    f1 = next(r for r in findings["items"] if r["id"] == data.findings["f1"])
    assert f1["url"] == f"/safety/inspections/{data.inspections['i2']}"
    assert round(f1["extra"]["age"], 3) == round(20 + 15 / 24, 3)  # 10 June 09:00 → 1 July
    incidents = found["incidents"]
    assert {r["id"] for r in incidents["items"]} == {data.incidents[k] for k in ("a1", "a2", "b1")}
    secret = next(r for r in incidents["items"] if r["id"] == data.incidents["a2"])
    assert secret["title"] == "Confidential" and secret["url"] is None
    months = found["co2e_per_m2"]
    assert months["count"] == 2
    assert sorted(r["value"] for r in months["items"]) == [400.0, 1200.0]
    assert {r["url"] for r in months["items"]} == {
        f"/sustainability/meters/{m}" for m in data.meters.values()
    }


async def test_community_manager_never_counts_a_foreign_site(make_client: Any) -> None:
    data = await build(make_client)
    cm = await builders.api(make_client, data.cm)
    with clock.pinned(AFTER):
        mine = await cm.get("/api/v1/reporting/dashboard", params=JUNE)
        region = await cm.get(f"/api/v1/reporting/regions/{data.region}/dashboard", params=JUNE)
        foreign = await cm.get(f"/api/v1/reporting/sites/{data.site_b}/dashboard", params=JUNE)
        foreign_records = await cm.get(
            "/api/v1/reporting/records",
            params={"kpi": "incidents", "site_id": data.site_b, **JUNE},
        )
        records = {
            name: (await cm.get("/api/v1/reporting/records", params={"kpi": name, **JUNE})).json()
            for name in NAMES
        }
    for board in (mine, region):
        assert board.status_code == 200, board.text
        tiles = _tiles(board.json())
        for name in NAMES:
            assert tiles[name]["value"] == SITE_A[name], name
    assert foreign.status_code == 404
    assert foreign_records.status_code == 404
    for name, body in records.items():
        assert {r["site_id"] for r in body["items"]} <= {data.site_a}, name
    assert data.incidents["b1"] not in {r["id"] for r in records["incidents"]["items"]}


async def test_the_pages_show_the_tiles_and_the_help(make_client: Any) -> None:
    data = await build(make_client)
    client = await builders.browser_session(make_client, data.ops)
    with clock.pinned(AFTER):
        board = await client.get("/reporting", params=JUNE)
        records = await client.get(
            "/reporting/records", params={"kpi": "energy_per_m2", "region_id": data.region, **JUNE}
        )
        help_page = await client.get("/help/kpis")
    assert board.status_code == 200
    assert re.search(r"26\.67</a> <span class=\"unit\">kWh/m²</span>", board.text)
    assert "/reporting/records?kpi=open_findings" in board.text
    assert records.status_code == 200 and "Main electricity · 2026-06-01" in records.text
    assert 'id="co2e_per_visit"' in help_page.text or "co2e_per_visit" in help_page.text


async def test_trend_in_one_statement_equals_each_period_computed(make_client: Any) -> None:
    """``kpis.trend`` (one statement for the eight periods) gives for every reporting KPI
    exactly what ``compute`` gives period by period, on both hand-computed data sets."""
    from datetime import timedelta

    from facilities.kit.kpi import Period
    from facilities.reporting.kpis import SPECS, compute, trend
    from tests.reporting import kpi_dataset

    await build(make_client)
    await kpi_dataset.build()
    ops = await builders.system()
    spans = [
        Period(
            date(2026, 6, 1) - timedelta(days=30 * back),
            date(2026, 7, 1) - timedelta(days=30 * back),
        )
        for back in range(7, -1, -1)
    ]
    with clock.pinned(AFTER):
        for name, spec in SPECS.items():
            each = [(await compute(spec, ops, span))[0].value for span in spans]
            assert await trend(spec, ops, spans) == each, name
