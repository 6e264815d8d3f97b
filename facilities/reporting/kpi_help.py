"""KPI explanations for people, at ``/help/kpis``: what each figure means and how it is
computed, rendered from this source (the definitive formulas with edge cases stay in
``docs/kpis.md`` and ``kit.kpi`` for developers; these say the same in short, in the
reader's language). Every KPI registered in ``kit.kpi`` has an entry here, anchored by its
name (``/help/kpis#pm_compliance``); a test keeps the two in step."""

from __future__ import annotations

from dataclasses import dataclass

from facilities.kit import kpi as kpi_registry
from facilities.kit.i18n import N_, _


@dataclass(frozen=True, slots=True)
class Kpi:
    anchor: str
    name: str
    meaning: str
    formula: str


SECTIONS: list[tuple[str, list[Kpi]]] = [
    (
        N_("Preventive maintenance"),
        [
            Kpi(
                "pm_compliance",
                N_("PM compliance"),
                N_(
                    "The share of preventive work orders due in the period that were completed "
                    "by their due time plus the schedule's grace days. Cancelled orders and "
                    "orders not yet overdue are left out."
                ),
                N_("on time ÷ (on time + late + missed) × 100 %"),
            ),
        ],
    ),
    (
        N_("Assets"),
        [
            Kpi(
                "asset_uptime",
                N_("Asset uptime"),
                N_(
                    "The share of time an asset was operational or degraded, from its status "
                    "history. Time before the asset existed and retired time do not count."
                ),
                N_("up time ÷ (up time + down time) × 100 %"),
            ),
            Kpi(
                "hardware_uptime",
                N_("Hardware uptime"),
                N_(
                    "The share of a month monitored devices were up, per device, site, "
                    "maintenance partner and internet provider, with every outage listed. "
                    "An internet outage is a time when all monitored devices of a site were "
                    "down at once; it counts against the site's internet provider."
                ),
                N_(
                    "up time ÷ (up time + down time) × 100 %; provider: "
                    "(site time − outage time) ÷ site time × 100 %"
                ),
            ),
        ],
    ),
    (
        N_("Partner scorecards"),
        [
            Kpi(
                "sla-met",
                N_("SLA met (resolution)"),
                N_(
                    "The share of the partner's work orders resolved within their SLA target, "
                    "among those resolved in the period. The clock counts the site's business "
                    "hours (or every minute for 24/7 policies) and stops while the order waits "
                    "for a reason the policy allows."
                ),
                N_("met ÷ measured × 100 %"),
            ),
            Kpi(
                "partner_sla_attainment",
                N_("SLA attainment"),
                N_(
                    "The share of the partner's SLA targets (response, attendance, resolution) "
                    "met among those reached in the period."
                ),
                N_("met ÷ measured × 100 %"),
            ),
            Kpi(
                "median-response",
                N_("Median response"),
                N_(
                    "Half of the partner's orders created in the period were accepted faster "
                    "than this, counted from the order's creation."
                ),
                N_("the middle value of all response times"),
            ),
            Kpi(
                "median-resolution",
                N_("Median resolution"),
                N_(
                    "Half of the orders were completed faster than this, from creation to the "
                    "last completion."
                ),
                N_("the middle value of all resolution times"),
            ),
            Kpi(
                "partner_first_time_fix",
                N_("First-time fix rate"),
                N_("The share of completed orders that were never reopened."),
                N_("completed and never reopened ÷ completed × 100 %"),
            ),
            Kpi(
                "reopened",
                N_("Reopened"),
                N_("The share of completed orders that were reopened at least once."),
                N_("reopened ÷ completed × 100 %"),
            ),
            Kpi(
                "partner_on_time_visits",
                N_("Visits done"),
                N_(
                    "The share of the partner's service visits due in the period that were done "
                    "(signed off as done)."
                ),
                N_("(due − missed − not done) ÷ due × 100 %"),
            ),
            Kpi(
                "visits-missed",
                N_("Visits missed"),
                N_(
                    "Service visits of the partner's contracts in the period that were not "
                    "signed off within 24 hours after their window, or signed off as not done."
                ),
                N_("missed visits / visits due"),
            ),
            Kpi(
                "rating",
                N_("Rating"),
                N_("The average quality rating of the visits done in the period."),
                N_("sum of ratings ÷ number of rated visits"),
            ),
            Kpi(
                "cost",
                N_("Cost"),
                N_(
                    "Parts and other costs on the partner's work orders of the period, plus "
                    "the contracts' fixed monthly prices for the days in the period and their "
                    "per-visit prices for the visits done."
                ),
                N_("work-order costs + contract costs"),
            ),
        ],
    ),
]


def _published() -> list[tuple[str, list[dict[str, str]]]]:
    """The KPIs that carry their published definition (``Kpi.meaning`` set), grouped by
    section: the same texts as ``docs/kpis.md`` (``kpi_docs``), in the reader's language."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for k in kpi_registry.all_kpis():
        if not k.meaning:
            continue
        grouped.setdefault(k.section, []).append(
            {
                "anchor": k.name,
                "name": _(k.title),
                "meaning": _(k.meaning),
                "formula": _(k.formula),
                "population": _(k.population),
                "edge_cases": _(k.edge_cases) if k.edge_cases else "",
                "standard": _(k.standard) if k.standard else "",
            }
        )
    return [(_(title), entries) for title, entries in grouped.items()]


def sections() -> list[tuple[str, list[dict[str, str]]]]:
    return _published() + [
        (
            _(title),
            [
                {
                    "anchor": k.anchor,
                    "name": _(k.name),
                    "meaning": _(k.meaning),
                    "formula": _(k.formula),
                }
                for k in kpis
            ],
        )
        for title, kpis in SECTIONS
    ]
