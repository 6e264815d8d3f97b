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


async def test_energy_per_m2_from_the_stored_monthly_figures(make_client: Any) -> None:
    """``energy_kwh`` per site equals the sum of the sustainability results' months in the
    period (read for all sites at once), a site without meters counts 0 kWh."""
    from zoneinfo import ZoneInfo

    from facilities.sustainability import actions
    from facilities.sustainability.schemas import PeriodCreate
    from tests.sustainability.helpers import meter, reading

    def midnight(month: int) -> datetime:
        return datetime(2025, month, 1, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)

    region = await builders.region()
    a = await builders.site(region.id, name="Site A", floor_area_m2=100)
    b = await builders.site(region.id, name="Site B", floor_area_m2=200)
    await builders.site(region.id, name="Site C", floor_area_m2=50)  # no meters
    with clock.pinned(datetime(2025, 6, 1, tzinfo=UTC)):
        for site, kwh in ((a, (1000, 2000, 4000)), (b, (3000, 3000, 9000))):
            power = await meter(site.id)
            total = 0
            await reading(power.id, total, midnight(1))
            for month, used in enumerate(kwh, start=2):  # Jan, Feb, Mar
                total += used
                await reading(power.id, total, midnight(month))
        gas = await meter(a.id, name="Gas", carrier="natural_gas", unit="kWh")
        await actions.add_period(  # 31 days: 17 in January, 14 in February
            actor=await builders.system(),
            meter_id=gas.id,
            data=PeriodCreate(starts_on=date(2025, 1, 15), ends_on=date(2025, 2, 14), quantity=310),
        )
        water = await meter(b.id, name="Water", carrier="water", unit="m3")  # not energy
        await actions.add_period(
            actor=await builders.system(),
            meter_id=water.id,
            data=PeriodCreate(starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 31), quantity=99),
        )
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    client = await builders.api(make_client, ops)
    with clock.pinned(datetime(2025, 6, 1, tzinfo=UTC)):
        answer = await client.get(
            "/api/v1/reporting/benchmark",
            params={
                "kpi": "energy_kwh",
                "per": "m2",
                "start": "2025-01-01",
                "end": "2025-02-28",
                "region_id": region.id,
            },
        )
        expected = {}
        for site in (a, b):
            read = await client.get(
                "/api/v1/sustainability/results", params={"year": 2025, "site_id": site.id}
            )
            months = read.json()["months"][:2]  # January and February
            expected[site.name] = sum(m["energy_kwh"] for m in months)
    assert answer.status_code == 200, answer.text
    figures = {e["site"]: e["figure"] for e in answer.json()["ranked"]}
    assert expected == {"Site A": 3310.0, "Site B": 6000.0}  # March is outside the period
    assert figures["Site A"] == expected["Site A"]
    assert figures["Site B"] == expected["Site B"]
    assert figures["Site C"] == 0
    values = {e["site"]: e["value"] for e in answer.json()["ranked"]}
    assert values == {"Site C": 0.0, "Site B": 30.0, "Site A": 33.1}
