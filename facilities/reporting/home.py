"""Reads of the home page: "what needs me now", per role, always scoped and bounded.

Every list is the top ``n`` of its kind with the total, so the page stays small with 50 sites
or 5,000 open orders; "see all" links lead to the filtered lists. The work-order reads are
hand-written SQL over the same scope as ``maintenance.workorders.queries`` (partners: their
organisation's orders; staff: their visible sites from ``sites/scope.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.assets.monitoring import queries as monitoring_queries
from facilities.kit import clock
from facilities.kit.rows import aware, aware_or_none
from facilities.maintenance import lifecycle
from facilities.maintenance.device_work import device_key, uplink_key
from facilities.maintenance.enums import ReportStatus
from facilities.maintenance.reports import queries as report_queries
from facilities.maintenance.workorders.schemas import Origin
from facilities.services import queries as service_queries
from facilities.services.schemas import VisitRead
from facilities.services.sla import queries as sla_queries
from facilities.services.sla.clock import TargetClock
from facilities.services.sla.enums import ClockState
from facilities.sites import scope

TOP = 8  # rows per list on the home page
SLA_SCAN = 300  # open orders whose SLA clocks the ops home evaluates (oldest first)
_OPEN = tuple(sorted(s.value for s in lifecycle.OPEN_STATES))
_PENDING = (ClockState.running, ClockState.paused, ClockState.at_risk, ClockState.breached)


@dataclass(frozen=True, slots=True)
class Sla:
    """The most urgent pending SLA target of an order."""

    target: str
    state: str
    due_at: datetime | None
    remaining_minutes: int


@dataclass(frozen=True, slots=True)
class WorkLine:
    id: int
    title: str
    status: str
    priority: str
    due_at: datetime | None
    site_name: str
    time_zone: str
    partner_name: str | None
    overdue: bool
    sla: Sla | None = None


@dataclass(frozen=True, slots=True)
class DownLine:
    """A monitored device that is down, with its open monitoring work order (the device's
    own, else its site's uplink order), if any the viewer may open."""

    asset_id: int
    name: str
    site_name: str
    time_zone: str
    down_since: datetime | None
    down_minutes: int | None
    work_order_id: int | None


@dataclass(slots=True)
class Bucket:
    total: int = 0
    items: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class Home:
    kind: str  # which home: "partner", "site" (community managers), "operations", "overview"
    reports: Bucket | None = None  # new problem reports to triage
    due: Bucket | None = None  # open work due within the week (overdue first)
    visits: Bucket | None = None  # service visits today
    mine: Bucket | None = None  # a partner's open work by due date
    overdue: Bucket | None = None
    at_risk: Bucket | None = None
    unassigned: Bucket | None = None
    devices_down: Bucket | None = None  # monitored devices down, longest first
    open_total: int = 0
    site_count: int | None = None


async def _scope_sql(principal: Principal, args: list[Any]) -> str:
    """The WHERE fragment limiting work orders to what ``principal`` sees."""
    if principal.role is Role.partner:
        args.append(principal.partner_organisation_id or -1)
        return "w.partner_organisation = {}"
    visible = await scope.visible_site_ids(principal)
    if visible is None:
        return "1 = 1"
    ids = sorted(visible) or [-1]
    args.extend(ids)
    return "w.site IN (" + ", ".join("{}" for _ in ids) + ")"


async def work(
    principal: Principal,
    *,
    due_before: datetime | None = None,
    overdue: bool = False,
    unassigned: bool = False,
    oldest_first: bool = False,
    limit: int = TOP,
) -> tuple[int, list[dict[str, Any]]]:
    """Open work orders in scope (total, first ``limit`` rows), by due date (none last)."""
    now = clock.now()
    args: list[Any] = []
    where = [await _scope_sql(principal, args)]
    where.append("w.status IN (" + ", ".join("{}" for _ in _OPEN) + ")")
    args.extend(_OPEN)
    if due_before is not None:
        where.append("w.due_at < {}")
        args.append(due_before)
    if overdue:
        where.append("w.due_at < {}")
        args.append(now)
    if unassigned:
        where.append("w.partner_organisation IS NULL AND w.assignee IS NULL")
    order = "w.created_at, w.id" if oldest_first else "w.due_at IS NULL, w.due_at, w.priority, w.id"
    sql = (
        "SELECT w.id, w.title, w.status, w.priority, w.due_at, w.site, w.trade,"  # noqa: S608 - fixed fragments, values are parameters
        " w.partner_organisation, w.created_at, w.hold_reason, s.name AS site_name,"
        " s.time_zone, po.name AS partner_name, count(*) OVER () AS total"
        " FROM work_order w JOIN site s ON s.id = w.site"
        " LEFT JOIN partner_organisation po ON po.id = w.partner_organisation"
        f" WHERE {' AND '.join(where)} ORDER BY {order} LIMIT {{}}"
    )
    rows = [dict(r) for r in await db.raw(sql, *args, limit)]
    total = int(rows[0]["total"]) if rows else 0
    return total, rows


def _line(row: dict[str, Any], now: datetime, sla: Sla | None = None) -> WorkLine:
    due = aware_or_none(row["due_at"])
    return WorkLine(
        id=row["id"],
        title=row["title"],
        status=row["status"],
        priority=row["priority"],
        due_at=due,
        site_name=row["site_name"],
        time_zone=row["time_zone"] or "UTC",
        partner_name=row["partner_name"],
        overdue=due is not None and due < now,
        sla=sla,
    )


def _urgent(clocks: list[TargetClock]) -> Sla | None:
    pending = [c for c in clocks if c.state in _PENDING and c.due_at is not None]
    if not pending:
        return None
    first = min(pending, key=lambda c: c.remaining)
    return Sla(
        target=first.target.value,
        state=first.state.value,
        due_at=first.due_at,
        remaining_minutes=first.remaining_minutes,
    )


async def sla_marks(rows: list[dict[str, Any]]) -> dict[int, Sla]:
    """The most urgent pending SLA target of each order (orders without a policy left out)."""
    facts = [
        sla_queries.OrderFacts(
            id=r["id"],
            site_id=r["site"],
            priority=r["priority"],
            trade=r["trade"] or None,
            status=r["status"],
            partner_organisation_id=r["partner_organisation"],
            created_at=aware(r["created_at"]),
            hold_reason=r["hold_reason"] or "",
        )
        for r in rows
    ]
    evaluated = await sla_queries.evaluate(facts) if facts else {}
    result = {}
    for order_id, value in evaluated.items():
        mark = _urgent(value.clocks)
        if mark is not None:
            result[order_id] = mark
    return result


async def _reports(principal: Principal) -> Bucket:
    page = await report_queries.list_reports(principal, status=ReportStatus.new, limit=TOP)
    return Bucket(page.total or 0, list(page.items))


async def _visits(principal: Principal) -> Bucket:
    visits: list[VisitRead] = await service_queries.todays_visits(principal)
    return Bucket(len(visits), visits[:TOP])


async def _monitoring_orders(keys: list[str], partner_id: int | None = None) -> dict[str, int]:
    """occurrence_key → the open monitoring work order (a partner's own only)."""
    if not keys:
        return {}
    args: list[Any] = [Origin.monitoring.value, *keys, *_OPEN]
    sql = (
        "SELECT id, occurrence_key FROM work_order WHERE origin = {}"  # noqa: S608 - placeholders only
        " AND occurrence_key IN (" + ", ".join("{}" for _ in keys) + ")"
        " AND status IN (" + ", ".join("{}" for _ in _OPEN) + ")"
    )
    if partner_id is not None:
        sql += " AND partner_organisation = {}"
        args.append(partner_id)
    rows = await db.raw(sql + " ORDER BY id", *args)
    found: dict[str, int] = {}
    for r in rows:
        found.setdefault(str(r["occurrence_key"]), int(r["id"]))
    return found


async def _partner_monitoring_keys(partner_id: int) -> list[str]:
    marks = ", ".join("{}" for _ in _OPEN)
    rows = await db.raw(
        "SELECT DISTINCT occurrence_key FROM work_order WHERE origin = {}"  # noqa: S608 - placeholders only
        f" AND partner_organisation = {{}} AND status IN ({marks})",
        Origin.monitoring.value,
        partner_id,
        *_OPEN,
    )
    return [str(r["occurrence_key"]) for r in rows if r["occurrence_key"]]


async def _devices_down(principal: Principal) -> Bucket | None:
    """Monitored devices that are down in the caller's scope, longest down first (monitoring
    data through ``assets.monitoring.queries``). A partner sees the devices of its own open
    monitoring work only (the device's order, or its site's uplink order)."""
    partner_id = principal.partner_organisation_id if principal.role is Role.partner else None
    if principal.role is Role.partner:
        keys = await _partner_monitoring_keys(partner_id or -1)
        total, devices = await monitoring_queries.down_devices(
            principal,
            limit=TOP,
            asset_ids={int(k.split(":")[1]) for k in keys if k.startswith("device:")},
            site_ids={int(k.split(":")[1]) for k in keys if k.startswith("uplink:")},
        )
    elif principal.can("monitoring.view"):
        total, devices = await monitoring_queries.down_devices(principal, limit=TOP)
    else:
        return None
    orders = await _monitoring_orders(
        sorted(
            {device_key(d.asset_id) for d in devices} | {uplink_key(d.site_id) for d in devices}
        ),
        partner_id,
    )
    now = clock.now()
    return Bucket(
        total,
        [
            DownLine(
                asset_id=d.asset_id,
                name=d.asset_name,
                site_name=d.site_name,
                time_zone=d.time_zone,
                down_since=d.down_since,
                down_minutes=int((now - d.down_since).total_seconds() // 60)
                if d.down_since
                else None,
                work_order_id=orders.get(device_key(d.asset_id))
                or orders.get(uplink_key(d.site_id)),
            )
            for d in devices
        ],
    )


async def community_manager(principal: Principal) -> Home:
    now = clock.now()
    total, rows = await work(principal, due_before=now + timedelta(days=7))
    return Home(
        kind="site",
        reports=await _reports(principal) if principal.can("reports.triage") else None,
        due=Bucket(total, [_line(r, now) for r in rows]),
        visits=await _visits(principal) if principal.can("contracts.view") else None,
        devices_down=await _devices_down(principal),
    )


async def partner(principal: Principal) -> Home:
    now = clock.now()
    total, rows = await work(principal, limit=2 * TOP)
    marks = await sla_marks(rows) if principal.can("sla.view") else {}
    return Home(
        kind="partner",
        mine=Bucket(total, [_line(r, now, marks.get(r["id"])) for r in rows]),
        devices_down=await _devices_down(principal),
    )


async def operations(principal: Principal) -> Home:
    """Overdue, at-risk (SLA) and unassigned work across the caller's regions."""
    now = clock.now()
    overdue_total, overdue_rows = await work(principal, overdue=True)
    unassigned_total, unassigned_rows = await work(principal, unassigned=True)
    open_total, oldest = await work(principal, oldest_first=True, limit=SLA_SCAN)
    marks = await sla_marks(oldest)
    risky = [
        r
        for r in oldest
        if r["id"] in marks and marks[r["id"]].state in (ClockState.at_risk, ClockState.breached)
    ]
    risky.sort(key=lambda r: marks[r["id"]].remaining_minutes)
    return Home(
        kind="operations",
        overdue=Bucket(overdue_total, [_line(r, now) for r in overdue_rows]),
        at_risk=Bucket(len(risky), [_line(r, now, marks[r["id"]]) for r in risky[:TOP]]),
        unassigned=Bucket(unassigned_total, [_line(r, now) for r in unassigned_rows]),
        reports=await _reports(principal) if principal.can("reports.triage") else None,
        devices_down=await _devices_down(principal),
        open_total=open_total,
    )


async def viewer(principal: Principal) -> Home:
    now = clock.now()
    overdue_total, overdue_rows = await work(principal, overdue=True)
    open_total, _rows = await work(principal, limit=1)
    reports = await report_queries.list_reports(principal, status=ReportStatus.new, limit=1)
    visible = await scope.visible_site_ids(principal)
    return Home(
        kind="overview",
        overdue=Bucket(overdue_total, [_line(r, now) for r in overdue_rows]),
        reports=Bucket(reports.total or 0, []),
        open_total=open_total,
        site_count=None if visible is None else len(visible),
    )


async def home(principal: Principal) -> Home:
    """The home of ``principal``'s role (admins get the operations view)."""
    if principal.role is Role.partner:
        return await partner(principal)
    if principal.role is Role.community_manager:
        return await community_manager(principal)
    if principal.role is Role.viewer:
        return await viewer(principal)
    return await operations(principal)
