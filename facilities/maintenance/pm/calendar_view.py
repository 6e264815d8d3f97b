"""Clashes of agenda items (the calendar page lives in ``facilities/reporting/calendar.py``).

A clash is two jobs in the same space whose times overlap, or a job (partly) outside the
site's opening hours (``facilities.sites.calendar.is_open_at``) when the site has opening
hours configured - someone must let the partner in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from facilities.kit.i18n import _
from facilities.maintenance.pm import agenda
from facilities.sites.calendar import is_open_at

T = TypeVar("T")


def overlapping(
    entries: Sequence[T], start: Callable[[T], datetime], end: Callable[[T], datetime]
) -> list[T]:
    """The entries whose time overlaps another's, in order of start (pure; one sort and one
    pass, where comparing every pair cost seconds on a dense day: 4,000 jobs of one
    partner at 09:00). In start order an entry overlaps an earlier one when it starts
    before the latest end so far, and a later one when the next entry starts before it
    ends."""
    ordered = sorted(entries, key=start)
    found: list[T] = []
    latest: datetime | None = None
    for index, entry in enumerate(ordered):
        begins, ends = start(entry), end(entry)
        after = index + 1 < len(ordered) and start(ordered[index + 1]) < ends
        if after or (latest is not None and begins < latest):
            found.append(entry)
        if latest is None or ends > latest:
            latest = ends
    return found


def find_clashes(
    items: list[agenda.Item], sites: dict[int, dict[str, Any]], closed: dict[int, set[date]]
) -> dict[str, list[str]]:
    """uid → reasons (pure; unit-tested)."""
    flags: dict[str, list[str]] = defaultdict(list)
    by_space: dict[int, list[agenda.Item]] = defaultdict(list)
    for item in items:
        if item.space_id is not None:
            by_space[item.space_id].append(item)
    same_space = _("Same space at the same time")
    outside = _("Outside opening hours")
    for group in by_space.values():
        for item in overlapping(group, _start, _end):
            flags[item.uid].append(same_space)
    for item in items:
        site = sites.get(item.site_id)
        # no opening hours at all (an unstaffed field site: every weekday empty, as the
        # site form stores it) is "not configured", not "closed every day" (the SLA clock
        # reads it the same way)
        if not site or not any((site["opening_hours"] or {}).values()):
            continue
        kwargs = {
            "time_zone": site["time_zone"],
            "opening_hours": site["opening_hours"],
            "closed_days": closed.get(item.site_id, set()),
        }
        last = item.end - timedelta(minutes=1)
        if not (is_open_at(item.start, **kwargs) and is_open_at(last, **kwargs)):
            flags[item.uid].append(outside)
    return {k: sorted(set(v)) for k, v in flags.items()}


def _start(item: agenda.Item) -> datetime:
    return item.start


def _end(item: agenda.Item) -> datetime:
    return item.end
