"""Scale benchmark (issue 16): the endpoints that grew with the data, at three sizes.

One database per engine grows through three sizes of work-order history (by default the
issue's: 10,000, 160,000 and 1,000,000 work orders; ``BENCH_SCALE_SIZES=2000,6000,12000``
for a quick look) over ``BENCH_SCALE_SITES`` sites (250) with ``BENCH_SCALE_SCHEDULES``
weekly PM schedules (20,000), each with its asset. The history is preventive
orders of those schedules, due over the past year and the next month, three in five
completed (some late), a third for one of five partner organisations, bulk-inserted through
the driver like ``bench.sla``. At each size the real server (``python -m facilities serve``)
starts afresh and answers ``BENCH_SCALE_REQUESTS`` (15) sequential requests per endpoint as
an ops manager; the section prints each endpoint's median and p99 in ms per size, its growth
in ms per 10,000 work orders (the slope of the median between the smallest and the largest
size), the server's peak memory (VmHWM) per size, the answers' sizes, the query plans of
the work-order list's last page and of PM compliance (``EXPLAIN``), and each of the issue's
targets met or missed at the sizes of 160,000 orders and more (``_verdict``; the first
escalation run's target is ``bench.sla``'s).

    python -m bench.scale --engine sqlite|postgres

PostgreSQL: ``FACILITIES_BENCH_SCALE_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_scale``; recreated).
"""

from __future__ import annotations

import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import section

SIZES = [int(s) for s in os.environ.get("BENCH_SCALE_SIZES", "10000,160000,1000000").split(",")]
SITES = int(os.environ.get("BENCH_SCALE_SITES", "250"))
SCHEDULES = int(os.environ.get("BENCH_SCALE_SCHEDULES", "20000"))
REQUESTS = int(os.environ.get("BENCH_SCALE_REQUESTS", "15"))
PG_URL = os.environ.get(
    "FACILITIES_BENCH_SCALE_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/facilities_bench_scale",
)
NOW = datetime.now(UTC).replace(microsecond=0)
PARTNERS = 5

# (key, label, path; {last} is the last page's cursor, {partner} a partner id)
ENDPOINTS = [
    ("wo_first", "`GET /api/v1/work-orders?limit=50`, first page", "/api/v1/work-orders?limit=50"),
    (
        "wo_last",
        "the same, last page (cursor)",
        "/api/v1/work-orders?limit=50&cursor={last}",
    ),
    (
        "wo_offset",
        "the same, offset 5,000 (the deepest offset allowed)",
        "/api/v1/work-orders?limit=50&offset=5000",
    ),
    ("compliance", "`GET /api/v1/pm/compliance`, one year", "/api/v1/pm/compliance?start={year}"),
    ("compliance_page", "PM compliance page (90 days)", "/pm/compliance"),
    ("scorecards", "`GET /api/v1/scorecards` (all partners, 90 days)", "/api/v1/scorecards"),
    ("scorecard", "`GET /api/v1/scorecards/{id}`", "/api/v1/scorecards/{partner}"),
    ("calendar_week", "calendar, week", "/calendar?view=week"),
    ("calendar_month", "calendar, month", "/calendar?view=month"),
    ("feed_first", "the ops manager's iCal feed, first fetch (uncached)", "{feed}"),
    ("feed_cached", "the same, polled again (cached, 200)", "{feed}"),
    ("feed_304", "the same with `If-None-Match` (304)", "{feed}"),
]
# ``BENCH_SCALE_ONLY=compliance,scorecards`` measures only those endpoints (keys above).
ONLY = {k for k in os.environ.get("BENCH_SCALE_ONLY", "").split(",") if k}
if ONLY:
    ENDPOINTS = [e for e in ENDPOINTS if e[0] in ONLY]


# Issue 16's targets, judged at every measured size of at least ``TARGET_FROM`` orders.
TARGET_FROM = 160_000
P99_MS = 300.0  # every page and API answer
GROWTH_MS = 5.0  # ms of the median per 10,000 work orders
MONTH_BYTES = 200_000  # the calendar month page
FEED_MS = 500.0  # a feed built afresh
NOT_MODIFIED_MS = 20.0  # a feed's 304 (p99)
PEAK_MB = 250.0  # the server's peak memory


def _verdict(
    figures: dict[str, dict[int, tuple[float, float, int, int, float]]],
    memory: dict[int, float],
    growth: dict[str, float],
) -> list[str]:
    """Each target met (✅) or missed (❌), with the figure that decides it."""
    judged = [s for s in SIZES if s >= TARGET_FROM] or SIZES[-1:]
    lines: list[str] = []
    missed = 0

    def check(ok: bool, text: str) -> None:
        nonlocal missed
        missed += 0 if ok else 1
        lines.append(f"- {'✅' if ok else '❌'} {text}")

    for key, label, _template in ENDPOINTS:
        for size in judged:
            if size not in figures[key]:
                continue
            median, p99, status, length, _cpu = figures[key][size]
            if key == "feed_first":
                check(median < FEED_MS, f"{label} at {size:,}: {median:.0f} ms < {FEED_MS:.0f} ms")
            elif key == "feed_304":
                check(
                    status == 304 and p99 < NOT_MODIFIED_MS,
                    f"{label} at {size:,}: p99 {p99:.1f} ms < {NOT_MODIFIED_MS:.0f} ms",
                )
            else:
                check(
                    status == 200 and p99 < P99_MS,
                    f"{label} at {size:,}: p99 {p99:.0f} ms < {P99_MS:.0f} ms",
                )
            if key == "calendar_month":
                check(
                    length < MONTH_BYTES,
                    f"{label} at {size:,}: {length:,} B < {MONTH_BYTES:,} B",
                )
        if key in growth and len(SIZES) > 1:
            check(
                growth[key] < GROWTH_MS,
                f"{label}: growth {growth[key]:+.1f} ms per 10,000 < {GROWTH_MS:.0f}",
            )
    for size in judged:
        if size in memory:
            check(
                memory[size] < PEAK_MB,
                f"server peak memory at {size:,}: {memory[size]:.0f} MB < {PEAK_MB:.0f} MB",
            )
    met = len(lines) - missed
    return [f"**Issue 16's targets: {met} of {len(lines)} met.**", "", *lines]


async def _seed_base() -> dict[str, Any]:
    """Sites, assets, weekly schedules (bulk-inserted), partners, an ops manager."""
    from facilities import db
    from facilities.accounts import actions as account_actions
    from facilities.accounts.enums import Role
    from facilities.accounts.schemas import ApiTokenCreate
    from facilities.accounts.tables import PartnerOrganisation
    from facilities.assets.tables import Asset
    from facilities.maintenance.tables import PMSchedule
    from facilities.sites import actions as site_actions
    from facilities.sites.schemas import AccessUpdate
    from facilities.sites.tables import Region, Site

    start = NOW - timedelta(days=400)
    region = Region(name="Scale region", created_at=start)
    await region.save()
    await Site.insert(
        *[
            Site(
                region=region.id,
                name=f"Scale site {n:03d}",
                code=f"S-{n}",
                kind="coworking",
                time_zone="Europe/Berlin",
                created_at=start,
                updated_at=start,
            )
            for n in range(SITES)
        ]
    )
    site_ids = [r["id"] for r in await Site.select(Site.id).order_by(Site.id)]
    await PartnerOrganisation.insert(
        *[PartnerOrganisation(name=f"Scale partner {n}") for n in range(PARTNERS)]
    )
    partner_ids = [
        r["id"]
        for r in await PartnerOrganisation.select(PartnerOrganisation.id).order_by(
            PartnerOrganisation.id
        )
    ]
    for first in range(0, SCHEDULES, 500):  # SQLite's limit of variables per statement
        await Asset.insert(
            *[
                Asset(
                    site=site_ids[n % len(site_ids)],
                    name=f"Scale boiler {n}",
                    created_at=start,
                    updated_at=start,
                )
                for n in range(first, min(first + 500, SCHEDULES))
            ]
        )
    assets = [dict(r) for r in await Asset.select(Asset.id, Asset.site).order_by(Asset.id)]
    ops_principal = await section.person(
        "ops@scale.bench", "Ops", Role.ops_manager, created_at=start
    )
    system = await section.person("admin@scale.bench", "Admin", Role.admin, created_at=start)
    # The schedules are bulk-inserted through the ORM (the PM action took 180 s for 20,000):
    # the same columns ``pm.actions.create_schedule`` writes for an asset's weekly schedule.
    days = ("MO", "TU", "WE", "TH", "FR")
    dtstart = (start + timedelta(days=1)).replace(tzinfo=None).isoformat(timespec="seconds")
    for first in range(0, len(assets), 500):
        await PMSchedule.insert(
            *[
                PMSchedule(
                    name=f"Weekly check {n}",
                    asset=asset["id"],
                    mode="fixed",
                    rrule=f"FREQ=WEEKLY;BYDAY={days[n % 5]}",
                    dtstart_local=dtstart,
                    grace_days=2,
                    skip_closed_days=False,
                    partner_organisation=partner_ids[n % PARTNERS] if n % 3 == 0 else None,
                    effective_from=start,
                    version=1,
                    created_by=system.user_id,
                    created_at=start,
                    updated_at=start,
                )
                for n, asset in enumerate(assets[first : first + 500], start=first)
            ]
        )
    schedules = [
        (r["id"], r["asset"], r["site"], r["partner_organisation"])
        for r in await db.raw(
            "SELECT s.id, s.asset, a.site, s.partner_organisation FROM pm_schedule s"
            " JOIN asset a ON a.id = s.asset ORDER BY s.id"
        )
    ]
    # Generation starts after "now": the history below is the past of these schedules.
    await db.raw("UPDATE pm_schedule SET effective_from = {}", NOW)
    assert ops_principal.user_id is not None
    await site_actions.set_access(
        actor=system, user_id=ops_principal.user_id, data=AccessUpdate(region_ids=[int(region.id)])
    )
    token = await account_actions.create_api_token(
        actor=ops_principal, data=ApiTokenCreate(name="scale benchmark")
    )
    return {"token": token.secret, "schedules": schedules, "partners": partner_ids, "n": 0}


async def _grow(base: dict[str, Any], size: int) -> None:
    """Add preventive orders (and their completion events) until there are ``size``, in
    chunks of 50,000 (each generated, then bulk-inserted through the driver), then bring
    the maintained summaries up to date as the migration's backfill does (the orders did
    not come through the work-order actions)."""
    from facilities import db
    from facilities.maintenance.tables import WorkOrder

    rng = random.Random(size)
    # The history marks (``completed_once``) exist from their migration on; a run of the
    # code before them (the "before" of a comparison) inserts without.
    marks = hasattr(WorkOrder, "completed_once")
    # so do the durations the lifecycle action keeps with accepted_at / completed_at
    durations = hasattr(WorkOrder, "response_ms")
    first = int((await db.raw("SELECT coalesce(max(id), 0) AS n FROM work_order"))[0]["n"]) + 1
    last = first + size - base["n"]
    for chunk in range(first, last, 50_000):
        rows: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        for number in range(chunk, min(chunk + 50_000, last)):
            schedule_id, asset_id, site_id, partner = base["schedules"][
                number % len(base["schedules"])
            ]
            due = NOW - timedelta(days=365) + timedelta(days=395 * rng.random())
            created = due - timedelta(days=7)
            done = due < NOW and rng.random() < 0.6
            completed = due + timedelta(hours=rng.choice((2, 30, 80))) if done else None
            status = (
                "completed" if done else ("open" if due > NOW else rng.choice(("open", "assigned")))
            )
            partner_id = partner if partner else None
            rows.append(
                (
                    number,
                    "preventive",
                    f"Weekly check {number}",
                    site_id,
                    asset_id,
                    rng.choice(("p2", "p3", "p3", "p4")),
                    status,
                    "schedule",
                    schedule_id,
                    f"scale-{number}",
                    partner_id,
                    due,
                    created,
                    created,
                    created + timedelta(hours=1) if partner_id else None,
                    completed,
                    *((done,) if marks else ()),  # its history has the "complete" event below
                    *(
                        (
                            3_600_000 if partner_id else None,
                            (completed - created) // timedelta(milliseconds=1)
                            if completed
                            else None,
                        )
                        if durations
                        else ()
                    ),
                )
            )
            events.append((number, "create", None, "open", "system", "", created))
            if done:
                events.append((number, "complete", None, "completed", "system", "", completed))
        async with db.transaction():
            for start in range(0, len(rows), 5000):
                await db.executemany(
                    "INSERT INTO work_order (id, kind, title, site, asset, priority, status,"
                    " origin, schedule, occurrence_key, partner_organisation, due_at,"
                    " created_at, updated_at, accepted_at, completed_at"
                    + (", completed_once" if marks else "")
                    + (", response_ms, resolution_ms" if durations else "")
                    + ") VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}"
                    + (", {}" if marks else "")
                    + (", {}, {}" if durations else "")
                    + ")",
                    rows[start : start + 5000],
                )
            for start in range(0, len(events), 10000):
                await db.executemany(
                    "INSERT INTO work_order_event (work_order, action, from_status, to_status,"
                    " actor_label, note, created_at) VALUES ({}, {}, {}, {}, {}, {}, {})",
                    events[start : start + 10000],
                )
    try:  # the maintained PM compliance totals (absent before they were introduced)
        from facilities.maintenance.pm import compliance_summary
    except ImportError:
        pass
    else:
        async with db.transaction():
            await compliance_summary.rebuild()
    try:  # the maintained repair totals (MTTR, first-time fix), likewise
        from facilities.maintenance.workorders import repair_summary
    except ImportError:
        pass
    else:
        await repair_summary.rebuild()
    if not db.is_sqlite():
        await db.raw("SELECT setval('work_order_id_seq', (SELECT max(id) FROM work_order))")
    # The agenda's planned occurrences (``pm_planned``), as the scheduler's job
    # ``maintenance.refresh_agenda`` keeps them after a change: absent before they existed
    # (then each server expands every schedule on its first calendar request).
    try:
        from facilities.maintenance.pm import planned
    except ImportError:
        pass
    else:
        started = time.perf_counter()
        await planned.refresh()
        REFRESHED[size] = time.perf_counter() - started
    # PostgreSQL: VACUUM as autovacuum would have by now (index-only scans need the
    # visibility map of the freshly inserted rows), then fresh statistics on both engines.
    await db.raw("ANALYZE" if db.is_sqlite() else "VACUUM ANALYZE")
    base["n"] = size


async def _last_cursor() -> str:
    """The cursor whose next page is the list's last (the ops manager sees every site)."""
    from facilities import db
    from facilities.kit import keyset
    from facilities.maintenance.workorders import queries

    total = int((await db.raw("SELECT count(*) AS n FROM work_order"))[0]["n"])
    keys = queries.SORT_KEYS["priority"]
    sqlite = db.is_sqlite()
    prefix = "+" if sqlite else ""
    row = await db.raw(
        f"SELECT w.priority, {prefix}w.due_at AS due_at, w.id FROM work_order w"
        f"{keyset.order_by(keys, sqlite)} LIMIT 1 OFFSET {{}}",
        max(total - 51, 0),
    )
    return keyset.encode("priority", keys, dict(row[0]))


async def _plans() -> list[str]:
    from facilities import db

    sqlite = db.is_sqlite()
    explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    cursor_sql = (  # one branch of a cursor's page (kit.keyset.branches)
        "SELECT w.id FROM work_order w WHERE w.priority = 'p3' AND w.due_at > {}"
        " ORDER BY w.priority, w.due_at, w.id DESC LIMIT 51"
    )
    compliance_sql = (  # the maintained totals' part of a year per site (pm.compliance)
        "SELECT x.site, sum(x.on_time), sum(x.late), sum(x.pending)"
        " FROM pm_compliance_summary x JOIN site st ON st.id = x.site"
        " WHERE (x.grain = 'd' AND x.period_start >= {} AND x.period_start < {})"
        " OR (x.grain = 'm' AND x.period_start >= {} AND x.period_start < {})"
        " GROUP BY x.site"
    )
    scorecard_sql = (  # a partner's orders of the period (services.scorecards)
        "SELECT count(*), sum(CASE WHEN w.completed_once THEN 1 ELSE 0 END)"
        " FROM work_order w WHERE w.partner_organisation = 1"
        " AND w.created_at >= {} AND w.created_at < {}"
    )
    year = (NOW - timedelta(days=365)).date()
    month = (year.replace(day=1) + timedelta(days=32)).replace(day=1)
    lines = []
    for label, sql, args in (
        ("work-order list, one branch of the page after a cursor", cursor_sql, (NOW,)),
        (
            "PM compliance per site, from the maintained totals",
            compliance_sql,
            (year, month, month, NOW.date().replace(day=1)),
        ),
        ("scorecard orders of a partner", scorecard_sql, (NOW - timedelta(days=90), NOW)),
    ):
        try:
            rows = await db.raw(explain + sql, *args)
        except Exception as error:  # e.g. the code before the maintained totals
            rows = [{"detail": str(error), "QUERY PLAN": str(error)}]
        text = [str(r["detail"] if sqlite else r["QUERY PLAN"]) for r in rows]
        lines += [f"* {label}:", "", "  ```", *[f"  {t}" for t in text], "  ```", ""]
    return lines


def _measure(
    client: httpx.Client, server: Any, path: str, headers: dict[str, str]
) -> tuple[list[float], int, int, float, float]:
    """Wall times (ms), the last status and size, the server's CPU ms per request (the
    figure that does not depend on what else the machine runs) and its CPU ms for the
    first request."""
    times = []
    status = size = 0
    cpu = server.cpu_seconds()
    first_cpu = 0.0
    for number in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        status, size = response.status_code, len(response.content)
        if number == 0:
            first_cpu = (server.cpu_seconds() - cpu) * 1000
    return times, status, size, (server.cpu_seconds() - cpu) * 1000 / REQUESTS, first_cpu


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _serve_and_measure(
    server_class: Any,
    base: dict[str, Any],
    last: str,
    size: int,
    figures: dict[str, dict[int, tuple[float, float, int, int, float]]],
) -> float:
    """A fresh server on the grown database; every endpoint measured; its peak memory."""
    server = server_class(dict(os.environ), Path(tempfile.mkdtemp()) / "server.log")
    server.start()
    try:
        headers = {"Authorization": f"Bearer {base['token']}"}
        with httpx.Client(base_url=server.base_url, timeout=120) as client:
            feed = ""
            if any(key.startswith("feed") for key, *_ in ENDPOINTS):
                made = client.post("/api/v1/calendar-feeds", json={"kind": "user"}, headers=headers)
                feed = made.json()["url"].split("/calendar/", 1)[1]
            year = (NOW - timedelta(days=365)).date().isoformat()
            etag = ""
            PEAKS[size] = [("start", section.peak_mb(server))]
            for key, _label, template in ENDPOINTS:
                if key != ENDPOINTS[0][0]:  # the peak after the previous endpoint
                    PEAKS[size].append((_previous(key), section.peak_mb(server)))
                path = template.format(last=last, year=year, partner=base["partners"][0], feed="")
                extra = dict(headers)
                if key.startswith("feed"):
                    path = f"/calendar/{feed}"
                    extra = {}
                    if key == "feed_first":
                        cpu = server.cpu_seconds()
                        started = time.perf_counter()
                        response = client.get(path)
                        ms = (time.perf_counter() - started) * 1000
                        cpu_ms = (server.cpu_seconds() - cpu) * 1000
                        etag = response.headers.get("etag", "")
                        status, length = response.status_code, len(response.content)
                        figures[key][size] = (ms, ms, status, length, cpu_ms)
                        continue
                    if key == "feed_304":
                        extra = {"If-None-Match": etag}
                times, status, length, cpu_ms, first_cpu = _measure(client, server, path, extra)
                FIRST[(key, size)] = (times[0], first_cpu)
                figures[key][size] = (
                    statistics.median(times),
                    _p99(times),
                    status,
                    length,
                    cpu_ms,
                )
        PEAKS[size].append((ENDPOINTS[-1][0], section.peak_mb(server)))
        return section.peak_mb(server)
    finally:
        server.stop()


# size → (endpoint key, the server's VmHWM in MB after it; "start" = once ready)
PEAKS: dict[int, list[tuple[str, float]]] = {}
# size → seconds the agenda's planned occurrences took to bring up to date after growing
REFRESHED: dict[int, float] = {}
# (endpoint key, size) → the first request's wall ms and server CPU ms (a fresh server's)
FIRST: dict[tuple[str, int], tuple[float, float]] = {}


def _previous(key: str) -> str:
    keys = [k for k, *_ in ENDPOINTS]
    return keys[keys.index(key) - 1]


def _peak_steps(size: int) -> str:
    """Where the peak grew: after which endpoints, by how much (≥ 1 MB)."""
    steps = PEAKS.get(size, [])
    if not steps:
        return ""
    parts = [f"{steps[0][1]:.0f} MB once ready"]
    for (_prev, before), (key, after) in itertools.pairwise(steps):
        if after - before >= 1:
            parts.append(f"+{after - before:.0f} MB by {key}")
    return ", ".join(parts)


async def run(engine: str) -> str:
    tmp = section.environment(engine, PG_URL, "scale")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from bench.run import Server
    from facilities import db

    await db.open_database()
    figures: dict[str, dict[int, tuple[float, float, int, int, float]]] = {
        k: {} for k, *_ in ENDPOINTS
    }
    memory: dict[int, float] = {}
    seeding: dict[int, float] = {}
    plans: list[str] = []
    try:
        await db.migrate()
        started = time.perf_counter()
        base = await _seed_base()
        base_seconds = time.perf_counter() - started
        for size in SIZES:
            started = time.perf_counter()
            await _grow(base, size)
            seeding[size] = time.perf_counter() - started
            last = await _last_cursor()
            if size == SIZES[-1]:
                plans = await _plans()
            memory[size] = _serve_and_measure(Server, base, last, size, figures)
    finally:
        await db.close_database()
    name = "PostgreSQL" if engine == "postgres" else "SQLite"
    lines = [
        f"### Scale on {name}",
        "",
        f"{SITES} sites, {SCHEDULES} weekly PM schedules (each with its asset; bulk-inserted"
        f" in {base_seconds:.1f} s), {PARTNERS} partners; the history grows to"
        f" {', '.join(f'{s:,}' for s in SIZES)} preventive work orders"
        f" ({', '.join(f'{seeding[s]:.1f}' for s in SIZES)} s to add each step). One server"
        f" per size, {REQUESTS} sequential requests per endpoint as an ops manager"
        " (bearer token); ms, median / p99 and, in brackets, the server's CPU ms per request"
        " (user + system, mean: the figure that does not depend on the machine's load);"
        " growth = ms of the median per 10,000 work orders between the smallest and the"
        " largest size.",
        "",
        "| endpoint | " + " | ".join(f"{s:,}" for s in SIZES) + " | growth | answer |",
        "|---|" + "---:|" * len(SIZES) + "---:|---:|",
    ]
    span = max(SIZES[-1] - SIZES[0], 1) / 10_000
    growths: dict[str, float] = {}
    for key, label, _template in ENDPOINTS:
        row = figures[key]
        cells = []
        for size in SIZES:
            median, p99, status, _length, cpu_ms = row.get(
                size, (float("nan"), float("nan"), 0, 0, float("nan"))
            )
            cells.append(
                f"{median:.0f} / {p99:.0f} ({cpu_ms:.0f})"
                if status in (200, 304)
                else f"({status})"
            )
        first, last_ = row.get(SIZES[0]), row.get(SIZES[-1])
        growth = (last_[0] - first[0]) / span if first and last_ else float("nan")
        if first and last_:
            growths[key] = growth
        status, length = (last_[2], last_[3]) if last_ else (0, 0)
        lines.append(
            f"| {label} | " + " | ".join(cells) + f" | {growth:+.1f} | {status}, {length:,} B |"
        )
    lines += [
        "",
        *_verdict(figures, memory, growths),
        "",
        "Server peak memory (VmHWM): "
        + ", ".join(f"{memory.get(s, float('nan')):.0f} MB at {s:,}" for s in SIZES)
        + ".",
        "",
        f"Where the peak grew at {SIZES[-1]:,} work orders: {_peak_steps(SIZES[-1])}.",
        "",
        "First request of each endpoint on its fresh server, wall ms (server CPU ms): "
        + "; ".join(
            f"{label} {FIRST[(key, s)][0]:.0f} ({FIRST[(key, s)][1]:.0f}) at {s:,}"
            for key, label, _t in ENDPOINTS
            for s in SIZES
            if (key, s) in FIRST
        )
        + ".",
        "",
        "The agenda's planned occurrences brought up to date after growing (in the"
        " benchmark's process, as the scheduler's job would): "
        + (
            ", ".join(f"{REFRESHED[s]:.1f} s at {s:,}" for s in SIZES if s in REFRESHED)
            if REFRESHED
            else "none (no such table in this code)"
        )
        + ".",
        "",
        f"Query plans at {SIZES[-1]:,} work orders ({name}):",
        "",
        *plans,
    ]
    del tmp
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))
