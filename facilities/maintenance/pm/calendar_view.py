"""Clashes of agenda items (the calendar page lives in ``facilities/reporting/calendar.py``).

A clash is two jobs in the same space whose times overlap, or a job (partly) outside the
site's opening hours (``facilities.sites.calendar.is_open_at``) when the site has opening
hours configured - someone must let the partner in.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from facilities.kit.i18n import _
from facilities.maintenance.pm import agenda
from facilities.sites.calendar import is_open_at


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
