# ruff: noqa: S608 - SQL from fixed fragments; carriers are our enum, site ids integers
"""Sustainability's populations for reporting's KPIs (reads only): one row per stored meter
month (``meter_month``, the figures the sustainability report reads) with ``id``, ``site``,
the month's contribution ``num`` (kWh, or kg CO2e location-based) and ``den``, the site's
divisor (floor area, desks, or the site-month's member visits) carried by exactly one row per
site (or site-month), so that ``SUM(den)`` per site is the divisor once.

The months counted are those whose first day lies in the period ``[start, end)`` (stored
months are site-local calendar months). ``sites`` is a condition suffix with ``{col}`` for
the site column (reporting's site filter); the result is ``(ctes, select, args)``.
Definitions: ``docs/kpis.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from facilities.sustainability.enums import ENERGY, SCOPE_1, SCOPE_2

Population = tuple[str, str, tuple[Any, ...]]

_ENERGY = "(" + ", ".join(f"'{c.value}'" for c in sorted(ENERGY)) + ")"
_EMITTING = "(" + ", ".join(f"'{c.value}'" for c in sorted(SCOPE_1 | SCOPE_2)) + ")"
DIVISORS = {"m2": "s.floor_area_m2", "desk": "s.desks"}


def _months(what: str, per: str, start: datetime, end: datetime, sites: str) -> Population:
    carriers = _ENERGY if what == "energy" else _EMITTING
    amount = "mm.quantity" if what == "energy" else "(mm.scope1_kg + mm.location_kg)"
    divisor = DIVISORS[per]
    ctes = (
        "mm_rows AS (SELECT mm.id, me.site, mm.meter, mm.month,"
        f" {amount} AS num, {divisor} AS divisor,"
        " ROW_NUMBER() OVER (PARTITION BY me.site ORDER BY mm.month, mm.id) AS nth"
        " FROM meter_month mm JOIN meter me ON me.id = mm.meter JOIN site s ON s.id = me.site"
        f" WHERE me.carrier IN {carriers} AND mm.month >= {{}} AND mm.month < {{}}"
        f" AND {divisor} > 0{sites.replace('{col}', 'me.site')})"
    )
    select = (
        "SELECT id, site, num, CASE WHEN nth = 1 THEN divisor ELSE 0 END AS den,"
        " divisor, meter AS parent FROM mm_rows"
    )
    return ctes, select, (start.date(), end.date())


def energy_per(per: str) -> Any:
    def population(start: datetime, end: datetime, until: datetime, sites: str) -> Population:
        return _months("energy", per, start, end, sites)

    return population


def co2e_per(per: str) -> Any:
    def population(start: datetime, end: datetime, until: datetime, sites: str) -> Population:
        return _months("co2e", per, start, end, sites)

    return population


def co2e_per_visit(start: datetime, end: datetime, until: datetime, sites: str) -> Population:
    """Meter months (emitting carriers) of the site-months with a member-visit figure; the
    visits ride on one row per site-month."""
    ctes = (
        "mm_rows AS (SELECT mm.id, me.site, mm.meter, mm.month,"
        " (mm.scope1_kg + mm.location_kg) AS num, o.visits AS divisor,"
        " ROW_NUMBER() OVER (PARTITION BY me.site, mm.month ORDER BY mm.id) AS nth"
        " FROM meter_month mm JOIN meter me ON me.id = mm.meter"
        " JOIN occupancy o ON o.site = me.site AND o.month = mm.month"
        f" WHERE me.carrier IN {_EMITTING} AND mm.month >= {{}} AND mm.month < {{}}"
        f" AND o.visits > 0{sites.replace('{col}', 'me.site')})"
    )
    select = (
        "SELECT id, site, num, CASE WHEN nth = 1 THEN divisor ELSE 0 END AS den,"
        " divisor, meter AS parent FROM mm_rows"
    )
    return ctes, select, (start.date(), end.date())


# The title of a meter month in the drill-down: the meter's name.
TITLES = {
    "meter_month": (
        "SELECT me.name || ' · ' || CAST(x.month AS VARCHAR(10)) FROM meter_month x"
        " JOIN meter me ON me.id = x.meter WHERE x.id = r.id"
    ),
}
