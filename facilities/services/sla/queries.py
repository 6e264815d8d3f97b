"""Reads of SLA policies, clocks and escalations; the batch loaders the job and the work-order
panel share (policies, contract coverage, site calendars, events: one query each, no N+1).

**Which policy applies to an order** (most specific wins): the order's contract is an active
or expiring service contract of the order's partner organisation covering the order's site
(lowest id if several); then contract + priority + trade › contract + priority › default +
priority + trade › default + priority. No match: the order has no SLA.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import msgspec

from facilities.accounts.enums import Role, Trade
from facilities.accounts.principal import Principal
from facilities.kit import clock as wall
from facilities.kit.errors import NotFound
from facilities.kit.rows import aware, aware_or_none, json_list, rows_for_ids, to_struct
from facilities.kit.schema import Page
from facilities.maintenance.workorders import queries as work_order_queries
from facilities.services.sla.clock import BusinessCalendar, OrderEvent, TargetClock, Terms, compute
from facilities.services.sla.enums import LEVELS, SlaCalendar, Target
from facilities.services.sla.schemas import (
    EscalationRead,
    OutcomeRead,
    PolicyRead,
    TargetRead,
    WorkOrderSla,
)
from facilities.services.sla.settings import get_sla_settings
from facilities.services.sla.tables import SlaEscalation, SlaOutcome, SlaPolicy
from facilities.services.tables import ServiceContract, ServiceContractSite
from facilities.sites import scope
from facilities.sites.calendar import public_holidays
from facilities.sites.tables import ClosureDay, Site

# Business time of a site that has no opening hours at all (e.g. an unstaffed field site):
# the contractors' working week, Monday to Friday 08:00–18:00 site-local, minus holidays.
DEFAULT_BUSINESS_HOURS = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
CLOCK_ACTIONS = ("accept", "start", "hold", "resume", "complete", "reopen", "cancel")
COVERING_STATUSES = ("active", "expiring")


# ---- policies ---------------------------------------------------------------------------


_POLICY_COLUMNS = (
    SlaPolicy.id,
    SlaPolicy.contract,
    SlaPolicy.contract.name.as_alias("contract_name"),
    SlaPolicy.priority,
    SlaPolicy.trade,
    SlaPolicy.response_minutes,
    SlaPolicy.attendance_minutes,
    SlaPolicy.resolution_minutes,
    SlaPolicy.calendar,
    SlaPolicy.pause_reasons,
    SlaPolicy.overrun_percent,
    SlaPolicy.version,
    SlaPolicy.updated_at,
)


def _trade(value: str | None) -> Trade | None:
    try:
        return Trade(value) if value else None
    except ValueError:
        return None


def _policy(row: dict[str, Any]) -> PolicyRead:
    return to_struct(
        PolicyRead,
        row,
        {"contract_id": "contract"},
        trade=_trade(row["trade"]),
        pause_reasons=json_list(row["pause_reasons"]),
        updated_at=aware(row["updated_at"]),
    )


async def list_policies(
    contract_id: int | None = None, *, defaults: bool = False
) -> list[PolicyRead]:
    """All policies (or a contract's, or only the defaults), defaults first, by priority."""
    query = SlaPolicy.select(*_POLICY_COLUMNS)
    if contract_id is not None:
        query = query.where(SlaPolicy.contract == contract_id)
    elif defaults:
        query = query.where(SlaPolicy.contract.is_null())
    rows = (
        await query.order_by(SlaPolicy.contract)
        .order_by(SlaPolicy.priority)
        .order_by(SlaPolicy.trade)
    )
    policies = [_policy(r) for r in rows]
    return sorted(
        policies,
        key=lambda p: (p.contract_id or 0, p.priority.value, p.trade.value if p.trade else ""),
    )


async def get_policy(policy_id: int) -> PolicyRead:
    row = await SlaPolicy.select(*_POLICY_COLUMNS).where(SlaPolicy.id == policy_id).first()
    if row is None:
        raise NotFound()
    return _policy(row)


async def contract_choices() -> list[dict[str, Any]]:
    """Contracts a policy may belong to (id, name, provider name), for the policy form."""
    rows = await ServiceContract.select(
        ServiceContract.id,
        ServiceContract.name,
        ServiceContract.provider.name.as_alias("provider_name"),
    ).order_by(ServiceContract.name)
    return list(rows)


def terms_of(policy: PolicyRead) -> Terms:
    return Terms(
        targets={
            Target.response: policy.response_minutes,
            Target.attendance: policy.attendance_minutes,
            Target.resolution: policy.resolution_minutes,
        },
        business_hours=policy.calendar is SlaCalendar.business_hours,
        pause_reasons=frozenset(r.value for r in policy.pause_reasons),
        overrun_percent=policy.overrun_percent,
        policy_id=policy.id,
    )


@dataclass(frozen=True, slots=True)
class Policies:
    """Every policy by scope, and which contract covers (partner organisation, site)."""

    by_scope: dict[tuple[int | None, str, str | None], PolicyRead]
    contracts: dict[tuple[int, int], list[int]]

    def resolve(
        self, partner_id: int | None, site_id: int, priority: str, trade: str | None
    ) -> PolicyRead | None:
        contracts = self.contracts.get((partner_id, site_id), []) if partner_id else []
        keys: list[tuple[int | None, str, str | None]] = []
        for contract in contracts:
            if trade:
                keys.append((contract, priority, trade))
            keys.append((contract, priority, None))
        if trade:
            keys.append((None, priority, trade))
        keys.append((None, priority, None))
        for key in keys:
            found = self.by_scope.get(key)
            if found is not None:
                return found
        return None


async def load_policies(today: date | None = None) -> Policies:
    today = today or wall.now().date()
    policies = await list_policies()
    by_scope = {
        (p.contract_id, p.priority.value, p.trade.value if p.trade else None): p for p in policies
    }
    contracts: dict[tuple[int, int], list[int]] = defaultdict(list)
    if any(p.contract_id is not None for p in policies):
        rows = await ServiceContractSite.select(
            ServiceContractSite.contract,
            ServiceContractSite.site,
            ServiceContractSite.contract.provider.as_alias("provider"),
        ).where(
            ServiceContractSite.contract.status.is_in(list(COVERING_STATUSES))
            & (ServiceContractSite.contract.start_date <= today)
            & (ServiceContractSite.contract.end_date >= today)
        )
        for row in sorted(rows, key=lambda r: r["contract"]):
            contracts[(row["provider"], row["site"])].append(row["contract"])
    return Policies(by_scope=by_scope, contracts=dict(contracts))


# ---- calendars and events ----------------------------------------------------------------


@lru_cache(maxsize=256)
def _holidays(country: str, subdivision: str, years: tuple[int, ...]) -> frozenset[date]:
    return frozenset(public_holidays(country, subdivision, years))


async def calendars(site_ids: Iterable[int], years: Sequence[int]) -> dict[int, BusinessCalendar]:
    """Each site's business calendar: opening hours, public holidays and closure days."""
    ids = sorted(set(site_ids))
    if not ids:
        return {}
    sites = (
        await Site.select(
            Site.id,
            Site.time_zone,
            Site.opening_hours,
            Site.holiday_country,
            Site.holiday_subdivision,
        )
        .where(Site.id.is_in(ids))
        .output(load_json=True)
    )
    closures: dict[int, set[date]] = defaultdict(set)
    for row in await ClosureDay.select(ClosureDay.site, ClosureDay.day).where(
        ClosureDay.site.is_in(ids)
    ):
        day = row["day"]
        closures[row["site"]].add(date.fromisoformat(day) if isinstance(day, str) else day)
    span = tuple(sorted(set(years)))
    result: dict[int, BusinessCalendar] = {}
    for row in sites:
        hours = row["opening_hours"]
        if isinstance(hours, str):
            hours = msgspec.json.decode(hours or "{}")
        if not any((hours or {}).values()):
            hours = DEFAULT_BUSINESS_HOURS
        holidays = _holidays(row["holiday_country"] or "", row["holiday_subdivision"] or "", span)
        result[row["id"]] = BusinessCalendar(
            time_zone=row["time_zone"],
            opening_hours=hours or {},
            closed_days=frozenset(holidays | closures.get(row["id"], set())),
        )
    return result


async def events_of(order_ids: Sequence[int]) -> dict[int, list[OrderEvent]]:
    """The clock-relevant events of many orders, in one query per 500 ids."""
    result: dict[int, list[OrderEvent]] = defaultdict(list)
    actions = ", ".join(f"'{a}'" for a in CLOCK_ACTIONS)
    rows = await rows_for_ids(
        "SELECT work_order, action, note, created_at FROM work_order_event"  # noqa: S608 - fixed action names
        f" WHERE work_order IN ({{ids}}) AND action IN ({actions}) ORDER BY id",
        [int(i) for i in order_ids],
    )
    for row in rows:
        result[row["work_order"]].append(
            OrderEvent(action=row["action"], at=aware(row["created_at"]), note=row["note"] or "")
        )
    return result


# ---- clocks -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrderFacts:
    id: int
    site_id: int
    priority: str
    trade: str | None
    status: str
    partner_organisation_id: int | None
    created_at: datetime
    hold_reason: str = ""


@dataclass(frozen=True, slots=True)
class Evaluated:
    policy: PolicyRead
    clocks: list[TargetClock]
    time_zone: str


def at_risk_ratio() -> float:
    return get_sla_settings().sla_at_risk_percent / 100


async def evaluate(
    orders: Sequence[OrderFacts],
    *,
    now: datetime | None = None,
    policies: Policies | None = None,
    calendar_cache: dict[int, BusinessCalendar] | None = None,
) -> dict[int, Evaluated]:
    """The clocks of many orders at once (orders without a policy are left out)."""
    now = now or wall.now()
    policies = policies or await load_policies(now.date())
    chosen = {
        o.id: p
        for o in orders
        if (p := policies.resolve(o.partner_organisation_id, o.site_id, o.priority, o.trade))
        is not None
    }
    if not chosen:
        return {}
    relevant = [o for o in orders if o.id in chosen]
    cache = calendar_cache if calendar_cache is not None else {}
    missing = {o.site_id for o in relevant} - cache.keys()
    if missing:
        first_year = min(o.created_at.year for o in relevant) - 1
        years = range(first_year, now.year + 3)
        cache.update(await calendars(missing, list(years)))
    earliest: dict[int, datetime] = {}
    for order in relevant:
        if order.site_id not in earliest or order.created_at < earliest[order.site_id]:
            earliest[order.site_id] = order.created_at
    for site_id, first in earliest.items():
        if site_id in cache:
            cache[site_id].prepare(first, now)  # one build per site, not per order
    events = await events_of([o.id for o in relevant])
    ratio = at_risk_ratio()
    result: dict[int, Evaluated] = {}
    for order in relevant:
        calendar = cache.get(order.site_id)
        policy = chosen[order.id]
        result[order.id] = Evaluated(
            policy=policy,
            clocks=compute(
                created_at=order.created_at,
                events=events.get(order.id, []),
                terms=terms_of(policy),
                calendar=calendar,
                now=now,
                hold_reason=order.hold_reason,
                at_risk_ratio=ratio,
            ),
            time_zone=calendar.time_zone if calendar else "UTC",
        )
    return result


def target_read(clock: TargetClock) -> TargetRead:
    paused = sum((b - a).total_seconds() for a, b in clock.paused)
    return TargetRead(
        target=clock.target,
        minutes=clock.minutes,
        due_at=clock.due_at,
        achieved_at=clock.achieved_at,
        elapsed_minutes=clock.elapsed_minutes,
        remaining_minutes=clock.remaining_minutes,
        used_percent=int(clock.used * 100),
        state=clock.state,
        paused_minutes=int(paused // 60),
    )


# ---- one work order ----------------------------------------------------------------------


def _escalation(row: dict[str, Any]) -> EscalationRead:
    return to_struct(
        EscalationRead,
        row,
        {"work_order_id": "work_order", "work_order_title": "title", "site_id": "site"},
        level_name=LEVELS[row["level"] - 1],
        due_at=aware_or_none(row["due_at"]),
        created_at=aware(row["created_at"]),
    )


_ESCALATION_COLUMNS = (
    SlaEscalation.id,
    SlaEscalation.work_order,
    SlaEscalation.work_order.title.as_alias("title"),
    SlaEscalation.site,
    SlaEscalation.work_order.site.name.as_alias("site_name"),  # type: ignore[union-attr]
    SlaEscalation.target,
    SlaEscalation.level,
    SlaEscalation.state,
    SlaEscalation.due_at,
    SlaEscalation.recipients,
    SlaEscalation.created_at,
)


async def work_order_sla(principal: Principal, work_order_id: int) -> WorkOrderSla:
    """The SLA panel of a work order in the caller's scope (else 404)."""
    order = await work_order_queries.get_work_order(principal, work_order_id)
    facts = OrderFacts(
        id=order.id,
        site_id=order.site_id,
        priority=order.priority.value,
        trade=order.trade.value if order.trade else None,
        status=order.status.value,
        partner_organisation_id=order.partner_organisation_id,
        created_at=order.created_at,
        hold_reason=order.hold_reason,
    )
    evaluated = (await evaluate([facts])).get(order.id)
    outcomes = await SlaOutcome.select().where(SlaOutcome.work_order == order.id)
    escalations = (
        await SlaEscalation.select(*_ESCALATION_COLUMNS)
        .where(SlaEscalation.work_order == order.id)
        .order_by(SlaEscalation.created_at)
        .order_by(SlaEscalation.id)
    )
    site = await Site.select(Site.time_zone).where(Site.id == order.site_id).first()
    order_index = list(Target)
    return WorkOrderSla(
        work_order_id=order.id,
        policy=evaluated.policy if evaluated else None,
        calendar=evaluated.policy.calendar if evaluated else None,
        time_zone=site["time_zone"] if site else "UTC",
        targets=[target_read(c) for c in evaluated.clocks] if evaluated else [],
        outcomes=sorted(
            (
                to_struct(
                    OutcomeRead,
                    r,
                    {"policy_id": "policy"},
                    due_at=aware_or_none(r["due_at"]),
                    achieved_at=aware(r["achieved_at"]),
                )
                for r in outcomes
            ),
            key=lambda o: order_index.index(o.target),
        ),
        escalations=[_escalation(r) for r in escalations],
    )


# ---- escalations ---------------------------------------------------------------------------


async def list_escalations(
    principal: Principal,
    *,
    site_id: int | None = None,
    level: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[EscalationRead]:
    """Recent escalations of work the caller sees, newest first."""
    conditions: list[Any] = []
    if principal.role is Role.partner:
        conditions.append(
            SlaEscalation.work_order.partner_organisation
            == (principal.partner_organisation_id or -1)
        )
    else:
        visible = await scope.visible_site_ids(principal)
        if visible is not None:
            conditions.append(SlaEscalation.site.is_in(list(visible) or [-1]))
    if site_id is not None:
        conditions.append(SlaEscalation.site == site_id)
    if level is not None:
        conditions.append(SlaEscalation.level == level)
    query = SlaEscalation.select(*_ESCALATION_COLUMNS)
    count = SlaEscalation.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = (
        await query.order_by(SlaEscalation.created_at, ascending=False)
        .order_by(SlaEscalation.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return Page(items=[_escalation(r) for r in rows], total=await count, limit=limit, offset=offset)
