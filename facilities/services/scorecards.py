"""Partner scorecards: how a partner organisation performed in a period.

Every formula is documented in ``docs/kpis.md`` ("Partner scorecards"). In short, for a
partner P and a period [start, end] (whole UTC days, both included):

* orders = work orders whose partner is (now) P, created in the period;
* response = accepted_at - created_at; resolution = completed_at - created_at (the last
  completion; an order reopened and not completed again has none) - medians in minutes;
* completed = orders with a ``complete`` event; reopened = completed ones with a ``reopen``
  event; first-time fix rate = (completed - reopened) / completed; reopen rate = reopened /
  completed;
* SLA attainment per target = met / measured over ``sla_outcome`` rows of P achieved in the
  period (the SLA domain writes them; "—" when it is not installed);
* visits of P's contracts scheduled in the period: due = done + not done + missed; missed =
  missed + not done; average rating over done visits;
* cost = Σ quantity × unit_cost of the orders' cost lines + contract prices: fixed monthly
  price × days of the contract within the period × 12 / 365, per-visit price × visits done
  in the period (per hour / per unit prices are not counted).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation
from facilities.kit import clock
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import dict_rows, to_date
from facilities.services.enums import PriceModel, VisitStatus
from facilities.services.schemas import Scorecard, TargetAttainment

TARGETS = ("response", "attendance", "resolution")
DEFAULT_DAYS = 90
MAX_DAYS = 3 * 366
CENT = Decimal("0.01")


def default_period(start: date | None, end: date | None) -> tuple[date, date]:
    today = clock.now().astimezone(UTC).date()
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise RuleViolation("end", _("The end of the period is before its start."))
    if (end - start).days > MAX_DAYS:
        raise RuleViolation("start", _("Choose a period of at most three years."))
    return start, end


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def sla_attainment(
    partner_ids: list[int], lower: datetime, upper: datetime
) -> tuple[bool, dict[int, list[TargetAttainment]]]:
    """(available, per partner per target) from the SLA domain's outcomes, if that domain is
    installed; one grouped query for every partner."""
    try:
        rows = await dict_rows(
            "SELECT partner_organisation AS p, target, count(*) AS n,"  # noqa: S608 (placeholders only)
            " sum(CASE WHEN met THEN 1 ELSE 0 END) AS met"
            f" FROM sla_outcome WHERE partner_organisation IN ({_ids(partner_ids)})"
            " AND achieved_at >= {} AND achieved_at < {} GROUP BY partner_organisation, target",
            *partner_ids,
            lower,
            upper,
        )
    except Exception:  # the SLA tables are not there (domain not installed)
        rows, available = [], False
    else:
        available = True
    found = {(int(r["p"]), r["target"]): (int(r["n"]), int(r["met"] or 0)) for r in rows}
    return available, {
        p: [
            TargetAttainment(
                target=t,
                measured=found.get((p, t), (0, 0))[0],
                met=found.get((p, t), (0, 0))[1],
                rate=_rate(found.get((p, t), (0, 0))[1], found.get((p, t), (0, 0))[0]),
            )
            for t in TARGETS
        ]
        for p in partner_ids
    }


def _ids(partner_ids: list[int]) -> str:
    """Placeholders for the partners' ids (bound first, before the period's bounds)."""
    return ", ".join("{}" for _ in partner_ids)


def _contract_cost(
    contracts: list[dict[str, Any]], done_visits: dict[int, int], start: date, end: date
) -> Decimal:
    total = Decimal(0)
    for contract in contracts:
        if contract["price"] is None:
            continue
        price = Decimal(str(contract["price"]))
        if contract["price_model"] == PriceModel.fixed_monthly:
            first = max(start, to_date(contract["start_date"]))
            last = min(end, to_date(contract["end_date"]))
            days = (last - first).days + 1
            if days > 0:
                total += price * days * 12 / Decimal(365)
        elif contract["price_model"] == PriceModel.per_visit:
            total += price * done_visits.get(contract["id"], 0)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


_TERMS = 200  # middle-value queries per UNION ALL statement (SQLite's limit is 500)


def _orders(partner_ids: list[int]) -> str:
    """The partners' orders created in the period (two placeholders: lower, upper)."""
    return (
        f" FROM work_order w WHERE w.partner_organisation IN ({_ids(partner_ids)})"
        " AND w.created_at >= {} AND w.created_at < {}"
    )


async def _order_figures(
    partner_ids: list[int], lower: datetime, upper: datetime
) -> dict[int, dict[str, Any]]:
    """Per partner: counts and the middle response / resolution durations (minutes) of its
    orders of the period, by the database from ``work_order_partner_created`` alone (it
    covers the marks and the durations ``response_ms`` / ``resolution_ms`` that the
    lifecycle action keeps with ``accepted_at`` / ``completed_at``) — the durations never
    travel to Python, only the one or two middle values.

    PostgreSQL: one pass, ``percentile_disc(0.5)`` over the durations ascending is the lower
    middle value, over them descending the upper one (the same value for an odd count).
    SQLite: per partner, ``ORDER BY duration LIMIT 1 or 2 OFFSET (n - 1) / 2`` (a bounded
    sort; a window over all partners' rows measured 4× slower), all of them joined by
    ``UNION ALL`` into one statement."""
    counts = (
        "count(*) AS orders, count(w.response_ms) AS accepted,"
        " count(w.resolution_ms) AS resolved,"
        " sum(CASE WHEN w.completed_once THEN 1 ELSE 0 END) AS completed,"
        " sum(CASE WHEN w.completed_once AND w.reopened_once THEN 1 ELSE 0 END) AS reopened"
    )
    durations = (("response", "response_ms"), ("resolution", "resolution_ms"))
    figures: dict[int, dict[str, Any]] = {}
    if not db.is_sqlite():
        middles = ", ".join(
            f"percentile_disc(0.5) WITHIN GROUP (ORDER BY w.{column}{way}) AS {name}_{end}"
            for name, column in durations
            for end, way in (("low", ""), ("high", " DESC"))
        )
        rows = await dict_rows(
            f"SELECT w.partner_organisation AS p, {counts}, {middles}"
            + _orders(partner_ids)
            + " GROUP BY w.partner_organisation",
            *partner_ids,
            lower,
            upper,
        )
        for row in rows:
            figures[int(row["p"])] = {
                **row,
                **{
                    name: []
                    if row[f"{name}_low"] is None
                    else [_in_minutes(row[f"{name}_low"]), _in_minutes(row[f"{name}_high"])]
                    for name, _column in durations
                },
            }
        return figures
    rows = await dict_rows(
        f"SELECT w.partner_organisation AS p, {counts}"
        + _orders(partner_ids)
        + " GROUP BY w.partner_organisation",
        *partner_ids,
        lower,
        upper,
    )
    sorts: list[tuple[str, list[Any]]] = []  # one bounded sort per partner and duration
    for row in rows:
        partner = int(row["p"])
        figures[partner] = {**row, "response": [], "resolution": []}
        for (name, column), n in zip(
            durations, (int(row["accepted"] or 0), int(row["resolved"] or 0)), strict=True
        ):
            if n:
                sorts.append(
                    (
                        "SELECT {} AS p, {} AS k, m FROM (SELECT"  # noqa: S608 (placeholders only)
                        f" w.{column} AS m FROM work_order w WHERE w.partner_organisation = {{}}"
                        f" AND w.created_at >= {{}} AND w.created_at < {{}} AND w.{column}"
                        f" IS NOT NULL ORDER BY w.{column} LIMIT {{}} OFFSET {{}}) AS d",
                        [partner, name, partner, lower, upper, 2 - n % 2, (n - 1) // 2],
                    )
                )
    # all of them in one statement (SQLite allows 500 terms in a compound SELECT): one trip
    # instead of one per partner and duration
    for first in range(0, len(sorts), _TERMS):
        chunk = sorts[first : first + _TERMS]
        for r in await dict_rows(
            " UNION ALL ".join(sql for sql, _args in chunk),
            *[arg for _sql, args in chunk for arg in args],
        ):
            figures[int(r["p"])][r["k"]].append(_in_minutes(r["m"]))
    return figures


def _in_minutes(milliseconds: Any) -> float:
    return int(milliseconds) / 60_000


async def _costs(partner_ids: list[int], lower: datetime, upper: datetime) -> dict[int, Decimal]:
    """Per partner: Σ quantity × unit_cost of the cost lines of its orders of the period."""
    join = (
        " FROM work_order_cost c JOIN work_order w ON w.id = c.work_order"
        f" WHERE w.partner_organisation IN ({_ids(partner_ids)})"
        " AND w.created_at >= {} AND w.created_at < {}"
    )
    costs: dict[int, Decimal] = defaultdict(Decimal)
    if db.is_sqlite():  # SQLite's numbers are floats: add the lines as decimals here
        for r in await dict_rows(
            "SELECT w.partner_organisation AS p, c.quantity, c.unit_cost" + join,
            *partner_ids,
            lower,
            upper,
        ):
            costs[int(r["p"])] += Decimal(str(r["quantity"])) * Decimal(str(r["unit_cost"]))
    else:
        for r in await dict_rows(
            "SELECT w.partner_organisation AS p, sum(c.quantity * c.unit_cost) AS total"
            + join
            + " GROUP BY w.partner_organisation",
            *partner_ids,
            lower,
            upper,
        ):
            costs[int(r["p"])] = Decimal(str(r["total"] or 0))
    return costs


async def compute(partner_id: int, partner_name: str, start: date, end: date) -> Scorecard:
    return (await compute_many([(partner_id, partner_name)], start, end))[0]


async def compute_many(partners: list[tuple[int, str]], start: date, end: date) -> list[Scorecard]:
    """The scorecards of several partners (id, name) for one period, counted by the
    database: each figure is one grouped query over all of them (a constant number of
    statements however many partners), the orders' figures index-only from
    ``work_order_partner_created`` (it covers the times and the ``completed_once`` /
    ``reopened_once`` marks, set whenever an order's history gets a complete / reopen
    event); only a handful of numbers per partner reach Python."""
    if not partners:
        return []
    lower, upper = _bounds(start, end)
    ids = [int(p) for p, _name in partners]
    figures = await _order_figures(ids, lower, upper)
    costs = await _costs(ids, lower, upper)
    visits = await dict_rows(
        "SELECT c.provider AS p, v.contract, v.status, count(*) AS n, count(v.rating) AS rated,"  # noqa: S608 (placeholders only)
        " sum(v.rating) AS rating_sum FROM service_visit v"
        " JOIN service_contract c ON c.id = v.contract"
        f" WHERE c.provider IN ({_ids(ids)}) AND v.scheduled_for >= {{}}"
        " AND v.scheduled_for < {} GROUP BY c.provider, v.contract, v.status",
        *ids,
        lower,
        upper,
    )
    contracts = await dict_rows(
        "SELECT id, provider AS p, price_model, price, start_date, end_date"  # noqa: S608 (placeholders only)
        f" FROM service_contract WHERE provider IN ({_ids(ids)}) AND status <> 'draft'",
        *ids,
    )
    available, sla = await sla_attainment(ids, lower, upper)
    cards = []
    for partner_id, partner_name in partners:
        counts = figures.get(partner_id, {})
        completed = int(counts.get("completed") or 0)
        reopened = int(counts.get("reopened") or 0)
        done_by_contract: dict[int, int] = defaultdict(int)
        rated = rating_sum = 0
        due = missed = 0
        for visit in visits:
            if int(visit["p"]) != partner_id:
                continue
            status, n = visit["status"], int(visit["n"])
            if status in (VisitStatus.done, VisitStatus.not_done, VisitStatus.missed):
                due += n
            if status in (VisitStatus.not_done, VisitStatus.missed):
                missed += n
            if status == VisitStatus.done:
                done_by_contract[int(visit["contract"])] += n
                rated += int(visit["rated"] or 0)
                rating_sum += int(visit["rating_sum"] or 0)
        own = [c for c in contracts if int(c["p"]) == partner_id]
        contract_cost = _contract_cost(own, done_by_contract, start, end)
        cost = costs.get(partner_id, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
        cards.append(
            Scorecard(
                partner_id=partner_id,
                partner_name=partner_name,
                start=start,
                end=end,
                work_orders=int(counts.get("orders") or 0),
                completed=completed,
                sla_available=available,
                sla=sla[partner_id],
                median_response_minutes=_median(counts.get("response", [])),
                median_resolution_minutes=_median(counts.get("resolution", [])),
                first_time_fix_rate=_rate(completed - reopened, completed),
                reopen_rate=_rate(reopened, completed),
                visits_due=due,
                visits_missed=missed,
                average_rating=round(rating_sum / rated, 2) if rated else None,
                work_order_cost=cost,
                contract_cost=contract_cost,
                total_cost=cost + contract_cost,
            )
        )
    return cards


def _visible_partner(principal: Principal, partner_id: int) -> None:
    if principal.role in (Role.admin, Role.ops_manager):
        return
    if principal.role is Role.partner and principal.partner_organisation_id == partner_id:
        return
    raise NotFound()


async def scorecard(
    principal: Principal, partner_id: int, start: date | None = None, end: date | None = None
) -> Scorecard:
    _visible_partner(principal, partner_id)
    row = (
        await PartnerOrganisation.select(PartnerOrganisation.name)
        .where(PartnerOrganisation.id == partner_id)
        .first()
    )
    if row is None:
        raise NotFound()
    first, last = default_period(start, end)
    return await compute(partner_id, row["name"], first, last)


async def scorecards(
    principal: Principal, start: date | None = None, end: date | None = None
) -> list[Scorecard]:
    """Ops: every partner organisation; a partner: its own only."""
    first, last = default_period(start, end)
    query = PartnerOrganisation.select(PartnerOrganisation.id, PartnerOrganisation.name)
    if principal.role is Role.partner:
        query = query.where(PartnerOrganisation.id == (principal.partner_organisation_id or -1))
    elif principal.role not in (Role.admin, Role.ops_manager):
        return []
    rows = await query.order_by(PartnerOrganisation.name)
    return await compute_many([(int(r["id"]), r["name"]) for r in rows], first, last)
