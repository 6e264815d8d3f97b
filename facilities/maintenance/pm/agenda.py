"""Upcoming work: scheduled work orders plus the occurrences schedules will create (computed,
not only the ones already generated), for calendar feeds and the calendar page.

Domains above maintenance add their own entries (safety: inspections due) through a provider
registered by ``facilities.wiring.install()`` (``register_provider``): ``provider(start,
end, scope)`` returns ``Item``s with their ``kind`` (e.g. ``inspection``) and ``href``,
limited to ``scope``."""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from facilities import db
from facilities.kit import clock
from facilities.kit.errors import FacilitiesError
from facilities.kit.rows import aware, dict_rows
from facilities.maintenance.pm.agenda_scope import AgendaScope
from facilities.maintenance.pm.generation import _Context, upcoming
from facilities.maintenance.pm.versions import stamp

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


async def _items(
    start: datetime, end: datetime, scope: AgendaScope, limit: int | None
) -> tuple[list[Item], int]:
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if scope.empty:
        return [], 0
    site_ids, partner_id = scope.site_ids, scope.partner_id
    sites = {r["id"]: r for r in await dict_rows("SELECT id, name, time_zone FROM site")}
    where = ""
    if site_ids is not None:
        where += " AND w.site IN (" + ",".join(str(int(s)) for s in sorted(site_ids)) + ")"
    if partner_id is not None:
        where += f" AND w.partner_organisation = {int(partner_id)}"
    placeholders = ",".join("{}" for _ in CLOSED)
    orders = await dict_rows(
        "SELECT w.id, w.title, w.site, w.space, w.asset, w.status, w.estimated_minutes,"  # noqa: S608 - integer ids only
        " coalesce(w.scheduled_for, w.due_at) AS start_at, w.schedule, w.occurrence_key"
        " FROM work_order w WHERE coalesce(w.scheduled_for, w.due_at) >= {}"
        f" AND coalesce(w.scheduled_for, w.due_at) < {{}} AND w.status NOT IN ({placeholders})"
        f"{where}",
        start,
        end,
        *CLOSED,
    )
    result = [
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
    result.extend(await _provided(start, end, scope))  # e.g. safety's inspections due
    # Computed occurrences: what generation will create (``generation.upcoming``, the one
    # computation: max_count, end date, seasons, closed days, floating and meter modes). It
    # starts after the last generated occurrence, so nothing shown above comes again.
    expansion = await _computed(end)  # in order of start: the window is one slice
    first = bisect_left(expansion.starts, start)
    last = bisect_left(expansion.starts, end, lo=first)
    total = len(result)
    taken = 0
    boundary: datetime | None = None  # with a limit: the start of the last one taken
    for item, schedule_partner in expansion.entries[first:last]:
        if not scope.allows(site_id=item.site_id, partner_id=schedule_partner):
            continue
        total += 1
        if limit is not None and taken >= limit and item.start != boundary:
            continue  # past the first ``limit`` (and their ties): counted only
        result.append(item)
        taken += 1
        boundary = item.start
    return sorted(result, key=lambda i: (i.start, i.uid)), total


# ---- computed occurrences, once --------------------------------------------------------
# Expanding every schedule's rule is the agenda's cost (it follows the number of schedules,
# not the history). The expansion of *all* active schedules is kept per process, up to a
# horizon (at least 98 days ahead, further when a window asks), for the current hour, and
# is recomputed when anything it reads changes: the version stamp of schedules (count,
# versions, latest change), occurrences, work orders, assets, sites, closure days and
# readings (``versions.stamp``). Every caller (calendar page, feeds) then filters by its
# window and scope. So within an hour and without changes, the rules are expanded once, not
# per request.
_MIN_AHEAD = timedelta(days=98)


@dataclass
class _Expansion:
    key: tuple[Any, ...]
    horizon: datetime
    entries: list[tuple[Item, int | None]]  # (item, the schedule's partner organisation)
    starts: list[datetime]  # the entries' starts, in order (entries are sorted by start)


_expansion: _Expansion | None = None


def clear_cache() -> None:
    global _expansion
    _expansion = None


async def _computed(end: datetime) -> _Expansion:
    global _expansion
    now = clock.now().astimezone(UTC)
    # Schedules change only through the PM actions, which bump their version and
    # ``updated_at`` (or add a row): the stamp's count, sum of versions and latest change
    # cover them, so the rows themselves are read only to expand them (reading and hashing
    # 20,000 rows per request cost ~1 s).
    floating = bool(
        (
            await db.raw(
                "SELECT count(*) AS n FROM pm_schedule WHERE active = {} AND mode = {}",
                True,
                "floating",
            )
        )[0]["n"]
    )  # floating schedules follow their orders: then work orders are part of the key
    key = (await stamp(work_orders=floating), now.replace(minute=0, second=0, microsecond=0))
    if _expansion is not None and _expansion.key == key and end <= _expansion.horizon:
        return _expansion
    schedules = await dict_rows("SELECT * FROM pm_schedule WHERE active = {} ORDER BY id", True)
    horizon = max(end, now + _MIN_AHEAD)
    horizon = datetime.combine(horizon.date() + timedelta(days=1), time(), UTC)
    entries: list[tuple[Item, int | None]] = []
    if schedules:
        sites = {r["id"]: r for r in await dict_rows("SELECT id, name FROM site")}
        ctx = _Context(now, until=horizon)
        await ctx.load(schedules)
        for schedule in schedules:
            for asset_id in ctx.targets(schedule):
                asset = ctx.assets[asset_id]
                try:
                    occurrences = upcoming(ctx, schedule, asset_id, until=horizon)
                except (FacilitiesError, ValueError, KeyError) as error:
                    log.warning("schedule %s not shown: %s", schedule["id"], error)
                    continue
                for occ in occurrences:
                    if occ.status != "pending":
                        continue
                    item = Item(
                        uid=f"pm-{schedule['id']}-{asset_id}-{occ.key}",
                        title=schedule["name"],
                        start=occ.due,
                        minutes=schedule["estimated_minutes"] or DEFAULT_MINUTES,
                        site_id=asset["site"],
                        site_name=sites.get(asset["site"], {}).get("name", ""),
                        time_zone=sites.get(asset["site"], {}).get("time_zone") or "UTC",
                        space_id=asset["space"],
                        asset_id=asset_id,
                        work_order_id=None,
                        status="planned",
                        partner_id=schedule["partner_organisation"],
                    )
                    entries.append((item, schedule["partner_organisation"]))
    entries.sort(key=lambda entry: entry[0].start)
    _expansion = _Expansion(key, horizon, entries, [item.start for item, _ in entries])
    return _expansion


async def partner_site_ids(partner_id: int) -> set[int]:
    rows = await db.raw(
        "SELECT DISTINCT site FROM work_order WHERE partner_organisation = {}", partner_id
    )
    return {r["site"] for r in rows}
