"""Benchmark of the nightly anomaly scan (``sustainability.anomalies.scan``, the job
``sustainability.scan_anomalies``), issue 13: 250 meters with 90 days of 15-minute data.

``METERS`` meters (three in five grid electricity, two in five water; five per site) get
``DAYS`` days of 15-minute values up to the scanned day, bulk-inserted through the driver
(PostgreSQL ``COPY``, SQLite ``executemany``; ``DAYS × 96`` values per meter). A few meters
carry an anomaly on the scanned day: water running all night (a leak: an anomaly and a work
order through the work-order actions), an electricity baseload jump, a meter that stopped
reporting. The scan is called directly on the seeded database, twice: the first run finds
and records them, the second finds the same and records nothing (idempotent).

    python -m bench.anomaly_scan --engine sqlite|postgres

``BENCH_ANOMALY_METERS`` (250), ``BENCH_ANOMALY_DAYS`` (90). PostgreSQL:
``FACILITIES_BENCH_ANOMALY_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_anomaly``; recreated).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench import section

METERS = int(os.environ.get("BENCH_ANOMALY_METERS", "250"))
DAYS = int(os.environ.get("BENCH_ANOMALY_DAYS", "90"))
PER_SITE = 5
PG_URL = os.environ.get(
    "FACILITIES_BENCH_ANOMALY_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/facilities_bench_anomaly",
)
ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 1, 5, 30, tzinfo=UTC)  # the scan looks at 28 February (local)
DAY = NOW.astimezone(ZONE).date() - timedelta(days=1)
START = datetime.combine(DAY - timedelta(days=DAYS - 1), datetime.min.time(), ZONE)
STEP = timedelta(minutes=15)
BATCH = 20_000
# Meter indexes (in creation order) with an anomaly on DAY.
LEAKS = {1, 6, 11}  # water
BASELOAD = {0, 5, 10}  # electricity
SILENT = {2, 7}  # electricity: nothing on DAY


def _carrier(index: int) -> str:
    return "water" if index % 5 in (1, 3) else "electricity_grid"


def _value(index: int, carrier: str, moment: datetime, n: int) -> float:
    local = moment.astimezone(ZONE)
    night = 1 <= local.hour < 5
    today = local.date() == DAY
    if carrier == "water":
        if night:
            return 0.01 if today and index in LEAKS else 0.0
        return round(0.02 + (index + n) % 7 / 100, 3)
    if night:
        return 0.8 if today and index in BASELOAD else 0.3
    return round(0.6 + (index * 3 + n) % 9 / 10, 3)


async def _seed() -> tuple[list[tuple[int, str]], int]:
    from facilities import db
    from facilities.sites.tables import Region, Site
    from facilities.sustainability.tables import Meter

    region = Region(name="Anomaly region", created_at=START)
    await region.save()
    sites = -(-METERS // PER_SITE)
    await Site.insert(
        *[
            Site(
                region=region.id,
                name=f"Anomaly site {s:03d}",
                code=f"A-{s:03d}",
                kind="coworking",
                time_zone="Europe/Berlin",
                created_at=START,
                updated_at=START,
            )
            for s in range(sites)
        ]
    )
    site_ids = [r["id"] for r in await Site.select(Site.id).order_by(Site.id)]
    await Meter.insert(
        *[
            Meter(
                site=site_ids[i // PER_SITE],
                name=f"Meter {i}",
                carrier=_carrier(i),
                unit="m3" if _carrier(i) == "water" else "kWh",
            )
            for i in range(METERS)
        ]
    )
    meters = [
        (r["id"], r["carrier"])
        for r in await Meter.select(Meter.id, Meter.carrier).order_by(Meter.id)
    ]
    engine: Any = db.engine()
    sqlite = db.is_sqlite()
    written = 0
    async with db.transaction():
        connection = engine.current_transaction.get().connection
        batch: list[tuple[Any, ...]] = []

        async def flush() -> None:
            nonlocal batch, written
            if sqlite:
                await connection.executemany(
                    "INSERT INTO meter_interval (meter, starts_at, minutes, quantity)"
                    " VALUES (?, ?, ?, ?)",
                    batch,
                )
            else:
                await connection.copy_records_to_table(
                    "meter_interval",
                    records=batch,
                    columns=("meter", "starts_at", "minutes", "quantity"),
                )
            written += len(batch)
            batch = []

        for index, (meter_id, carrier) in enumerate(meters):
            for n in range(DAYS * 96):
                moment = (START + STEP * n).astimezone(UTC)
                if index in SILENT and moment.astimezone(ZONE).date() == DAY:
                    continue
                value = _value(index, carrier, moment, n)
                batch.append((meter_id, str(moment) if sqlite else moment, 15, value))
                if len(batch) >= BATCH:
                    await flush()
        if batch:
            await flush()
    await db.raw("ANALYZE")
    return meters, written


async def run(engine: str) -> str:
    tmp = section.environment(engine, PG_URL, "anomaly")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from facilities import db
    from facilities.sustainability.anomalies import scan
    from facilities.sustainability.tables import Anomaly
    from facilities.wiring import install

    install()
    await db.open_database()
    try:
        await db.migrate()
        started = time.perf_counter()
        meters, values = await _seed()
        seed_seconds = time.perf_counter() - started
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        first = await scan(now=NOW)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = await scan(now=NOW)
        second_seconds = time.perf_counter() - started
        load_after = os.getloadavg()[0]
        kinds = {
            r["kind"]: r["n"]
            for r in await db.raw("SELECT kind, count(*) AS n FROM meter_anomaly GROUP BY kind")
        }
        orders = (
            await db.raw("SELECT count(*) AS n FROM work_order WHERE title <> ''")  # any
        )[0]["n"]
        stored = await Anomaly.count()
    finally:
        await db.close_database()
    name = "PostgreSQL" if engine == "postgres" else "SQLite"
    expected = {"night_flow": len(LEAKS), "baseload_jump": len(BASELOAD), "no_data": len(SILENT)}
    lines = [
        f"### Nightly anomaly scan on {name}",
        "",
        f"{len(meters)} meters (grid electricity and water, {PER_SITE} per site) with {DAYS}"
        f" days of 15-minute values: {values:,} values (bulk-inserted in {seed_seconds:.1f} s)."
        f" The scan of {DAY.isoformat()} against its {14} baseline nights, called directly"
        f" (`anomalies.scan`). Load average (1 min) {load_before:.1f} before,"
        f" {load_after:.1f} after, on {os.cpu_count()} cores.",
        "",
        "| run | new anomalies | seconds | ms per meter |",
        "|---|---:|---:|---:|",
        f"| first (records them; the leaks open work orders) | {len(first)} |"
        f" {first_seconds:.2f} | {first_seconds * 1000 / len(meters):.1f} |",
        f"| again (idempotent: nothing new) | {len(second)} | {second_seconds:.2f} |"
        f" {second_seconds * 1000 / len(meters):.1f} |",
        "",
        f"Found: {kinds.get('night_flow', 0)} night-time water flows, "
        f"{kinds.get('baseload_jump', 0)} baseload jumps, {kinds.get('no_data', 0)} silent"
        f" meters; {orders} work orders.",
        "",
    ]
    if kinds != expected or second or stored != sum(expected.values()) or orders != len(LEAKS):
        lines.append(f"**FAILED**: expected {expected} and {len(LEAKS)} work orders once.")
    del tmp
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))
