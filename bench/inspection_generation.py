"""Benchmark of inspection generation (``safety.inspections.actions.generate_due``).

250 sites × 8 programmes per site (4 weekly, 4 monthly), one year of inspections generated
in one run (about 65,000 rows), then a second run that must create nothing, and the
reference: the same rows written by the raw driver's ``executemany`` into the same
(emptied) table, indexes included.

    python -m bench.inspection_generation --engine sqlite|postgres

PostgreSQL: ``FACILITIES_BENCH_INSPECTIONS_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_inspections``; recreated).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench import section

SITES = int(os.environ.get("BENCH_INSPECTION_SITES", "250"))
RULES = (
    ("Weekly walk A", "FREQ=WEEKLY;BYDAY=MO"),
    ("Weekly walk B", "FREQ=WEEKLY;BYDAY=TU"),
    ("Weekly walk C", "FREQ=WEEKLY;BYDAY=WE"),
    ("Weekly walk D", "FREQ=WEEKLY;BYDAY=TH"),
    ("Monthly extinguishers", "FREQ=MONTHLY;BYMONTHDAY=1"),
    ("Monthly lighting", "FREQ=MONTHLY;BYMONTHDAY=2"),
    ("Monthly first aid", "FREQ=MONTHLY;BYMONTHDAY=3"),
    ("Monthly escape routes", "FREQ=MONTHLY;BYMONTHDAY=4"),
)
PG_URL = os.environ.get(
    "FACILITIES_BENCH_INSPECTIONS_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/facilities_bench_inspections",
)
EFFECTIVE = datetime(2026, 12, 31, tzinfo=UTC)
NOW = datetime(2027, 12, 24, 23, 0, tzinfo=UTC)  # + 7 days lead: the year 2027
COLUMNS = (
    "programme, template_version, site, asset, target_key, occurrence_key, due_at, status,"
    " only_item, assignee_role, assignee_partner, assignee_user, version, created_at"
)


async def _seed() -> None:
    from facilities import db
    from facilities.safety.inspections.actions import copy_starter
    from facilities.sites.tables import Region, Site

    region = Region(name="Bench region", created_at=EFFECTIVE)
    await region.save()
    sites = [
        Site(
            region=region.id,
            name=f"Bench site {n}",
            code=f"B-{n}",
            kind="coworking",
            time_zone="Europe/Berlin",
            holiday_country="DE",
            created_at=EFFECTIVE,
            updated_at=EFFECTIVE,
        )
        for n in range(SITES)
    ]
    for start in range(0, len(sites), 500):
        await Site.insert(*sites[start : start + 500])
    site_ids = [r["id"] for r in await Site.select(Site.id).order_by(Site.id)]
    template = await copy_starter(actor=None, key="coworking_walk", language="en")
    rows = [
        (name, template.id, "site", site_id, rule, "2027-01-01T09:00:00", 7, True,
         "community_manager", True, EFFECTIVE, EFFECTIVE)
        for site_id in site_ids
        for name, rule in RULES
    ]  # fmt: skip
    await db.executemany(
        "INSERT INTO inspection_programme (name, template, scope, site, rrule, dtstart_local,"
        " lead_days, skip_closed_days, assignee_role, active, effective_from, created_at)"
        " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        rows,
    )


async def _reference() -> tuple[float, int]:
    from facilities import db

    rows = await db.raw(f"SELECT {COLUMNS} FROM inspection ORDER BY id")
    snapshot = [tuple(dict(r).values()) for r in rows]
    await db.raw("DELETE FROM inspection")
    marks = ", ".join("{}" for _ in COLUMNS.split(","))
    started = time.perf_counter()
    async with db.transaction():
        await db.executemany(f"INSERT INTO inspection ({COLUMNS}) VALUES ({marks})", snapshot)
    return time.perf_counter() - started, len(snapshot)


async def run(engine: str) -> str:
    section.environment(engine, PG_URL, "inspections")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from facilities import db
    from facilities.safety.inspections.actions import generate_due
    from facilities.wiring import install

    install()
    await db.open_database()
    result: dict[str, Any] = {}
    try:
        await db.migrate()
        await _seed()
        started = time.perf_counter()
        first = await generate_due(NOW)
        result["first"] = time.perf_counter() - started
        started = time.perf_counter()
        second = await generate_due(NOW)
        result["second"] = time.perf_counter() - started
        reference_seconds, reference_rows = await _reference()
    finally:
        await db.close_database()
    ratio = result["first"] / reference_seconds if reference_seconds else float("inf")
    lines = [
        f"### Inspection generation on {'PostgreSQL' if engine == 'postgres' else 'SQLite'}",
        "",
        f"{SITES} sites × {len(RULES)} programmes (4 weekly, 4 monthly), one year.",
        "",
        "| run | created | seconds | rows/s |",
        "|---|---:|---:|---:|",
        f"| first (one year) | {first.created:,} | {result['first']:.2f}"
        f" | {first.created / result['first']:,.0f} |",
        f"| second (nothing due) | {second.created:,} | {result['second']:.2f} | – |",
        f"| reference: driver executemany of the same {reference_rows:,} rows | – |"
        f" {reference_seconds:.2f} | {reference_rows / reference_seconds:,.0f} |",
        "",
        f"First run / reference: **{ratio:.2f}×** (target ≤ 2×). The first run also computes"
        " every occurrence (RRULE in the site's time zone, holidays moved) and marks missed"
        " ones.",
        "",
    ]
    if second.created:
        lines.append(f"**FAILED**: second run created {second.created}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))
