"""Upcoming work: scheduled work orders plus the occurrences schedules will create (computed,
not only the ones already generated), for calendar feeds and the calendar page.

Domains above maintenance add their own entries (safety: inspections due) through a provider
registered by ``facilities.wiring.install()`` (``register_provider``): ``provider(start,
end, scope)`` returns ``Item``s with their ``kind`` (e.g. ``inspection``) and ``href``,
limited to ``scope``."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.kit.rows import aware, dict_rows
from facilities.maintenance.pm import planned
from facilities.maintenance.pm.agenda_scope import AgendaScope

log = logging.getLogger(__name__)
CLOSED = ("completed", "verified", "cancelled")
DEFAULT_MINUTES = 60


@dataclass(frozen=True, slots=True)
class Item:
    uid: str
    title: str
    start: datetime  # UTC
    minutes: int
    site_id: int
    site_name: str
    space_id: int | None
    asset_id: int | None
    work_order_id: int | None
    status: str  # a work-order status, or "planned" for a computed occurrence
    time_zone: str = "UTC"  # the site's (feeds state times in it)
    kind: str = ""  # "" = maintenance's own (work or PM); a provider's kind, e.g. "inspection"
    href: str | None = None  # a provider's page of the entry
    # the partner organisation of a provider's entry, or of a computed occurrence's schedule
    partner_id: int | None = None

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)


Provider = Callable[[datetime, datetime, AgendaScope], Awaitable[list[Item]]]
# A provider's version: one cheap query whose answer changes whenever its entries may have
# (the feed cache keys on it beside maintenance's own stamp, ``versions.stamp``).
ProviderVersion = Callable[[], Awaitable[tuple[Any, ...]]]
_providers: dict[str, Provider] = {}
_versions: dict[str, ProviderVersion] = {}


def register_provider(
    name: str, provider: Provider, version: ProviderVersion | None = None
) -> None:
    _providers[name] = provider
    if version is not None:
        _versions[name] = version


def providers() -> dict[str, Provider]:
    return dict(_providers)


def clear_providers() -> None:
    _providers.clear()
    _versions.clear()


async def provided_version() -> tuple[Any, ...]:
    """Every provider's version, in a stable order (part of a cached feed's key)."""
    return tuple([(name, await _versions[name]()) for name in sorted(_versions)])


async def _provided(start: datetime, end: datetime, scope: AgendaScope) -> list[Item]:
    found: list[Item] = []
    for provider in _providers.values():
        found.extend(await provider(start, end, scope))
    return found


async def items(
    *,
    start: datetime,
    end: datetime,
    scope: AgendaScope,
) -> list[Item]:
    """Work orders scheduled in ``[start, end)`` and computed occurrences not yet created,
    limited to ``scope`` (``agenda_scope``: the caller's sites and, for a partner, its work)."""
    return (await _items(start, end, scope, None))[0]


async def first_items(
    *, start: datetime, end: datetime, scope: AgendaScope, limit: int
) -> tuple[list[Item], int]:
    """The first ``limit`` of ``items`` (in the same order) and how many there are in all.
    Computed occurrences past the first ``limit`` are only counted, not built and sorted
    (a feed of 20,000 weekly schedules holds 260,000 of them and shows 2,000)."""
    found, total = await _items(start, end, scope, limit)
    return found[:limit], total


def _order_where(scope: AgendaScope) -> str:
    """The scope as SQL on ``work_order w`` (integer ids only) and the open statuses (literals,
    so the expression index ``work_order_agenda_start`` serves both engines)."""
    where = " AND w.status NOT IN (" + ", ".join(f"'{s}'" for s in CLOSED) + ")"
    if scope.site_ids is not None:
        where += " AND w.site IN (" + ",".join(str(int(s)) for s in sorted(scope.site_ids)) + ")"
    if scope.partner_id is not None:
        where += f" AND w.partner_organisation = {int(scope.partner_id)}"
    return where


# The agenda's time of a work order: its planned start, else its due time (indexed as this
# expression: ``work_order_agenda_start``).
_START = "coalesce(w.scheduled_for, w.due_at)"
_ORDER_COLUMNS = (
    "SELECT w.id, w.title, w.site, w.space, w.asset, w.status, w.estimated_minutes,"
    " coalesce(w.scheduled_for, w.due_at) AS start_at, w.schedule, w.occurrence_key"
    " FROM work_order w"
)


async def _orders(
    start: datetime,
    end: datetime,
    scope: AgendaScope,
    limit: int | None,
    sites: dict[int, dict[str, Any]],
) -> tuple[list[Item], int]:
    """Open work orders in ``[start, end)`` and how many there are; with ``limit`` only the
    first ``limit`` in time order (and their ties at the last one's start)."""
    where = _order_where(scope)
    columns = _ORDER_COLUMNS
    window = f" WHERE {_START} >= {{}} AND {_START} < {{}}"
    if limit is None:
        orders = await dict_rows(columns + window + where, start, end)
        total = len(orders)
    else:
        orders = await dict_rows(
            columns + window + where + f" ORDER BY {_START}, w.id LIMIT {int(limit)}",
            start,
            end,
        )
        total = len(orders)
        if total == limit:  # there may be more: count them, and take the last one's ties
            counted = await db.raw(
                f"SELECT count(*) AS n FROM work_order w{window}{where}",  # noqa: S608
                start,
                end,
            )
            total = int(counted[0]["n"])
            last = orders[-1]["start_at"]
            seen = {r["id"] for r in orders}
            orders += [
                r
                for r in await dict_rows(
                    columns + f" WHERE {_START} = {{}}" + where,
                    last,
                )
                if r["id"] not in seen
            ]
    items = [
        Item(
            uid=f"wo-{r['id']}",
            title=r["title"],
            start=aware(r["start_at"]),
            minutes=r["estimated_minutes"] or DEFAULT_MINUTES,
            site_id=r["site"],
            site_name=sites.get(r["site"], {}).get("name", ""),
            time_zone=sites.get(r["site"], {}).get("time_zone") or "UTC",
            space_id=r["space"],
            asset_id=r["asset"],
            work_order_id=r["id"],
            status=r["status"],
        )
        for r in orders
    ]
    return items, total


async def _items(
    start: datetime, end: datetime, scope: AgendaScope, limit: int | None
) -> tuple[list[Item], int]:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if scope.empty:
        return [], 0
    sites = {r["id"]: r for r in await dict_rows("SELECT id, name, time_zone FROM site")}
    result, total = await _orders(start, end, scope, limit, sites)
    provided = await _provided(start, end, scope)  # e.g. safety's inspections due
    result.extend(provided)
    total += len(provided)
    # Computed occurrences: what generation will create (``generation.upcoming``, the one
    # computation: max_count, end date, seasons, closed days, floating and meter modes),
    # kept as rows of ``pm_planned`` (``pm.planned``). They start after the last generated
    # occurrence, so nothing shown above comes again. With a limit only the first ``limit``
    # (and ties) are read; the rest are counted.
    rows, counted = await planned.window(start, end, scope, limit)
    result.extend(_planned_items(rows, sites))
    total += counted
    return sorted(result, key=lambda i: (i.start, i.uid)), total


async def day_counts(
    *, start: datetime, end: datetime, scope: AgendaScope
) -> dict[tuple[date, str, int], int]:
    """How many items ``items(start, end, scope)`` holds per (local day at the item's site,
    kind, site) without building them: kind ``pm`` (preventive work orders and computed
    occurrences), ``work`` (other work orders) or a provider's kind (``inspection``). The
    calendar summarises busy days from these counts and builds entries only for the days it
    shows one by one. Work orders are counted per local day in SQL (``_order_day_counts``);
    computed occurrences are one grouped read of ``pm_planned`` (``planned.count_per_day``)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    counts: dict[tuple[date, str, int], int] = defaultdict(int)
    if scope.empty:
        return counts
    zones = {
        r["id"]: _zone(r["time_zone"] or "UTC")
        for r in await dict_rows("SELECT id, time_zone FROM site")
    }
    for day, kind, site, found in await _order_day_counts(start, end, scope, zones):
        counts[(day, "pm" if kind == "preventive" else "work", site)] += found
    for item in await _provided(start, end, scope):
        day = item.start.astimezone(_zone(item.time_zone)).date()
        counts[(day, item.kind or "work", item.site_id)] += 1
    for day, site, found in await planned.count_per_day(start, end, scope):
        counts[(day, "pm", site)] += found
    return counts


# SQLite's limit of a compound SELECT is 500 parts
_DAYS_PER_STATEMENT = 400


async def _order_day_counts(
    start: datetime, end: datetime, scope: AgendaScope, zones: dict[int, ZoneInfo]
) -> list[tuple[date, str, int, int]]:
    """(local day, work-order kind, site, how many) of the open work orders in ``[start,
    end)`` inside ``scope``. Per time zone of the sites in scope, one ``UNION ALL`` of a
    count per local day (its bounds in UTC from ``zoneinfo``, so days of 23 or 25 hours
    are exact), grouped by site and kind: each part is a range of the index
    ``work_order_agenda_start`` that never visits an order. Grouping by the start itself
    (then placing each start in its day in Python) visited every order in the window: on
    SQLite at 1,000,000 orders, 80,000 of them in a month's window, 300 ms against 44 ms."""
    groups: dict[ZoneInfo, list[int]] = defaultdict(list)
    for site, zone in zones.items():
        if scope.site_ids is None or site in scope.site_ids:
            groups[zone].append(site)
    where = _order_where(scope)
    part = (
        "SELECT {} AS day_number, w.site, w.kind, count(*) AS n FROM work_order w"  # noqa: S608 - ids only
        f" WHERE {_START} >= {{}} AND {_START} < {{}}{where}{{}} GROUP BY w.site, w.kind"
    )
    found: list[tuple[date, str, int, int]] = []
    for zone, sites in groups.items():
        only = ""  # the zone's sites, when sites of other zones are in scope too
        if len(groups) > 1:
            only = " AND w.site IN (" + ",".join(str(int(s)) for s in sorted(sites)) + ")"
        days: list[tuple[date, datetime, datetime]] = []
        day = start.astimezone(zone).date()
        while day <= end.astimezone(zone).date():
            low = max(start, datetime.combine(day, time(), zone).astimezone(UTC))
            high = min(end, datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC))
            if low < high:
                days.append((day, low, high))
            day += timedelta(days=1)
        for first in range(0, len(days), _DAYS_PER_STATEMENT):
            chunk = days[first : first + _DAYS_PER_STATEMENT]
            sql = " UNION ALL ".join(
                part.format(number, "{}", "{}", only) for number in range(len(chunk))
            )
            args = [bound for _day, low, high in chunk for bound in (low, high)]
            for row in await db.raw(sql, *args):
                found.append(
                    (chunk[int(row["day_number"])][0], row["kind"], int(row["site"]), int(row["n"]))
                )
    return found


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def clear_cache() -> None:
    """Nothing is kept per process any more (the planned occurrences are rows of
    ``pm_planned``, ``pm.planned``); kept for the callers that clear caches."""


async def refresh() -> None:
    """The job ``maintenance.refresh_agenda``: the planned occurrences brought up to date
    (``planned.refresh``)."""
    await planned.refresh()


# Many occurrences share their start (on the hour, the same days): one conversion each.
_start = lru_cache(maxsize=16384)(aware)


def _planned_items(rows: list[dict[str, Any]], sites: dict[int, dict[str, Any]]) -> list[Item]:
    """``pm_planned`` rows (``planned.window``) as agenda items."""
    found = []
    for r in rows:
        site = sites.get(r["site"], {})
        found.append(
            Item(
                uid=f"pm-{r['schedule']}-{r['asset']}-{r['occurrence_key']}",
                title=r["name"],
                start=_start(r["start_at"]),
                minutes=r["estimated_minutes"] or DEFAULT_MINUTES,
                site_id=r["site"],
                site_name=site.get("name", ""),
                time_zone=site.get("time_zone") or "UTC",
                space_id=r["space"],
                asset_id=r["asset"],
                work_order_id=None,
                status="planned",
                partner_id=r["partner_organisation"],
            )
        )
    return found


async def partner_site_ids(partner_id: int) -> set[int]:
    rows = await db.raw(
        "SELECT DISTINCT site FROM work_order WHERE partner_organisation = {}", partner_id
    )
    return {r["site"] for r in rows}
