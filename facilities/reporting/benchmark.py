"""Cross-site benchmarking: the sites of a scope ranked on one figure, optionally normalised
per m² of floor area, per desk or per member visit, with the scope's median and quartiles
and the outliers marked (Tukey's fences: below Q1 − 1.5 × IQR or above Q3 + 1.5 × IQR).

The figure per site is the KPI's own per-site value (``kit.kpi``, the same as the dashboard's)
or ``energy_kwh``, the energy a site used in the period from sustainability's stored monthly
figures (read only, one grouped query for all the sites; the months whose first day lies in the
period). Member visits come from
sustainability's occupancy figures for the same months. A site without the denominator (no
floor area, no desks, no visits entered) is listed apart, not ranked.
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta
from typing import Any

from facilities.accounts.principal import Principal
from facilities.kit import kpi
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import N_, _
from facilities.kit.kpi import Period
from facilities.kit.rows import dict_rows
from facilities.reporting import dashboard, queries
from facilities.reporting.kpis import SPECS, compute
from facilities.sustainability.results import energy_kwh_by_site

PER = {
    "none": N_("as is"),
    "m2": N_("per m² of floor area"),
    "desk": N_("per desk"),
    "visit": N_("per member visit"),
}
ENERGY = "energy_kwh"


def metrics() -> list[tuple[str, str]]:
    names = [(n, _(kpi.get(n).title)) for n in dashboard.TILES if n in kpi.names()]
    return [*names, (ENERGY, _("Energy (kWh)"))]


async def _figures(
    principal: Principal, name: str, first: date, last: date, site_ids: list[int]
) -> dict[int, float | None]:
    span = Period(first, last + timedelta(days=1))
    if name == ENERGY:  # one grouped query over the stored monthly figures, all sites
        energy = await energy_kwh_by_site(site_ids, first, last)
        return {s: energy.get(s, 0.0) for s in site_ids}
    if name in SPECS:
        values = await compute(SPECS[name], principal, span, set(site_ids))
    else:
        values = await kpi.get(name).compute(principal, span)
    by_subject = {v.subject: v.value for v in values}
    return {s: by_subject.get(f"site:{s}") for s in site_ids}


async def _visits(site_ids: list[int], first: date, last: date) -> dict[int, int]:
    if not site_ids:
        return {}
    listed = ",".join(str(int(s)) for s in site_ids)
    rows = await dict_rows(
        f"SELECT site, SUM(visits) AS visits FROM occupancy WHERE site IN ({listed})"  # noqa: S608
        " AND month >= {} AND month <= {} GROUP BY site",
        first.replace(day=1),
        last,
    )
    return {int(r["site"]): int(r["visits"] or 0) for r in rows}


def fences(values: list[float]) -> dict[str, float] | None:
    """Median, quartiles and Tukey's fences (pure); None for fewer than two values."""
    if len(values) < 2:
        return None
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    iqr = q3 - q1
    return {
        "median": median,
        "q1": q1,
        "q3": q3,
        "low": q1 - 1.5 * iqr,
        "high": q3 + 1.5 * iqr,
    }


async def benchmark(
    principal: Principal,
    *,
    name: str,
    per: str,
    start: date | None,
    end: date | None,
    region_id: int | None = None,
) -> dict[str, Any]:
    if name != ENERGY:
        dashboard.tile_names([name])  # an unknown figure: 422 naming "kpi"
    if per not in PER:
        raise RuleViolation("per", _("Normalise per m2, desk or visit, or not at all (none)."))
    first, last = dashboard.period(start, end)
    label, sites = await queries.scope_sites(principal, region_id=region_id)
    site_ids = [int(str(s["id"])) for s in sites]
    figures = await _figures(principal, name, first, last, site_ids)
    visits = await _visits(site_ids, first, last) if per == "visit" else {}
    better = "lower" if name == ENERGY else kpi.get(name).better
    ranked: list[dict[str, Any]] = []
    apart: list[dict[str, Any]] = []
    for site in sites:
        sid = int(str(site["id"]))
        value = figures.get(sid)
        divisor: float | None = 1.0
        if per == "m2":
            divisor = float(site["floor_area_m2"]) if site["floor_area_m2"] else None
        elif per == "desk":
            divisor = float(site["desks"]) if site["desks"] else None
        elif per == "visit":
            divisor = float(visits[sid]) if visits.get(sid) else None
        entry: dict[str, Any] = {
            "site_id": sid,
            "site": str(site["name"]),
            "figure": value,
            "divisor": divisor,
        }
        if value is None or divisor is None:
            apart.append(entry)
            continue
        entry["value"] = round(value / divisor, 4)
        ranked.append(entry)
    ranked.sort(key=lambda e: (e["value"], e["site"]), reverse=better == "higher")
    stats = fences([e["value"] for e in ranked])
    for index, entry in enumerate(ranked, start=1):
        entry["rank"] = index
        entry["outlier"] = stats is not None and not (
            stats["low"] <= entry["value"] <= stats["high"]
        )
    return {
        "kpi": name,
        "title": _(kpi.get(name).title) if name != ENERGY else _("Energy (kWh)"),
        "per": per,
        "per_label": _(PER[per]),
        "better": better,
        "start": first,
        "end": last,
        "scope": label or _("All my sites"),
        "region_id": region_id,
        "stats": stats,
        "ranked": ranked,
        "apart": apart,
    }
