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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from facilities import db
from facilities.accounts.principal import Principal
from facilities.assets.uptime import Uptime, compute, down_intervals, overlap
from facilities.kit import clock
from facilities.kit.rows import aware
from facilities.sites import scope

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class DeviceUptime:
    asset_id: int
    name: str
    site_id: int
    site_name: str
    trade: str | None
    uptime: Uptime
    outages: list[Span]


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


async def month(
    principal: Principal, month_start: date, site_id: int | None = None
) -> list[SiteUptime]:
    """Every monitored device of the caller's sites (or one site), grouped by site."""
    visible = await scope.visible_site_ids(principal)
    rows = [
        dict(r)
        for r in await db.raw(
            "SELECT a.id, a.name, a.status, a.created_at, a.site, s.name AS site_name,"
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
    ids = [int(r["id"]) for r in rows]
    for chunk in range(0, len(ids), 500):
        part = ids[chunk : chunk + 500]
        marks = ", ".join("{}" for _ in part)
        for h in await db.raw(
            "SELECT asset, changed_at, to_status FROM asset_status_change"  # noqa: S608 - placeholders only
            f" WHERE asset IN ({marks}) ORDER BY changed_at, id",
            *part,
        ):
            histories.setdefault(int(h["asset"]), []).append(
                (aware(h["changed_at"]), str(h["to_status"]))
            )
    now = clock.now()
    sites: dict[int, SiteUptime] = {}
    for r in rows:
        start, end = month_bounds(month_start, str(r["time_zone"]))
        history = histories.get(int(r["id"])) or [(aware(r["created_at"]), str(r["status"]))]
        device = DeviceUptime(
            asset_id=int(r["id"]),
            name=str(r["name"]),
            site_id=int(r["site"]),
            site_name=str(r["site_name"]),
            trade=r["trade"],
            uptime=compute(history, start, end, now),
            outages=down_intervals(history, start, end, now),
        )
        found = sites.get(device.site_id)
        if found is None:
            found = sites[device.site_id] = SiteUptime(
                device.site_id, device.site_name, [], 0.0, 0.0, [], start, end
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
            )
        )
    return result
