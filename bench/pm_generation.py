"""Benchmark of preventive-maintenance generation (``generate_due``).

50 sites × 200 assets, 2 schedules per asset (monthly and quarterly: 20,000 schedules), one
year of occurrences generated in one run: 160,000 occurrences, work orders and "create"
events and audit rows (through the one work-order write path, listeners and router
installed). Then a second run that must create nothing, and the reference: the same rows written
by the raw driver's ``executemany`` into the same (emptied) tables, indexes included.

    python -m bench.pm_generation --engine sqlite|postgres

Prints a markdown section. PostgreSQL: ``FACILITIES_BENCH_PM_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_pm``; the database is recreated).
The environment must be set before ``facilities`` is imported, so the imports of the
product are inside ``run``.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench import section

SITES = int(os.environ.get("BENCH_PM_SITES", "50"))
ASSETS_PER_SITE = int(os.environ.get("BENCH_PM_ASSETS", "200"))
RULES = (
    ("Monthly check", "FREQ=MONTHLY;BYMONTHDAY=1"),
    ("Quarterly service", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15"),
)
PG_URL = os.environ.get(
    "FACILITIES_BENCH_PM_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/facilities_bench_pm"
)
START = datetime(2027, 1, 1, tzinfo=UTC)
NOW = datetime(2027, 12, 31, 23, 0, tzinfo=UTC)


async def _seed() -> None:
    from facilities.assets.tables import Asset
    from facilities.maintenance.tables import PMSchedule
    from facilities.sites.tables import Region, Site

    region = Region(name="Bench region", created_at=START)
    await region.save()
    sites = [
        Site(
            region=region.id,
            name=f"Bench site {n}",
            code=f"B-{n}",
            kind="coworking",
            time_zone="Europe/Berlin",
            holiday_country="DE",
            created_at=START,
            updated_at=START,
        )
        for n in range(SITES)
    ]
    await Site.insert(*sites)
    site_ids = [r["id"] for r in await Site.select(Site.id).order_by(Site.id)]
    earlier = datetime(2026, 12, 1, tzinfo=UTC)
    assets = [
        Asset(
            site=site_id,
            name=f"Asset {site_id}-{n}",
            created_at=earlier,
            updated_at=earlier,
            status_changed_at=earlier,
        )
        for site_id in site_ids
        for n in range(ASSETS_PER_SITE)
    ]
    for start in range(0, len(assets), 500):
        await Asset.insert(*assets[start : start + 500])
    asset_ids = [r["id"] for r in await Asset.select(Asset.id).order_by(Asset.id)]
    schedules = [
        PMSchedule(
            name=name,
            asset=asset_id,
            mode="fixed",
            rrule=rule,
            dtstart_local="2027-01-01T08:00:00",
            effective_from=earlier,
            created_at=earlier,
            updated_at=earlier,
        )
        for asset_id in asset_ids
        for name, rule in RULES
    ]
    for start in range(0, len(schedules), 500):
        await PMSchedule.insert(*schedules[start : start + 500])


TABLES = {
    "pm_occurrence": "id, schedule, asset, occurrence_key, due_at, status, work_order, created_at",
    "work_order": (
        "id, kind, title, description, site, space, asset, priority, status, due_at,"
        " scheduled_for, partner_organisation, estimated_minutes, origin, schedule,"
        " occurrence_key, checklist_version, hold_reason, completion_note, cancel_reason,"
        " asset_down, version, created_at, updated_at"
    ),
    "work_order_event": (
        "id, work_order, action, from_status, to_status, actor_label, note, created_at"
    ),
    "audit_event": (
        "id, actor, actor_label, action, object_type, object_id, site_id, summary, before,"
        " after, created_at"
    ),
}


async def _empty(tables: tuple[str, ...]) -> None:
    """Empty the tables fast (SQLite checks each deleted row's foreign keys by scanning
    the referencing tables, so switch them off for the wipe, as the test harness does)."""
    from facilities import db

    if not db.is_sqlite():
        await db.raw("TRUNCATE " + ", ".join(tables) + " CASCADE")
        await db.raw("VACUUM ANALYZE work_order")
        return
    engine: Any = db.engine()
    connection = await engine.acquire_writer()
    try:
        await connection.execute("PRAGMA foreign_keys = OFF")
        await connection.execute("BEGIN IMMEDIATE")
        for table in tables:
            await connection.execute(f"DELETE FROM {table}")
        await connection.execute("COMMIT")
        await connection.execute("PRAGMA foreign_keys = ON")
    finally:
        engine.release_writer()


async def _reference() -> tuple[float, int]:
    """The same rows, written again by the driver's executemany into the emptied tables."""
    from facilities import db

    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    for table, columns in TABLES.items():
        rows = await db.raw(f"SELECT {columns} FROM {table} ORDER BY id")
        snapshot[table] = [tuple(dict(r).values()) for r in rows]
    await _empty(("audit_event", "work_order_event", "pm_occurrence", "work_order"))
    started = time.perf_counter()
    async with db.transaction():
        for table in ("work_order", "pm_occurrence", "work_order_event", "audit_event"):
            columns = TABLES[table]
            marks = ", ".join("{}" for _ in columns.split(","))
            await db.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                snapshot[table],
            )
    return time.perf_counter() - started, sum(len(v) for v in snapshot.values())


async def run(engine: str) -> str:
    section.environment(engine, PG_URL, "pm")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from facilities import db
    from facilities.maintenance.pm.generation import generate_due
    from facilities.wiring import install

    install()  # as the scheduler does: routing and the listeners run on the real path
    await db.open_database()
    try:
        await db.migrate()
        seed_started = time.perf_counter()
        await _seed()
        seed_seconds = time.perf_counter() - seed_started
        started = time.perf_counter()
        first = await generate_due(NOW)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        second = await generate_due(NOW)
        second_seconds = time.perf_counter() - started
        reference_seconds, reference_rows = await _reference()
    finally:
        await db.close_database()
    ratio = first_seconds / reference_seconds if reference_seconds else float("inf")
    rows = first.created * 4
    lines = [
        f"### PM generation on {'PostgreSQL' if engine == 'postgres' else 'SQLite'}",
        "",
        f"{SITES} sites × {ASSETS_PER_SITE} assets × {len(RULES)} schedules"
        f" ({SITES * ASSETS_PER_SITE * len(RULES):,} schedules), one year"
        f" (seeded in {seed_seconds:.1f} s).",
        "",
        "| run | created | skipped | seconds | rows/s |",
        "|---|---:|---:|---:|---:|",
        f"| first (one year) | {first.created:,} | {first.skipped:,} | {first_seconds:.2f}"
        f" | {rows / first_seconds:,.0f} |",
        f"| second (nothing due) | {second.created:,} | {second.skipped:,}"
        f" | {second_seconds:.2f} | – |",
        f"| reference: driver executemany of the same {reference_rows:,} rows | – | – |"
        f" {reference_seconds:.2f} | {reference_rows / reference_seconds:,.0f} |",
        "",
        f"First run / reference: **{ratio:.2f}×** (target ≤ 2×); second run / first run:"
        f" **{second_seconds / first_seconds:.2f}**. Rows = occurrences + work orders +"
        " events + audit rows; the first run also computes every occurrence (RRULE in the"
        " site's time zone, holidays) and reads back what it inserted.",
        "",
    ]
    if second.created or first.errors:
        lines.append(f"**FAILED**: second run created {second.created}; errors {first.errors[:3]}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))
