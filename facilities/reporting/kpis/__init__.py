"""The operational KPIs of the regional dashboard, as ``kit.kpi.Kpi`` definitions.

Each is one grouped SQL query over its population (``_specs``), per site and in total; the
texts below are the published definition: ``docs/kpis.md`` ("Operational KPIs") and the
in-app page ``/help/kpis`` are generated from them (``facilities.reporting.kpi_docs``), and a
test keeps the docs in step. ``facilities.wiring.install`` registers them.
"""

from __future__ import annotations

from typing import Any

from facilities.kit.i18n import N_
from facilities.kit.kpi import Kpi, KpiValue, Period
from facilities.reporting.budgets import kpi as cost
from facilities.reporting.kpis import _site, _specs
from facilities.reporting.kpis._run import (
    ASSET_TIME,
    OPEN_AT,
    asset_trends,
    compute,
    open_at_trends,
    records,
    trend,
)
from facilities.reporting.kpis._specs import Spec

SPECS: dict[str, Spec] = {
    s.name: s
    for s in (
        Spec(
            "mttr",
            "minutes",
            "work_order",
            _specs.mttr_rows,
            (("held", N_("On hold (min)")),),
            summary=_specs.mttr_summary,
        ),
        Spec("mtbf", "hours", "asset", _specs.mtbf_rows, (("down_minutes", N_("Down (min)")),)),
        Spec("backlog", "count", "work_order", _specs.backlog_rows, (("age", N_("Age (days)")),)),
        Spec("backlog_age", "days", "work_order", _specs.backlog_age_rows),
        Spec("overdue", "count", "work_order", _specs.overdue_rows, (("late", N_("Late (days)")),)),
        Spec(
            "first_time_fix",
            "percent",
            "work_order",
            _specs.first_time_fix_rows,
            summary=_specs.first_time_fix_summary,
        ),
        Spec(
            "critical_uptime",
            "percent",
            "asset",
            _specs.uptime_rows,
            (("down_minutes", N_("Down (min)")), ("failures", N_("Failures"))),
        ),
        *(
            Spec(
                f"sla_{target}",
                "percent",
                "work_order",
                _specs.sla_rows(target),
                (("elapsed", N_("Elapsed (min)")), ("allowed", N_("Target (min)"))),
            )
            for target in ("response", "attendance", "resolution")
        ),
        *_site.SPECS,
    )
}


# Drill-downs of KPIs computed elsewhere (the figure comes through ``kit.kpi``).
RECORD_SPECS: dict[str, Spec] = {
    **SPECS,
    "pm_compliance": Spec(
        "pm_compliance",
        "percent",
        "work_order",
        _specs.pm_compliance_rows,
        (("late", N_("Late")),),
    ),
}


def _compute(name: str) -> Any:
    async def run(principal: Any, period: Period) -> list[KpiValue]:
        return await compute(SPECS[name], principal, period)

    run.__qualname__ = f"compute_{name}"
    return run


_WORK = N_("Work orders")
_ASSETS = N_("Assets")
_SLA = N_("Service levels")
_SMRP = N_(
    "SMRP Best Practice Metrics (Society for Maintenance & Reliability Professionals), "
    "metric 3.5.2 Mean time to repair or replace (total repair time ÷ number of repair "
    "events; repair time runs from the failure until operability is restored)"
)
_REPAIR_POPULATION = N_(
    "Repair work orders (kind repair or inspection follow-up) at the sites in scope whose "
    "last completion lies in the period and that are completed or verified now."
)
_OPEN_AT = N_(
    "Work orders of every kind at the sites in scope that were open at the end of the period "
    "(created before it, and neither completed, verified nor cancelled at that instant, from "
    "the status history). For the current period the end is now."
)
_SLA_MEANING = N_(
    "The share of the SLA targets of this kind reached in the period that were met, counted "
    "in the site's business hours with the clock paused while the order waited for a reason "
    "the policy allows."
)
_SLA_EDGE = N_(
    "Orders without an SLA policy are not counted. Orders still open past their target have "
    "no outcome yet and are not in the ratio (they show as overdue). A completion after a "
    "reopen replaces the resolution outcome."
)

KPIS: tuple[Kpi, ...] = (
    Kpi(
        name="mttr",
        title=N_("Mean time to repair (MTTR)"),
        unit="minutes",
        section=_WORK,
        better="lower",
        standard=_SMRP,
        meaning=N_(
            "How long it takes on average to put a failure right: from the work order's "
            "creation to its last completion, waiting for parts or access included."
        ),
        formula=N_(
            "Σ repair time ÷ number of repairs; repair time = last completion − creation − "
            "the time between a completion and a reopen"
        ),
        population=_REPAIR_POPULATION,
        edge_cases=N_(
            "Time on hold (waiting for parts or access) counts, as in the SMRP definition; the "
            "list behind the figure shows it on its own. The time between a completion and a "
            "reopen does not count (the asset was back in use). The clock starts when the "
            "work order is created, the first moment the failure is known. Cancelled orders "
            "are not repairs. No repair in the period: no figure (—)."
        ),
        compute=_compute("mttr"),
    ),
    Kpi(
        name="mtbf",
        title=N_("Mean time between failures (MTBF)"),
        unit="hours",
        section=_ASSETS,
        standard=N_(
            "SMRP Best Practice Metrics, metric 3.5.1 Mean time between failures "
            "(operating time ÷ number of failures)"
        ),
        meaning=N_(
            "How long assets run on average before they fail: the time they were operational "
            "or degraded in the period, divided by the number of times one went down."
        ),
        formula=N_(
            "Σ up time (hours) ÷ Σ failures; a failure = the status becomes down inside the "
            "period from another status"
        ),
        population=N_(
            "Assets at the sites in scope, from their status history, over the period up to "
            "now; assets with no counted time are left out."
        ),
        edge_cases=N_(
            "Time before an asset's first status and retired time do not count. An asset "
            "already down when the period starts is not a new failure. No failure in the "
            "period: no figure (—), the up time is still in the list behind it."
        ),
        compute=_compute("mtbf"),
    ),
    Kpi(
        name="backlog",
        title=N_("Backlog"),
        unit="count",
        section=_WORK,
        better="lower",
        meaning=N_("How many work orders were open at the end of the period."),
        formula=N_("count of work orders open at the end of the period"),
        population=_OPEN_AT,
        edge_cases=N_(
            "Preventive orders count from their creation (their lead time before the due "
            "date). An order reopened after the period counts as it stood at the end."
        ),
        compute=_compute("backlog"),
    ),
    Kpi(
        name="backlog_age",
        title=N_("Backlog age"),
        unit="days",
        section=_WORK,
        better="lower",
        meaning=N_("How old the open work orders were on average at the end of the period."),
        formula=N_("Σ (end of the period − created) ÷ number of open work orders, in days"),
        population=_OPEN_AT,
        edge_cases=N_("No open work order: no figure (—)."),
        compute=_compute("backlog_age"),
    ),
    Kpi(
        name="overdue",
        title=N_("Overdue work"),
        unit="count",
        section=_WORK,
        better="lower",
        meaning=N_("How many open work orders were past their due time at the end of the period."),
        formula=N_("count of open work orders with due time < end of the period"),
        population=_OPEN_AT,
        edge_cases=N_("Orders without a due time are never overdue."),
        compute=_compute("overdue"),
    ),
    Kpi(
        name="first_time_fix",
        title=N_("First-time fix"),
        unit="percent",
        section=_WORK,
        meaning=N_("The share of repairs completed in the period that were never reopened."),
        formula=N_("repairs never reopened ÷ repairs completed × 100 %"),
        population=_REPAIR_POPULATION,
        edge_cases=N_(
            "A repair reopened at any time (before or after its last completion) is not a "
            "first-time fix. No repair in the period: no figure (—)."
        ),
        compute=_compute("first_time_fix"),
    ),
    Kpi(
        name="critical_uptime",
        title=N_("Uptime of critical assets"),
        unit="percent",
        section=_ASSETS,
        meaning=N_(
            "The share of time the assets of criticality critical (access points, network "
            "cabinets) were operational or degraded, from their status history."
        ),
        formula=N_("Σ up time ÷ Σ (up time + down time) × 100 %, over the critical assets"),
        population=N_(
            "Assets of criticality critical at the sites in scope, over the period up to now."
        ),
        edge_cases=N_(
            "Degraded counts as up. Time before an asset's first status and retired time do "
            "not count. Long-lived assets weigh by their counted time."
        ),
        compute=_compute("critical_uptime"),
    ),
    *(
        Kpi(
            name=f"sla_{target}",
            title=title,
            unit="percent",
            section=_SLA,
            meaning=_SLA_MEANING,
            formula=N_("targets met ÷ targets reached × 100 %"),
            population=population,
            edge_cases=_SLA_EDGE,
            compute=_compute(f"sla_{target}"),
        )
        for target, title, population in (
            (
                "response",
                N_("SLA attainment: response"),
                N_(
                    "SLA outcomes of the target response (creation to the first accept or "
                    "start) reached in the period, at the sites in scope."
                ),
            ),
            (
                "attendance",
                N_("SLA attainment: attendance"),
                N_(
                    "SLA outcomes of the target attendance (creation to the first start) "
                    "reached in the period, at the sites in scope."
                ),
            ),
            (
                "resolution",
                N_("SLA attainment: resolution"),
                N_(
                    "SLA outcomes of the target resolution (creation to the last completion) "
                    "reached in the period, at the sites in scope."
                ),
            ),
        )
    ),
    *_site.definitions(_compute),
    cost.DEFINITION,
)

__all__ = [
    "ASSET_TIME",
    "KPIS",
    "OPEN_AT",
    "RECORD_SPECS",
    "SPECS",
    "asset_trends",
    "compute",
    "open_at_trends",
    "records",
    "trend",
]
