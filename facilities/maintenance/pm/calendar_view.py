"""The month/week calendar page's data: work by day, with clashes flagged.

A clash is two jobs in the same space whose times overlap, or a job (partly) outside the
site's opening hours (``facilities.sites.calendar.is_open_at``) when the site has opening
hours configured - someone must let the partner in.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.i18n import _
from facilities.maintenance.pm import agenda
from facilities.maintenance.pm.generation import _rows
from facilities.sites import scope
from facilities.sites.calendar import is_open_at, public_holidays


@dataclass
class Entry:
    item: agenda.Item
    local_start: datetime
    flags: list[str] = field(default_factory=list)


def find_clashes(
    items: list[agenda.Item], sites: dict[int, dict[str, Any]], closed: dict[int, set[date]]
) -> dict[str, list[str]]:
    """uid → reasons (pure; unit-tested)."""
    flags: dict[str, list[str]] = defaultdict(list)
    by_space: dict[int, list[agenda.Item]] = defaultdict(list)
    for item in items:
        if item.space_id is not None:
            by_space[item.space_id].append(item)
    for group in by_space.values():
        group.sort(key=lambda i: i.start)
        for index, first in enumerate(group):
            for second in group[index + 1 :]:
                if second.start >= first.end:
                    break
                flags[first.uid].append(_("Same space at the same time"))
                flags[second.uid].append(_("Same space at the same time"))
    for item in items:
        site = sites.get(item.site_id)
        if not site or not site["opening_hours"]:
            continue
        kwargs = {
            "time_zone": site["time_zone"],
            "opening_hours": site["opening_hours"],
            "closed_days": closed.get(item.site_id, set()),
        }
        last = item.end - timedelta(minutes=1)
        if not (is_open_at(item.start, **kwargs) and is_open_at(last, **kwargs)):
            flags[item.uid].append(_("Outside opening hours"))
    return {k: sorted(set(v)) for k, v in flags.items()}


async def month_view(
    principal: Principal, *, month: str | None, view: str, week: date | None
) -> dict[str, Any]:
    today = clock.now().date()
    if view == "week":
        anchor = week or today
        first = anchor - timedelta(days=anchor.weekday())
        last = first + timedelta(days=7)
        grid_start = first
    else:
        view = "month"
        try:
            year, mon = (int(p) for p in (month or "").split("-"))
            first = date(year, mon, 1)
        except ValueError:
            first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1)
        grid_start = first - timedelta(days=first.weekday())
    site_ids = await scope.visible_site_ids(principal)
    partner_id = principal.partner_organisation_id
    if partner_id is not None:
        site_ids = None
    start = datetime.combine(grid_start, time(), UTC) - timedelta(days=1)
    end = datetime.combine(last, time(), UTC) + timedelta(days=8)
    items = await agenda.items(start=start, end=end, site_ids=site_ids, partner_id=partner_id)
    sites = {}
    for row in await _rows(
        "SELECT id, time_zone, opening_hours, holiday_country, holiday_subdivision FROM site"
    ):
        hours = row["opening_hours"]
        row["opening_hours"] = json.loads(hours) if isinstance(hours, str) else (hours or {})
        sites[row["id"]] = row
    closed: dict[int, set[date]] = defaultdict(set)
    years = range(first.year - 1, last.year + 1)
    for site_id in {i.site_id for i in items}:
        site = sites[site_id]
        closed[site_id] |= set(
            public_holidays(site["holiday_country"] or "", site["holiday_subdivision"] or "", years)
        )
    for row in await _rows("SELECT site, day FROM site_closure_day WHERE day >= {}", first):
        day = row["day"]
        closed[row["site"]].add(day if isinstance(day, date) else date.fromisoformat(str(day)))
    flags = find_clashes(items, sites, closed)
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for item in items:
        zone = ZoneInfo(sites[item.site_id]["time_zone"]) if item.site_id in sites else UTC
        local = item.start.astimezone(zone)
        by_day[local.date()].append(Entry(item, local, flags.get(item.uid, [])))
    weeks = []
    day = grid_start
    while day < last:
        weeks.append([(d, by_day.get(d, [])) for d in (day + timedelta(n) for n in range(7))])
        day += timedelta(days=7)
    previous = (first - timedelta(days=1)).replace(day=1)
    return {
        "view": view,
        "first": first,
        "weeks": weeks,
        "today": today,
        "clash_count": len(flags),
        "prev_month": previous.strftime("%Y-%m"),
        "next_month": last.strftime("%Y-%m"),
        "prev_week": (first - timedelta(days=7)).isoformat(),
        "next_week": (first + timedelta(days=7)).isoformat(),
    }
