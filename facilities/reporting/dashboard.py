"""The regional dashboard (and a community manager's site dashboard): for a period and a
scope, one tile per KPI with the figure, the previous period's, a trend over the last
periods of the same length, and the link to the records behind it.

Every figure comes through ``kit.kpi`` (reporting's own KPIs straight from their grouped SQL,
narrowed to the scope's sites; others, e.g. PM compliance, from their domain's definition,
added up over the scope's sites by their numerators and denominators).

**Safety and sustainability.** Their figures (inspections, findings, incidents, energy and
CO2e per m², per desk and per member visit) are reporting KPIs like the others
(``kpis/_site.py``) whose populations are the owning domains' reads
(``safety.kpi_queries``, ``sustainability.kpi_queries``). ``TILES`` lists the tiles in order;
a name that is not registered in ``kit.kpi`` is left out.

**Cost against budget** (``budgets/kpi.py``) is the quarterly budget report's actuals against
the budget prorated to the period; its trend is one run of the actuals over the eight
consecutive periods, and the list behind it is the cost lines (``actuals.lines``).

**The tiles' reads run concurrently** (``_reads``, ``_together``): up to ``READS_AT_ONCE``
at once outside a transaction (``db.reads_at_once``), the two heaviest split by periods
(``HEAVY_PARTS``); docs/architecture.md says why and what it costs.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from facilities import db
from facilities.accounts.principal import Principal
from facilities.kit import clock, kpi
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import N_, _, format_date
from facilities.kit.kpi import Period
from facilities.reporting import queries
from facilities.reporting.budgets import actuals as cost_lines
from facilities.reporting.budgets import kpi as cost
from facilities.reporting.enums import COST_CATEGORY_LABELS, CostCategory
from facilities.reporting.kpis import (
    ASSET_TIME,
    OPEN_AT,
    RECORD_SPECS,
    SPECS,
    asset_trends,
    compute,
    open_at_trends,
    records,
)
from facilities.reporting.kpis import trend as trend_of
from facilities.reporting.schemas import DashboardRead, RecordRead, RecordsRead, TileRead

MAX_DAYS = 366
TREND_POINTS = 8
# The figures with a list of records behind them.
DRILLABLE = frozenset({*RECORD_SPECS, cost.NAME})

TILES: tuple[str, ...] = (
    "backlog",
    "backlog_age",
    "overdue",
    "mttr",
    "mtbf",
    "pm_compliance",
    "sla_response",
    "sla_attendance",
    "sla_resolution",
    "critical_uptime",
    "first_time_fix",
    # safety's and sustainability's figures (``kpis/_site.py``, read from their domains)
    "inspection_completion",
    "inspection_score",
    "open_findings",
    "incidents",
    "near_misses",
    "energy_per_m2",
    "energy_per_desk",
    "co2e_per_m2",
    "co2e_per_desk",
    "co2e_per_visit",
    "cost_vs_budget",
)


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """The chosen days, both included (default: this month up to today), checked."""
    today = clock.now().date()
    start = start or today.replace(day=1)
    end = end or (today if start <= today else start)
    if end < start:
        raise RuleViolation("end", _("The end of the period must not be before its start."))
    if (end - start).days + 1 > MAX_DAYS:
        raise RuleViolation(
            "end", _("A period can be at most %(days)s days long.") % {"days": MAX_DAYS}
        )
    return start, end


def tile_names(chosen: list[str] | None) -> list[str]:
    registered = set(kpi.names())
    if not chosen:
        return [n for n in TILES if n in registered]
    unknown = [n for n in chosen if n not in registered]
    if unknown:
        raise RuleViolation(
            "kpi",
            _("There is no figure called %(name)s. Known figures: %(known)s.")
            % {"name": ", ".join(unknown), "known": ", ".join(sorted(registered))},
        )
    return chosen


async def figure(
    principal: Principal, name: str, span: Period, sites: set[int] | None
) -> float | None:
    """One KPI over the scope's sites (``None``: every site the caller sees)."""
    if name in SPECS:
        return (await compute(SPECS[name], principal, span, sites))[0].value
    definition = kpi.get(name)
    values = await definition.compute(principal, span)
    if sites is None:
        total = next((v for v in values if v.subject is None), None)
        if total is not None:
            return total.value
        return kpi.aggregate(definition.unit, values).value
    wanted = {f"site:{s}" for s in sites}
    return kpi.aggregate(definition.unit, [v for v in values if v.subject in wanted]).value


def _query(start: date, end: date, region_id: int | None, site_id: int | None) -> dict[str, str]:
    q = {"start": start.isoformat(), "end": end.isoformat()}
    if site_id is not None:
        q["site_id"] = str(site_id)
    elif region_id is not None:
        q["region_id"] = str(region_id)
    return q


async def dashboard(
    principal: Principal,
    *,
    start: date | None,
    end: date | None,
    region_id: int | None = None,
    site_id: int | None = None,
    chosen: list[str] | None = None,
) -> DashboardRead:
    first, last = period(start, end)
    names = tile_names(chosen)
    label, rows = await queries.scope_sites(principal, region_id=region_id, site_id=site_id)
    site_ids = [int(str(r["id"])) for r in rows]
    narrowed = None if region_id is None and site_id is None else set(site_ids)
    length = (last - first).days + 1
    spans = [
        Period(first - timedelta(days=length * back), last + timedelta(days=1 - length * back))
        for back in range(TREND_POINTS - 1, -1, -1)
    ]
    query = _query(first, last, region_id, site_id)
    trends = await _together(_reads(principal, names, spans, narrowed, rows, site_id))
    tiles = []
    for name in names:
        definition = kpi.get(name)
        trend = trends[name]
        drill = (
            "/api/v1/reporting/records?" + urlencode({"kpi": name, **query})
            if name in DRILLABLE
            else None
        )
        tiles.append(
            TileRead(
                name=name,
                title=_(definition.title),
                unit=definition.unit,
                better=definition.better,
                value=trend[-1],
                previous=trend[-2],
                trend=trend,
                records_url=drill,
                help_url=f"/help/kpis#{name}",
            )
        )
    return DashboardRead(
        start=first,
        end=last,
        previous_start=first - timedelta(days=length),
        previous_end=first - timedelta(days=1),
        scope=label or _("All my sites"),
        region_id=region_id,
        site_id=site_id,
        site_ids=site_ids,
        tiles=tiles,
    )


Trends = dict[str, list[float | None]]
Read = Callable[[], Awaitable[Trends]]

# How many of a dashboard's reads run at once (``_together``), per engine: PostgreSQL runs
# each on its own pooled connection, a backend per core; SQLite on its reader threads
# (``sqlite3`` releases the GIL while it executes). Measured at 1,000,000 work orders in
# docs/benchmarks.md ("The dashboard's reads run concurrently"). ``db.reads_at_once`` caps
# it (1 inside a transaction, the readers, half the pool).
READS_AT_ONCE = {"postgres": 4, "sqlite": 4}


def _reads(
    principal: Principal,
    names: list[str],
    spans: list[Period],
    narrowed: set[int] | None,
    rows: list[dict[str, Any]],
    site_id: int | None,
) -> list[Read]:
    """The dashboard's independent reads, the heaviest first (each gives the trends of one
    or more tiles): every KPI keeps its one implementation, only the order and overlap of
    their reads is decided here."""
    reads: list[Read] = []
    left = list(dict.fromkeys(names))  # a tile asked for twice is read once
    # backlog, its age and overdue work count the same orders: read them once
    if len(set(OPEN_AT) & set(names)) > 1:
        reads.extend(_by_periods(open_at_trends, principal, spans, narrowed))
        left = [n for n in left if n not in OPEN_AT]
    # MTBF and critical uptime read the same asset histories: likewise
    if set(ASSET_TIME) <= set(names):
        reads.extend(_by_periods(asset_trends, principal, spans, narrowed))
        left = [n for n in left if n not in ASSET_TIME]
    if cost.NAME in left:  # one run of the actuals for the eight periods

        async def cost_trend() -> Trends:
            return {cost.NAME: [v.value for v in await cost.trend(rows, spans, site_id=site_id)]}

        reads.append(cost_trend)
        left.remove(cost.NAME)
    for name in left:
        reads.append(_read_one(principal, name, spans, narrowed))
    return reads


# The two heaviest reads (the open orders, the asset histories: ~200 and ~160 ms of
# PostgreSQL's CPU at 1,000,000 orders) are split by periods into this many reads per
# engine, so that no one read is the whole dashboard's wall time; their periods are
# independent (measured with ``READS_AT_ONCE`` in docs/benchmarks.md).
HEAVY_PARTS = {"postgres": 2, "sqlite": 2}


def _by_periods(
    read: Callable[[Principal, list[Period], set[int] | None], Awaitable[Trends]],
    principal: Principal,
    spans: list[Period],
    sites: set[int] | None,
) -> list[Read]:
    """``read`` over ``spans`` as ``HEAVY_PARTS`` (of this engine) reads of consecutive
    periods whose trends are joined back in order (``_join``)."""
    size = -(-len(spans) // HEAVY_PARTS[_engine()])
    return [
        functools.partial(read, principal, spans[start : start + size], sites)
        for start in range(0, len(spans), size)
    ]


def _read_one(principal: Principal, name: str, spans: list[Period], sites: set[int] | None) -> Read:
    async def read() -> Trends:
        if name in SPECS:  # one statement for the eight periods
            return {name: await trend_of(SPECS[name], principal, spans, sites)}
        return {name: [await figure(principal, name, span, sites) for span in spans]}

    return read


async def _together(reads: list[Read]) -> Trends:
    """Run the reads, up to ``READS_AT_ONCE`` of them at once (outside a transaction only:
    ``db.reads_at_once``), and merge their trends. A failure cancels the others and is
    raised as it is (no ``ExceptionGroup``: a 4xx stays a 4xx)."""
    at_once = db.reads_at_once(READS_AT_ONCE[_engine()])
    found: Trends = {}
    if at_once <= 1:
        for read in reads:
            _join(found, await read())
        return found
    gate = asyncio.Semaphore(at_once)

    async def gated(read: Read) -> Trends:
        async with gate:
            return await read()

    tasks = [asyncio.ensure_future(gated(read)) for read in reads]
    try:
        for result in await asyncio.gather(*tasks):  # in the order of ``reads``
            _join(found, result)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return found


def _engine() -> str:
    return "sqlite" if db.is_sqlite() else "postgres"


def _join(found: Trends, part: Trends) -> None:
    """Add a read's trends; a name already there gets the next periods (``_by_periods``)."""
    for name, values in part.items():
        found[name] = [*found.get(name, []), *values]


async def drill_down(
    principal: Principal,
    *,
    name: str,
    start: date | None,
    end: date | None,
    region_id: int | None = None,
    site_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> RecordsRead:
    """The records that make the figure of ``name`` for the period and scope."""
    if name not in DRILLABLE:
        if name in kpi.names():
            raise NotFound(_("This figure has no list of records behind it."))
        tile_names([name])  # a clear 422 naming the field
    first, last = period(start, end)
    sites: set[int] | None = None
    if region_id is not None or site_id is not None:
        _label, scope = await queries.scope_sites(principal, region_id=region_id, site_id=site_id)
        sites = {int(str(r["id"])) for r in scope}
    if name == cost.NAME:
        return await _cost_lines(principal, first, last, sites, limit=limit, offset=offset)
    spec = RECORD_SPECS[name]
    count, rows = await records(
        spec,
        principal,
        Period(first, last + timedelta(days=1)),
        sites,
        limit=limit,
        offset=offset,
    )
    extra = [column for column, _heading in spec.columns]
    return RecordsRead(
        kpi=name,
        start=first,
        end=last,
        count=count,
        limit=limit,
        offset=offset,
        items=[
            RecordRead(
                kind=spec.record,
                id=int(r["id"]),
                title=_record_title(spec.record, r),
                url=_record_url(spec.record, r),
                site_id=int(r["site"]),
                site_name=str(r["site_name"]),
                value=None if r["num"] is None else round(float(r["num"]), 4),
                extra={c: None if r.get(c) is None else round(float(r[c]), 4) for c in extra},
            )
            for r in rows
        ],
    )


def record_columns(name: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The unit of a drill-down's values and its extra columns (column, heading msgid)."""
    if name == cost.NAME:
        return "EUR", ()
    spec = RECORD_SPECS[name]
    return spec.unit, spec.columns


_LINE_KINDS = {
    "labour": N_("Labour"),
    "parts": N_("Parts and other costs"),
    "visits": N_("Visits"),
    "fee": N_("Contract fee"),
    "bill": N_("Bill"),
    "expense": N_("Expense"),
}
_LINE_PAGES = {
    "labour": "/work-orders/{id}",
    "parts": "/work-orders/{id}",
    "visits": "/contracts/{id}",
    "fee": "/contracts/{id}",
    "bill": "/sustainability/meters/{parent}",
}


def _line_title(line: cost_lines.Line) -> str:
    """ "Bill · Energy: Gas meter 1 Nov 2026 – 30 Nov 2026" (kind, category, what)."""
    what = line.title
    if line.span is not None:
        what += f" {format_date(line.span[0])} – {format_date(line.span[1])}"
    if line.category in CostCategory.__members__:
        category = _(COST_CATEGORY_LABELS[CostCategory(line.category)])
        return f"{_(_LINE_KINDS[line.kind])} · {category}: {what}"
    return f"{_(_LINE_KINDS[line.kind])}: {what}"


async def _cost_lines(
    principal: Principal,
    first: date,
    last: date,
    sites: set[int] | None,
    *,
    limit: int,
    offset: int,
) -> RecordsRead:
    """The actual cost lines behind ``cost_vs_budget`` (the budget report's actuals)."""
    _label, scope = await queries.scope_sites(principal)
    names = {int(str(r["id"])): str(r["name"]) for r in scope}
    site_ids = sorted(s for s in names if sites is None or s in sites)
    count, _total, lines = await cost_lines.lines(
        site_ids, first, last, clock.now().date(), limit=limit, offset=offset
    )
    return RecordsRead(
        kpi=cost.NAME,
        start=first,
        end=last,
        count=count,
        limit=limit,
        offset=offset,
        items=[
            RecordRead(
                kind=line.kind,
                id=line.id,
                title=_line_title(line),
                url=_LINE_PAGES[line.kind].format(id=line.id, parent=line.parent)
                if line.kind in _LINE_PAGES
                else None,
                site_id=line.site,
                site_name=names.get(line.site, ""),
                value=round(float(line.amount), 2),
                extra={},
            )
            for line in lines
        ],
    )


_PAGES = {
    "work_order": "/work-orders/{id}",
    "asset": "/assets/{id}",
    "inspection": "/safety/inspections/{id}",
    "finding": "/safety/inspections/{parent}",  # a finding is shown on its inspection
    "incident": "/safety/incidents/{id}",
    "meter_month": "/sustainability/meters/{parent}",
}


def _confidential(row: dict[str, Any]) -> bool:
    return bool(row.get("confidential"))


def _record_title(kind: str, row: dict[str, Any]) -> str:
    if kind == "incident" and _confidential(row):
        return _("Confidential")
    return str(row["title"] or "")


def _record_url(kind: str, row: dict[str, Any]) -> str | None:
    if kind == "incident" and _confidential(row):
        return None
    return _PAGES[kind].format(id=int(row["id"]), parent=int(row.get("parent") or row["id"]))


def definitions() -> list[dict[str, str]]:
    return [
        {
            "name": k.name,
            "title": _(k.title),
            "unit": k.unit,
            "better": k.better,
            "formula": _(k.formula) if k.meaning else k.formula,
            "population": _(k.population) if k.meaning else k.population,
            "edge_cases": _(k.edge_cases) if k.edge_cases else "",
            "standard": _(k.standard) if k.standard else "",
            "help_url": f"/help/kpis#{k.name}",
        }
        for k in kpi.all_kpis()
    ]
