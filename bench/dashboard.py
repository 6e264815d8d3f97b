"""Dashboard benchmark (issue 14): the regional dashboard for a region of 250 sites with
1,000,000 work orders over three years and their status history.

Seeded in bulk through the driver (PostgreSQL ``COPY``, SQLite ``executemany``; never the
ORM per row): ``BENCH_DASHBOARD_SITES`` sites (250) with four assets each and their status
history (a failure about every two months), ``BENCH_DASHBOARD_ORDERS`` work orders (1,000,000)
created evenly over three years (60 % corrective, 35 % preventive, 5 % inspection
follow-ups; all but the last fortnight's closed), each with its status events (created,
started, completed), an SLA resolution outcome per closed corrective order, a part line on
one order in ten, and a budget per site and year.

Measured in process, as the region's ops manager, for the default period (this month up to
today): ``BENCH_DASHBOARD_REQUESTS`` (10) sequential dashboards (every tile, eight periods
each) after one warm-up, median and p99; each tile alone (where the time goes); and the
**raw-SQL reference**: the very statements one dashboard ran (captured), replayed on one
plain driver connection (``sqlite3`` / ``asyncpg``, the latter with the pool's session
settings, ``db.SESSION_SETTINGS``) in the same run, interleaved with the dashboard, so the
ratio of their rates is our layers' cost — and, since the dashboard runs its reads
concurrently (``dashboard.READS_AT_ONCE``) while the reference replays them one by one on
one connection, our rate is helped by that concurrency: above 100 % is possible. The same
dashboard with its reads one after another and at once is timed too, interleaved
(``BENCH_DASHBOARD_AT_ONCE_ROUNDS``, 7), with the CPU of the pooled PostgreSQL backends
(``/proc``) when the server runs on this machine. ``EXPLAIN`` of the slowest tile.

    python -m bench.dashboard --engine sqlite|postgres

``BENCH_DASHBOARD_REUSE``: measure again on a database seeded by an earlier run (after a
change, so before and after read the same rows): ``1`` for PostgreSQL, the SQLite file's
path for SQLite; migrations still run (new indexes are built on the existing rows).

The section also times the MTBF trend both ways on this engine: one grouped statement for
the eight periods (``kpis.trend``) against one statement per period (``kpis.compute``),
interleaved (the dashboard uses the grouped statement; ``kpis.trend`` says why).

PostgreSQL: ``FACILITIES_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench``; recreated).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench import section

SITES = int(os.environ.get("BENCH_DASHBOARD_SITES", "250"))
ORDERS = int(os.environ.get("BENCH_DASHBOARD_ORDERS", "1000000"))
REQUESTS = int(os.environ.get("BENCH_DASHBOARD_REQUESTS", "10"))
ASSETS_PER_SITE = 4
YEARS = 3
PG_URL = os.environ.get(
    "FACILITIES_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/facilities_bench"
)
NOW = datetime.now(UTC).replace(microsecond=0)
BATCH = 20_000


async def _bulk(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Rows through the driver: ``COPY`` on PostgreSQL, ``executemany`` on SQLite."""
    from facilities import db

    if not rows:
        return
    if db.is_sqlite():
        marks = ", ".join("{}" for _ in columns)
        for start in range(0, len(rows), BATCH):
            await db.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                rows[start : start + BATCH],
            )
        return
    engine = db.engine()
    async with engine.transaction() as started:
        await started.connection.copy_records_to_table(table, records=rows, columns=columns)


async def _seed() -> dict[str, Any]:
    from facilities import db
    from facilities.accounts.enums import Role
    from facilities.maintenance.pm import compliance_summary
    from facilities.maintenance.workorders import repair_summary
    from facilities.sites import actions as site_actions
    from facilities.sites.schemas import AccessUpdate
    from facilities.sites.tables import Region

    rng = random.Random(14)
    start = NOW - timedelta(days=365 * YEARS)
    region = Region(name="Dashboard region", created_at=start)
    await region.save()
    await _bulk(
        "site",
        ("id", "region", "name", "code", "kind", "time_zone", "created_at", "updated_at"),
        [
            (
                n,
                int(region.id),
                f"Site {n:03d}",
                f"D-{n}",
                "coworking",
                "Europe/Berlin",
                start,
                start,
            )
            for n in range(1, SITES + 1)
        ],
    )
    assets = [(a, 1 + (a - 1) // ASSETS_PER_SITE) for a in range(1, SITES * ASSETS_PER_SITE + 1)]
    await _bulk(
        "asset",
        (
            "id", "site", "name", "manufacturer", "model", "serial_number", "criticality",
            "status", "status_changed_at", "locked_out", "lockout_reason", "notes",
            "attributes", "version", "created_at", "updated_at",
        ),
        [
            (a, s, f"Asset {a}", "", "", "", "critical" if a % 4 == 0 else "normal",
             "operational", start, False, "", "", "{}", 1, start, start)
            for a, s in assets
        ],
    )  # fmt: skip
    changes: list[tuple[Any, ...]] = []
    for a, _s in assets:
        changes.append((a, "operational", start, ""))
        at = start + timedelta(days=rng.uniform(0, 60))
        while at < NOW - timedelta(days=1):
            changes.append((a, "down", at, ""))
            changes.append((a, "operational", at + timedelta(hours=rng.uniform(1, 48)), ""))
            at += timedelta(days=rng.uniform(30, 90))
    await _bulk("asset_status_change", ("asset", "to_status", "changed_at", "note"), changes)
    orders: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    outcomes: list[tuple[Any, ...]] = []
    costs: list[tuple[Any, ...]] = []
    span = (NOW - start).total_seconds()
    order_cols = (
        "id", "kind", "title", "description", "site", "asset", "priority", "status", "origin",
        "hold_reason", "completion_note", "cancel_reason", "asset_down", "version", "due_at",
        "created_at", "updated_at", "completed_at",
    )  # fmt: skip
    event_cols = ("work_order", "action", "to_status", "actor_label", "note", "assigned_label",
                  "created_at")  # fmt: skip
    outcome_cols = ("work_order", "target", "target_minutes", "achieved_at", "met",
                    "elapsed_minutes", "site", "created_at")  # fmt: skip
    cost_cols = ("work_order", "kind", "description", "quantity", "unit_cost", "created_at")
    for n in range(1, ORDERS + 1):
        created = start + timedelta(seconds=span * (n - 0.5) / ORDERS)
        site = 1 + rng.randrange(SITES)
        roll = rng.random()
        kind = (
            "corrective"
            if roll < 0.6
            else ("preventive" if roll < 0.95 else "inspection_follow_up")
        )
        asset = (site - 1) * ASSETS_PER_SITE + 1 + rng.randrange(ASSETS_PER_SITE)
        hours = rng.choice((1, 3, 8, 26, 50, 120))
        done_at = created + timedelta(hours=hours)
        recent = created > NOW - timedelta(days=14)
        if (recent and done_at > NOW) or (recent and rng.random() < 0.3):
            status, done = rng.choice(("open", "assigned", "in_progress", "on_hold")), None
        else:
            pick = rng.random()
            status = "completed" if pick < 0.97 else ("verified" if pick < 0.99 else "cancelled")
            done = done_at
        orders.append(
            (n, kind, f"Order {n}", "", site, asset, rng.choice(("p2", "p3", "p3", "p4")), status,
             "schedule" if kind == "preventive" else "manual", "", "", "", False, 1,
             created + timedelta(days=3), created, done or created,
             done if status in ("completed", "verified") else None)
        )  # fmt: skip
        events.append((n, "create", "open", "system", "", "", created))
        if status != "open":
            events.append(
                (n, "start", "in_progress", "system", "", "", created + timedelta(minutes=30))
            )
        if done is not None:
            final = "cancel" if status == "cancelled" else "complete"
            events.append((n, final, "cancelled" if final == "cancel" else "completed",
                           "system", "", "", done))  # fmt: skip
            if kind == "corrective" and final == "complete":
                elapsed = hours * 60
                outcomes.append((n, "resolution", 1440, done, elapsed <= 1440, elapsed, site, done))
        if n % 10 == 0:
            costs.append((n, "part", "Part", 2, 10.5, created + timedelta(minutes=45)))
        if len(events) >= 200_000:
            await _flush(orders, events, outcomes, costs, order_cols, event_cols, outcome_cols,
                         cost_cols)  # fmt: skip
    await _flush(orders, events, outcomes, costs, order_cols, event_cols, outcome_cols, cost_cols)
    budgets = [
        (year, "maintenance", s, 120_000, 30_000, 30_000, 30_000, 30_000, "even", 1, start, start)
        for s in range(1, SITES + 1)
        for year in range(start.year, NOW.year + 1)
    ]
    await _bulk(
        "budget",
        ("year", "category", "site", "amount", "q1", "q2", "q3", "q4", "split", "version",
         "created_at", "updated_at"),
        budgets,
    )  # fmt: skip
    if not db.is_sqlite():
        for table in ("site", "asset", "work_order"):
            await db.raw(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
    # the maintained totals, as after any bulk import that bypasses the actions (with the
    # statistics first: on a fresh PostgreSQL table the planner's guess for the repair
    # totals' rebuild ran for over ten minutes at 100,000 orders)
    await db.raw("ANALYZE")
    await compliance_summary.rebuild()
    await repair_summary.rebuild()
    await _settle()
    ops = await section.person("ops@dashboard.bench", "Ops", Role.ops_manager, created_at=start)
    admin = await section.person("admin@dashboard.bench", "Admin", Role.admin, created_at=start)
    await site_actions.set_access(
        actor=admin, user_id=int(ops.user_id or 0), data=AccessUpdate(region_ids=[int(region.id)])
    )
    counts = {}
    for table in ("work_order", "work_order_event", "asset_status_change", "sla_outcome"):
        counts[table] = int((await db.raw(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"])
    return {"ops": ops, "region": int(region.id), "counts": counts}


async def _existing() -> dict[str, Any]:
    """The people and counts of a database seeded by an earlier run."""
    from facilities import db
    from facilities.accounts.enums import Role
    from facilities.accounts.principal import Principal

    user = (await db.raw("SELECT id FROM app_user WHERE email = 'ops@dashboard.bench'"))[0]
    region = (await db.raw("SELECT id FROM region WHERE name = 'Dashboard region'"))[0]
    ops = Principal(
        user_id=int(user["id"]),
        email="ops@dashboard.bench",
        name="Ops",
        role=Role.ops_manager,
        locale="en",
        partner_organisation_id=None,
        via="session",
        credential_id=0,
    )
    counts = {}
    for table in ("work_order", "work_order_event", "asset_status_change", "sla_outcome"):
        counts[table] = int((await db.raw(f"SELECT COUNT(*) AS n FROM {table}"))[0]["n"])
    return {"ops": ops, "region": int(region["id"]), "counts": counts}


AT_ONCE_ROUNDS = int(os.environ.get("BENCH_DASHBOARD_AT_ONCE_ROUNDS", "7"))


async def _backends() -> list[int]:
    """The server process ids of every pooled PostgreSQL connection (the pool filled), when
    the server runs on this machine (``/proc`` readable); else none."""
    from facilities import db

    pool = getattr(db.engine(), "pool", None)
    if pool is None:
        return []
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    pids = [connection.get_server_pid() for connection in held]
    for connection in held:
        await pool.release(connection)
    return pids if _local(pids) else []


def _local(pids: list[int]) -> bool:
    return all(os.path.exists(f"/proc/{pid}/stat") for pid in pids)


def _server_cpu_ms(pids: list[int]) -> float:
    """User + system CPU of these processes so far (``/proc/<pid>/stat``), ms."""
    ticks = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


async def _at_once_ways(board: Any) -> list[tuple[str, float, float, float, float | None]]:
    """The whole dashboard with its reads one after another, or up to two or four at once
    with the two heaviest whole or split by periods (``dashboard.READS_AT_ONCE``,
    ``HEAVY_PARTS``), interleaved rounds: (way, median ms, p99 ms, median CPU ms here,
    median CPU ms of the pooled PostgreSQL backends when the server is local)."""
    from facilities import db
    from facilities.reporting import dashboard

    engine = "sqlite" if db.is_sqlite() else "postgres"
    pids = [] if engine == "sqlite" else await _backends()
    chosen = (dashboard.READS_AT_ONCE[engine], dashboard.HEAVY_PARTS[engine])
    ways = {
        "one after another": (1, 1),
        "4 at once": (4, 1),
        "4 at once, heavy in 2": (4, 2),
        "4 at once, heavy in 4": (4, 4),
        "2 at once, heavy in 2": (2, 2),
    }
    samples: dict[str, list[tuple[float, float, float]]] = {way: [] for way in ways}
    try:
        for _round in range(AT_ONCE_ROUNDS):
            for way, (at_once, parts) in ways.items():
                dashboard.READS_AT_ONCE[engine], dashboard.HEAVY_PARTS[engine] = at_once, parts
                server = _server_cpu_ms(pids)
                wall, cpu = time.perf_counter(), time.process_time()
                await board()
                samples[way].append(
                    (
                        (time.perf_counter() - wall) * 1000,
                        (time.process_time() - cpu) * 1000,
                        _server_cpu_ms(pids) - server,
                    )
                )
    finally:
        dashboard.READS_AT_ONCE[engine], dashboard.HEAVY_PARTS[engine] = chosen
    return [
        (
            way,
            statistics.median(w for w, _c, _s in got),
            _p99([w for w, _c, _s in got]),
            statistics.median(c for _w, c, _s in got),
            statistics.median(s for _w, _c, s in got) if pids else None,
        )
        for way, got in samples.items()
    ]


async def _mtbf_both_ways(ops: Any, region: int) -> list[tuple[str, float, float]]:
    """The MTBF trend of the default period as one grouped statement and per period:
    (way, median ms, median CPU ms of this process), three interleaved rounds each."""
    from facilities.kit.kpi import Period
    from facilities.reporting import dashboard
    from facilities.reporting.kpis import SPECS, compute, trend

    first, last = dashboard.period(None, None)
    length = (last - first).days + 1
    spans = [
        Period(first - timedelta(days=length * back), last + timedelta(days=1 - length * back))
        for back in range(dashboard.TREND_POINTS - 1, -1, -1)
    ]
    sites = {int(r["id"]) for r in await _sites_of(region)}
    samples: dict[str, list[tuple[float, float]]] = {"grouped": [], "per period": []}
    for _round in range(3):
        for way in samples:
            wall, cpu = time.perf_counter(), time.process_time()
            if way == "grouped":
                await trend(SPECS["mtbf"], ops, spans, sites)
            else:
                for span in spans:
                    await compute(SPECS["mtbf"], ops, span, sites)
            samples[way].append(
                ((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)
            )
    return [
        (way, statistics.median(w for w, _c in got), statistics.median(c for _w, c in got))
        for way, got in samples.items()
    ]


async def _sites_of(region: int) -> list[dict[str, Any]]:
    from facilities import db

    return await db.raw(f"SELECT id FROM site WHERE region = {int(region)}")


async def _flush(
    orders: list[Any],
    events: list[Any],
    outcomes: list[Any],
    costs: list[Any],
    *columns: tuple[str, ...],
) -> None:
    for table, rows, cols in zip(
        ("work_order", "work_order_event", "sla_outcome", "work_order_cost"),
        (orders, events, outcomes, costs),
        columns,
        strict=True,
    ):
        await _bulk(table, cols, rows)
        rows.clear()


async def _settle() -> None:
    """Statistics, and on PostgreSQL a VACUUM as autovacuum would have run by now (this
    machine's server has it off): a bulk load or a backfill that rewrote every order leaves
    the visibility map empty, and the index-only scans the dashboard relies on read the
    table instead (measured: 368 / 409 ms median / p99 before, 193 / 205 ms after)."""
    from facilities import db

    await db.raw("ANALYZE" if db.is_sqlite() else "VACUUM ANALYZE")


class _Capture:
    """The statements one dashboard runs through ``facilities.db.raw`` (compiled as the
    engine sends them), to replay them on a plain driver connection."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any]]] = []

    async def __aenter__(self) -> _Capture:
        from piccolo.querystring import QueryString

        from facilities import db

        self._raw = db.raw
        kind = "sqlite" if db.is_sqlite() else "postgres"

        async def raw(sql: str, *args: Any) -> list[dict[str, Any]]:
            compiled, values = QueryString(sql, *args).compile_string(engine_type=kind)
            self.statements.append((compiled, list(values)))
            return await self._raw(sql, *args)

        db.raw = raw
        return self

    async def __aexit__(self, *exc: object) -> None:
        from facilities import db

        db.raw = self._raw


async def _reference(engine: str) -> Any:
    """A function replaying the captured statements on one plain driver connection."""
    if engine == "sqlite":
        import sqlite3

        path = os.environ["FACILITIES_DATABASE_URL"].removeprefix("sqlite:///")
        connection = sqlite3.connect(path, check_same_thread=False)

        async def replay(statements: list[tuple[str, list[Any]]]) -> int:
            rows = 0
            for sql, values in statements:
                rows += len(connection.execute(sql, values).fetchall())
            return rows

        return replay
    import asyncpg

    from facilities.db import SESSION_SETTINGS

    # the pool's session settings (``jit`` off), so both run the same plans
    pg = await asyncpg.connect(PG_URL, server_settings=SESSION_SETTINGS)

    async def replay_pg(statements: list[tuple[str, list[Any]]]) -> int:
        rows = 0
        for sql, values in statements:
            rows += len(await pg.fetch(sql, *values))
        return rows

    return replay_pg


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def _explain(sql: str, values: list[Any], engine: str) -> str:
    from facilities import db

    prefix = "EXPLAIN QUERY PLAN " if engine == "sqlite" else "EXPLAIN "
    if engine == "sqlite":
        import sqlite3

        path = os.environ["FACILITIES_DATABASE_URL"].removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            rows = connection.execute(prefix + sql, values).fetchall()
        return "\n".join(str(r[-1]) for r in rows)
    del db
    import asyncpg

    pg = await asyncpg.connect(PG_URL)
    try:
        rows = await pg.fetch(prefix + sql, *values)
    finally:
        await pg.close()
    return "\n".join(str(r[0]) for r in rows)


async def run(engine: str) -> str:
    section.environment(engine, PG_URL, "dashboard")
    reuse = os.environ.get("BENCH_DASHBOARD_REUSE", "")
    if engine == "sqlite" and reuse:
        os.environ["FACILITIES_DATABASE_URL"] = f"sqlite:///{reuse}"
    if engine == "postgres" and not reuse:
        await section.recreate_postgres(PG_URL)
    from facilities import db
    from facilities.reporting import dashboard
    from facilities.wiring import install

    install()
    await db.open_database()
    try:
        await db.migrate()
        started = time.perf_counter()
        if reuse:
            seeded = await _existing()
            await _settle()  # migrations since the seed may have rewritten every order
        else:
            seeded = await _seed()
        seed_seconds = time.perf_counter() - started
        ops, region = seeded["ops"], seeded["region"]
        load_before = os.getloadavg()[0]

        async def board() -> Any:
            ops.memo.clear()
            return await dashboard.dashboard(ops, start=None, end=None, region_id=region)

        async with _Capture() as captured:
            first = await board()  # warm-up, and the statements of one dashboard
        replay = await _reference(engine)
        await replay(captured.statements)
        mine: list[float] = []
        cpu: list[float] = []
        ref: list[float] = []
        for _round in range(REQUESTS):  # interleaved: the machine's noise hits both alike
            t0, c0 = time.perf_counter(), time.process_time()
            await board()
            mine.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            t0 = time.perf_counter()
            await replay(captured.statements)
            ref.append((time.perf_counter() - t0) * 1000)
        at_once = await _at_once_ways(board)
        tiles: list[tuple[str, float, int]] = []
        for tile in first.tiles:
            async with _Capture() as one:
                t0 = time.perf_counter()
                ops.memo.clear()
                await dashboard.dashboard(
                    ops, start=None, end=None, region_id=region, chosen=[tile.name]
                )
                tiles.append((tile.name, (time.perf_counter() - t0) * 1000, len(one.statements)))
        mtbf = await _mtbf_both_ways(ops, region)
        load_after = os.getloadavg()[0]
        slowest = max(tiles, key=lambda t: t[1])[0]
        async with _Capture() as one:
            ops.memo.clear()
            await dashboard.dashboard(ops, start=None, end=None, region_id=region, chosen=[slowest])
        heaviest = max(one.statements, key=lambda s: len(s[0]))
        plan = await _explain(heaviest[0], heaviest[1], engine)
    finally:
        await db.close_database()
    name = "PostgreSQL" if engine == "postgres" else "SQLite"
    counts = seeded["counts"]
    origin = (
        "reused from an earlier run"
        if reuse
        else f"seeded through the driver in {seed_seconds:.0f} s"
    )
    rate_mine = 1000 / statistics.mean(mine)
    rate_ref = 1000 / statistics.mean(ref)
    lines = [
        f"### Dashboard on {name}",
        "",
        f"One region of {SITES} sites: {counts['work_order']:,} work orders over {YEARS} years,"
        f" {counts['work_order_event']:,} status events, {counts['asset_status_change']:,} asset"
        f" status changes ({SITES * ASSETS_PER_SITE:,} assets), {counts['sla_outcome']:,} SLA"
        f" outcomes; {origin}. The region's"
        f" dashboard as its ops manager ({len(first.tiles)} tiles, {dashboard.TREND_POINTS}"
        f" periods each, {len(captured.statements)} statements), this month up to"
        f" {date.today().isoformat()}, {REQUESTS} sequential runs in process after a warm-up,"
        " interleaved with the raw-SQL reference (the same statements on one plain driver"
        f" connection). Load average {load_before:.1f} before, {load_after:.1f} after, on"
        f" {os.cpu_count()} cores.",
        "",
        "| | median ms | p99 ms | runs/s |",
        "|---|---:|---:|---:|",
        f"| dashboard | {statistics.median(mine):.0f} | {_p99(mine):.0f} | {rate_mine:.2f} |",
        f"| (its CPU in this process{', the database included' if engine == 'sqlite' else ''})"
        f" | {statistics.median(cpu):.0f} | {_p99(cpu):.0f} | |",
        f"| raw-SQL reference | {statistics.median(ref):.0f} | {_p99(ref):.0f} | {rate_ref:.2f} |",
        "",
        f"Target p99 < 300 ms: {'met' if _p99(mine) < 300 else 'not met'}; rate"
        f" {100 * rate_mine / rate_ref:.0f} % of the reference (target ≥ 50 %).",
        "",
        "Each tile alone (one run, ms, statements): "
        + ", ".join(f"{n} {ms:.0f} ({k})" for n, ms, k in sorted(tiles, key=lambda t: -t[1])),
        "",
        f"The dashboard's reads one after another or at once ({AT_ONCE_ROUNDS} interleaved"
        " rounds; ms median / p99, CPU here, and the PostgreSQL backends' CPU if local): "
        + "; ".join(
            f"{way} {ms:.0f} / {p99:.0f} ({c:.0f}"
            + ("" if server is None else f"; server {server:.0f}")
            + ")"
            for way, ms, p99, c, server in at_once
        )
        + ".",
        "",
        "MTBF trend (eight periods), median of three interleaved rounds: "
        + "; ".join(f"{way} {ms:.0f} ms (CPU here {c:.0f} ms)" for way, ms, c in mtbf)
        + ".",
        "",
        f"Plan of the slowest tile's largest statement (`{slowest}`):",
        "",
        "```",
        plan,
        "```",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(section.main(run, __doc__))
