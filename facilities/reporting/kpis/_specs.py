# ruff: noqa: S608 - SQL from fixed fragments; site ids and epochs are numbers we format
"""The population of each reporting KPI as SQL: one row per counted record (a work order, an
asset, an SLA outcome) with its ``site``, its contribution ``num`` and ``den``.

The same rows feed the grouped figure (``SUM(num)``, ``SUM(den)`` per site) and the
drill-down list, so the list behind a number is exactly the records that make it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from facilities import db
from facilities.kit import clock
from facilities.maintenance.workorders import repair_summary
from facilities.maintenance.workorders.repair_summary import ACTIVE, DONE, REPAIR_KINDS
from facilities.reporting.kpis._sql import (
    CLOSED,
    Bounds,
    bigger,
    epoch,
    smaller,
    whole_days,
)


@dataclass(frozen=True, slots=True)
class Rows:
    ctes: str  # "name AS (…), …" or ""
    select: str  # SELECT id, site, num, den[, extra columns]
    args: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    unit: str
    record: str  # "work_order" | "asset"
    rows: Callable[[Bounds, str], Rows]
    # extra columns of the rows shown in the drill-down: (column, heading msgid)
    columns: tuple[tuple[str, str], ...] = ()
    # the figure from maintained totals: rows ``site, num, den, n`` (``n`` records) that
    # add up to the same sums as ``rows`` (which still gives the drill-down)
    summary: Callable[[Bounds, str], Rows] | None = None


def _status_at(b: Bounds) -> str:
    """The work order's status at ``b.until``: its current one when nothing changed since,
    else the last status event before that instant (the order was created open)."""
    return (
        "CASE WHEN w.updated_at < {} THEN w.status ELSE COALESCE((SELECT e.to_status"
        " FROM work_order_event e WHERE e.work_order = w.id AND e.to_status IS NOT NULL"
        " AND e.created_at < {} ORDER BY e.created_at DESC, e.id DESC LIMIT 1), 'open') END"
    )


def mttr_rows(b: Bounds, where: str) -> Rows:
    ctes, per_order = repair_summary.repairs_sql(
        db.is_sqlite(),
        " AND w.completed_at >= {} AND w.completed_at < {}" + where.replace("{col}", "w.site"),
    )
    select = f"SELECT rt.id, rt.site, rt.minutes AS num, 1 AS den, rt.held FROM ({per_order}) rt"
    return Rows(ctes, select, (b.start, b.end))


def _from_summary(b: Bounds, where: str, columns: str, live: Callable[[Bounds, str], Rows]) -> Rows:
    """Rows ``site, num, den, n``: the maintained repair totals (``columns`` of
    ``work_order_repair_summary x``) for the whole UTC days of the period, the orders
    (``live``) for the parts of a day at its edges (none for a ``Period``)."""
    days, edges = whole_days(b)
    parts: list[str] = []
    args: list[Any] = []
    if days is not None:
        parts.append(
            f"SELECT x.site, {columns} FROM {repair_summary.TABLE} x"
            f" WHERE x.kind IN {REPAIR_KINDS} AND x.day >= {{}} AND x.day < {{}}"
            f"{where.replace('{col}', 'x.site')}"
        )
        args.extend(days)
    for index, edge in enumerate(edges):
        rows = live(edge, where)
        with_ = (
            f"WITH {rows.ctes}, r AS ({rows.select})" if rows.ctes else f"WITH r AS ({rows.select})"
        )
        parts.append(
            f"SELECT e{index}.site, e{index}.num, e{index}.den, 1 AS n"
            f" FROM ({with_} SELECT r.site, r.num, r.den FROM r) e{index}"
        )
        args.extend(rows.args)
    return Rows("", " UNION ALL ".join(parts), tuple(args))


def mttr_summary(b: Bounds, where: str) -> Rows:
    columns = "x.repair_minutes AS num, x.timed AS den, x.timed AS n"
    return _from_summary(b, where, columns, mttr_rows)


def _open_at(b: Bounds, where: str, extra: str = "") -> tuple[str, tuple[Any, ...]]:
    """Work orders open at ``b.until``. An order closed now and not changed since ``until``
    was closed then, so only orders open now or changed since are candidates, listed from
    an index each (``status``, ``updated_at``) before the status history is read for them.
    The list is an explicit ``IN (… UNION ALL …)``: with an ``OR`` SQLite scanned every
    order of the scope's sites through the site index (0.95 s of CPU against 0.03 s at
    1,000,000 orders). The changed ones come from ``(updated_at, created_at)`` alone, so
    only orders that span ``until`` are looked up. Every argument is ``until``."""
    sql = (
        f"FROM work_order w WHERE w.id IN (SELECT o.id FROM work_order o"
        f" WHERE o.status IN {ACTIVE}"
        " UNION ALL SELECT o.id FROM work_order o WHERE o.updated_at >= {} AND o.created_at < {})"
        f" AND w.created_at < {{}}{where.replace('{col}', 'w.site')}{extra}"
        f" AND ({_status_at(b)}) NOT IN {CLOSED}"
    )
    return sql, (b.until,) * 5


def open_at_totals(b: Bounds, where: str) -> Rows:
    """One row over the work orders open at ``b.until`` (backlog's population): ``n`` (the
    backlog), ``age`` (Σ backlog age, days) and ``late`` (how many are overdue), exactly
    the sums of ``backlog_rows``, ``backlog_age_rows`` and ``overdue_rows``: the dashboard
    reads the three figures' trends from one statement (``_run.open_at_trends``)."""
    body, args = _open_at(b, where)
    age = f"({b.until_s:.6f} - {epoch('w.created_at')}) / 86400.0"
    select = (
        f"SELECT COUNT(*) AS n, SUM({age}) AS age, SUM(CASE WHEN w.due_at IS NOT NULL"
        f" AND w.due_at < {{}} THEN 1 ELSE 0 END) AS late {body}"
    )
    return Rows("", select, (b.until, *args))


def backlog_rows(b: Bounds, where: str) -> Rows:
    body, args = _open_at(b, where)
    age = f"({b.until_s:.6f} - {epoch('w.created_at')}) / 86400.0"
    return Rows("", f"SELECT w.id, w.site, 1 AS num, 0 AS den, {age} AS age {body}", args)


def backlog_age_rows(b: Bounds, where: str) -> Rows:
    body, args = _open_at(b, where)
    age = f"({b.until_s:.6f} - {epoch('w.created_at')}) / 86400.0"
    return Rows("", f"SELECT w.id, w.site, {age} AS num, 1 AS den {body}", args)


def overdue_rows(b: Bounds, where: str) -> Rows:
    body, args = _open_at(b, where, " AND w.due_at IS NOT NULL AND w.due_at < {}")
    late = f"({b.until_s:.6f} - {epoch('w.due_at')}) / 86400.0"
    # the due-date bound comes after the site filter and before the status test: every
    # bound is ``until``, one more of them
    return Rows(
        "", f"SELECT w.id, w.site, 1 AS num, 0 AS den, {late} AS late {body}", (*args, b.until)
    )


def first_time_fix_rows(b: Bounds, where: str) -> Rows:
    select = (
        f"SELECT w.id, w.site, CASE WHEN {repair_summary.never_reopened_sql()} THEN 1 ELSE 0"
        " END AS num, 1 AS den FROM work_order w"
        f" WHERE w.kind IN {REPAIR_KINDS} AND w.status IN {DONE}"
        f" AND w.completed_at >= {{}} AND w.completed_at < {{}}{where.replace('{col}', 'w.site')}"
    )
    return Rows("", select, (b.start, b.end))


def first_time_fix_summary(b: Bounds, where: str) -> Rows:
    columns = "x.first_time AS num, x.repairs AS den, x.repairs AS n"
    return _from_summary(b, where, columns, first_time_fix_rows)


def sla_rows(target: str) -> Callable[[Bounds, str], Rows]:
    def rows(b: Bounds, where: str) -> Rows:
        select = (
            "SELECT o.work_order AS id, o.site, CASE WHEN o.met THEN 1 ELSE 0 END AS num,"
            " 1 AS den, o.elapsed_minutes AS elapsed, o.target_minutes AS allowed"
            " FROM sla_outcome o WHERE o.target = {}"
            f" AND o.achieved_at >= {{}} AND o.achieved_at < {{}}{where.replace('{col}', 'o.site')}"
        )
        return Rows("", select, (target, b.start, b.end))

    return rows


def _asset_time(b: Bounds, where: str, critical_only: bool) -> tuple[str, str]:
    """CTEs ``a`` (the assets), ``ch`` (their changes that matter), ``seg`` (status
    intervals) and ``clip`` (clipped to the period up to now), and the per-asset sums
    (seconds up, seconds down, failures). The CTEs take three arguments: the period's start,
    ``until``, the start again.

    The changes that matter are those inside the period and each asset's last change before
    it (its status when the period starts, and the previous status of the first change
    inside); earlier intervals end before the period and add nothing. Read by the
    ``changed_at`` index and one ``(asset, changed_at)`` lookup per asset, the window
    functions see a period's changes, not the assets' whole history."""
    critical = " AND x.criticality = 'critical'" if critical_only else ""
    start, until = f"{b.start_s:.6f}", f"{b.until_s:.6f}"
    window = "OVER (PARTITION BY c.asset ORDER BY c.changed_at, c.id)"
    ctes = (
        "a AS (SELECT x.id, x.site, CASE WHEN x.criticality = 'critical' THEN 1 ELSE 0 END"
        f" AS critical FROM asset x WHERE 1 = 1{critical}"
        f"{where.replace('{col}', 'x.site')}),"
        " ch AS (SELECT c.id, c.asset, c.to_status, c.changed_at"
        " FROM asset_status_change c JOIN a ON a.id = c.asset"
        " WHERE c.changed_at >= {} AND c.changed_at < {}"
        " UNION ALL SELECT c.id, c.asset, c.to_status, c.changed_at"
        " FROM a JOIN asset_status_change c ON c.id = (SELECT o.id FROM asset_status_change o"
        " WHERE o.asset = a.id AND o.changed_at < {} ORDER BY o.changed_at DESC, o.id DESC"
        " LIMIT 1)),"
        f" seg AS (SELECT c.asset, c.to_status, {epoch('c.changed_at')} AS since_s,"
        f" {epoch(f'LEAD(c.changed_at) {window}')} AS until_s,"
        f" LAG(c.to_status) {window} AS prev FROM ch c),"
        f" clip AS (SELECT asset, to_status, prev, since_s, {bigger('since_s', start)} AS lo,"
        f" {smaller(f'COALESCE(until_s, {until})', until)} AS hi FROM seg)"
    )
    sums = (
        "SUM(CASE WHEN clip.to_status IN ('operational', 'degraded') AND clip.hi > clip.lo"
        " THEN clip.hi - clip.lo ELSE 0 END) AS up_s,"
        " SUM(CASE WHEN clip.to_status = 'down' AND clip.hi > clip.lo"
        " THEN clip.hi - clip.lo ELSE 0 END) AS down_s,"
        f" SUM(CASE WHEN clip.to_status = 'down' AND clip.since_s >= {start}"
        f" AND clip.since_s < {until} AND COALESCE(clip.prev, '') <> 'down'"
        " THEN 1 ELSE 0 END) AS failures"
    )
    return ctes, sums


def uptime_rows(b: Bounds, where: str) -> Rows:
    ctes, sums = _asset_time(b, where, critical_only=True)
    ctes += (
        f", per AS (SELECT a.id, a.site, {sums} FROM a JOIN clip ON clip.asset = a.id"
        " GROUP BY a.id, a.site)"
    )
    select = (
        "SELECT id, site, up_s AS num, up_s + down_s AS den, down_s / 60.0 AS down_minutes,"
        " failures FROM per WHERE up_s + down_s > 0"
    )
    return Rows(ctes, select, (b.start, b.until, b.start))


def mtbf_rows(b: Bounds, where: str) -> Rows:
    ctes, sums = _asset_time(b, where, critical_only=False)
    ctes += (
        f", per AS (SELECT a.id, a.site, {sums} FROM a JOIN clip ON clip.asset = a.id"
        " GROUP BY a.id, a.site)"
    )
    select = (
        "SELECT id, site, up_s / 3600.0 AS num, failures AS den, down_s / 60.0 AS down_minutes"
        " FROM per WHERE up_s + down_s > 0"
    )
    return Rows(ctes, select, (b.start, b.until, b.start))


def asset_totals(b: Bounds, where: str) -> Rows:
    """One row over every asset's counted time (MTBF's population; critical uptime's is its
    critical part): ``n``, ``hours`` and ``failures`` (MTBF's sums), ``up_n``, ``up_s``
    and ``counted_s`` (critical uptime's), exactly the sums of ``mtbf_rows`` and
    ``uptime_rows``: the dashboard reads both trends from one statement
    (``_run.asset_trends``)."""
    ctes, sums = _asset_time(b, where, critical_only=False)
    ctes += (
        f", per AS (SELECT a.id, a.site, a.critical, {sums} FROM a JOIN clip"
        " ON clip.asset = a.id GROUP BY a.id, a.site, a.critical)"
    )
    counted = "per.up_s + per.down_s > 0"
    critical = f"per.critical = 1 AND {counted}"
    select = (
        f"WITH {ctes} SELECT SUM(CASE WHEN {counted} THEN 1 ELSE 0 END) AS n,"
        f" SUM(CASE WHEN {counted} THEN per.up_s / 3600.0 END) AS hours,"
        f" SUM(CASE WHEN {counted} THEN per.failures END) AS failures,"
        f" SUM(CASE WHEN {critical} THEN 1 ELSE 0 END) AS up_n,"
        f" SUM(CASE WHEN {critical} THEN per.up_s END) AS up_s,"
        f" SUM(CASE WHEN {critical} THEN per.up_s + per.down_s END) AS counted_s FROM per"
    )
    return Rows("", select, (b.start, b.until, b.start))


def pm_compliance_rows(b: Bounds, where: str) -> Rows:
    """The drill-down of PM compliance (the figure itself comes from maintenance through
    ``kit.kpi``): preventive orders of a schedule due in the period, not cancelled, judged
    against ``due_at + grace days``; orders open and not yet overdue are not in the ratio and
    not in the list. ``num`` 1 = on time; ``late`` 1 = late, 0 = missed or on time."""
    deadline = f"({epoch('w.due_at')} + COALESCE(s.grace_days, 0) * 86400.0)"
    done = f"{epoch('w.completed_at')}"
    now = f"{clock.now().timestamp():.6f}"  # "missed" once the deadline has passed, now
    select = (
        "SELECT w.id, w.site,"
        f" CASE WHEN w.completed_at IS NOT NULL AND {done} <= {deadline} THEN 1 ELSE 0 END"
        " AS num, 1 AS den,"
        f" CASE WHEN w.completed_at IS NOT NULL AND {done} > {deadline} THEN 1 ELSE 0 END"
        " AS late"
        " FROM work_order w JOIN pm_schedule s ON s.id = w.schedule"
        " WHERE w.kind = 'preventive' AND w.status <> 'cancelled'"
        f" AND w.due_at >= {{}} AND w.due_at < {{}}{where.replace('{col}', 'w.site')}"
        f" AND (w.completed_at IS NOT NULL OR {deadline} < {now})"
    )
    return Rows("", select, (b.start, b.end))
