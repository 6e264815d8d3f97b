"""The safety and sustainability figures of the dashboard, as ``kit.kpi`` definitions.

Their populations are the owning domains' reads (``facilities.safety.kpi_queries``,
``facilities.sustainability.kpi_queries``); reporting only adds them up per site and lists
the same rows behind each figure. The texts are the published definitions (``docs/kpis.md``
and ``/help/kpis`` are generated from them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from facilities.kit.i18n import N_
from facilities.kit.kpi import Kpi
from facilities.reporting.kpis._specs import Rows, Spec
from facilities.reporting.kpis._sql import Bounds, epoch
from facilities.safety import kpi_queries as safety
from facilities.sustainability import kpi_queries as sustainability


def _rows(population: Callable[..., tuple[str, str, tuple[Any, ...]]]) -> Any:
    def rows(b: Bounds, where: str) -> Rows:
        return Rows(*population(b.start, b.end, b.until, where))

    return rows


def _open_findings(b: Bounds, where: str) -> Rows:
    age = f"(({b.until_s:.6f} - {epoch('f.created_at')}) / 86400.0)"
    return Rows(*safety.open_findings(b.start, b.end, b.until, where, age))


def _near_misses(b: Bounds, where: str) -> Rows:
    return Rows(*safety.incidents(b.start, b.end, b.until, where, kind="near_miss"))


_AREA = (("divisor", N_("Floor area (m²)")),)
_DESKS = (("divisor", N_("Desks")),)

SPECS: tuple[Spec, ...] = (
    Spec(
        "inspection_completion",
        "percent",
        "inspection",
        _rows(safety.inspection_completion),
        (("score", N_("Score (%)")),),
    ),
    Spec("inspection_score", "score", "inspection", _rows(safety.inspection_score)),
    Spec(
        "open_findings",
        "count",
        "finding",
        _open_findings,
        (("age", N_("Age (days)")), ("critical", N_("Critical"))),
    ),
    Spec(
        "incidents", "count", "incident", _rows(safety.incidents), (("days_off", N_("Days off")),)
    ),
    Spec("near_misses", "count", "incident", _near_misses),
    Spec(
        "energy_per_m2", "kwh_per_m2", "meter_month", _rows(sustainability.energy_per("m2")), _AREA
    ),
    Spec(
        "energy_per_desk",
        "kwh_per_desk",
        "meter_month",
        _rows(sustainability.energy_per("desk")),
        _DESKS,
    ),
    Spec("co2e_per_m2", "kg_per_m2", "meter_month", _rows(sustainability.co2e_per("m2")), _AREA),
    Spec(
        "co2e_per_desk",
        "kg_per_desk",
        "meter_month",
        _rows(sustainability.co2e_per("desk")),
        _DESKS,
    ),
    Spec(
        "co2e_per_visit",
        "kg_per_visit",
        "meter_month",
        _rows(sustainability.co2e_per_visit),
        (("divisor", N_("Member visits")),),
    ),
)

_SAFETY = N_("Safety")
_SUSTAINABILITY = N_("Sustainability")
_MONTH_EDGE = N_(
    "A period that holds no first day of a month has no figure (—): meter figures are "
    "monthly. Refrigerant top-ups are not in the dashboard's CO2e (the sustainability "
    "report adds them to Scope 1). The region's figure is Σ of the sites' amounts ÷ Σ of "
    "their divisors, each site's divisor counted once."
)


def definitions(compute: Callable[[str], Any]) -> tuple[Kpi, ...]:
    """The definitions, their ``compute`` made by the package's runner."""
    return (
        Kpi(
            name="inspection_completion",
            title=N_("Inspections done on time"),
            unit="percent",
            section=_SAFETY,
            meaning=N_(
                "The share of the inspections due in the period that were submitted by their "
                "due time."
            ),
            formula=N_("inspections submitted by their due time ÷ inspections due × 100 %"),
            population=N_(
                "Inspections at the sites in scope whose due time lies in the period and has "
                "passed (as of now), or that were already submitted."
            ),
            edge_cases=N_(
                "An inspection due later in the current period and not yet submitted is not "
                "counted yet (it is not late). Missed inspections and inspections submitted "
                "after their due time count as not on time. Re-checks of a finding count like "
                "any inspection. None due: no figure (—)."
            ),
            compute=compute("inspection_completion"),
        ),
        Kpi(
            name="inspection_score",
            title=N_("Average inspection score"),
            unit="score",
            section=_SAFETY,
            meaning=N_("The mean score of the inspections submitted in the period."),
            formula=N_("Σ score (%) ÷ number of scored inspections submitted in the period"),
            population=N_(
                "Inspections at the sites in scope submitted in the period that have a score "
                "(earned ÷ possible × 100, stored when submitted)."
            ),
            edge_cases=N_(
                "Each inspection counts once, whatever its number of items (unweighted mean). "
                "An inspection with nothing scorable (everything not applicable) has no score "
                "and is left out. None submitted: no figure (—)."
            ),
            compute=compute("inspection_score"),
        ),
        Kpi(
            name="open_findings",
            title=N_("Open findings"),
            unit="count",
            section=_SAFETY,
            better="lower",
            meaning=N_(
                "How many failed inspection items were still open at the end of the period."
            ),
            formula=N_(
                "count of findings raised before the end of the period and not closed by then"
            ),
            population=N_(
                "Inspection findings at the sites in scope. For the current period the end is now."
            ),
            edge_cases=N_(
                "A finding closed after the end of the period counts as it stood then. The "
                "list shows each finding's age at the end of the period and whether its item "
                "is critical."
            ),
            compute=compute("open_findings"),
        ),
        Kpi(
            name="incidents",
            title=N_("Incidents"),
            unit="count",
            section=_SAFETY,
            better="lower",
            meaning=N_("How many incidents (not near misses) occurred in the period."),
            formula=N_("count of incidents with their time of occurrence in the period"),
            population=N_("Incidents of kind incident at the sites in scope."),
            edge_cases=N_(
                "Confidential incidents are counted; the list shows them without their title "
                "and without a link."
            ),
            compute=compute("incidents"),
        ),
        Kpi(
            name="near_misses",
            title=N_("Near misses"),
            unit="count",
            section=_SAFETY,
            meaning=N_(
                "How many near misses were reported as occurring in the period. More reports "
                "of hazards before anyone is hurt are a good sign, so higher is better."
            ),
            formula=N_("count of near misses with their time of occurrence in the period"),
            population=N_("Incidents of kind near miss at the sites in scope."),
            edge_cases=N_("Confidential near misses are counted, listed without their title."),
            compute=compute("near_misses"),
        ),
        *(
            Kpi(
                name=name,
                title=title,
                unit=unit,
                section=_SUSTAINABILITY,
                better="lower",
                meaning=meaning,
                formula=formula,
                population=population,
                edge_cases=_MONTH_EDGE,
                compute=compute(name),
            )
            for name, title, unit, meaning, formula, population in (
                (
                    "energy_per_m2",
                    N_("Energy per m²"),
                    "kwh_per_m2",
                    N_("The energy used per square metre of floor area (kWh/m²)."),
                    N_("Σ energy (kWh) ÷ Σ floor area (m²) of the sites with meter figures"),
                    N_(
                        "Energy carriers (grid electricity, solar generation, natural gas, "
                        "district heating, heating oil) of the stored meter months whose first "
                        "day lies in the period, at the sites in scope that have a floor area."
                    ),
                ),
                (
                    "energy_per_desk",
                    N_("Energy per desk"),
                    "kwh_per_desk",
                    N_("The energy used per desk (kWh/desk)."),
                    N_("Σ energy (kWh) ÷ Σ desks of the sites with meter figures"),
                    N_(
                        "Energy carriers of the stored meter months whose first day lies in "
                        "the period, at the sites in scope that have desks."
                    ),
                ),
                (
                    "co2e_per_m2",
                    N_("CO2e per m²"),
                    "kg_per_m2",
                    N_(
                        "Greenhouse-gas emissions (Scope 1 and Scope 2 location-based) per "
                        "square metre of floor area (kg CO2e/m²)."
                    ),
                    N_("Σ (Scope 1 + Scope 2 location-based kg CO2e) ÷ Σ floor area (m²)"),
                    N_(
                        "Emitting carriers (natural gas, heating oil, grid electricity, district "
                        "heating) of the stored meter months whose first day lies in the "
                        "period, at the sites in scope that have a floor area."
                    ),
                ),
                (
                    "co2e_per_desk",
                    N_("CO2e per desk"),
                    "kg_per_desk",
                    N_(
                        "Greenhouse-gas emissions (Scope 1 and Scope 2 location-based) per desk "
                        "(kg CO2e/desk)."
                    ),
                    N_("Σ (Scope 1 + Scope 2 location-based kg CO2e) ÷ Σ desks"),
                    N_(
                        "Emitting carriers of the stored meter months whose first day lies in "
                        "the period, at the sites in scope that have desks."
                    ),
                ),
                (
                    "co2e_per_visit",
                    N_("CO2e per member visit"),
                    "kg_per_visit",
                    N_(
                        "Greenhouse-gas emissions (Scope 1 and Scope 2 location-based) per "
                        "member visit (kg CO2e/visit), for comparing sites by their use."
                    ),
                    N_(
                        "Σ CO2e (kg, location-based) of the site-months with a visit figure ÷ "
                        "Σ member visits of those site-months"
                    ),
                    N_(
                        "Emitting carriers of the stored meter months whose first day lies in "
                        "the period and whose site has member visits entered for that month "
                        "(sustainability's occupancy), at the sites in scope."
                    ),
                ),
            )
        ),
    )
