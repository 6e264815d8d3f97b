"""The agenda's version stamp: one cheap query whose answer changes whenever anything a
calendar or a feed shows may have changed (see ``feed_cache`` for what it covers). Used by
the feed cache and, with a format and the day, as the key that ``pm_planned`` (the agenda's
planned occurrences, ``planned``) is current for."""

from __future__ import annotations

from typing import Any

from facilities import db

_WORK_ORDERS = (
    "(SELECT max(updated_at) FROM work_order) AS wo_changed,"
    " (SELECT max(id) FROM work_order) AS wo_last, "
)
_STAMP_SQL = (
    "SELECT (SELECT max(updated_at) FROM pm_schedule) AS pm_changed,"
    " (SELECT count(*) FROM pm_schedule) AS pm_count,"
    " (SELECT sum(version) FROM pm_schedule) AS pm_versions,"
    " (SELECT count(*) FROM pm_schedule_site) AS pm_sites,"
    " (SELECT max(id) FROM pm_occurrence) AS occ_last,"
    " (SELECT max(updated_at) FROM asset) AS asset_changed,"
    " (SELECT max(id) FROM asset) AS asset_last,"
    " (SELECT max(updated_at) FROM site) AS site_changed,"
    " (SELECT count(*) FROM site) AS site_count,"
    " (SELECT count(*) FROM site_closure_day) AS closures,"
    # every meter's readings (the one meter model, docs/architecture.md "Meters"): an
    # energy reading also moves the stamp, which only costs one recomputation
    " (SELECT max(id) FROM meter_reading) AS reading_last"
)


# The schedules' part of the stamp: it moves only when a schedule is created or its version
# bumped (``pm.actions``: every edit, deactivation included; a schedule's sites are written
# only with a new schedule), so ``planned`` recomputes just those schedules when nothing
# else moved
SCHEDULES = ("pm_changed", "pm_count", "pm_versions", "pm_sites")


async def named(*, work_orders: bool = True) -> dict[str, str]:
    """The stamp's fields by name (``_STAMP_SQL``'s aliases, in its order)."""
    sql = _STAMP_SQL.replace("SELECT ", "SELECT " + _WORK_ORDERS, 1) if work_orders else _STAMP_SQL
    row = (await db.raw(sql))[0]
    return {k: str(v) for k, v in dict(row).items()}


async def stamp(*, work_orders: bool = True) -> tuple[Any, ...]:
    """The network's version as far as agendas are concerned (one cheap query);
    ``work_orders=False`` leaves out work orders (computed occurrences of schedules that are
    not floating do not depend on them)."""
    return tuple((await named(work_orders=work_orders)).values())
