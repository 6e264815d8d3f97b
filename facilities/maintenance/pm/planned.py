"""The agenda's planned occurrences, kept in the database: ``pm_planned`` holds every
occurrence that generation will create (``generation.upcoming``, status pending) for each
active schedule at each of its assets, from now up to a **horizon** (at least
``MIN_AHEAD`` = 98 days ahead: the feeds' 90 days and a week), one row each with its start
(UTC), site, partner and local day at the site. The calendar page and the feeds read windows
and per-day counts of it with SQL (``window``, ``count_per_day``), so no process expands
20,000 rules to answer, and a fresh process answers its first request from rows.

**Kept current by a version stamp and per-pair signatures**, not by hooks in every writer:

* ``pm_planned_state`` (one row) holds the key the rows are current for (``current_key``):
  ``FORMAT``, the current day (the hour while a schedule depends on "now": meter modes,
  ``latest_only``) and the agenda's version stamp (``versions``: occurrences, assets, sites,
  closure days, readings; work orders while a floating schedule exists; last, the
  schedules' fields ``versions.SCHEDULES``), and the horizon it reaches.
* ``pm_planned_pair`` holds, per (schedule, asset), a digest of everything ``upcoming``
  read for it (``_signature``: the schedule's row, the asset, its site, its occurrence
  statistics; closures and holiday years when it skips closed days; its last order when
  floating; readings and "now" for meter modes and ``latest_only``), the schedule's
  version it was computed from, and how far its rows reach (``until``: the horizon +
  ``SLACK`` + 0–13 days by pair, so pairs run out on different days).
* ``ensure(end)`` (every read) compares the current key with the state: equal and ``end``
  within the horizon → the rows are read as they are. Otherwise a refresh, in one
  transaction which also writes the new state:

  - **only the schedules' fields moved** and ``end`` within the stored horizon
    (``_refresh_schedules``): the schedules whose stored pairs are not of their current
    version (``_MOVED``: created, edited, deactivated — every such write inserts a schedule
    or bumps its version, ``pm.actions``) are loaded alone (up to ``FEW`` of them with only
    their assets and occurrences: ``_Context.load(few=True)``), and their pairs deleted and
    computed again up to the stored horizon;
  - **otherwise** (``_refresh_all``): the signatures of all pairs are computed (one bulk
    load, no expansion), and only the pairs whose digest or schedule version changed, that
    are new, dropped, or do not reach the horizon are expanded again and their rows
    replaced.

  A PM action, a closure day, a reading, an asset moved or retired, a generated
  occurrence: each moves the stamp, and the next read (or the job) recomputes the pairs it
  touched.
* Who refreshes: the job ``maintenance.refresh_agenda`` (every minute and at start, in
  every process that runs the scheduler), generation's job right after it creates orders,
  and otherwise the first read that finds the state behind.

Two processes: the write transaction takes a PostgreSQL advisory lock (SQLite: one writer),
then reads the state again (another process may have brought it current: nothing to write;
the fast path also gives way to the full one when the state moved at all) and the stored
digests again (it writes every pair whose stored digest is not its own), so after it
commits every pair matches its key. The key is the stamp read *before* the inputs,
so rows written from newer inputs than their key only cause one more refresh, never a
stale "current". Inserts are ``ON CONFLICT DO NOTHING`` on (schedule, asset, key).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import weakref
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.kit import clock
from facilities.kit.errors import FacilitiesError
from facilities.kit.rows import aware, dict_rows, to_date_or_none
from facilities.maintenance.pm import versions
from facilities.maintenance.pm.agenda_scope import AgendaScope
from facilities.maintenance.pm.generation import _Context, upcoming

log = logging.getLogger(__name__)

TABLE = "pm_planned"
PAIRS = "pm_planned_pair"
STATE = "pm_planned_state"
# What the rows are computed by: bump it when ``generation.upcoming`` (or what it reads)
# changes its answers, so that a deployment computes every pair again.
FORMAT = "1"
MIN_AHEAD = timedelta(days=98)  # the feeds' window (90 days) and a week
SLACK = timedelta(days=14)  # a pair is computed this far past the horizon it needs,
# plus 0–13 days by pair (``_until``): pairs then run out on different days, so the horizon
# moving on recomputes ~1/14 of them a day instead of all of them every 14 days
YIELD_EVERY = 250  # schedules between two turns of the event loop
WRITE_PAIRS = 1000  # pairs expanded and written per statement batch
FEW = 500  # up to this many schedules to compute again, their context is read for them only
_LOCK_KEY = 0x0FAC1_0A9E  # PostgreSQL advisory lock of the refresh (arbitrary, constant)


def ddl(sqlite: bool) -> list[str]:
    """The tables (``tables.PMPlanned``, ``PMPlannedPair``, ``PMPlannedState``), raw, as
    their migration (``maintenance_2026_12_07t14_45``) created them: later columns and
    indexes come from later migrations (``schedule_version``: ``…t17_55``), so this stays."""
    serial = "INTEGER PRIMARY KEY" if sqlite else "SERIAL PRIMARY KEY"
    return [
        f"CREATE TABLE {TABLE} (id {serial}, schedule INTEGER NOT NULL,"
        " asset INTEGER NOT NULL, occurrence_key VARCHAR(40) NOT NULL,"
        " start_at TIMESTAMPTZ NOT NULL, site INTEGER NOT NULL,"
        " partner_organisation INTEGER, local_day DATE NOT NULL)",
        f"CREATE UNIQUE INDEX {TABLE}_key ON {TABLE} (schedule, asset, occurrence_key)",
        # windows and counts per day: a range of starts, the scope's columns in the index
        f"CREATE INDEX {TABLE}_start ON {TABLE} (start_at, site, partner_organisation, local_day)",
        # counts per local day: read in (day, site) order, no sort for the grouping
        f"CREATE INDEX {TABLE}_day ON {TABLE} (local_day, site, partner_organisation, start_at)",
        f"CREATE TABLE {PAIRS} (id {serial}, schedule INTEGER NOT NULL, asset INTEGER NOT NULL,"
        " signature VARCHAR(32) NOT NULL, until TIMESTAMPTZ NOT NULL)",
        f"CREATE UNIQUE INDEX {PAIRS}_key ON {PAIRS} (schedule, asset)",
        f"CREATE TABLE {STATE} (id INTEGER PRIMARY KEY, stamp TEXT NOT NULL,"
        " horizon TIMESTAMPTZ NOT NULL, refreshed_at TIMESTAMPTZ NOT NULL)",
    ]


# ---- the key and the state -----------------------------------------------------------


# Whether any active schedule is floating, and whether any depends on "now": probes of the
# indexes ``pm_schedule_mode_active`` and ``pm_schedule_catch_up_active`` (every read asks
# this, so no scan of the schedules)
MODES_SQL = (
    "SELECT EXISTS (SELECT 1 FROM pm_schedule WHERE mode = {} AND active = {}) AS floating,"
    " (EXISTS (SELECT 1 FROM pm_schedule WHERE mode IN ({}, {}) AND active = {})"
    " OR EXISTS (SELECT 1 FROM pm_schedule WHERE catch_up = {} AND active = {})) AS by_now"
)
MODES_ARGS = ("floating", True, "meter", "time_or_meter", True, "latest_only", True)


async def current_key(now: datetime) -> str:
    """The key the rows must be current for (see the module docstring): ``FORMAT``, the day
    or the hour, the stamp's other fields, then the schedules' fields (``versions.SCHEDULES``,
    last: ``_split`` reads them back)."""
    row = (await db.raw(MODES_SQL, *MODES_ARGS))[0]
    # floating schedules follow their orders: then work orders are part of the stamp
    fields = await versions.named(work_orders=bool(row["floating"]))
    # "now" is an input only of meter modes and latest_only: else the day is enough (the
    # horizon is checked on its own)
    moment = now.replace(minute=0, second=0, microsecond=0)
    when = moment.isoformat() if row["by_now"] else moment.date().isoformat()
    others = [v for k, v in fields.items() if k not in versions.SCHEDULES]
    return "|".join((FORMAT, when, *others, *(fields[k] for k in versions.SCHEDULES)))


def _split(key: str) -> tuple[str, str]:
    """A key (``current_key``) as (everything but the schedules, the schedules' fields)."""
    parts = key.split("|")
    cut = len(parts) - len(versions.SCHEDULES)
    return "|".join(parts[:cut]), "|".join(parts[cut:])


async def _state() -> tuple[str, datetime] | None:
    rows = await db.raw(f"SELECT stamp, horizon FROM {STATE} WHERE id = 1")  # noqa: S608 - constant
    return (rows[0]["stamp"], aware(rows[0]["horizon"])) if rows else None


def _is_current(state: tuple[str, datetime] | None, key: str, end: datetime) -> bool:
    return state is not None and state[0] == key and end <= state[1]


_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _lock() -> asyncio.Lock:
    """The running loop's lock around a refresh (one per loop: tests run several)."""
    loop = asyncio.get_running_loop()
    lock = _locks.get(loop)
    if lock is None:
        lock = _locks[loop] = asyncio.Lock()
    return lock


async def ensure(end: datetime) -> None:
    """Make the rows current for now and up to ``end`` (a refresh only when the key moved
    or ``end`` lies past the horizon; requests arriving meanwhile wait for it)."""
    now = clock.now().astimezone(UTC)
    end = end.astimezone(UTC)
    key = await current_key(now)
    if _is_current(await _state(), key, end):
        return
    async with _lock():
        if _is_current(await _state(), key, end):
            return
        await _refresh(key, now, end)


async def refresh() -> None:
    """The job ``maintenance.refresh_agenda``: bring the rows up to date (only the key's
    query and the state's row while nothing changed)."""
    await ensure(clock.now())


# ---- computing -------------------------------------------------------------------------


def _signature(ctx: _Context, schedule: dict[str, Any], asset_id: int) -> str:
    """Everything ``generation.upcoming`` reads for one schedule at one asset (and the
    site's zone the local days follow): the same signature, the same occurrences. A digest
    of its text (values only: rows, dates, sets, numbers); a different text of equal values
    only computes that pair again."""
    key = (schedule["id"], asset_id)
    asset = ctx.assets[asset_id]
    parts: list[Any] = [FORMAT, schedule, asset, ctx.sites.get(asset["site"]), ctx.stats.get(key)]
    if schedule["skip_closed_days"]:
        parts += [sorted(ctx.closures.get(asset["site"], ())), ctx.years]
    if schedule["mode"] == "floating":
        parts.append(ctx.latest.get(key))
    if schedule["mode"] in ("meter", "time_or_meter"):
        parts += [ctx.registers.get(asset_id), ctx.now]
    if schedule["catch_up"] == "latest_only":
        parts.append(ctx.now)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def _rows(
    ctx: _Context, schedule: dict[str, Any], asset_id: int, until: datetime
) -> list[tuple[Any, ...]]:
    """The pair's planned occurrences as ``pm_planned`` rows (none if it cannot be
    computed: logged, and tried again when its inputs change)."""
    try:
        occurrences = upcoming(ctx, schedule, asset_id, until=until)
    except (FacilitiesError, ValueError, KeyError) as error:
        log.warning("schedule %s not shown: %s", schedule["id"], error)
        return []
    site = ctx.assets[asset_id]["site"]
    zone = _zone((ctx.sites.get(site) or {}).get("time_zone") or "UTC")
    partner = schedule["partner_organisation"]
    return [
        (occ.schedule, occ.asset, occ.key, occ.due, site, partner, occ.due.astimezone(zone).date())
        for occ in occurrences
        if occ.status == "pending"
    ]


def _until(pair: tuple[int, int], horizon: datetime) -> datetime:
    """How far one pair is computed: ``SLACK`` past the horizon and 0–13 days more."""
    return horizon + SLACK + timedelta(days=(pair[0] * 31 + pair[1]) % 14)


_INSERT = (
    f"INSERT INTO {TABLE} (schedule, asset, occurrence_key, start_at, site,"  # noqa: S608 - constant
    " partner_organisation, local_day) VALUES ({}, {}, {}, {}, {}, {}, {})"
    " ON CONFLICT (schedule, asset, occurrence_key) DO NOTHING"
)
_PAIR = (
    f"INSERT INTO {PAIRS} (schedule, asset, signature, until, schedule_version)"  # noqa: S608 - constant
    " VALUES ({}, {}, {}, {}, {}) ON CONFLICT (schedule, asset) DO UPDATE SET"
    " signature = excluded.signature, until = excluded.until,"
    " schedule_version = excluded.schedule_version"
)
# The schedules whose pairs are not those of their current version: active ones without a
# pair computed from their version (new, edited, or with no asset to plan), and those of
# stored pairs whose schedule is no longer active or has another version (edited, dropped)
_MOVED = (
    f"SELECT s.id AS schedule FROM pm_schedule s WHERE s.active = {{}} AND NOT EXISTS"  # noqa: S608 - constant
    f" (SELECT 1 FROM {PAIRS} p WHERE p.schedule = s.id AND p.schedule_version = s.version)"
    f" UNION SELECT p.schedule FROM {PAIRS} p LEFT JOIN pm_schedule s ON s.id = p.schedule"
    " AND s.active = {} AND s.version = p.schedule_version WHERE s.id IS NULL"
)

Wanted = dict[tuple[int, int], tuple[str, dict[str, Any]]]  # pair → (signature, schedule)


def _horizon(now: datetime, end: datetime) -> datetime:
    """The horizon of a refresh: ``MIN_AHEAD`` and ``end``, to the next midnight (UTC)."""
    horizon = max(end, now + MIN_AHEAD)
    return datetime.combine(horizon.date() + timedelta(days=1), time(), UTC)


async def _plan(
    now: datetime, horizon: datetime, schedules: list[dict[str, Any]], *, few: bool = False
) -> tuple[_Context, Wanted]:
    """The context of ``schedules`` (one bulk load; ``few``: only what they read) and each
    of their pairs with its signature (no expansion yet)."""
    # the furthest any pair is computed (``_until``): the years of holidays loaded follow it
    ctx = _Context(now, until=horizon + SLACK + timedelta(days=13))
    wanted: Wanted = {}
    if schedules:
        await ctx.load(schedules, few=few)
        for number, schedule in enumerate(schedules):
            if number % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let other requests run meanwhile
            for asset_id in ctx.targets(schedule):
                wanted[(schedule["id"], asset_id)] = (_signature(ctx, schedule, asset_id), schedule)
    return ctx, wanted


async def _write(
    ctx: _Context, wanted: Wanted, pairs: list[tuple[int, int]], horizon: datetime
) -> None:
    """Expand ``pairs`` (of ``wanted``) and insert their rows and pair rows (their old
    ones deleted by the caller)."""
    for first in range(0, len(pairs), WRITE_PAIRS):
        rows: list[tuple[Any, ...]] = []
        written: list[tuple[Any, ...]] = []
        for pair in pairs[first : first + WRITE_PAIRS]:
            signature, schedule = wanted[pair]
            reach = _until(pair, horizon)
            rows.extend(_rows(ctx, schedule, pair[1], reach))
            written.append((*pair, signature, reach, schedule["version"]))
        await db.executemany(_INSERT, rows)
        await db.executemany(_PAIR, written)
        await asyncio.sleep(0)


async def _lock_and_read_state() -> tuple[str, datetime] | None:
    """Inside the write transaction: the refreshes' lock (PostgreSQL; SQLite has one
    writer at a time already), then the state as it is now."""
    if not db.is_sqlite():
        await db.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY)
    return await _state()


async def _write_state(key: str, horizon: datetime) -> None:
    await db.raw(
        f"INSERT INTO {STATE} (id, stamp, horizon, refreshed_at) VALUES (1, {{}}, {{}}, {{}})"  # noqa: S608 - constant
        " ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp,"
        " horizon = excluded.horizon, refreshed_at = excluded.refreshed_at",
        key,
        horizon,
        clock.now(),
    )


async def _refresh(key: str, now: datetime, end: datetime) -> None:
    if not await _refresh_schedules(key, now, end):
        await _refresh_all(key, now, end)


async def _refresh_schedules(key: str, now: datetime, end: datetime) -> bool:
    """The fast path, when only the schedules' part of the key moved and ``end`` lies
    within the stored horizon: replace the pairs of the schedules whose stored pairs are
    not of their current version (``_MOVED``), up to that horizon. False when it does not
    apply, or another refresh wrote the state meanwhile: then the full path."""
    state = await _state()
    if state is None or end > state[1] or _split(state[0])[0] != _split(key)[0]:
        return False
    horizon = state[1]
    moved = sorted({r["schedule"] for r in await db.raw(_MOVED, True, True)})
    schedules = []
    if moved:
        ids = ",".join(str(int(i)) for i in moved)
        schedules = await dict_rows(
            f"SELECT * FROM pm_schedule WHERE active = {{}} AND id IN ({ids}) ORDER BY id",  # noqa: S608 - integer ids only
            True,
        )
    ctx, wanted = await _plan(now, horizon, schedules, few=len(schedules) <= FEW)
    async with db.transaction():
        current = await _lock_and_read_state()
        if _is_current(current, key, end):
            return True  # another process brought it current meanwhile
        if current != state:
            return False  # another refresh wrote meanwhile: what moved is not known here
        await db.executemany(f"DELETE FROM {TABLE} WHERE schedule = {{}}", [(i,) for i in moved])  # noqa: S608
        await db.executemany(f"DELETE FROM {PAIRS} WHERE schedule = {{}}", [(i,) for i in moved])  # noqa: S608
        await _write(ctx, wanted, list(wanted), horizon)
        await _write_state(key, horizon)
    if moved:
        log.info("agenda: %d schedule(s) computed again, %d pair(s)", len(moved), len(wanted))
    return True


async def _refresh_all(key: str, now: datetime, end: datetime) -> None:
    """The full path: every active schedule's signatures, and the pairs whose digest or
    schedule version changed, that are new, dropped, or do not reach the horizon expanded
    again."""
    horizon = _horizon(now, end)
    schedules = await dict_rows("SELECT * FROM pm_schedule WHERE active = {} ORDER BY id", True)
    ctx, wanted = await _plan(now, horizon, schedules)
    async with db.transaction():
        if _is_current(await _lock_and_read_state(), key, end):
            return  # another process brought it current meanwhile
        stored = {
            (r["schedule"], r["asset"]): (r["signature"], aware(r["until"]), r["schedule_version"])
            for r in await dict_rows(
                f"SELECT schedule, asset, signature, until, schedule_version FROM {PAIRS}"  # noqa: S608 - constant
            )
        }
        changed = [
            pair
            for pair, (signature, schedule) in wanted.items()
            if (known := stored.get(pair)) is None
            or known[0] != signature
            or known[1] < horizon
            or known[2] != schedule["version"]
        ]
        dropped = [pair for pair in stored if pair not in wanted]
        replaced = [pair for pair in changed if pair in stored] + dropped
        if replaced and len(replaced) == len(stored):
            await db.raw(f"DELETE FROM {TABLE}")  # noqa: S608 - constant (everything again)
        else:
            await db.executemany(
                f"DELETE FROM {TABLE} WHERE schedule = {{}} AND asset = {{}}",  # noqa: S608
                replaced,
            )
        await db.executemany(
            f"DELETE FROM {PAIRS} WHERE schedule = {{}} AND asset = {{}}",  # noqa: S608
            dropped,
        )
        await _write(ctx, wanted, changed, horizon)
        await _write_state(key, horizon)
    if changed or dropped:
        log.info("agenda: %d pair(s) computed again, %d dropped", len(changed), len(dropped))


# ---- reading ---------------------------------------------------------------------------


def _scope_sql(scope: AgendaScope) -> str:
    """The scope as SQL on ``pm_planned p`` (integer ids only)."""
    where = ""
    if scope.site_ids is not None:
        where += " AND p.site IN (" + ",".join(str(int(s)) for s in sorted(scope.site_ids)) + ")"
    if scope.partner_id is not None:
        where += f" AND p.partner_organisation = {int(scope.partner_id)}"
    return where


_COLUMNS = (
    "SELECT p.schedule, p.asset, p.occurrence_key, {start} AS start_at, p.site,"  # noqa: S608 - constant
    " p.partner_organisation, s.name, s.estimated_minutes, a.space"
    f" FROM {TABLE} p JOIN pm_schedule s ON s.id = p.schedule JOIN asset a ON a.id = p.asset"
)
_WINDOW = " WHERE p.start_at >= {} AND p.start_at < {}"


def _start_sql() -> str:
    # SQLite: the start as its text (an expression has no declared type, so the driver does
    # not parse it; the agenda converts each distinct start once)
    return "p.start_at || ''" if db.is_sqlite() else "p.start_at"


def _columns() -> str:
    return _COLUMNS.replace("{start}", _start_sql())


async def window(
    start: datetime, end: datetime, scope: AgendaScope, limit: int | None
) -> tuple[list[dict[str, Any]], int]:
    """The planned rows in ``[start, end)`` inside ``scope`` (``_COLUMNS``) and how many
    there are; with ``limit`` only the first ``limit`` in the agenda's order (start, then
    uid; the rest counted)."""
    await ensure(end)
    where = _scope_sql(scope)
    columns = _columns()
    if limit is None:
        rows = await db.select(columns + _WINDOW + where, start, end)
        return rows, len(rows)
    count = f"SELECT count(*) AS n FROM {TABLE} p{_WINDOW}{where}"  # noqa: S608 - ids only
    if limit <= 0:
        return [], int((await db.select(count, start, end))[0]["n"])
    # the start of the ``limit``-th row: every row up to it (its ties too) is read
    boundary = await db.select(
        f"SELECT {_start_sql()} AS start_at FROM {TABLE} p{_WINDOW}{where}"  # noqa: S608 - ids only
        f" ORDER BY p.start_at LIMIT 1 OFFSET {int(limit) - 1}",
        start,
        end,
    )
    if not boundary:  # fewer than ``limit``: all of them
        rows = await db.select(columns + _WINDOW + where, start, end)
        return rows, len(rows)
    last = boundary[0]["start_at"]
    rows = await db.select(columns + _WINDOW + where, start, last)  # before the boundary
    # ties at the boundary: the first ones in the agenda's order (start, then uid), by the
    # uid's text in code-point order (``COLLATE "C"`` on PostgreSQL)
    uid = "('pm-' || p.schedule || '-' || p.asset || '-' || p.occurrence_key)"
    if not db.is_sqlite():
        uid += ' COLLATE "C"'
    rows += await db.select(
        columns + " WHERE p.start_at = {}" + where + f" ORDER BY {uid} LIMIT {limit - len(rows)}",
        last,
    )
    total = int((await db.select(count, start, end))[0]["n"])
    return rows, total


async def count_per_day(
    start: datetime, end: datetime, scope: AgendaScope
) -> Iterator[tuple[date, int, int]]:
    """(local day at the site, site, how many) of the planned rows in ``[start, end)``
    inside ``scope``: one grouped read over the index ``pm_planned_day`` (the local days
    bounded too, two days beyond the window's UTC dates: no zone is further off, and the
    index then hands out the rows in (day, site) order)."""
    await ensure(end)
    rows = await db.select(
        f"SELECT p.local_day, p.site, count(*) AS n FROM {TABLE} p"  # noqa: S608 - ids only
        + (f" INDEXED BY {TABLE}_day" if db.is_sqlite() else "")
        + " WHERE p.local_day >= {} AND p.local_day <= {}"
        " AND p.start_at >= {} AND p.start_at < {}"
        + f"{_scope_sql(scope)} GROUP BY p.local_day, p.site",
        (start - timedelta(days=2)).date(),
        (end + timedelta(days=2)).date(),
        start,
        end,
    )
    found = []
    for row in rows:
        day = to_date_or_none(row["local_day"])
        if day is not None:
            found.append((day, int(row["site"]), int(row["n"])))
    return iter(found)
