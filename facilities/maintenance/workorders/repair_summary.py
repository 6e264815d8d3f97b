# ruff: noqa: S608 - SQL from fixed fragments; site and order ids are numbers we format
"""Repairs' maintained totals per site, UTC day of the last completion, and kind.

``work_order_repair_summary`` holds, for every UTC day, site and repair kind
(``corrective``, ``inspection_follow_up``), the repair orders that are completed or
verified now and whose ``completed_at`` falls on that day:

* ``repairs``: how many (first-time fix's denominator);
* ``timed``: how many have a status history (MTTR's denominator: an order without a
  status event has no repair time);
* ``repair_minutes``: the sum of their repair times, each exactly as MTTR defines it
  (``repairs_sql``: the time in the open statuses, from creation to the last completion,
  waiting included, the time between a completion and a reopen excluded);
* ``first_time``: how many were never reopened.

The reporting KPIs MTTR and first-time fix read these rows for the whole UTC days of a
period (their periods are whole UTC days), instead of every repair order of the period and
its status history; the drill-down list still reads the orders (``repairs_sql``, the same
definition), so the list behind a figure is exactly the orders that make it.

Kept up to date inside the transaction of every change that can move an order in or out
of a bucket or change its repair time: the lifecycle steps that complete, verify, reopen or
cancel an order (the work-order listener ``on_work_order_change``, wired in
``facilities.wiring``). No other change can: only open orders are edited (kind, site are
fixed once closed), other steps only happen to open orders, and comments have no status.
Each refresh recomputes the days it touches from ``work_order`` (never adds deltas), so it
is idempotent; ``rebuild()`` recomputes everything (the migration's backfill, and after
bulk imports that bypass the actions such as ``bench.dashboard``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from facilities import db
from facilities.kit.rows import aware
from facilities.maintenance.hooks import WorkOrderChange

TABLE = "work_order_repair_summary"

# Kinds of work that repair a failure.
REPAIR_KINDS = "('corrective', 'inspection_follow_up')"
# A repair counts once it is completed or verified.
DONE = "('completed', 'verified')"
# Statuses in which the asset waits to be restored (the repair clock runs; SMRP counts
# waiting for parts or access as repair time).
ACTIVE = "('open', 'assigned', 'accepted', 'in_progress', 'on_hold')"

# The lifecycle steps that move an order into, out of or within a bucket.
_MOVES = frozenset({"complete", "verify", "reopen", "cancel"})


_TOTALS = "repairs, timed, repair_minutes, first_time"


def ddl(sqlite: bool) -> list[str]:
    """The table (``tables.WorkOrderRepairSummary``) and its key, created by raw SQL. The
    key carries the totals (PostgreSQL ``INCLUDE``; on SQLite a second index of every
    column), so a period's rows are read from the index alone: written a day at a time
    over years, a period's rows lie on as many table pages as there are rows."""
    serial = "INTEGER PRIMARY KEY" if sqlite else "SERIAL PRIMARY KEY"
    table = (
        f"CREATE TABLE {TABLE} (id {serial}, day DATE NOT NULL, site INTEGER NOT NULL,"
        " kind VARCHAR(32) NOT NULL, repairs INTEGER NOT NULL, timed INTEGER NOT NULL,"
        " repair_minutes DOUBLE PRECISION NOT NULL, first_time INTEGER NOT NULL)"
    )
    if sqlite:
        return [
            table,
            f"CREATE UNIQUE INDEX {TABLE}_key ON {TABLE} (day, site, kind)",
            f"CREATE INDEX {TABLE}_totals ON {TABLE} (day, site, kind, {_TOTALS})",
        ]
    return [
        table,
        f"CREATE UNIQUE INDEX {TABLE}_key ON {TABLE} (day, site, kind) INCLUDE ({_TOTALS})",
    ]


def _epoch(column: str, sqlite: bool) -> str:
    if sqlite:
        return f"((julianday({column}) - 2440587.5) * 86400.0)"
    return f"EXTRACT(EPOCH FROM {column})"


def repairs_sql(sqlite: bool, where: str) -> tuple[str, str]:
    """The repair orders (completed or verified now) matching ``where`` (a condition on
    ``w``, starting with `` AND``) with their repair time: CTEs ``wo`` (the orders) and
    ``seg`` (their status intervals), and a SELECT of one row per order with a status
    history: ``id``, ``site``, ``minutes`` (repair time) and ``held`` (of it, on hold).

    Repair time = the time in the open statuses, from creation (the ``create`` event) to the
    last completion; the time between a completion and a reopen is not counted."""
    ctes = (
        "wo AS (SELECT w.id, w.site, w.kind, w.completed_at FROM work_order w"
        f" WHERE w.kind IN {REPAIR_KINDS} AND w.status IN {DONE}{where}),"
        " seg AS (SELECT e.work_order, e.to_status, e.created_at AS since,"
        " LEAD(e.created_at) OVER (PARTITION BY e.work_order ORDER BY e.created_at, e.id)"
        " AS until FROM work_order_event e JOIN wo ON wo.id = e.work_order"
        " WHERE e.to_status IS NOT NULL)"
    )
    span = (
        f"({_epoch('COALESCE(seg.until, wo.completed_at)', sqlite)}"
        f" - {_epoch('seg.since', sqlite)})"
    )
    select = (
        "SELECT wo.id, wo.site,"
        f" SUM(CASE WHEN seg.to_status IN {ACTIVE} THEN {span} ELSE 0 END) / 60.0 AS minutes,"
        f" SUM(CASE WHEN seg.to_status = 'on_hold' THEN {span} ELSE 0 END) / 60.0 AS held"
        " FROM wo JOIN seg ON seg.work_order = wo.id GROUP BY wo.id, wo.site"
    )
    return ctes, select


def never_reopened_sql() -> str:
    """SQL: the order ``w`` was never reopened (first-time fix)."""
    return (
        "NOT EXISTS (SELECT 1 FROM work_order_event e"
        " WHERE e.work_order = w.id AND e.action = 'reopen')"
    )


def _day_sql(sqlite: bool) -> str:
    return "date(w.completed_at)" if sqlite else "(w.completed_at AT TIME ZONE 'UTC')::date"


async def _insert(sqlite: bool, where: str, *args: Any) -> None:
    """Day rows recomputed from the repair orders matching ``where`` (on ``w``)."""
    ctes, select = repairs_sql(sqlite, where)
    day = _day_sql(sqlite)
    await db.raw(
        f"WITH {ctes}, per AS ({select})"
        f" INSERT INTO {TABLE} (day, site, kind, repairs, timed, repair_minutes, first_time)"
        f" SELECT {day}, w.site, w.kind, COUNT(*),"
        " SUM(CASE WHEN per.id IS NULL THEN 0 ELSE 1 END), COALESCE(SUM(per.minutes), 0),"
        f" SUM(CASE WHEN {never_reopened_sql()} THEN 1 ELSE 0 END)"
        " FROM wo w LEFT JOIN per ON per.id = w.id"
        f" GROUP BY {day}, w.site, w.kind",
        *args,
    )


def _sites(site_ids: Iterable[int]) -> str:
    return ",".join(str(int(s)) for s in sorted(set(site_ids)))


async def rebuild(site_ids: Iterable[int] | None = None) -> None:
    """Recompute every day (of ``site_ids``, if given) from ``work_order``."""
    where = ""
    if site_ids is not None:
        listed = _sites(site_ids)
        if not listed:
            return
        where = f" AND site IN ({listed})"
    async with db.transaction():
        await db.raw(f"DELETE FROM {TABLE} WHERE 1 = 1{where}")
        await _insert(db.is_sqlite(), where.replace("site", "w.site"))


async def refresh(site_ids: Iterable[int], first: date, last: date) -> None:
    """Recompute the rows of ``site_ids`` × the UTC days ``first``..``last`` (inclusive),
    inside the caller's transaction."""
    site_ids = list(site_ids)
    listed = _sites(site_ids)
    if not listed:
        return
    if last < first:
        first, last = last, first
    lo = datetime(first.year, first.month, first.day, tzinfo=UTC)
    hi = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    async with db.transaction():
        # two orders of a site completed at once: the second refresh waits for the first
        # to commit, then reads its rows (else both insert the day: a duplicate key)
        await db.lock_keys(*(f"{TABLE}:{int(site)}" for site in site_ids))
        await db.raw(
            f"DELETE FROM {TABLE} WHERE site IN ({listed}) AND day >= {{}} AND day <= {{}}",
            first,
            last,
        )
        await _insert(
            db.is_sqlite(),
            f" AND w.site IN ({listed}) AND w.completed_at >= {{}} AND w.completed_at < {{}}",
            lo,
            hi,
        )


async def refresh_orders(order_ids: Iterable[int]) -> None:
    """Recompute the days the given repair orders are in now or were in before their last
    step: the day of ``completed_at`` and, for an order reopened (``completed_at`` cleared)
    or cancelled, the day of its last ``complete`` event and the day before (the event is
    written just after ``completed_at`` is set, in the same transaction, so the completion
    lies on one of the two)."""
    ids = ",".join(str(int(i)) for i in sorted(set(order_ids)))
    if not ids:
        return
    rows = await db.raw(
        "SELECT w.site, w.completed_at, (SELECT MAX(e.created_at) FROM work_order_event e"
        " WHERE e.work_order = w.id AND e.action = 'complete') AS completed_event"
        f" FROM work_order w WHERE w.id IN ({ids}) AND w.kind IN {REPAIR_KINDS}"
    )
    days: dict[int, list[date]] = {}
    for row in rows:
        found = days.setdefault(int(row["site"]), [])
        if row["completed_at"] is not None:
            found.append(_utc_day(row["completed_at"]))
        if row["completed_event"] is not None:
            event_day = _utc_day(row["completed_event"])
            found.extend((event_day - timedelta(days=1), event_day))
    for site, found in days.items():
        if found:
            await refresh([site], min(found), max(found))


def _utc_day(value: Any) -> date:
    return aware(value).date()


async def on_work_order_change(change: WorkOrderChange) -> None:
    """A lifecycle step (wired in ``facilities.wiring``): only completing, verifying,
    reopening and cancelling can move a repair in or out of a day."""
    if change.action in _MOVES:
        await refresh_orders([change.work_order_id])
