"""Partner scorecard figures as ``kit.kpi.Kpi`` definitions (the computation stays in
``scorecards.py``; formulas in ``docs/kpis.md``, "Partner scorecards")."""

from __future__ import annotations

from datetime import timedelta

from facilities.accounts.principal import Principal
from facilities.kit.i18n import N_
from facilities.kit.kpi import Kpi, KpiValue, Period, percent
from facilities.services import scorecards
from facilities.services.schemas import Scorecard

_POPULATION = (
    "per partner organisation the caller may see (ops: all; a partner: its own): its work"
    " orders created in the period"
)


async def _cards(principal: Principal, period: Period) -> list[Scorecard]:
    # Scorecards count whole days with the end included: [start, end - 1 day].
    return await scorecards.scorecards(principal, period.start, period.end - timedelta(days=1))


async def _sla_attainment(principal: Principal, period: Period) -> list[KpiValue]:
    values = []
    for card in await _cards(principal, period):
        met = sum(t.met for t in card.sla)
        measured = sum(t.measured for t in card.sla)
        values.append(
            KpiValue(
                subject=f"partner:{card.partner_id}",
                label=card.partner_name,
                value=percent(met, measured),
                numerator=met,
                denominator=measured,
                detail={t.target: t.rate for t in card.sla},
            )
        )
    return values


async def _first_time_fix(principal: Principal, period: Period) -> list[KpiValue]:
    return [
        KpiValue(
            subject=f"partner:{card.partner_id}",
            label=card.partner_name,
            value=None if card.first_time_fix_rate is None else card.first_time_fix_rate * 100,
            denominator=card.completed,
        )
        for card in await _cards(principal, period)
    ]


async def _on_time_visits(principal: Principal, period: Period) -> list[KpiValue]:
    return [
        KpiValue(
            subject=f"partner:{card.partner_id}",
            label=card.partner_name,
            value=percent(card.visits_due - card.visits_missed, card.visits_due),
            numerator=card.visits_due - card.visits_missed,
            denominator=card.visits_due,
        )
        for card in await _cards(principal, period)
    ]


KPIS = (
    Kpi(
        name="partner_sla_attainment",
        title=N_("SLA attainment"),
        unit="percent",
        formula="met / measured over the partner's SLA outcomes of every target × 100",
        population=_POPULATION + "; SLA outcomes achieved in the period",
        compute=_sla_attainment,
    ),
    Kpi(
        name="partner_first_time_fix",
        title=N_("First-time fix rate"),
        unit="percent",
        formula="(completed − reopened) / completed × 100",
        population=_POPULATION,
        compute=_first_time_fix,
    ),
    Kpi(
        name="partner_on_time_visits",
        title=N_("Visits done"),
        unit="percent",
        formula="(due − missed − not done) / due × 100 over visits scheduled in the period",
        population="per partner organisation: visits of its contracts scheduled in the period",
        compute=_on_time_visits,
    ),
)
