# ruff: noqa: S608 - SQL from fixed fragments; site ids are integers we format
"""Capacity: the work planned per partner and per person for each of the next eight weeks
(Monday to Sunday, UTC, starting with the current week), against their stated weekly
capacity (``weekly_capacity_minutes`` of the partner organisation or the user, set through
the accounts actions); a week whose planned minutes exceed the capacity is an overload.

Planned work, at the sites of the scope (reads only; definitions in ``docs/kpis.md``):

* open work orders (not completed, verified or cancelled) in the week of their scheduled time,
  else their due time: their estimate (``estimated_minutes``), else 60 minutes (the
  calendar's default); they count for their partner and for their assignee; open orders
  with neither time are counted apart as "undated";
* preventive occurrences that schedules will create (maintenance's agenda, not yet work
  orders): the schedule's estimate, else 60 minutes, for the schedule's partner;
* inspections due or in progress (safety's read): 30 minutes each (the calendar's figure;
  templates carry no estimate), for the assigned partner and person;
* service visits scheduled (facility services, generated within their plan's lead time): the
  visit's window (``window_end − scheduled_for``), for the contract's provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.rows import aware, dict_rows
from facilities.maintenance.pm import agenda
from facilities.maintenance.pm.agenda_scope import AgendaScope
from facilities.reporting import queries
from facilities.safety.kpi_queries import INSPECTION_MINUTES, planned_inspections

WEEKS = 8
DEFAULT_MINUTES = agenda.DEFAULT_MINUTES
CLOSED = "('completed', 'verified', 'cancelled')"


@dataclass
class _Load:
    kind: str  # partner | person
    id: int
    minutes: list[int] = field(default_factory=lambda: [0] * WEEKS)
    items: list[int] = field(default_factory=lambda: [0] * WEEKS)
    undated: int = 0


def first_monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


def _week(start: date, at: datetime | None) -> int | None:
    if at is None:
        return None
    days = (aware(at).astimezone(UTC).date() - start).days
    return days // 7 if 0 <= days < WEEKS * 7 else -1


async def _work_orders(sites: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    at = "COALESCE(w.scheduled_for, w.due_at)"
    return await dict_rows(
        f"SELECT w.partner_organisation AS partner, w.assignee AS person, {at} AS at,"
        f" w.estimated_minutes AS minutes FROM work_order w WHERE w.status NOT IN {CLOSED}"
        " AND (w.partner_organisation IS NOT NULL OR w.assignee IS NOT NULL)"
        f" AND ({at} IS NULL OR ({at} >= {{}} AND {at} < {{}}))" + sites.replace("{col}", "w.site"),
        start,
        end,
    )


async def _visits(sites: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return await dict_rows(
        "SELECT c.provider AS partner, v.scheduled_for AS at, v.window_end AS until"
        " FROM service_visit v JOIN service_contract c ON c.id = v.contract"
        " WHERE v.status = 'scheduled' AND v.scheduled_for >= {} AND v.scheduled_for < {}"
        + sites.replace("{col}", "v.site"),
        start,
        end,
    )


async def capacity(principal: Principal, *, region_id: int | None = None) -> dict[str, Any]:
    label, site_rows = await queries.scope_sites(principal, region_id=region_id)
    site_ids = {int(str(r["id"])) for r in site_rows}
    today = clock.now().astimezone(UTC).date()
    monday = first_monday(today)
    start = datetime.combine(monday, time(), UTC)
    end = start + timedelta(days=7 * WEEKS)
    loads: dict[tuple[str, int], _Load] = {}

    def add(kind: str, ident: Any, at: datetime | None, minutes: int) -> None:
        if ident is None:
            return
        key = (kind, int(ident))
        load = loads.setdefault(key, _Load(kind, int(ident)))
        week = _week(monday, at)
        if week is None:
            load.undated += minutes
        elif week >= 0:
            load.minutes[week] += minutes
            load.items[week] += 1

    if site_ids:
        sites = " AND {col} IN (" + ",".join(str(s) for s in sorted(site_ids)) + ")"
        for r in await _work_orders(sites, start, end):
            minutes = int(r["minutes"] or DEFAULT_MINUTES)
            at = None if r["at"] is None else aware(r["at"])
            add("partner", r["partner"], at, minutes)
            add("person", r["person"], at, minutes)
        for r in await planned_inspections(start, end, sites):
            at = aware(r["due_at"])
            add("partner", r["partner"], at, INSPECTION_MINUTES)
            add("person", r["person"], at, INSPECTION_MINUTES)
        for r in await _visits(sites, start, end):
            at, until = aware(r["at"]), aware(r["until"])
            add("partner", r["partner"], at, max(0, round((until - at).total_seconds() / 60)))
        scope = AgendaScope(frozenset(site_ids))
        planned = [
            item
            for item in await agenda.items(start=start, end=end, scope=scope)
            if item.work_order_id is None and not item.kind  # an occurrence still to come
        ]
        partner_of = await _schedule_partners({int(i.uid.split("-")[1]) for i in planned})
        for item in planned:
            add("partner", partner_of.get(int(item.uid.split("-")[1])), item.start, item.minutes)
    people = await _names("app_user", [k[1] for k in loads if k[0] == "person"])
    partners = await _names("partner_organisation", [k[1] for k in loads if k[0] == "partner"])
    rows = []
    for (kind, ident), load in loads.items():
        facts = (partners if kind == "partner" else people).get(ident)
        if facts is None:
            continue
        cap = facts["capacity"]
        rows.append(
            {
                "kind": kind,
                "id": ident,
                "name": facts["name"],
                "capacity_minutes": cap,
                "undated_minutes": load.undated,
                "weeks": [
                    {
                        "start": monday + timedelta(days=7 * i),
                        "minutes": load.minutes[i],
                        "items": load.items[i],
                        "load": round(100 * load.minutes[i] / cap, 1) if cap else None,
                        "overload": cap is not None and load.minutes[i] > cap,
                    }
                    for i in range(WEEKS)
                ],
            }
        )
    rows.sort(key=lambda r: (r["kind"] != "partner", str(r["name"]).lower(), r["id"]))
    return {
        "scope": label,
        "region_id": region_id,
        "weeks": [monday + timedelta(days=7 * i) for i in range(WEEKS)],
        "rows": rows,
    }


async def _schedule_partners(ids: set[int]) -> dict[int, int | None]:
    """The partner of each PM schedule (the agenda's computed items carry the schedule id in
    their uid, ``pm-<schedule>-<asset>-<occurrence>``, as the calendar reads them)."""
    if not ids:
        return {}
    listed = ",".join(str(int(i)) for i in sorted(ids))
    rows = await dict_rows(
        f"SELECT id, partner_organisation FROM pm_schedule WHERE id IN ({listed})"
    )
    return {int(r["id"]): r["partner_organisation"] for r in rows}


async def _names(table: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    listed = ",".join(str(int(i)) for i in sorted(set(ids)))
    found = await dict_rows(
        f"SELECT id, name, weekly_capacity_minutes FROM {table} WHERE id IN ({listed})"
    )
    return {
        int(r["id"]): {"name": str(r["name"]), "capacity": r["weekly_capacity_minutes"]}
        for r in found
    }
