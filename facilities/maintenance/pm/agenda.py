"""Upcoming work: scheduled work orders plus the occurrences schedules will create (computed,
not only the ones already generated), for calendar feeds and the calendar page.

Domains above maintenance add their own entries (safety: inspections due) through a provider
registered by ``facilities.wiring.install()`` (``register_provider``): ``provider(start,
end, scope)`` returns ``Item``s with their ``kind`` (e.g. ``inspection``) and ``href``,
limited to ``scope``."""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import logging
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

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
    start: datetime, end: datetime, scope: AgendaScope, limit: int | None
) -> tuple[list[Item], int]:
    """Open work orders in ``[start, end)`` and how many there are; with ``limit`` only the
    first ``limit`` in time order (and their ties at the last one's start)."""
    sites = {r["id"]: r for r in await dict_rows("SELECT id, name, time_zone FROM site")}
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
    result, total = await _orders(start, end, scope, limit)
    provided = await _provided(start, end, scope)  # e.g. safety's inspections due
    result.extend(provided)
    total += len(provided)
    # Computed occurrences: what generation will create (``generation.upcoming``, the one
    # computation: max_count, end date, seasons, closed days, floating and meter modes). It
    # starts after the last generated occurrence, so nothing shown above comes again. Read
    # per (site, partner) from the kept expansion: only the scope's lists are touched, and
    # with a limit only their first ``limit`` (and ties) are built into the answer.
    expansion = await _computed(end)
    computed, counted = expansion.window(start, end, scope, limit)
    result.extend(computed)
    total += counted
    return sorted(result, key=lambda i: (i.start, i.uid)), total


async def day_counts(
    *, start: datetime, end: datetime, scope: AgendaScope
) -> dict[tuple[date, str, int], int]:
    """How many items ``items(start, end, scope)`` holds per (local day at the item's site,
    kind, site) without building them: kind ``pm`` (preventive work orders and computed
    occurrences), ``work`` (other work orders) or a provider's kind (``inspection``). The
    calendar summarises busy days from these counts and builds entries only for the days it
    shows one by one. Work orders are one grouped read (per site, kind and start); computed
    occurrences come counted per local day, site and partner with the kept expansion."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    counts: dict[tuple[date, str, int], int] = defaultdict(int)
    if scope.empty:
        return counts
    zones = {
        r["id"]: _zone(r["time_zone"] or "UTC")
        for r in await dict_rows("SELECT id, time_zone FROM site")
    }
    rows = await db.raw(
        f"SELECT w.site, w.kind, {_START} AS start_at, count(*) AS n FROM work_order w"  # noqa: S608 - ids only
        f" WHERE {_START} >= {{}} AND {_START} < {{}}{_order_where(scope)}"
        f" GROUP BY w.site, w.kind, {_START}",
        start,
        end,
    )
    for row in rows:
        site = row["site"]
        day = aware(row["start_at"]).astimezone(zones.get(site, UTC)).date()
        kind = "pm" if row["kind"] == "preventive" else "work"
        counts[(day, kind, site)] += int(row["n"])
    for item in await _provided(start, end, scope):
        day = item.start.astimezone(_zone(item.time_zone)).date()
        counts[(day, item.kind or "work", item.site_id)] += 1
    expansion = await _computed(end)
    for day, site, found in expansion.count_per_day(start, end, scope):
        counts[(day, "pm", site)] += found
    return counts


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


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


# Kept compactly: a 90-day window of 20,000 weekly schedules holds ~260,000 occurrences, so
# an occurrence is two integers in arrays (its start, its key), not an ``Item``; what its
# (schedule, asset) shares is held once. ``Item``s are built only for what a request shows.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_LOCAL = datetime(1970, 1, 1)  # naive: the origin of occurrence keys (local times)
_MICROSECOND = timedelta(microseconds=1)


def _micros(moment: datetime) -> int:
    """``moment`` as microseconds since 1970 (UTC): how starts are kept and compared."""
    return (moment - _EPOCH) // _MICROSECOND


# Many schedules share their times (on the hour, the same days): the items built for a
# request share these few datetimes and key texts, and building them costs a look-up.
@lru_cache(maxsize=16384)
def _moment(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


@lru_cache(maxsize=16384)
def _local_key_text(seconds: int) -> str:
    """An occurrence key kept as seconds: the naive local time as text (``_local_key``)."""
    return (_EPOCH_LOCAL + timedelta(seconds=seconds)).isoformat(timespec="seconds")


def _packed_keys(keys: list[str]) -> array[int] | tuple[str, ...]:
    """Occurrence keys as seconds of their naive local time when every one reads back as the
    same text (rule-based schedules), else as text (``meter:<n>``)."""
    packed = array("q")
    for key in keys:
        try:
            moment = datetime.fromisoformat(key)
        except ValueError:
            return tuple(keys)
        if moment.tzinfo is not None:
            return tuple(keys)
        seconds = (moment - _EPOCH_LOCAL) // timedelta(seconds=1)
        if _local_key_text(seconds) != key:
            return tuple(keys)
        packed.append(seconds)
    return packed


@dataclass(slots=True, eq=False)
class _Expanded:
    """One schedule's computed occurrences at one asset and what they were computed from
    (``_signature``): kept from one expansion to the next while that is unchanged. What the
    occurrences share is held once; per occurrence only its start (``_micros``) and key."""

    signature: bytes
    until: datetime  # computed up to here (the occurrences are a prefix of any later ``until``)
    partner: int | None
    schedule_id: int
    title: str
    minutes: int
    site_id: int
    site_name: str
    time_zone: str
    space_id: int | None
    asset_id: int
    starts: array[int]
    keys: array[int] | tuple[str, ...]

    def item(self, number: int) -> Item:
        """Its ``number``-th occurrence as an agenda item."""
        keys = self.keys
        key = keys[number] if isinstance(keys, tuple) else _local_key_text(keys[number])
        return Item(
            uid=f"pm-{self.schedule_id}-{self.asset_id}-{key}",
            title=self.title,
            start=_moment(self.starts[number]),
            minutes=self.minutes,
            site_id=self.site_id,
            site_name=self.site_name,
            time_zone=self.time_zone,
            space_id=self.space_id,
            asset_id=self.asset_id,
            work_order_id=None,
            status="planned",
            partner_id=self.partner,
        )


_Key = tuple[int, int | None]  # (site, partner organisation)


def _key_of(expanded: _Expanded) -> _Key | None:
    """Its (site, partner): one schedule at one asset has one site (None: no occurrences)."""
    return (expanded.site_id, expanded.partner) if expanded.starts else None


@dataclass(slots=True, eq=False)
class _Lane:
    """The computed occurrences of one site and partner in time order: their starts
    (``_micros``) and, for each, its (schedule, asset) (an index into ``records``) and its
    place there. Per local day at the site, the index of its first occurrence (``bounds``,
    from ``first_day`` on; built when counts per day are first asked)."""

    records: list[_Expanded]
    starts: array[int]
    record: array[int]
    place: array[int]
    zone: str
    first_day: date | None = None
    bounds: array[int] | None = None

    @classmethod
    def of(cls, records: list[_Expanded]) -> _Lane:
        starts: array[int] = array("q")
        record: array[int] = array("i")
        place: array[int] = array("i")
        for number, expanded in enumerate(records):
            starts.extend(expanded.starts)
            record.extend([number] * len(expanded.starts))
            place.extend(range(len(expanded.starts)))
        # a stable sort (ties in the records' order, as before); a few runs in order each
        order = sorted(range(len(starts)), key=starts.__getitem__)
        return cls(
            records,
            array("q", [starts[i] for i in order]),
            array("i", [record[i] for i in order]),
            array("i", [place[i] for i in order]),
            records[0].time_zone,
        )

    def item(self, number: int) -> Item:
        return self.records[self.record[number]].item(self.place[number])

    def per_day(self, low: int, high: int) -> Iterator[tuple[date, int]]:
        """How many of the occurrences ``[low, high)`` (indexes) fall on each local day."""
        if high <= low:
            return
        if self.bounds is None:
            starts, zone = self.starts, self.zone
            day = self.first_day = _local_day(_moment(starts[0]), zone)
            bounds = array("l", [0])
            first = 0
            while first < len(starts):
                day += timedelta(days=1)
                first = bisect_left(starts, _micros(_day_start(day, zone)), first)
                bounds.append(first)
            self.bounds = bounds
        bounds, first_day = self.bounds, self.first_day
        assert first_day is not None
        number = bisect_right(bounds, low) - 1
        while number < len(bounds) - 1 and bounds[number] < high:
            found = min(bounds[number + 1], high) - max(bounds[number], low)
            if found > 0:
                yield first_day + timedelta(days=number), found
            number += 1


@dataclass
class _Expansion:
    key: tuple[Any, ...]
    horizon: datetime
    expanded: list[_Expanded]
    # the expansion before this one and the (site, partner) keys whose occurrences changed
    # since (None: all): the lanes of the other keys are taken over from it
    previous: _Expansion | None = None
    dirty: set[_Key] | None = None
    # built on first use, once per expansion: per (site, partner) its occurrences in order
    _lanes: dict[_Key, _Lane] | None = None

    def lanes(self) -> dict[_Key, _Lane]:
        if self._lanes is None:
            previous = self.previous
            if self.dirty is None or previous is None or previous._lanes is None:
                previous = None
            grouped: dict[_Key, list[_Expanded]] = defaultdict(list)
            for expanded in self.expanded:
                key = _key_of(expanded)
                if key is not None and (previous is None or key in (self.dirty or ())):
                    grouped[key].append(expanded)
            found = {}
            if previous is not None and previous._lanes is not None:
                dirty = self.dirty or set()
                found = {k: v for k, v in previous._lanes.items() if k not in dirty}
            for key, records in grouped.items():
                found[key] = _Lane.of(records)
            self._lanes = found
            self.previous = None  # taken over: let the older expansion go
        return self._lanes

    def count_per_day(
        self, start: datetime, end: datetime, scope: AgendaScope
    ) -> Iterator[tuple[date, int, int]]:
        """(local day, site, how many) of the occurrences in ``[start, end)`` in ``scope``."""
        low, high = _micros(start), _micros(end)
        for (site, partner), lane in self.lanes().items():
            if not scope.allows(site_id=site, partner_id=partner):
                continue
            first = bisect_left(lane.starts, low)
            for day, found in lane.per_day(first, bisect_left(lane.starts, high, first)):
                yield day, site, found

    def window(
        self, start: datetime, end: datetime, scope: AgendaScope, limit: int | None
    ) -> tuple[list[Item], int]:
        """The occurrences in ``[start, end)`` inside ``scope`` and how many there are; with
        ``limit`` only the first ``limit`` in time order and their ties (the rest counted)."""
        slices: list[tuple[_Lane, int, int]] = []
        total = 0
        first, last = _micros(start), _micros(end)
        for (site, partner), lane in self.lanes().items():
            if not scope.allows(site_id=site, partner_id=partner):
                continue
            low = bisect_left(lane.starts, first)
            high = bisect_left(lane.starts, last, low)
            if high > low:
                total += high - low
                slices.append((lane, low, high))
        if limit is not None and total > limit:
            if limit <= 0:
                return [], total
            # the first ``limit`` starts merged (integers only): the last one's start is the
            # boundary, and every occurrence up to it (its ties too) is taken
            merged = heapq.merge(*(islice(lane.starts, low, high) for lane, low, high in slices))
            boundary = next(islice(merged, limit - 1, None))
            slices = [
                (lane, low, bisect_right(lane.starts, boundary, low, high))
                for lane, low, high in slices
            ]
        return [lane.item(n) for lane, low, high in slices for n in range(low, high)], total


def _local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(_zone(zone)).date()


@lru_cache(maxsize=65536)
def _day_start(day: date, zone: str) -> datetime:
    """When ``day`` begins at ``zone`` (UTC)."""
    return datetime.combine(day, time(), _zone(zone)).astimezone(UTC)


_expansion: _Expansion | None = None
_YIELD_EVERY = 250  # schedules expanded between two turns of the event loop
_SLACK = timedelta(days=14)  # a schedule is computed this much past the horizon it needs
# (schedule, asset) → its occurrences and their signature, from the last expansion
_kept: dict[tuple[int, int], _Expanded] = {}


def clear_cache() -> None:
    global _expansion
    _expansion = None
    _kept.clear()


def _signature(
    ctx: _Context, schedule: dict[str, Any], asset_id: int, site: dict[str, Any] | None
) -> bytes:
    """Everything ``generation.upcoming`` reads for one schedule at one asset (and the
    site's name and zone the items carry): the same signature, the same occurrences. Kept as
    a digest of its text (values only: rows, dates, sets, numbers), not the rows: holding
    20,000 schedules' rows between expansions cost ~35 MB. A different text of equal values
    only expands that schedule again."""
    key = (schedule["id"], asset_id)
    asset = ctx.assets[asset_id]
    parts: list[Any] = [schedule, asset, ctx.sites.get(asset["site"]), site, ctx.stats.get(key)]
    if schedule["skip_closed_days"]:
        parts += [ctx.closures.get(asset["site"]), ctx.years]
    if schedule["mode"] == "floating":
        parts.append(ctx.latest.get(key))
    if schedule["mode"] in ("meter", "time_or_meter"):
        parts += [ctx.registers.get(asset_id), ctx.now]
    if schedule["catch_up"] == "latest_only":
        parts.append(ctx.now)
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).digest()


_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _lock() -> asyncio.Lock:
    """The running loop's lock around an expansion (one per loop: tests run several)."""
    loop = asyncio.get_running_loop()
    lock = _locks.get(loop)
    if lock is None:
        lock = _locks[loop] = asyncio.Lock()
    return lock


async def _computed(end: datetime) -> _Expansion:
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
    async with _lock():  # requests arriving meanwhile wait for this one expansion
        if _expansion is not None and _expansion.key == key and end <= _expansion.horizon:
            return _expansion
        return await _expand(key, now, end)


async def _expand(key: tuple[Any, ...], now: datetime, end: datetime) -> _Expansion:
    global _expansion
    schedules = await dict_rows("SELECT * FROM pm_schedule WHERE active = {} ORDER BY id", True)
    horizon = max(end, now + _MIN_AHEAD)
    horizon = datetime.combine(horizon.date() + timedelta(days=1), time(), UTC)
    until = horizon + _SLACK
    # A new expansion (another hour, or something changed) recomputes only the schedules
    # whose inputs changed: each (schedule, asset) keeps its occurrences while its
    # signature is the same and they reach the horizon (20,000 rules: ~4 s to expand all).
    kept = _kept
    expanded: list[_Expanded] = []
    fresh: dict[tuple[int, int], _Expanded] = {}
    if schedules:
        sites = {r["id"]: r for r in await dict_rows("SELECT id, name, time_zone FROM site")}
        ctx = _Context(now, until=until)
        await ctx.load(schedules)
        for number, schedule in enumerate(schedules):
            if number % _YIELD_EVERY == 0:
                await asyncio.sleep(0)  # let other requests run during a long expansion
            partner = schedule["partner_organisation"]
            for asset_id in ctx.targets(schedule):
                asset = ctx.assets[asset_id]
                site = sites.get(asset["site"])
                signature = _signature(ctx, schedule, asset_id, site)
                known = kept.get((schedule["id"], asset_id))
                if known is not None and known.signature == signature and known.until >= horizon:
                    fresh[(schedule["id"], asset_id)] = known
                    expanded.append(known)
                    continue
                try:
                    occurrences = upcoming(ctx, schedule, asset_id, until=until)
                except (FacilitiesError, ValueError, KeyError) as error:
                    log.warning("schedule %s not shown: %s", schedule["id"], error)
                    continue
                pending = [occ for occ in occurrences if occ.status == "pending"]
                made = _Expanded(
                    signature,
                    until,
                    partner,
                    schedule_id=schedule["id"],
                    title=schedule["name"],
                    minutes=schedule["estimated_minutes"] or DEFAULT_MINUTES,
                    site_id=asset["site"],
                    site_name=(site or {}).get("name", ""),
                    time_zone=(site or {}).get("time_zone") or "UTC",
                    space_id=asset["space"],
                    asset_id=asset_id,
                    starts=array("q", [_micros(occ.due) for occ in pending]),
                    keys=_packed_keys([occ.key for occ in pending]),
                )
                fresh[(schedule["id"], asset_id)] = made
                expanded.append(made)
    # The (site, partner) keys whose occurrences changed: a list of a new, changed or
    # dropped (schedule, asset); the others' ordered lists and days are taken over.
    dirty: set[_Key] = set()
    for pair, made in fresh.items():
        old = kept.get(pair)
        if old is not made:
            for changed in (made, old):
                found = None if changed is None else _key_of(changed)
                if found is not None:
                    dirty.add(found)
    for pair, old in kept.items():
        if pair not in fresh and (found := _key_of(old)) is not None:
            dirty.add(found)
    previous = _expansion
    if previous is not None:
        previous.previous = None  # at most one expansion is taken over from
    _kept.clear()
    _kept.update(fresh)
    _expansion = _Expansion(key, horizon, expanded, previous=previous, dirty=dirty)
    if previous is not None and previous._lanes is None:
        _expansion.previous = None  # nothing to take over
    return _expansion


async def refresh() -> None:
    """Bring the kept expansion up to date (the job ``maintenance.refresh_agenda``, every
    minute in the process that serves the pages: a new hour or a change is then expanded
    before a request asks; nothing is done while the stamp is unchanged)."""
    await _computed(clock.now().astimezone(UTC))


async def partner_site_ids(partner_id: int) -> set[int]:
    rows = await db.raw(
        "SELECT DISTINCT site FROM work_order WHERE partner_organisation = {}", partner_id
    )
    return {r["site"] for r in rows}
