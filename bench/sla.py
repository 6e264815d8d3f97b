"""Benchmark of the SLA escalation job (``facilities.services.sla.jobs.escalate``).

100,000 open work orders across 50 sites (Mon–Fri 08:00–18:00, Europe/Berlin, German public
holidays), created over the 10 days before "now", with their lifecycle events (create,
assign, accept, start, hold for parts), bulk-inserted through the driver
(``facilities.db.executemany``); the default SLA policies (P1 24/7, P2–P4 business hours).
Then the job runs until nothing is left to escalate (each run climbs at most one level per
target) and once more: the time of each run is the result.

    python -m bench.sla --engine sqlite|postgres

Prints a markdown section. PostgreSQL: ``FACILITIES_BENCH_SLA_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_sla``; the database is recreated).
The environment must be set before ``facilities`` is imported, so the product's imports are
inside ``run``.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import section

ORDERS = int(os.environ.get("BENCH_SLA_ORDERS", "100000"))
SITES = int(os.environ.get("BENCH_SLA_SITES", "50"))
PG_URL = os.environ.get(
    "FACILITIES_BENCH_SLA_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/facilities_bench_sla"
)
NOW = datetime(2027, 3, 17, 10, 0, tzinfo=UTC)  # a Wednesday, 11:00 in Berlin
SPREAD = timedelta(days=10)
OFFICE = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
PRIORITIES = (("p1", 5), ("p2", 15), ("p3", 50), ("p4", 30))
# status, share, the lifecycle steps after "create"
STATUSES = (
    ("open", 20, ()),
    ("assigned", 30, ("assign",)),
    ("accepted", 20, ("assign", "accept")),
    ("in_progress", 20, ("assign", "accept", "start")),
    ("on_hold", 10, ("assign", "accept", "start", "hold")),
)
MAX_RUNS = 6


def _pick(rng: random.Random, table: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    total = sum(row[1] for row in table)
    value = rng.uniform(0, total)
    for row in table:
        value -= row[1]
        if value <= 0:
            return row
    return table[-1]


async def _seed() -> None:
    from facilities import db
    from facilities.accounts.enums import Role
    from facilities.accounts.principal import Principal
    from facilities.accounts.tables import User
    from facilities.services.sla.defaults import seed_default_policies
    from facilities.sites.tables import Region, Site

    start = NOW - SPREAD - timedelta(days=1)
    region = Region(name="Bench region", created_at=start)
    await region.save()
    await Site.insert(
        *[
            Site(
                region=region.id,
                name=f"Bench site {n}",
                code=f"B-{n}",
                kind="coworking",
                time_zone="Europe/Berlin",
                holiday_country="DE",
                holiday_subdivision="BW",
                opening_hours=OFFICE,
                created_at=start,
                updated_at=start,
            )
            for n in range(SITES)
        ]
    )
    site_ids = [r["id"] for r in await Site.select(Site.id).order_by(Site.id)]
    admin = User(email="bench@example.com", name="Bench", role=Role.admin.value, created_at=start)
    await admin.save()
    await seed_default_policies(
        Principal(
            user_id=int(admin.id),
            email="bench@example.com",
            name="Bench",
            role=Role.admin,
            locale="en",
            partner_organisation_id=None,
            via="session",
            credential_id=0,
        )
    )
    rng = random.Random(5)
    orders: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for number in range(1, ORDERS + 1):
        created = NOW - SPREAD * rng.random()
        priority = _pick(rng, PRIORITIES)[0]
        status, _share, steps = _pick(rng, STATUSES)
        hold = "parts" if status == "on_hold" else ""
        orders.append(
            (
                number,
                "corrective",
                f"Bench order {number}",
                site_ids[number % len(site_ids)],
                priority,
                status,
                "manual",
                hold,
                1,
                created,
                created,
            )
        )
        events.append((number, "create", None, "open", "system", "", created))
        at = created
        for step in steps:
            at = at + (NOW - at) * rng.random() * 0.5
            events.append(
                (number, step, None, None, "system", "parts" if step == "hold" else "", at)
            )
    async with db.transaction():
        await db.executemany(
            "INSERT INTO work_order (id, kind, title, site, priority, status, origin,"
            " hold_reason, version, created_at, updated_at)"
            " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
            orders,
        )
        await db.executemany(
            "INSERT INTO work_order_event (work_order, action, from_status, to_status,"
            " actor_label, note, created_at) VALUES ({}, {}, {}, {}, {}, {}, {})",
            events,
        )
    if not db.is_sqlite():
        await db.raw("SELECT setval('work_order_id_seq', (SELECT max(id) FROM work_order))")
        await db.raw("ANALYZE")


async def run(engine: str) -> str:
    section.environment(engine, PG_URL, "sla")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from facilities import db
    from facilities.kit import clock
    from facilities.services.sla.jobs import escalate

    await db.open_database()
    runs: list[tuple[float, Any, float]] = []
    try:
        await db.migrate()
        seed_started = time.perf_counter()
        await _seed()
        seed_seconds = time.perf_counter() - seed_started
        for _run in range(MAX_RUNS):
            started, cpu = time.perf_counter(), time.process_time()
            with clock.pinned(NOW):
                result = await escalate()
            runs.append((time.perf_counter() - started, result, time.process_time() - cpu))
            if not result.escalated:
                break
        outcomes = await db.raw("SELECT COUNT(*) AS n FROM sla_escalation")
        history = await db.raw(
            "SELECT COUNT(*) AS n FROM work_order_event WHERE action = 'escalate'"
        )
    finally:
        await db.close_database()
    lines = [
        f"### SLA escalation on {'PostgreSQL' if engine == 'postgres' else 'SQLite'}",
        "",
        f"{ORDERS:,} open work orders at {SITES} sites (business hours Mon–Fri 08:00–18:00,"
        " Europe/Berlin, holidays), created over 10 days, with their events; default"
        f" policies (seeded in {seed_seconds:.1f} s). Each run climbs at most one level per"
        " target; runs repeat until nothing is left to escalate.",
        "",
        "| run | candidates (SQL) | with policy | escalated | levels 1/2/3 | seconds |"
        " CPU seconds |",
        "|---|---:|---:|---:|---|---:|---:|",
    ]
    for number, (seconds, result, cpu_seconds) in enumerate(runs, start=1):
        levels = "/".join(str(result.levels.get(level, 0)) for level in (1, 2, 3))
        lines.append(
            f"| {number} | {result.candidates:,} | {result.with_policy:,} | {result.escalated:,}"
            f" | {levels} | {seconds:.2f} | {cpu_seconds:.2f} |"
        )
    steady = runs[-1][0]
    lines += [
        "",
        f"Steady state (nothing new to escalate): **{steady:.2f} s per run** for"
        f" {runs[-1][1].candidates:,} candidate orders; {outcomes[0]['n']:,} escalations and"
        f" {history[0]['n']:,} history events written in total. A run that escalates writes,"
        " per escalation, the escalation row, the work-order event and its notification"
        " (here without recipients, so only the webhook fan-out is looked up).",
        "",
    ]
    if any(result.failed for _s, result, _c in runs):
        lines.append("**FAILED**: some escalations failed; see the log.")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))
