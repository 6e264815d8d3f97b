"""Hardware uptime of monitored devices per month: the same status history and the same
rules as ``assets/uptime.py`` (``compute`` for the figures, ``down_intervals`` for the
outages listed), per device and per site. A site's month runs from local midnight on the
first to local midnight on the first of the next month (its time zone).

* device: ``up / (up + down)`` of its asset;
* site: the sum over its monitored devices (device-seconds), so a site with one of ten
  access points down for an hour loses a tenth of an hour;
* internet outage of a site: the times when **all** its monitored devices were down at
  once (``overlap``) — what a failed uplink looks like; the ISP's figure is built on these
  (``services/device_uptime.py``).

A device counts only while it is monitored (its ``device_monitor_span`` rows: from the
monitor's creation or re-enabling until it is disabled): a monitor created on the 20th is not
counted, up or down, for the 1st to the 19th. An outage still going on has no end
(``Outage.ended_at`` None); its length is the time so far.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from facilities import db
from facilities.accounts.principal import Principal
from facilities.assets import queries as asset_queries
from facilities.assets.uptime import Uptime, compute, down_intervals, overlap
from facilities.kit import clock
from facilities.kit.rows import aware, aware_or_none, rows_for_ids
from facilities.sites import scope

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Outage:
    """One outage as people read it: an end, or still going on (``ended_at`` None)."""

    started_at: datetime
    ended_at: datetime | None
    seconds: float  # the length, or the length so far while it goes on

    @property
    def ongoing(self) -> bool:
        return self.ended_at is None


def listed(spans: list[Span], now: datetime) -> list[Outage]:
    """``spans`` (clipped to now by ``down_intervals``/``overlap``) as outages: one that
    reaches now has not ended."""
    return [
        Outage(lo, None if hi >= now else hi, (min(hi, now) - lo).total_seconds())
        for lo, hi in spans
    ]


@dataclass(frozen=True, slots=True)
class DeviceUptime:
    asset_id: int
    name: str
    site_id: int
    site_name: str
    trade: str | None
    uptime: Uptime
    outages: list[Span]
    as_of: datetime  # "now" of the figures

    @property
    def outage_list(self) -> list[Outage]:
        return listed(self.outages, self.as_of)


@dataclass(frozen=True, slots=True)
class SiteUptime:
    site_id: int
    name: str
    devices: list[DeviceUptime]
    up_seconds: float
    counted_seconds: float
    internet_outages: list[Span]
    start: datetime
    end: datetime
    as_of: datetime

    @property
    def internet_outage_list(self) -> list[Outage]:
        return listed(self.internet_outages, self.as_of)

    @property
    def percent(self) -> float | None:
        if self.counted_seconds <= 0:
            return None
        return round(100.0 * self.up_seconds / self.counted_seconds, 4)

    @property
    def internet_down_seconds(self) -> float:
        return sum((hi - lo).total_seconds() for lo, hi in self.internet_outages)


def month_bounds(month: date, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (
        datetime.combine(first, time(), tz).astimezone(ZoneInfo("UTC")),
        datetime.combine(following, time(), tz).astimezone(ZoneInfo("UTC")),
    )


def measure(
    history: list[tuple[datetime, str]],
    monitored: list[tuple[datetime, datetime | None]],
    start: datetime,
    end: datetime,
    now: datetime,
) -> tuple[Uptime, list[Span]]:
    """The device's figures and outages over ``[start, end)``, counted only inside its
    monitored spans (``ended_at`` None: still monitored) — pure."""
    total = Uptime(0.0, 0.0, 0.0, 0.0, 0)
    outages: list[Span] = []
    for since, until in sorted(monitored, key=lambda span: span[0]):
        lo, hi = max(start, since), min(end, until) if until is not None else end
        if hi <= lo:
            continue
        part = compute(history, lo, hi, now)
        total = Uptime(
            counted_seconds=total.counted_seconds + part.counted_seconds,
            up_seconds=total.up_seconds + part.up_seconds,
            degraded_seconds=total.degraded_seconds + part.degraded_seconds,
            down_seconds=total.down_seconds + part.down_seconds,
            down_events=total.down_events + part.down_events,
        )
        for span in down_intervals(history, lo, hi, now):
            if outages and outages[-1][1] >= span[0]:
                outages[-1] = (outages[-1][0], max(outages[-1][1], span[1]))
            else:
                outages.append(span)
    return total, outages


async def _spans(monitor_ids: list[int]) -> dict[int, list[tuple[datetime, datetime | None]]]:
    found: dict[int, list[tuple[datetime, datetime | None]]] = {}
    for row in await rows_for_ids(
        "SELECT monitor, started_at, ended_at FROM device_monitor_span"
        " WHERE monitor IN ({ids}) ORDER BY started_at, id",
        monitor_ids,
    ):
        found.setdefault(int(row["monitor"]), []).append(
            (aware(row["started_at"]), aware_or_none(row["ended_at"]))
        )
    return found


async def month(
    principal: Principal, month_start: date, site_id: int | None = None
) -> list[SiteUptime]:
    """Every monitored device of the caller's sites (or one site), grouped by site."""
    visible = await scope.visible_site_ids(principal)
    rows = [
        dict(r)
        for r in await db.raw(
            "SELECT a.id, a.name, a.status, a.created_at, a.site, s.name AS site_name,"
            " m.id AS monitor_id,"
            " s.time_zone, c.trade FROM device_monitor m JOIN asset a ON a.id = m.asset"
            " JOIN site s ON s.id = a.site LEFT JOIN asset_category c ON c.id = a.category"
            " ORDER BY s.name, a.name, a.id"
        )
    ]
    rows = [
        r
        for r in rows
        if (visible is None or int(r["site"]) in visible)
        and (site_id is None or int(r["site"]) == site_id)
    ]
    if not rows:
        return []
    histories: dict[int, list[tuple[datetime, str]]] = {}
    for h in await rows_for_ids(
        "SELECT asset, changed_at, to_status FROM asset_status_change"
        " WHERE asset IN ({ids}) ORDER BY changed_at, id",
        [int(r["id"]) for r in rows],
    ):
        histories.setdefault(int(h["asset"]), []).append(
            (aware(h["changed_at"]), str(h["to_status"]))
        )
    monitored = await _spans([int(r["monitor_id"]) for r in rows])
    now = clock.now()
    sites: dict[int, SiteUptime] = {}
    for r in rows:
        start, end = month_bounds(month_start, str(r["time_zone"]))
        history = histories.get(int(r["id"])) or [(aware(r["created_at"]), str(r["status"]))]
        uptime, outages = measure(history, monitored.get(int(r["monitor_id"]), []), start, end, now)
        device = DeviceUptime(
            asset_id=int(r["id"]),
            name=str(r["name"]),
            site_id=int(r["site"]),
            site_name=str(r["site_name"]),
            trade=r["trade"],
            uptime=uptime,
            outages=outages,
            as_of=now,
        )
        found = sites.get(device.site_id)
        if found is None:
            found = sites[device.site_id] = SiteUptime(
                device.site_id, device.site_name, [], 0.0, 0.0, [], start, end, now
            )
        found.devices.append(device)
    result = []
    for site in sites.values():
        counted = [d for d in site.devices if d.uptime.counted_seconds > 0]
        result.append(
            SiteUptime(
                site_id=site.site_id,
                name=site.name,
                devices=site.devices,
                up_seconds=sum(d.uptime.up_seconds for d in counted),
                counted_seconds=sum(d.uptime.counted_seconds for d in counted),
                internet_outages=overlap([d.outages for d in counted]) if counted else [],
                start=site.start,
                end=site.end,
                as_of=now,
            )
        )
    return result


async def device_month(
    principal: Principal, asset_id: int, month_start: date
) -> DeviceUptime | None:
    """One device's figures for a month (404 for an asset the caller may not see; None when
    it is not monitored)."""
    asset = await asset_queries.visible_asset(principal, asset_id)
    for site in await month(principal, month_start, asset.site_id):
        for device in site.devices:
            if device.asset_id == asset_id:
                return device
    return None
