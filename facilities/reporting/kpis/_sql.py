"""SQL pieces shared by the reporting KPIs, on both engines.

Every KPI here is one grouped query (``GROUP BY site``): the database adds up, Python only
divides. Timestamps become seconds since the epoch in SQL (``epoch``): PostgreSQL's
``EXTRACT(EPOCH FROM …)``, SQLite's ``julianday`` (Piccolo stores timestamptz there as UTC
ISO text, which ``julianday`` reads).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from facilities import db
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.kpi import KpiValue, Period, aggregate
from facilities.kit.rows import dict_rows
from facilities.sites import scope

CLOSED = "('completed', 'verified', 'cancelled')"
# DONE, ACTIVE (the statuses in which the repair clock runs) and REPAIR_KINDS are
# maintenance's (``workorders.repair_summary``): its maintained repair totals use the same


def epoch(column: str) -> str:
    if db.is_sqlite():
        return f"((julianday({column}) - 2440587.5) * 86400.0)"
    return f"EXTRACT(EPOCH FROM {column})"


def bigger(a: str, b: str) -> str:
    return f"(CASE WHEN {a} > {b} THEN {a} ELSE {b} END)"


def smaller(a: str, b: str) -> str:
    return f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"


@dataclass(frozen=True, slots=True)
class Bounds:
    start: datetime
    end: datetime  # exclusive
    until: datetime  # min(end, now): the instant "at the end of the period" as far as known

    @property
    def start_s(self) -> float:
        return self.start.timestamp()

    @property
    def until_s(self) -> float:
        return self.until.timestamp()


def whole_days(b: Bounds) -> tuple[tuple[date, date] | None, list[Bounds]]:
    """The whole UTC days ``[first, end)`` inside ``[b.start, b.end)`` (``None``: not one)
    and the parts of the period outside them (at most one at each edge). A maintained
    per-UTC-day total answers the whole days; the edges are counted live. A period of
    whole UTC days (every ``Period``) has no edge."""
    first = b.start.astimezone(UTC).date()
    if datetime.combine(first, time(), UTC) < b.start:
        first += timedelta(days=1)
    end = b.end.astimezone(UTC).date()
    if first >= end:
        return None, [b]
    edges = []
    first_at, end_at = datetime.combine(first, time(), UTC), datetime.combine(end, time(), UTC)
    if b.start < first_at:
        edges.append(Bounds(b.start, first_at, min(first_at, b.until)))
    if end_at < b.end:
        edges.append(Bounds(end_at, b.end, b.until))
    return (first, end), edges


def bounds(period: Period) -> Bounds:
    start = datetime.combine(period.start, time(), UTC)
    end = datetime.combine(period.end, time(), UTC)
    return Bounds(start, end, min(end, clock.now()))


async def site_filter(principal: Principal, sites: set[int] | None) -> str | None:
    """`` AND {col} IN (…)`` for the caller's sites (narrowed to ``sites`` if given; each
    population puts its site column in for ``{col}``); ``""`` for every site; ``None`` when
    nothing is visible (no query needed)."""
    visible = await scope.visible_site_ids(principal)
    if sites is not None:
        visible = set(sites) if visible is None else visible & set(sites)
    if visible is None:
        return ""
    if not visible:
        return None
    return " AND {col} IN (" + ",".join(str(int(s)) for s in sorted(visible)) + ")"


async def site_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    listed = ",".join(str(int(i)) for i in sorted(ids))
    rows = await dict_rows(f"SELECT id, name FROM site WHERE id IN ({listed})")  # noqa: S608
    return {int(r["id"]): str(r["name"]) for r in rows}


async def per_site(unit: str, rows: list[dict[str, Any]], **detail_keys: str) -> list[KpiValue]:
    """Rows ``{site, num, den, …}`` → one value per site and the total (subject None)."""
    names = await site_names({int(r["site"]) for r in rows})
    values = []
    for row in sorted(rows, key=lambda r: names.get(int(r["site"]), "")):
        num = float(row["num"] or 0)
        den = None if row.get("den") is None else float(row["den"])
        one = aggregate(unit, [KpiValue(None, "", None, num, den)])
        values.append(
            KpiValue(
                subject=f"site:{int(row['site'])}",
                label=names.get(int(row["site"]), ""),
                value=one.value,
                numerator=num,
                denominator=den,
                detail={k: float(row[c] or 0) for k, c in detail_keys.items()},
            )
        )
    total = aggregate(unit, values)
    return [
        KpiValue(
            subject=None,
            label="",
            value=total.value,
            numerator=total.numerator,
            denominator=total.denominator,
        ),
        *values,
    ]
