"""Benchmark of the interval data import (``sustainability.actions.import_intervals``).

One CSV of 15-minute values for many meters, imported through the real action (streamed
from disk in 1 MB chunks, every row checked, one transaction, monthly figures rewritten),
against the raw driver's bulk path writing the same rows into the same (emptied) table in
the same run: PostgreSQL ``COPY`` (asyncpg ``copy_records_to_table``), SQLite
``executemany``. Then the same file again (answered as a duplicate, nothing kept). The
process's resident memory is sampled every 20 ms during the import: the growth over the
resident size before it is reported.

Scaled down by default (20 meters × 90 days = 172,800 values);
``BENCH_INTERVALS_FULL=1`` runs the issue's size: 250 meters × 365 days ≈ 8.8 million
values (about 330 MB of CSV on disk). ``BENCH_INTERVALS_METERS`` / ``BENCH_INTERVALS_DAYS``
set other sizes.

    python -m bench.intervals --engine sqlite|postgres

PostgreSQL: ``FACILITIES_BENCH_INTERVALS_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_intervals``; recreated).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import section

FULL = os.environ.get("BENCH_INTERVALS_FULL") == "1"
METERS = int(os.environ.get("BENCH_INTERVALS_METERS", "250" if FULL else "20"))
DAYS = int(os.environ.get("BENCH_INTERVALS_DAYS", "365" if FULL else "90"))
PER_SITE = 5  # meters per site
PG_URL = os.environ.get(
    "FACILITIES_BENCH_INTERVALS_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/facilities_bench_intervals",
)
START = datetime(2025, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=15)
BATCH = 20_000


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2


class PeakMemory:
    """The highest resident size while the block runs (sampled by a thread)."""

    def __enter__(self) -> PeakMemory:
        self.before = _rss_mb()
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())

    @property
    def growth(self) -> float:
        return self.peak - self.before


def _value(meter: int, n: int) -> float:
    return round(0.5 + (meter * 7 + n) % 40 / 10, 3)


def _rows(meter_ids: list[int]) -> Iterator[tuple[int, datetime, int, float]]:
    """Time-major (all meters per quarter hour), as a gateway export interleaves them."""
    for n in range(DAYS * 96):
        moment = START + STEP * n
        for meter in meter_ids:
            yield (meter, moment, 15, _value(meter, n))


def _write_csv(path: Path, meter_ids: list[int]) -> int:
    count = 0
    with path.open("w") as out:
        out.write("meter_id,start,value,unit\n")
        lines = []
        for meter, moment, _minutes, value in _rows(meter_ids):
            lines.append(f"{meter},{moment:%Y-%m-%dT%H:%M}Z,{value},kWh\n")
            if len(lines) >= 10_000:
                out.writelines(lines)
                count += len(lines)
                lines = []
        out.writelines(lines)
        count += len(lines)
    return count


async def _chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(1024 * 1024):
            yield chunk


async def _seed() -> list[int]:
    from facilities.sites.tables import Region, Site
    from facilities.sustainability.tables import Meter

    region = Region(name="Bench region", created_at=START)
    await region.save()
    meter_ids = []
    for s in range(-(-METERS // PER_SITE)):
        site = Site(
            region=region.id,
            name=f"Bench site {s}",
            code=f"B-{s}",
            kind="coworking",
            time_zone="Europe/Berlin",
            holiday_country="DE",
            country="DE",
            created_at=START,
            updated_at=START,
        )
        await site.save()
        for m in range(min(PER_SITE, METERS - s * PER_SITE)):
            meter = Meter(
                site=site.id, name=f"Meter {s}-{m}", carrier="electricity_grid", unit="kWh"
            )
            await meter.save()
            meter_ids.append(meter.id)
    return meter_ids


async def _empty() -> None:
    from facilities import db

    if db.is_sqlite():
        await db.raw("DELETE FROM meter_interval")
    else:
        await db.raw("TRUNCATE meter_interval")
        await db.raw("VACUUM ANALYZE meter_interval")


async def _reference(meter_ids: list[int]) -> float:
    """The same rows by the driver's bulk path into the emptied table; seconds of writing
    (making the tuples is not counted)."""
    from facilities import db

    await _empty()
    engine: Any = db.engine()
    spent = 0.0
    batch: list[tuple[int, datetime, int, float]] = []

    async def flush(connection: Any) -> None:
        nonlocal spent, batch
        started = time.perf_counter()
        if db.is_sqlite():
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
        spent += time.perf_counter() - started
        batch = []

    started = time.perf_counter()
    async with db.transaction():
        connection = engine.current_transaction.get().connection
        begun = time.perf_counter() - started
        for row in _rows(meter_ids):
            batch.append(row)
            if len(batch) >= BATCH:
                await flush(connection)
        if batch:
            await flush(connection)
        committing = time.perf_counter()
    spent += begun + (time.perf_counter() - committing)
    return spent


async def run(engine: str) -> str:
    tmp = section.environment(engine, PG_URL, "intervals")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from facilities import db
    from facilities.kit import clock
    from facilities.sustainability import actions
    from facilities.sustainability.tables import MeterInterval, MeterMonth
    from facilities.wiring import install
    from tests import builders

    install()
    await db.open_database()
    try:
        await db.migrate()
        meter_ids = await _seed()
        path = tmp / "intervals.csv"
        started = time.perf_counter()
        values = _write_csv(path, meter_ids)
        csv_seconds = time.perf_counter() - started
        size_mb = path.stat().st_size / 1024**2
        system = await builders.system()
        with clock.pinned(START + timedelta(days=DAYS + 30)), PeakMemory() as memory:
            started = time.perf_counter()
            first = await actions.import_intervals(
                actor=system, chunks=_chunks(path), filename=path.name
            )
            import_seconds = time.perf_counter() - started
        stored = await MeterInterval.count()
        months = await MeterMonth.count()
        started = time.perf_counter()
        with clock.pinned(START + timedelta(days=DAYS + 30)):
            try:
                await actions.import_intervals(
                    actor=system, chunks=_chunks(path), filename=path.name
                )
                refused = False
            except actions.DuplicateImport:
                refused = True
        second_seconds = time.perf_counter() - started
        after_second = await MeterInterval.count()
        reference_seconds = await _reference(meter_ids)
    finally:
        await db.close_database()
    ours = values / import_seconds
    reference = values / reference_seconds
    ratio = ours / reference
    bulk = "COPY (asyncpg copy_records_to_table)" if engine == "postgres" else "executemany"
    name = "PostgreSQL" if engine == "postgres" else "SQLite"
    lines = [
        f"### Interval import on {name}",
        "",
        f"{METERS} meters × {DAYS} days of 15-minute values: {values:,} values,"
        f" {size_mb:.0f} MB of CSV (written in {csv_seconds:.1f} s)"
        + ("" if FULL else "; scaled down (`BENCH_INTERVALS_FULL=1` for 250 × 365)")
        + ".",
        "",
        "| run | values | seconds | values/s |",
        "|---|---:|---:|---:|",
        f"| import (parse, check, write, monthly figures) | {first.rows:,} |"
        f" {import_seconds:.2f} | {ours:,.0f} |",
        f"| the same file again (409 before parsing: hashed only) | {after_second - stored:,} new |"
        f" {second_seconds:.2f} | – |",
        f"| reference: driver {bulk} of the same rows | {values:,} |"
        f" {reference_seconds:.2f} | {reference:,.0f} |",
        "",
        f"Import / reference: **{ratio:.0%}** (target ≥ 50 %). Memory: resident size grew by"
        f" **{memory.growth:.0f} MB** during the import (target < 100 MB; before:"
        f" {memory.before:.0f} MB). Stored {stored:,} values and {months:,} monthly figures.",
        "",
    ]
    if stored != values or not refused or after_second != stored:
        lines.append(f"**FAILED**: stored {stored} of {values}; second run refused={refused}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))
