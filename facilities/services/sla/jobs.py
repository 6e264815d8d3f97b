"""The escalation job (``sla.escalate``, every minute; idempotent, safe in several processes).

**Levels**, per target of an open order, one level per run and each exactly once
(unique ``(work_order, target, level)`` + ``ON CONFLICT DO NOTHING``):

1. *at risk* (≥ ``FACILITIES_SLA_AT_RISK_PERCENT``, 80 % of the target used) → the assignee,
   or every active partner user of the assigned organisation when nobody is named;
2. *breached* (100 % used) → the site's community managers;
3. *breached for longer* (used ≥ 100 % + the policy's ``overrun_percent``, 50 % by default)
   → the ops managers of the site's region.

An order already breached when first seen still climbs one level per run (1, then 2, then 3),
so nobody above is told before those below. Each escalation writes an ``sla_escalation``
row, a ``work_order_event`` (action ``escalate``, for the order's history, through
``workorders.actions.record_events``) and its
notification (``sla_at_risk`` for level 1 while only at risk, else ``sla_breached``) in one
transaction: if queueing the notification fails, the escalation is not recorded and the
next run tries again. With nobody to notify the escalation is still recorded.

**Efficiency**: candidates are chosen in SQL (open orders whose wall-clock age has reached the
at-risk share of the smallest target of their priority — business time never runs faster
than the wall clock — and that still have a target not escalated to level 3), in batches
by id; the clock is computed only for those, with events and calendars loaded per batch.
A batch's escalations are written in bulk in one transaction: one multi-row INSERT for the
escalation rows, one batch of history lines, and the notifications through the outbox's bulk
path (``notifications.notify.notify_many``: users, preferences, sites and webhooks read once,
one INSERT per 500 outbox rows). If that transaction fails, the batch is retried one
escalation at a time so a single bad row cannot block the others.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock as wall
from facilities.kit.i18n import _, in_installation_language
from facilities.kit.jobs import Job
from facilities.kit.rows import aware
from facilities.maintenance.lifecycle import OPEN_STATES
from facilities.maintenance.workorders import actions as workorder_actions
from facilities.maintenance.workorders.schemas import Priority
from facilities.notifications.notify import Notification, Recipient, notify_many
from facilities.services.sla import queries
from facilities.services.sla.clock import BusinessCalendar, TargetClock, due_level
from facilities.services.sla.enums import (
    LEVEL_LABELS,
    LEVELS,
    STATE_LABELS,
    TARGET_LABELS,
    ClockState,
    Level,
    Target,
)
from facilities.services.sla.settings import get_sla_settings

log = logging.getLogger(__name__)

_OPEN = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATES))
# Level-3 rows of targets that may still be pending for an order in its current status,
# compared with how many targets may still be pending (over-estimates, never under): a
# target counts if some policy of the order's priority sets it.
_DONE = (
    "(SELECT COUNT(*) FROM sla_escalation e WHERE e.work_order = wo.id AND e.level = 3"
    " AND (e.target = 'resolution'"
    " OR (e.target = 'attendance' AND wo.status IN ('open', 'assigned', 'accepted'))"
    " OR (e.target = 'response' AND wo.status IN ('open', 'assigned'))))"
)
_STILL_OPEN = {
    Target.resolution: "",
    Target.attendance: " AND wo.status IN ('open', 'assigned', 'accepted')",
    Target.response: " AND wo.status IN ('open', 'assigned')",
}


def _pending(policies: queries.Policies) -> str:
    """SQL: how many targets an order may still have to meet (see ``_DONE``)."""
    terms = []
    for target, still_open in _STILL_OPEN.items():
        priorities = sorted(
            {
                Priority(p.priority).value
                for p in policies.by_scope.values()
                if getattr(p, f"{target.value}_minutes")
            }
        )
        if priorities:
            listed = ", ".join(f"'{p}'" for p in priorities)
            terms.append(f"CASE WHEN wo.priority IN ({listed}){still_open} THEN 1 ELSE 0 END")
    return "(" + " + ".join(terms or ["0"]) + ")"


@dataclass(slots=True)
class EscalationRun:
    candidates: int = 0
    with_policy: int = 0
    escalated: int = 0
    notifications: int = 0
    failed: int = 0
    levels: dict[int, int] = field(default_factory=lambda: defaultdict(int))


@dataclass(frozen=True, slots=True)
class _Step:
    order: dict[str, Any]
    clock: TargetClock
    level: int
    policy_id: int


def _cutoffs(policies: queries.Policies, now: datetime, ratio: float) -> dict[str, datetime]:
    """Per priority: orders created before this may be at risk for some target."""
    smallest: dict[str, int] = {}
    for policy in policies.by_scope.values():
        minutes = [
            m
            for m in (
                policy.response_minutes,
                policy.attendance_minutes,
                policy.resolution_minutes,
            )
            if m
        ]
        if minutes:
            key = policy.priority.value
            smallest[key] = min(smallest.get(key, minutes[0]), *minutes)
    return {p: now - timedelta(minutes=m * ratio) for p, m in smallest.items()}


async def _candidates(
    cutoffs: dict[str, datetime], pending: str, after_id: int, limit: int
) -> list[dict[str, Any]]:
    clauses = " OR ".join("(wo.priority = {} AND wo.created_at <= {})" for _ in cutoffs)
    args: list[Any] = [value for item in sorted(cutoffs.items()) for value in item]
    return await db.raw(
        "SELECT wo.id, wo.site, wo.priority, wo.trade, wo.status, wo.partner_organisation,"  # noqa: S608 - fixed SQL
        " wo.assignee, wo.created_at, wo.hold_reason, wo.title FROM work_order wo"
        f" WHERE wo.status IN ({_OPEN}) AND wo.id > {{}} AND ({clauses})"
        f" AND {_DONE} < {pending} ORDER BY wo.id LIMIT {int(limit)}",
        after_id,
        *args,
    )


async def _escalated(order_ids: list[int]) -> dict[tuple[int, str], int]:
    marks = ", ".join("{}" for _ in order_ids)
    rows = await db.raw(
        "SELECT work_order, target, MAX(level) AS level FROM sla_escalation"  # noqa: S608 - placeholders
        f" WHERE work_order IN ({marks}) GROUP BY work_order, target",
        *order_ids,
    )
    return {(r["work_order"], r["target"]): int(r["level"]) for r in rows}


async def _ids(sql: str, values: list[int]) -> list[dict[str, Any]]:
    if not values:
        return []
    marks = ", ".join("{}" for _ in values)
    return await db.raw(sql.replace("{ids}", marks), *values)


async def _recipients(steps: list[_Step]) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """Site facts and the people of each level, loaded once per batch."""
    site_ids = sorted({s.order["site"] for s in steps})
    sites = {
        r["id"]: r
        for r in await _ids("SELECT id, name, region FROM site WHERE id IN ({ids})", site_ids)
    }
    orgs = sorted(
        {s.order["partner_organisation"] for s in steps if s.order["partner_organisation"]}
    )
    partner_users: dict[int, list[int]] = defaultdict(list)
    if orgs:
        marks = ", ".join("{}" for _ in orgs)
        for row in await db.raw(
            "SELECT id, partner_organisation FROM app_user"  # noqa: S608 - placeholders
            f" WHERE active = {{}} AND role = {{}} AND partner_organisation IN ({marks})"
            " ORDER BY id",
            True,
            Role.partner.value,
            *orgs,
        ):
            partner_users[row["partner_organisation"]].append(row["id"])
    managers: dict[int, list[int]] = defaultdict(list)
    if site_ids:
        marks = ", ".join("{}" for _ in site_ids)
        for row in await db.raw(
            'SELECT a.site, u.id FROM site_assignment a JOIN app_user u ON u.id = a."user"'  # noqa: S608
            f" WHERE u.active = {{}} AND u.role = {{}} AND a.site IN ({marks}) ORDER BY u.id",
            True,
            Role.community_manager.value,
            *site_ids,
        ):
            managers[row["site"]].append(row["id"])
    region_ids = sorted({s["region"] for s in sites.values()})
    ops: dict[int, list[int]] = defaultdict(list)
    if region_ids:
        marks = ", ".join("{}" for _ in region_ids)
        for row in await db.raw(
            'SELECT a.region, u.id FROM region_assignment a JOIN app_user u ON u.id = a."user"'  # noqa: S608
            f" WHERE u.active = {{}} AND u.role = {{}} AND a.region IN ({marks}) ORDER BY u.id",
            True,
            Role.ops_manager.value,
            *region_ids,
        ):
            ops[row["region"]].append(row["id"])
    return sites, {"partners": partner_users, "managers": managers, "ops": ops}


def _people(step: _Step, sites: dict[int, dict[str, Any]], people: dict[str, Any]) -> list[int]:
    order = step.order
    if step.level == 1:
        if order["assignee"]:
            return [order["assignee"]]
        return list(people["partners"].get(order["partner_organisation"], []))
    if step.level == 2:
        return list(people["managers"].get(order["site"], []))
    site = sites.get(order["site"])
    return list(people["ops"].get(site["region"], [])) if site else []


def _plan(
    step: _Step, sites: dict[int, dict[str, Any]], people: dict[str, Any], now: datetime
) -> tuple[list[Any], Notification, workorder_actions.EventRow]:
    """One escalation's row values, its notification and its history line."""
    order, clock = step.order, step.clock
    level = LEVELS[step.level - 1]
    state = ClockState.at_risk if clock.state is ClockState.at_risk else ClockState.breached
    user_ids = _people(step, sites, people)
    values = [
        order["id"],
        clock.target.value,
        step.level,
        state.value,
        step.policy_id,
        clock.due_at,
        order["site"],
        len(user_ids),
        now,
    ]
    site = sites.get(order["site"])
    message = Notification(
        "sla_at_risk" if state is ClockState.at_risk and step.level == 1 else "sla_breached",
        recipients=[Recipient(user_id=u) for u in user_ids],
        context={
            "work_order_id": order["id"],
            "site_id": order["site"],
            "title": order["title"],
            "site_name": site["name"] if site else "",
            "target": clock.target.value,
            "due_at": clock.due_at or now,
            "level": level.value,
        },
        dedupe_key=f"sla:{order['id']}:{clock.target.value}:{step.level}",
    )
    event = workorder_actions.EventRow(
        order["id"],
        "escalate",
        note=_("SLA %(target)s: %(state)s, %(level)s")
        % {
            "target": _(TARGET_LABELS[clock.target]),
            "state": _(STATE_LABELS[state]),
            "level": _(LEVEL_LABELS[level]),
        },
        at=now,
    )
    return values, message, event


_INSERT_ESCALATION = (
    "INSERT INTO sla_escalation (work_order, target, level, state, policy, due_at, site,"
    " recipients, created_at) VALUES "
)
_ROW = "({}, {}, {}, {}, {}, {}, {}, {}, {})"
_ROWS = 500  # 9 parameters a row: well under both engines' limits


async def _write(
    steps: list[_Step], sites: dict[int, dict[str, Any]], people: dict[str, Any], now: datetime
) -> tuple[list[bool], int]:
    """Escalations in bulk (inside the caller's transaction): the escalation rows by a
    multi-row ``INSERT … ON CONFLICT DO NOTHING`` (one statement per 500), the history lines
    by one batch, the notifications through the outbox's bulk path (``notify_many``).
    Returns which steps were written (another process may have been first) and how many
    notifications were queued."""
    with in_installation_language():  # the history line is stored (kit.i18n)
        plans = [_plan(step, sites, people, now) for step in steps]
    written: set[tuple[int, str, int]] = set()
    for first in range(0, len(plans), _ROWS):
        chunk = plans[first : first + _ROWS]
        args = [value for values, _, _ in chunk for value in values]
        rows = await db.fetch(  # 4,500 parameters: through the driver
            _INSERT_ESCALATION
            + ", ".join([_ROW] * len(chunk))
            + " ON CONFLICT (work_order, target, level) DO NOTHING"
            " RETURNING work_order, target, level",
            *args,
        )
        written |= {(int(r["work_order"]), r["target"], int(r["level"])) for r in rows}
    done = [(int(v[0]), v[1], int(v[2])) in written for v, _, _ in plans]
    chosen = [plan for plan, ok in zip(plans, done, strict=True) if ok]
    await workorder_actions.record_events([event for _, _, event in chosen])
    queued = await notify_many([message for _, message, _ in chosen])
    return done, queued


async def _run_steps(steps: list[_Step], run: EscalationRun, now: datetime) -> None:
    if not steps:
        return
    sites, people = await _recipients(steps)
    try:
        async with db.transaction():
            done, queued = await _write(steps, sites, people, now)
    except Exception:  # one bad notification must not block the batch: retry one by one
        log.exception("sla escalation batch failed; retrying its %d steps one by one", len(steps))
        done, queued = [], 0
        for step in steps:
            try:
                async with db.transaction():
                    one, count = await _write([step], sites, people, now)
            except Exception:
                log.exception("sla escalation of work order %s failed", step.order["id"])
                run.failed += 1
                one, count = [False], 0
            done += one
            queued += count
    for step, written in zip(steps, done, strict=False):
        if written:
            run.escalated += 1
            run.levels[step.level] += 1
    run.notifications += queued


async def escalate(now: datetime | None = None) -> EscalationRun:
    """One pass over every open order that may be at risk; returns what it did."""
    now = now or wall.now()
    settings = get_sla_settings()
    run = EscalationRun()
    policies = await queries.load_policies(now.date())
    cutoffs = _cutoffs(policies, now, queries.at_risk_ratio())
    if not cutoffs:
        return run
    pending = _pending(policies)
    calendars: dict[int, BusinessCalendar] = {}
    after_id = 0
    while True:
        batch = await _candidates(cutoffs, pending, after_id, settings.sla_batch)
        if not batch:
            break
        after_id = batch[-1]["id"]
        run.candidates += len(batch)
        by_id = {row["id"]: row for row in batch}
        facts = [
            queries.OrderFacts(
                id=row["id"],
                site_id=row["site"],
                priority=row["priority"],
                trade=row["trade"],
                status=row["status"],
                partner_organisation_id=row["partner_organisation"],
                created_at=aware(row["created_at"]),
                hold_reason=row["hold_reason"] or "",
            )
            for row in batch
        ]
        evaluated = await queries.evaluate(
            facts, now=now, policies=policies, calendar_cache=calendars
        )
        run.with_policy += len(evaluated)
        done = await _escalated(list(evaluated)) if evaluated else {}
        steps: list[_Step] = []
        for order_id, result in evaluated.items():
            for target_clock in result.clocks:
                wanted = due_level(target_clock, result.policy.overrun_percent)
                have = done.get((order_id, target_clock.target.value), 0)
                if wanted > have:
                    steps.append(_Step(by_id[order_id], target_clock, have + 1, result.policy.id))
        await _run_steps(steps, run, now)
        if len(batch) < settings.sla_batch:
            break
    return run


async def run_job() -> None:
    result = await escalate()
    if result.escalated or result.failed:
        log.info(
            "sla escalation: %d candidates, %d escalated, %d failed",
            result.candidates,
            result.escalated,
            result.failed,
        )


JOBS = [
    Job(
        id="sla.escalate",
        func=run_job,
        trigger="interval",
        trigger_args={"seconds": get_sla_settings().sla_interval_seconds},
    )
]

__all__ = ["JOBS", "EscalationRun", "Level", "escalate"]
