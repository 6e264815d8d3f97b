"""Benchmark of the sustainability report (issue 13): 250 sites over three years.

The database holds what the report reads, bulk-inserted through the driver: ``SITES`` sites
in five regions (floor area, desks), five meters each (grid electricity, natural gas,
water, residual waste, paper), their stored monthly figures (``meter_month``: quantity,
cost, Scope 1, Scope 2 both methods, the factors used) for ``YEARS`` years, member visits
per site and month, refrigerant top-ups on HVAC work orders, and reduction targets (one per
region, one per tenth site). Then the real server (``python -m facilities serve``) answers
``REQUESTS`` sequential requests per page as an ops manager of every region (bearer
token), in interleaved rounds with the hello-world reference endpoint (bench mode) as the
server's floor under the machine's load: the report page for all sites and for one region,
the results API, the energy benchmark per m² of the report's year (reporting), and
``PDF_REQUESTS`` PDFs of the report for all sites. Median and p99 in ms; targets: page
p99 < 300 ms, PDF < 5 s.

    python -m bench.sustainability_report --engine sqlite|postgres

``BENCH_SREPORT_SITES`` (250), ``BENCH_SREPORT_YEARS`` (3), ``BENCH_SREPORT_REQUESTS`` (20),
``BENCH_SREPORT_PDFS`` (3). PostgreSQL: ``FACILITIES_BENCH_SREPORT_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_sreport``; recreated).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import section

SITES = int(os.environ.get("BENCH_SREPORT_SITES", "250"))
YEARS = int(os.environ.get("BENCH_SREPORT_YEARS", "3"))
REQUESTS = int(os.environ.get("BENCH_SREPORT_REQUESTS", "20"))
PDF_REQUESTS = int(os.environ.get("BENCH_SREPORT_PDFS", "3"))
REGIONS = 5
PG_URL = os.environ.get(
    "FACILITIES_BENCH_SREPORT_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/facilities_bench_sreport",
)
NOW = datetime.now(UTC).replace(microsecond=0)
LAST_YEAR = NOW.year - 1  # the report's year: the last complete one
FIRST_YEAR = LAST_YEAR - YEARS + 1
# carrier, unit, monthly quantity (reporting unit), cost per unit, (scope1, scope2) per unit
METERS = [
    ("electricity_grid", "kWh", 4000.0, 0.30, (0.0, 0.38)),
    ("natural_gas", "kWh", 6000.0, 0.09, (0.201, 0.0)),
    ("water", "m3", 40.0, 4.2, (0.0, 0.0)),
    ("waste_residual", "kg", 300.0, 0.25, (0.0, 0.0)),
    ("waste_paper", "kg", 200.0, 0.05, (0.0, 0.0)),
]


async def _seed() -> dict[str, Any]:
    from facilities import db
    from facilities.accounts import actions as account_actions
    from facilities.accounts.enums import Role
    from facilities.accounts.schemas import ApiTokenCreate
    from facilities.maintenance.tables import WorkOrder, WorkOrderCost
    from facilities.sites import actions as site_actions
    from facilities.sites.schemas import AccessUpdate
    from facilities.sites.tables import Region, Site
    from facilities.sustainability.tables import Meter, Target

    rng = random.Random(13)
    start = datetime(FIRST_YEAR - 1, 12, 1, tzinfo=UTC)
    await Region.insert(
        *[Region(name=f"Report region {n}", created_at=start) for n in range(REGIONS)]
    )
    region_ids = [r["id"] for r in await Region.select(Region.id).order_by(Region.id)]
    await Site.insert(
        *[
            Site(
                region=region_ids[n % REGIONS],
                name=f"Report site {n:03d}",
                code=f"R-{n:03d}",
                kind="coworking",
                time_zone="Europe/Berlin",
                country="DE",
                floor_area_m2=300 + (n * 37) % 900,
                desks=20 + n % 60,
                created_at=start,
                updated_at=start,
            )
            for n in range(SITES)
        ]
    )
    sites = [dict(r) for r in await Site.select(Site.id, Site.region).order_by(Site.id)]
    await Meter.insert(
        *[
            Meter(site=s["id"], name=f"{carrier} {s['id']}", carrier=carrier, unit=unit)
            for s in sites
            for carrier, unit, *_rest in METERS
        ]
    )
    meters = [dict(r) for r in await Meter.select(Meter.id, Meter.carrier).order_by(Meter.id)]
    factors = {
        (r["carrier"], r["method"]): r["id"]
        for r in await db.raw("SELECT id, carrier, method FROM emission_factor")
    }
    spec = {m[0]: m for m in METERS}
    months = [date(y, m, 1) for y in range(FIRST_YEAR, LAST_YEAR + 1) for m in range(1, 13)]
    rows: list[tuple[Any, ...]] = []
    for meter in meters:
        carrier, _unit, base, price, (s1, s2) = spec[meter["carrier"]]
        location = factors.get((carrier, "location")) if s1 or s2 else None
        market = factors.get((carrier, "market")) if s2 else None
        for month in months:
            quantity = round(base * (0.7 + 0.6 * rng.random()), 4)
            rows.append(
                (
                    meter["id"],
                    month,
                    quantity if carrier == "electricity_grid" else None,
                    quantity,
                    round(quantity * price, 2),
                    False,
                    "interval" if carrier == "electricity_grid" else "bill",
                    round(quantity * s1, 4),
                    round(quantity * s2, 4),
                    round(quantity * s2 * 0.8, 4),
                    market is None and bool(s2),
                    False,
                    location,
                    market,
                )
            )
    visits = [(s["id"], month, 300 + rng.randrange(900), NOW) for s in sites for month in months]
    async with db.transaction():
        for begin in range(0, len(rows), 5000):
            await db.executemany(
                "INSERT INTO meter_month (meter, month, interval_quantity, quantity, cost,"
                " estimated, source, scope1_kg, location_kg, market_kg, market_fallback,"
                " missing_factor, location_factor, market_factor)"
                " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                rows[begin : begin + 5000],
            )
        await db.executemany(
            "INSERT INTO occupancy (site, month, visits, updated_at) VALUES ({}, {}, {}, {})",
            visits,
        )
    # Refrigerant top-ups: an HVAC work order on every fifth site per year, R-410A or R-32.
    orders = [
        WorkOrder(
            title=f"AC service {s['id']} {year}",
            site=s["id"],
            status="completed",
            created_at=datetime(year, 7, 1, 9, tzinfo=UTC),
            updated_at=datetime(year, 7, 1, 9, tzinfo=UTC),
        )
        for s in sites[::5]
        for year in range(FIRST_YEAR, LAST_YEAR + 1)
    ]
    await WorkOrder.insert(*orders)
    order_rows = await WorkOrder.select(WorkOrder.id, WorkOrder.created_at).order_by(WorkOrder.id)
    await WorkOrderCost.insert(
        *[
            WorkOrderCost(
                work_order=o["id"],
                kind="refrigerant",
                description="Top-up",
                quantity=round(0.5 + rng.random() * 2, 3),
                unit_cost=60,
                gas=("R-410A", "R-32")[n % 2],
                created_at=o["created_at"],
            )
            for n, o in enumerate(order_rows)
        ]
    )
    await Target.insert(
        *[
            Target(
                region=rid,
                metric="co2e",
                baseline_year=FIRST_YEAR,
                target_year=LAST_YEAR + 5,
                reduction_pct=30,
            )
            for rid in region_ids
        ],
        *[
            Target(
                site=s["id"],
                metric="energy",
                baseline_year=FIRST_YEAR,
                target_year=LAST_YEAR + 3,
                reduction_pct=15,
            )
            for s in sites[::10]
        ],
    )
    await db.raw("ANALYZE")
    principal = await section.person("ops@sreport.bench", "Ops", Role.ops_manager)
    system = await section.person("admin@sreport.bench", "Admin", Role.admin)
    await site_actions.set_access(
        actor=system, user_id=principal.user_id, data=AccessUpdate(region_ids=region_ids)
    )
    token = await account_actions.create_api_token(
        actor=principal, data=ApiTokenCreate(name="sustainability report benchmark")
    )
    return {
        "token": token.secret,
        "region": region_ids[0],
        "monthly_rows": len(rows),
        "visits": len(visits),
        "orders": len(order_rows),
        "targets": REGIONS + len(sites[::10]),
        "meters": len(meters),
    }


def _endpoints(seeded: dict[str, Any]) -> list[tuple[str, str, str]]:
    y = LAST_YEAR
    return [
        ("hello", "hello-world (reference: the server's floor under this load)", "/bench/hello"),
        ("report_all", f"report page, all {SITES} sites", f"/sustainability/report?year={y}"),
        (
            "report_region",
            f"report page, one region ({SITES // REGIONS} sites)",
            f"/sustainability/report?year={y}&region_id={seeded['region']}",
        ),
        (
            "results_api",
            "`GET /api/v1/sustainability/results`",
            f"/api/v1/sustainability/results?year={y}",
        ),
        (
            "benchmark",
            f"energy benchmark per m², {y} (reporting, all {SITES} sites)",
            f"/api/v1/reporting/benchmark?kpi=energy_kwh&per=m2&start={y}-01-01&end={y}-12-31",
        ),
    ]


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _measure(client: httpx.Client, path: str, count: int) -> tuple[list[float], int, int]:
    times = []
    status = size = 0
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        status, size = response.status_code, len(response.content)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {response.text[:300]}")
    return times, status, size


async def run(engine: str) -> str:
    # Bench mode mounts the hello-world reference (``facilities.benchref``).
    tmp = section.environment(engine, PG_URL, "sreport", FACILITIES_BENCH_MODE="true")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from bench.run import Server
    from facilities import db

    await db.open_database()
    try:
        await db.migrate()
        started = time.perf_counter()
        seeded = await _seed()
        seed_seconds = time.perf_counter() - started
    finally:
        await db.close_database()
    figures: dict[str, tuple[float, float, int]] = {}
    server = Server(dict(os.environ), Path(tempfile.mkdtemp()) / "server.log")
    load_before = os.getloadavg()[0]
    server.start()
    try:
        headers = {"Authorization": f"Bearer {seeded['token']}"}
        with httpx.Client(base_url=server.base_url, timeout=120, headers=headers) as client:
            endpoints = _endpoints(seeded)
            for _key, _label, path in endpoints:  # warm-up: templates, caches, fonts
                _measure(client, path, 1)
            _measure(client, f"/sustainability/report.pdf?year={LAST_YEAR}", 1)
            # Interleaved rounds (every page once per round, the reference first), so the
            # machine's noise hits them alike.
            samples: dict[str, list[float]] = {key: [] for key, _l, _p in endpoints}
            sizes: dict[str, int] = {}
            for _round in range(REQUESTS):
                for key, _label, path in endpoints:
                    times, _status, sizes[key] = _measure(client, path, 1)
                    samples[key] += times
            for key, times in samples.items():
                figures[key] = (statistics.median(times), _p99(times), sizes[key])
            times, _status, size = _measure(
                client, f"/sustainability/report.pdf?year={LAST_YEAR}", PDF_REQUESTS
            )
            pdf = (statistics.median(times), max(times), size)
        peak = section.peak_mb(server)
    finally:
        server.stop()
    load_after = os.getloadavg()[0]
    name = "PostgreSQL" if engine == "postgres" else "SQLite"
    lines = [
        f"### Sustainability report on {name}",
        "",
        f"{SITES} sites in {REGIONS} regions, {seeded['meters']:,} meters, {YEARS} years"
        f" ({FIRST_YEAR}–{LAST_YEAR}): {seeded['monthly_rows']:,} stored monthly figures,"
        f" {seeded['visits']:,} monthly visit counts, {seeded['orders']} refrigerant top-ups,"
        f" {seeded['targets']} targets (seeded in {seed_seconds:.1f} s). Report year"
        f" {LAST_YEAR} (with {LAST_YEAR - 1} for comparison and each target's baseline"
        f" {FIRST_YEAR}); {REQUESTS} sequential requests per page as an ops manager of every"
        f" region, after one warm-up; ms. Load average (1 min) {load_before:.1f} before,"
        f" {load_after:.1f} after, on {os.cpu_count()} cores.",
        "",
        "| page | median | p99 | answer |",
        "|---|---:|---:|---:|",
    ]
    for key, label, _path in _endpoints(seeded):
        median, p99, size = figures[key]
        lines.append(f"| {label} | {median:.0f} | {p99:.0f} | {size:,} B |")
    lines += [
        f"| PDF of the report, all {SITES} sites ({PDF_REQUESTS} requests; worst as p99) |"
        f" {pdf[0]:.0f} | {pdf[1]:.0f} | {pdf[2]:,} B |",
        "",
        f"Targets: report page p99 < 300 ms, PDF < 5 s. Server peak memory (VmHWM): {peak:.0f} MB.",
        "",
    ]
    hello = figures["hello"][0]
    lines[-2] += (
        f" Report page (all sites) / hello-world, medians: {figures['report_all'][0] / hello:.0f}×."
    )
    worst_page = max(figures["report_all"][1], figures["report_region"][1])
    if worst_page >= 300 or pdf[1] >= 5000:
        lines.append(
            f"**Missed** on this run: page p99 {worst_page:.0f} ms, PDF {pdf[1] / 1000:.1f} s"
            " (see the load average)."
        )
    del tmp
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))
