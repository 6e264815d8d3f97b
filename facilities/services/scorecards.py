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
    partner_id: int, lower: datetime, upper: datetime
) -> tuple[bool, list[TargetAttainment]]:
    """(available, per target) from the SLA domain's outcomes, if that domain is installed."""
    try:
        rows = await dict_rows(
            "SELECT target, count(*) AS n, sum(CASE WHEN met THEN 1 ELSE 0 END) AS met"
            " FROM sla_outcome WHERE partner_organisation = {}"
            " AND achieved_at >= {} AND achieved_at < {} GROUP BY target",
            partner_id,
            lower,
            upper,
        )
    except Exception:  # the SLA tables are not there (domain not installed)
        return False, [TargetAttainment(target=t, measured=0, met=0, rate=None) for t in TARGETS]
    found = {r["target"]: (int(r["n"]), int(r["met"] or 0)) for r in rows}
    return True, [
        TargetAttainment(
            target=t,
            measured=found.get(t, (0, 0))[0],
            met=found.get(t, (0, 0))[1],
            rate=_rate(found.get(t, (0, 0))[1], found.get(t, (0, 0))[0]),
        )
        for t in TARGETS
    ]


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


def _minutes(sqlite: bool, later: str, earlier: str) -> str:
    """SQL for ``later - earlier`` in minutes (a float) on either engine."""
    if sqlite:
        return f"(julianday({later}) - julianday({earlier})) * 1440.0"
    return f"EXTRACT(EPOCH FROM ({later} - {earlier})) / 60.0"


_ORDERS = (
    " FROM work_order w WHERE w.partner_organisation = {}"
    " AND w.created_at >= {} AND w.created_at < {}"
)


async def _median_minutes(
    column: str, n: int, partner_id: int, lower: datetime, upper: datetime
) -> float | None:
    """The median of ``column - created_at`` over the partner's ``n`` orders that have
    ``column``, by the database: the one or two middle values (ORDER BY … LIMIT 2 OFFSET),
    so the durations never travel to Python."""
    sqlite = db.is_sqlite()
    where = f"{_ORDERS} AND w.{column} IS NOT NULL"
    if not n:
        return None
    minutes = _minutes(sqlite, f"w.{column}", "w.created_at")
    middle = await dict_rows(
        f"SELECT {minutes} AS m{where} ORDER BY m LIMIT {{}} OFFSET {{}}",
        partner_id,
        lower,
        upper,
        2 - n % 2,
        (n - 1) // 2,
    )
    return _median([float(r["m"]) for r in middle])


async def compute(partner_id: int, partner_name: str, start: date, end: date) -> Scorecard:
    """Counted by the database: aggregate queries over the partner's orders of the period,
    index-only (``work_order_partner_created`` covers the times and the order's
    ``completed_once`` / ``reopened_once`` marks, set whenever its history gets a
    complete / reopen event), cost lines by a join — no list of ids, and only a handful of
    numbers reach Python."""
    lower, upper = _bounds(start, end)
    counts = await dict_rows(
        "SELECT count(*) AS orders, count(w.accepted_at) AS accepted,"
        " count(w.completed_at) AS resolved,"
        " sum(CASE WHEN w.completed_once THEN 1 ELSE 0 END) AS completed,"
        " sum(CASE WHEN w.completed_once AND w.reopened_once THEN 1 ELSE 0 END) AS reopened"
        + _ORDERS,
        partner_id,
        lower,
        upper,
    )
    orders = int(counts[0]["orders"] or 0)
    completed = int(counts[0]["completed"] or 0)
    reopened = int(counts[0]["reopened"] or 0)
    cost = Decimal(0)
    if orders:
        if db.is_sqlite():  # SQLite's numbers are floats: add the lines as decimals here
            sums = await dict_rows(
                "SELECT c.quantity, c.unit_cost FROM work_order_cost c"
                " JOIN work_order w ON w.id = c.work_order WHERE w.partner_organisation = {}"
                " AND w.created_at >= {} AND w.created_at < {}",
                partner_id,
                lower,
                upper,
            )
            cost = sum(
                (Decimal(str(r["quantity"])) * Decimal(str(r["unit_cost"])) for r in sums),
                Decimal(0),
            )
        else:
            summed = await dict_rows(
                "SELECT sum(c.quantity * c.unit_cost) AS total FROM work_order_cost c"
                " JOIN work_order w ON w.id = c.work_order WHERE w.partner_organisation = {}"
                " AND w.created_at >= {} AND w.created_at < {}",
                partner_id,
                lower,
                upper,
            )
            cost = Decimal(str(summed[0]["total"] or 0))
    accepted, resolved = int(counts[0]["accepted"] or 0), int(counts[0]["resolved"] or 0)
    response = await _median_minutes("accepted_at", accepted, partner_id, lower, upper)
    resolution = await _median_minutes("completed_at", resolved, partner_id, lower, upper)
    visits = await dict_rows(
        "SELECT v.contract, v.status, count(*) AS n, count(v.rating) AS rated,"
        " sum(v.rating) AS rating_sum FROM service_visit v"
        " JOIN service_contract c ON c.id = v.contract"
        " WHERE c.provider = {} AND v.scheduled_for >= {} AND v.scheduled_for < {}"
        " GROUP BY v.contract, v.status",
        partner_id,
        lower,
        upper,
    )
    done_by_contract: dict[int, int] = defaultdict(int)
    rated = rating_sum = 0
    due = missed = 0
    for visit in visits:
        status, n = visit["status"], int(visit["n"])
        if status in (VisitStatus.done, VisitStatus.not_done, VisitStatus.missed):
            due += n
        if status in (VisitStatus.not_done, VisitStatus.missed):
            missed += n
        if status == VisitStatus.done:
            done_by_contract[int(visit["contract"])] += n
            rated += int(visit["rated"] or 0)
            rating_sum += int(visit["rating_sum"] or 0)
    contracts = await dict_rows(
        "SELECT id, price_model, price, start_date, end_date FROM service_contract"
        " WHERE provider = {} AND status <> 'draft'",
        partner_id,
    )
    contract_cost = _contract_cost(contracts, done_by_contract, start, end)
    available, sla = await sla_attainment(partner_id, lower, upper)
    cost = cost.quantize(CENT, rounding=ROUND_HALF_UP)
    return Scorecard(
        partner_id=partner_id,
        partner_name=partner_name,
        start=start,
        end=end,
        work_orders=orders,
        completed=completed,
        sla_available=available,
        sla=sla,
        median_response_minutes=response,
        median_resolution_minutes=resolution,
        first_time_fix_rate=_rate(completed - reopened, completed),
        reopen_rate=_rate(reopened, completed),
        visits_due=due,
        visits_missed=missed,
        average_rating=round(rating_sum / rated, 2) if rated else None,
        work_order_cost=cost,
        contract_cost=contract_cost,
        total_cost=cost + contract_cost,
    )


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
    return [await compute(r["id"], r["name"], first, last) for r in rows]
