"""The calendar page's data: work orders due, PM occurrences and service visits by day.

It combines maintenance's agenda (``maintenance/pm/agenda.py``: scheduled work orders and the
occurrences schedules will create) with services' visits, so it lives above both, in
reporting. Everything is read in the caller's scope: the agenda gets the visible sites (a
partner: its own work), visits come from ``services.queries.list_visits`` (scoped there) and
are then limited to the visible sites.

Clashes (marked on both entries): the same asset twice on one day; the same partner at two
work orders or PM jobs whose times overlap (service visits are contracted rounds a partner
staffs with several crews, so three cleaning visits at 06:00 are no clash); and the agenda's
own (same space at the same time, outside the site's opening hours:
``maintenance.pm.calendar_view.find_clashes``).

A day with more than ``DAY_LIMIT`` entries is summarised per kind ("37 preventive visits at
12 sites") with a link to the day's list, which keeps month pages small.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates as babel_dates

from facilities import db
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.i18n import N_, _, current_locale, format_date
from facilities.kit.rows import rows_for_ids
from facilities.maintenance.pm import agenda, agenda_scope
from facilities.maintenance.pm.calendar_view import find_clashes, overlapping
from facilities.services import queries as service_queries
from facilities.sites import scope
from facilities.sites.calendar import public_holidays

DAY_LIMIT = 6  # entries shown in one day of the month or week grid; more are summarised
LIST_LIMIT = 300  # entries of one day's list
VISIT_LIMIT = 3000
ZONE_MARGIN = timedelta(hours=14)  # a local day lies within its UTC day ± 14 hours

KINDS = ("work", "pm", "visit", "inspection")
KIND_LETTERS = {"work": "W", "pm": "P", "visit": "V", "inspection": "I"}
KIND_LABELS = {
    "work": N_("Work order"),
    "pm": N_("Preventive maintenance"),
    "visit": N_("Service visit"),
    "inspection": N_("Inspection"),
}
VIEWS = ("month", "week", "day")


@dataclass(slots=True)
class Entry:
    uid: str
    kind: str
    title: str
    href: str | None
    start: datetime  # UTC
    end: datetime
    local_start: datetime
    site_id: int
    site_name: str
    asset_id: int | None = None
    space_id: int | None = None
    partner_id: int | None = None
    partner_name: str | None = None
    status: str = ""
    flags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Summary:
    kind: str
    count: int
    sites: int


@dataclass(slots=True)
class Day:
    day: date
    entries: list[Entry]
    total: int
    summary: list[Summary]  # set when the day holds more than DAY_LIMIT entries
    in_month: bool
    clashes: int


def day_summary(entries: list[Entry]) -> list[Summary]:
    """Entries per kind with their number of sites (pure)."""
    by_kind: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_kind[entry.kind].append(entry)
    return [
        Summary(kind, len(by_kind[kind]), len({e.site_id for e in by_kind[kind]}))
        for kind in KINDS
        if by_kind.get(kind)
    ]


def counted_summary(kinds: dict[str, dict[int, int]]) -> list[Summary]:
    """A summarised day from its counts: kind → site → entries (pure)."""
    return [
        Summary(kind, sum(kinds[kind].values()), len(kinds[kind]))
        for kind in KINDS
        if kinds.get(kind)
    ]


def day_runs(days: set[date]) -> list[tuple[date, date]]:
    """``days`` as runs of consecutive days ``[first, end)`` (each run is read with
    ``ZONE_MARGIN`` on both sides, so a busy day between two runs is not read; pure)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and day == runs[-1][1]:
            runs[-1] = (runs[-1][0], day + timedelta(1))
        else:
            runs.append((day, day + timedelta(1)))
    return runs


def mark_clashes(entries: list[Entry]) -> None:
    """Flag the same asset twice on one local day and the same partner at overlapping jobs
    other than service visits (pure; appends the reason to each entry's ``flags``)."""
    by_asset: dict[tuple[int, date], list[Entry]] = defaultdict(list)
    by_partner: dict[tuple[int, date], list[Entry]] = defaultdict(list)
    for entry in entries:
        day = entry.local_start.date()
        if entry.asset_id is not None:
            by_asset[(entry.asset_id, day)].append(entry)
        if entry.partner_id is not None and entry.kind != "visit":
            by_partner[(entry.partner_id, day)].append(entry)
    same_asset = _("Same asset twice this day")
    same_partner = _("Same partner at two jobs at once")
    for group in by_asset.values():
        if len(group) > 1:
            for entry in group:
                _flag(entry, same_asset)
    for group in by_partner.values():
        for entry in overlapping(group, _entry_start, _entry_end):
            _flag(entry, same_partner)


def _entry_order(entry: Entry) -> tuple[datetime, str, str, str]:
    return (entry.local_start.replace(tzinfo=None), entry.kind, entry.title, entry.uid)


def _entry_start(entry: Entry) -> datetime:
    return entry.start


def _entry_end(entry: Entry) -> datetime:
    return entry.end


def _flag(entry: Entry, reason: str) -> None:
    if reason not in entry.flags:
        entry.flags.append(reason)


@dataclass(slots=True)
class Range:
    view: str
    anchor: date  # the month's first day, the week's Monday or the day
    start: date  # first day shown
    end: date  # day after the last shown
    previous: date
    next: date


def date_range(view: str, anchor: date | None, today: date) -> Range:
    """The days one view shows around ``anchor`` (pure)."""
    anchor = anchor or today
    if view == "day":
        return Range(
            "day",
            anchor,
            anchor,
            anchor + timedelta(1),
            anchor - timedelta(1),
            anchor + timedelta(1),
        )
    if view == "week":
        monday = anchor - timedelta(days=anchor.weekday())
        end = monday + timedelta(7)
        return Range("week", monday, monday, end, monday - timedelta(7), end)
    first = anchor.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    end = following + timedelta(days=(7 - following.weekday()) % 7)
    previous = (first - timedelta(days=1)).replace(day=1)
    return Range("month", first, start, end, previous, following)


async def _sites() -> dict[int, dict[str, Any]]:
    sites = {}
    for record in await db.raw(
        "SELECT id, name, time_zone, opening_hours, holiday_country, holiday_subdivision FROM site"
    ):
        row = dict(record)  # asyncpg records are read-only
        hours = row["opening_hours"]
        row["opening_hours"] = json.loads(hours) if isinstance(hours, str) else (hours or {})
        sites[row["id"]] = row
    return sites


async def _names(table: str, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    marks = ", ".join("{}" for _ in ids)
    rows = await db.raw(f"SELECT id, name FROM {table} WHERE id IN ({marks})", *sorted(ids))  # noqa: S608 - fixed table names
    return {r["id"]: r["name"] for r in rows}


async def _items_of_days(
    days: set[date], view_scope: agenda_scope.AgendaScope
) -> list[agenda.Item]:
    """The agenda's items of the days shown one by one (read with the zones' margin on both
    sides; the caller keeps those on the days by local date)."""
    found: dict[str, agenda.Item] = {}
    for first, last in day_runs(days):
        for item in await agenda.items(
            start=datetime.combine(first, time(), UTC) - ZONE_MARGIN,
            end=datetime.combine(last, time(), UTC) + ZONE_MARGIN,
            scope=view_scope,
        ):
            found.setdefault(item.uid, item)
    return sorted(found.values(), key=lambda i: (i.start, i.uid))


async def _agenda_entries(
    items: list[agenda.Item], sites: dict[int, dict[str, Any]]
) -> list[Entry]:
    """Agenda items as entries, with the kind and partner of each (one query per 500
    work orders; computed occurrences carry their schedule's partner)."""
    order_ids = sorted({i.work_order_id for i in items if i.work_order_id is not None})
    orders = {
        row["id"]: dict(row)
        for row in await rows_for_ids(
            "SELECT id, kind, partner_organisation FROM work_order WHERE id IN ({ids})", order_ids
        )
    }
    entries = []
    for item in items:
        zone = ZoneInfo(sites[item.site_id]["time_zone"]) if item.site_id in sites else UTC
        href: str | None
        if item.kind:  # a provider's entry (e.g. an inspection)
            kind, href, partner = item.kind, item.href, item.partner_id
        elif item.work_order_id is not None:
            order = orders.get(item.work_order_id, {})
            kind = "pm" if order.get("kind") == "preventive" else "work"
            partner = order.get("partner_organisation")
            href = f"/work-orders/{item.work_order_id}"
        else:  # a computed occurrence: its schedule's partner comes with it
            kind, href, partner = "pm", None, item.partner_id
        entries.append(
            Entry(
                uid=item.uid,
                kind=kind,
                title=item.title,
                href=href,
                start=item.start,
                end=item.end,
                local_start=item.start.astimezone(zone),
                site_id=item.site_id,
                site_name=item.site_name,
                asset_id=item.asset_id,
                space_id=item.space_id,
                partner_id=partner,
                status=item.status,
            )
        )
    return entries


async def _visit_entries(
    principal: Principal,
    *,
    start: datetime,
    end: datetime,
    site_ids: set[int] | None,
    site_id: int | None,
) -> list[Entry]:
    visits = await service_queries.list_visits(
        principal, site_id=site_id, start=start, end=end, limit=VISIT_LIMIT
    )
    if site_ids is not None:
        visits = [v for v in visits if v.site_id in site_ids]
    providers: dict[int, int] = {}
    contract_ids = sorted({v.contract_id for v in visits})
    if contract_ids:
        marks = ", ".join("{}" for _ in contract_ids)
        for row in await db.raw(
            f"SELECT id, provider FROM service_contract WHERE id IN ({marks})",  # noqa: S608 - placeholders only
            *contract_ids,
        ):
            providers[row["id"]] = row["provider"]
    return [
        Entry(
            uid=f"visit-{v.id}",
            kind="visit",
            title=v.plan_name,
            href=f"/visits/{v.id}",
            start=v.scheduled_for,
            end=max(v.window_end, v.scheduled_for + timedelta(minutes=1)),
            local_start=v.scheduled_for.astimezone(ZoneInfo(v.site_time_zone)),
            site_id=v.site_id,
            site_name=v.site_name,
            partner_id=providers.get(v.contract_id),
            partner_name=v.provider_name,
            status=v.status.value,
        )
        for v in visits
    ]


async def _closed_days(
    sites: dict[int, dict[str, Any]], site_ids: set[int], first: date, last: date
) -> dict[int, set[date]]:
    closed: dict[int, set[date]] = defaultdict(set)
    years = range(first.year - 1, last.year + 1)
    for site_id in site_ids:
        site = sites.get(site_id)
        if site is not None:
            closed[site_id] |= set(
                public_holidays(
                    site["holiday_country"] or "", site["holiday_subdivision"] or "", years
                )
            )
    for row in await db.raw("SELECT site, day FROM site_closure_day WHERE day >= {}", first):
        day = row["day"]
        closed[row["site"]].add(day if isinstance(day, date) else date.fromisoformat(str(day)))
    return closed


def _locale() -> str:
    return "en_GB" if current_locale() == "en" else current_locale()


def weekday_names() -> list[str]:
    """Monday first, abbreviated, in the reader's language (Babel)."""
    names = babel_dates.get_day_names("abbreviated", locale=_locale())
    return [names[i] for i in range(7)]


def day_name(day: date) -> str:
    """ "Monday 7 December" / "Montag, 7. Dezember" (the locale's own pattern)."""
    return babel_dates.format_skeleton("MMMMEEEEd", day, locale=_locale())


async def calendar(
    principal: Principal,
    *,
    view: str,
    anchor: date | None,
    site_id: int | None,
    partner_id: int | None,
) -> dict[str, Any]:
    """The page's context: days (grid or list), legend, filters, navigation."""
    today = clock.now().date()
    span = date_range(view if view in VIEWS else "month", anchor, today)
    # The one agenda scope (``agenda_scope``, shared with the iCal feeds), narrowed by the
    # page's filters; never wider than what the principal sees.
    view_scope = await agenda_scope.of(principal)
    own_partner = principal.partner_organisation_id
    if site_id is not None:
        await scope.require_site(principal, site_id)
        view_scope = view_scope.narrowed(site_id=site_id)
    if own_partner is not None:
        partner_id = own_partner  # a partner sees its own work only
    if partner_id is not None:
        view_scope = view_scope.narrowed(partner_id=partner_id)
    site_ids = None if view_scope.site_ids is None else set(view_scope.site_ids)
    # A day in any site's zone: read a day more on each side, then place by local date.
    start = datetime.combine(span.start, time(), UTC) - timedelta(days=1)
    end = datetime.combine(span.end, time(), UTC) + timedelta(days=1)
    limit = LIST_LIMIT if span.view == "day" else DAY_LIMIT
    # First how many entries each day holds (the agenda's counts per local day, kind and
    # site: no entry is built for them), then entries only for the days shown one by one.
    counts = await agenda.day_counts(start=start, end=end, scope=view_scope)
    visits = await _visit_entries(
        principal,
        start=start,
        end=end,
        site_ids=site_ids if own_partner is None else None,
        site_id=site_id,
    )
    if partner_id is not None:
        visits = [e for e in visits if e.partner_id == partner_id]
    visits = [e for e in visits if span.start <= e.local_start.date() < span.end]
    per_kind: dict[date, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for (day, kind, site), count in counts.items():
        if span.start <= day < span.end:
            sites_of = per_kind[day][kind]
            sites_of[site] = sites_of.get(site, 0) + count
    for entry in visits:
        sites_of = per_kind[entry.local_start.date()]["visit"]
        sites_of[entry.site_id] = sites_of.get(entry.site_id, 0) + 1
    totals = {
        day: sum(sum(by_site.values()) for by_site in kinds.values())
        for day, kinds in per_kind.items()
    }
    shown = {day for day, total in totals.items() if total <= limit}
    sites = await _sites()
    items = await _items_of_days(shown, view_scope)
    entries = await _agenda_entries(items, sites)
    entries += visits
    entries = [e for e in entries if e.local_start.date() in shown]
    partner_names = await _names(
        "partner_organisation", {e.partner_id for e in entries if e.partner_id}
    )
    for entry in entries:
        if entry.partner_id is not None and entry.partner_name is None:
            entry.partner_name = partner_names.get(entry.partner_id)
    # Clashes are checked among the entries shown one by one (a summarised day's own page,
    # the day view, shows its clashes).
    closed = await _closed_days(sites, {e.site_id for e in entries}, span.start, span.end)
    agenda_flags = find_clashes(items, sites, closed)
    for entry in entries:
        for reason in agenda_flags.get(entry.uid, []):
            _flag(entry, reason)
    mark_clashes(entries)
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_day[entry.local_start.date()].append(entry)
    days = []
    day = span.start
    while day < span.end:
        todays = by_day.get(day, [])
        todays.sort(key=_entry_order)
        total = totals.get(day, 0)
        days.append(
            Day(
                day=day,
                entries=todays if day in shown else [],
                total=total,
                summary=[] if day in shown else counted_summary(per_kind[day]),
                in_month=span.view != "month" or day.month == span.anchor.month,
                clashes=sum(1 for e in todays if e.flags),
            )
        )
        day += timedelta(1)
    return {
        "view": span.view,
        "span": span,
        "days": days,
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "today": today,
        "weekdays": weekday_names(),
        "title": _title(span),
        "clash_count": sum(1 for e in entries if e.flags),
        "entry_count": sum(totals.values()),
        "kinds": KINDS,
        "kind_letters": KIND_LETTERS,
        "kind_labels": {k: _(v) for k, v in KIND_LABELS.items()},
        "site_id": site_id,
        "partner_id": partner_id if own_partner is None else None,
        "day_limit": DAY_LIMIT,
        "day_name": day_name,
    }


def _title(span: Range) -> str:
    if span.view == "month":
        return babel_dates.format_skeleton("yMMMM", span.anchor, locale=_locale())
    if span.view == "day":
        return format_date(span.anchor, "full")
    last = span.end - timedelta(1)
    return babel_dates.format_interval(span.start, last, "yMMMd", locale=_locale())
