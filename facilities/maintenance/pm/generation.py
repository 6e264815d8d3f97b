"""Generation of preventive work orders: ``generate_due(now)``, idempotent and safe to run
in several processes at once.

For every active schedule × matching asset (retired assets excluded; assets of a category
programme added later included from their creation) it computes the occurrences whose
creation time (due - lead) has come and whose due time is at or after the schedule's
``effective_from``, from the last created occurrence on (catch-up after downtime). Each
becomes a ``pm_occurrence`` row keyed by (schedule, asset, occurrence_key) - the nominal
site-local occurrence time as ISO text, or ``meter:<n>`` - inserted with
``ON CONFLICT DO NOTHING``; work orders are created only for the rows this run inserted.

Modes: ``fixed`` - the RRULE on the site's wall clock, closed days moved to the next open
day, seasons and end date/count applied. ``floating`` - next due = the last order's
``completed_at`` + N days/months (same wall time; the first one at ``dtstart_local``); nothing
new while the last order is open; a cancelled or skipped one counts from its due time.
``meter`` - due (now + lead) when the asset's usage since the last occurrence reaches
``meter_every``; usage sums the increases between readings, and a replacement reading starts a
new meter without losing the usage so far; key ``meter:<n>``. ``time_or_meter`` - both: the
calendar occurrences, plus a meter one whenever the usage since the last occurrence of either
kind reaches the interval.

Write flow per batch, in one transaction: insert occurrences (status ``pending``, or
``skipped`` for the older missed ones of a ``latest_only`` schedule) with one
``executemany``, read back this transaction's pending rows, create their work orders through
the one work-order write path (``workorders.actions.create_work_orders``: trade, routing when
the schedule names no partner, "create" events, audit rows and the hooks — a partner's
"work assigned" e-mail and webhook — each written in bulk), then mark the occurrences
``created`` with their work order (one ``executemany``). A crash rolls the batch back; a
second process blocks on the unique index and then inserts nothing.
"""

from __future__ import annotations

import calendar as _calendar
import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.assets import meters
from facilities.kit import clock, recurrence
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _, in_installation_language
from facilities.kit.rows import aware_or_none, dict_rows, to_date_or_none
from facilities.maintenance.workorders import actions as workorder_actions
from facilities.maintenance.workorders.schemas import (
    Origin,
    Priority,
    WorkOrderCreate,
    WorkOrderKind,
)
from facilities.sites.calendar import public_holidays

log = logging.getLogger(__name__)

BATCH_SCHEDULES = 500  # schedules per transaction
DONE_STATES = ("completed", "verified")
_EPSILON = timedelta(microseconds=1)


@dataclass
class Result:
    created: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Planned:
    schedule: int
    asset: int
    key: str
    due: datetime  # UTC
    status: str  # pending | skipped


def _months(value: Any) -> tuple[int, ...]:
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return tuple(sorted(int(m) for m in value or []))


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year = moment.year + month // 12
    month = month % 12 + 1
    day = min(moment.day, _calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _local_key(local: datetime) -> str:
    return local.replace(microsecond=0).isoformat(timespec="seconds")


class _Context:
    """Everything generation reads, loaded once per run with a few bulk queries."""

    def __init__(self, now: datetime, *, until: datetime | None = None) -> None:
        self.now = now
        # Public holidays are loaded for the years around now, and up to ``until`` (the end
        # of an agenda window far ahead).
        self.years = range(now.year - 2, max(now.year, until.year if until else now.year) + 3)
        self.sites: dict[int, dict[str, Any]] = {}
        self.region_sites: dict[int, list[int]] = defaultdict(list)
        self.assets: dict[int, dict[str, Any]] = {}
        self.by_category: dict[int, list[int]] = defaultdict(list)
        self.schedule_sites: dict[int, list[int]] = defaultdict(list)
        self.closures: dict[int, set[date]] = defaultdict(set)
        self.holidays: dict[tuple[str, str], set[date]] = {}
        self.stats: dict[tuple[int, int], dict[str, Any]] = {}
        self.latest: dict[tuple[int, int], dict[str, Any]] = {}
        self.registers: dict[int, meters.Register] = {}
        self.checklist_versions: dict[int, int] = {}
        self._occurrence_cache: dict[tuple[Any, ...], list[recurrence.Occurrence]] = {}

    async def load(self, schedules: list[dict[str, Any]], *, few: bool = False) -> None:
        """Everything ``schedules`` read. ``few`` (a handful of them: the agenda's refresh
        of the schedules just edited) reads only their assets, sites and occurrences
        instead of whole tables."""
        of_assets = of_schedules = ""  # ``few``: the statements restricted to them
        if few:
            listed = ",".join(str(int(s["id"])) for s in schedules) or "NULL"
            assets = ",".join(str(int(s["asset"])) for s in schedules if s["asset"]) or "NULL"
            categories = ",".join(str(int(s["category"])) for s in schedules if s["category"])
            of_assets = f" AND (id IN ({assets}) OR category IN ({categories or 'NULL'}))"
            of_schedules = f" WHERE schedule IN ({listed})"
        for row in await dict_rows(
            "SELECT id, region, time_zone, holiday_country, holiday_subdivision FROM site"
        ):
            self.sites[row["id"]] = row
            self.region_sites[row["region"]].append(row["id"])
        for row in await dict_rows(
            "SELECT id, site, space, category, created_at FROM asset WHERE status <> {}"  # noqa: S608 - integer ids only
            + of_assets
            + " ORDER BY id",
            "retired",
        ):
            row["created_at"] = aware_or_none(row["created_at"])
            self.assets[row["id"]] = row
            if row["category"] is not None:
                self.by_category[row["category"]].append(row["id"])
        for row in await dict_rows(
            "SELECT schedule, site FROM pm_schedule_site" + of_schedules  # noqa: S608 - ids only
        ):
            self.schedule_sites[row["schedule"]].append(row["site"])
        start = (self.now - timedelta(days=800)).date()
        for row in await dict_rows("SELECT site, day FROM site_closure_day WHERE day >= {}", start):
            day = to_date_or_none(row["day"])
            if day is not None:
                self.closures[row["site"]].add(day)
        for row in await dict_rows(
            "SELECT schedule, asset, count(*) AS n, max(due_at) AS last_due,"  # noqa: S608 - ids only
            " max(created_at) AS last_created,"
            " sum(CASE WHEN occurrence_key LIKE 'meter:%' THEN 1 ELSE 0 END) AS meters"
            f" FROM pm_occurrence{of_schedules} GROUP BY schedule, asset"
        ):
            self.stats[(row["schedule"], row["asset"])] = {
                "n": int(row["n"]),
                "last_due": aware_or_none(row["last_due"]),
                "last_created": aware_or_none(row["last_created"]),
                "meters": int(row["meters"] or 0),
            }
        floating = [s["id"] for s in schedules if s["mode"] == "floating"]
        if floating:
            ids = ",".join(str(int(i)) for i in floating)
            for row in await dict_rows(
                "SELECT o.schedule, o.asset, o.due_at, o.status AS occ_status,"  # noqa: S608 - integer ids only
                " w.status AS wo_status, w.completed_at FROM pm_occurrence o"
                " LEFT JOIN work_order w ON w.id = o.work_order"
                f" WHERE o.schedule IN ({ids})"
            ):
                key = (row["schedule"], row["asset"])
                due = aware_or_none(row["due_at"])
                known = self.latest.get(key)
                if known is None or (due and known["due_at"] < due):
                    row["due_at"] = due
                    row["completed_at"] = aware_or_none(row["completed_at"])
                    self.latest[key] = row
        if any(s["mode"] in ("meter", "time_or_meter") for s in schedules):
            # The assets' operating-hours and counter meters (one meter model, read through
            # the source wiring installs; docs/architecture.md "Meters").
            self.registers = await meters.asset_registers()
        for row in await dict_rows(
            "SELECT template, max(id) AS version_id FROM checklist_template_version"
            " WHERE version = (SELECT max(v.version) FROM checklist_template_version v"
            " WHERE v.template = checklist_template_version.template) GROUP BY template"
        ):
            self.checklist_versions[row["template"]] = row["version_id"]

    def closed_days(self, site_id: int) -> set[date]:
        site = self.sites[site_id]
        key = (site["holiday_country"] or "", site["holiday_subdivision"] or "")
        if key not in self.holidays:
            years = self.years
            self.holidays[key] = set(public_holidays(key[0], key[1], years)) if key[0] else set()
        return self.holidays[key] | self.closures.get(site_id, set())

    def targets(self, schedule: dict[str, Any]) -> list[int]:
        """The matching assets (not retired)."""
        if schedule["asset"] is not None:
            return [schedule["asset"]] if schedule["asset"] in self.assets else []
        if schedule["region"] is not None:
            sites = set(self.region_sites.get(schedule["region"], []))
        else:
            sites = set(self.schedule_sites.get(schedule["id"], []))
        return [
            a
            for a in self.by_category.get(schedule["category"], [])
            if self.assets[a]["site"] in sites
        ]

    def calendar(
        self, schedule: dict[str, Any], site_id: int, before: datetime
    ) -> list[recurrence.Occurrence]:
        """The schedule's calendar occurrences at a site from effective_from to ``before``
        (cached: every asset of a site shares them)."""
        effective = aware_or_none(schedule["effective_from"])
        assert effective is not None
        key = (schedule["id"], site_id, before)
        cached = self._occurrence_cache.get(key)
        if cached is not None:
            return cached
        signature = (
            schedule["rrule"],
            schedule["dtstart_local"],
            site_id,
            bool(schedule["skip_closed_days"]),
            _months(schedule["active_months"]),
            effective,
            before,
        )
        cached = self._occurrence_cache.get(signature)
        if cached is None:
            site = self.sites[site_id]
            cached = list(
                recurrence.occurrences(
                    schedule["rrule"],
                    datetime.fromisoformat(schedule["dtstart_local"]),
                    site["time_zone"],
                    after=effective,
                    before=before,
                    closed_days=self.closed_days(site_id) if schedule["skip_closed_days"] else None,
                    active_months=_months(schedule["active_months"]),
                )
            )
            self._occurrence_cache[signature] = cached
        self._occurrence_cache[key] = cached
        return cached

    def usage(self, asset_id: int) -> list[tuple[datetime, Decimal]]:
        """Cumulative usage after each reading (``assets.meters``: a replacement reading
        starts a new meter, the usage carries on from where the old meter stopped)."""
        register = self.registers.get(asset_id)
        return register.cumulative() if register is not None else []


def plan_schedule(ctx: _Context, schedule: dict[str, Any]) -> list[Planned]:
    """The occurrences to insert now for one schedule (pure, given the loaded context):
    those ``upcoming`` says are due by now + lead."""
    until = ctx.now + timedelta(days=int(schedule["lead_days"] or 0)) + _EPSILON
    result: list[Planned] = []
    for asset_id in ctx.targets(schedule):
        result.extend(upcoming(ctx, schedule, asset_id, until=until))
    return result


def upcoming(
    ctx: _Context, schedule: dict[str, Any], asset_id: int, *, until: datetime
) -> list[Planned]:
    """The one occurrence computation: every occurrence of ``schedule`` at ``asset_id`` not
    generated yet whose due time is before ``until``, as generation will create it.

    Generation asks up to now + lead (``plan_schedule``); the agenda (calendar page, feeds)
    asks up to the end of its window and shows the ``pending`` ones. Rules: the RRULE on the
    site's wall clock with closed days moved and seasons applied (``fixed``,
    ``time_or_meter``), from ``effective_from``, the asset's creation and after the last
    generated occurrence; the end date; ``floating``: the next one only, once the last is
    done; ``meter``: one due now + lead when the usage reached the interval; ``max_count``
    counts the occurrences already generated (skipped and meter ones included); a
    ``latest_only`` schedule skips all but the last of the occurrences due by now + lead.
    """
    now = ctx.now
    lead = timedelta(days=int(schedule["lead_days"] or 0))
    effective = aware_or_none(schedule["effective_from"])
    assert effective is not None
    end_date = to_date_or_none(schedule["end_date"])
    max_count = schedule["max_count"]
    mode = schedule["mode"]
    asset = ctx.assets[asset_id]
    site_id = asset["site"]
    stats = ctx.stats.get((schedule["id"], asset_id))
    done = stats["n"] if stats else 0
    after = max(effective, asset["created_at"] or effective)
    if stats and stats["last_due"] is not None:
        after = max(after, stats["last_due"] + _EPSILON)
    new: list[Planned] = []
    if mode in ("fixed", "time_or_meter") and schedule["rrule"]:
        for occ in ctx.calendar(schedule, site_id, until):
            if occ.utc < after:
                continue
            if end_date is not None and occ.local.date() > end_date:
                break
            new.append(
                Planned(schedule["id"], asset_id, _local_key(occ.nominal), occ.utc, "pending")
            )
    elif mode == "floating":
        planned = _plan_floating(ctx, schedule, asset_id, site_id, effective)
        if (
            planned is not None
            and planned.due < until
            and (end_date is None or planned.due.date() <= end_date)
        ):
            new.append(planned)
    if mode in ("meter", "time_or_meter"):
        planned = _plan_meter(ctx, schedule, asset_id, effective, stats, lead)
        if planned is not None and planned.due < until:
            new.append(planned)
    if max_count is not None:
        new = new[: max(0, max_count - done)]
    if schedule["catch_up"] == "latest_only":
        due_now = [p for p in new if p.due <= now + lead]
        if len(due_now) > 1:
            missed = {p.key for p in due_now[:-1]}
            new = [
                Planned(p.schedule, p.asset, p.key, p.due, "skipped") if p.key in missed else p
                for p in new
            ]
    return new


def _plan_floating(
    ctx: _Context, schedule: dict[str, Any], asset_id: int, site_id: int, effective: datetime
) -> Planned | None:
    """Next due = last completion + N days/months (first one: the start, else the
    schedule's effective time + N)."""
    zone = ZoneInfo(ctx.sites[site_id]["time_zone"])
    every = int(schedule["floating_every"] or 0)
    if every <= 0:
        return None
    unit = schedule["floating_unit"]

    def plus(moment: datetime) -> datetime:
        return add_months(moment, every) if unit == "months" else moment + timedelta(days=every)

    latest = ctx.latest.get((schedule["id"], asset_id))
    if latest is None:
        if schedule["dtstart_local"]:
            local = datetime.fromisoformat(schedule["dtstart_local"])
            if local.replace(tzinfo=zone) < effective:
                local = effective.astimezone(zone).replace(tzinfo=None, microsecond=0)
        else:
            local = plus(effective.astimezone(zone).replace(tzinfo=None, microsecond=0))
    elif latest["wo_status"] in DONE_STATES and latest["completed_at"] is not None:
        local = plus(latest["completed_at"].astimezone(zone).replace(tzinfo=None, microsecond=0))
    elif latest["wo_status"] == "cancelled" or latest["occ_status"] == "skipped":
        local = plus(latest["due_at"].astimezone(zone).replace(tzinfo=None, microsecond=0))
    else:
        return None  # the last one is still open: the next is counted from its completion
    nominal = local
    if schedule["skip_closed_days"]:
        closed = ctx.closed_days(site_id)
        for _step in range(60):
            if local.date() not in closed:
                break
            local += timedelta(days=1)
    due = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    return Planned(schedule["id"], asset_id, _local_key(nominal), due, "pending")


def _plan_meter(
    ctx: _Context,
    schedule: dict[str, Any],
    asset_id: int,
    effective: datetime,
    stats: dict[str, Any] | None,
    lead: timedelta,
) -> Planned | None:
    """Due when the usage since the last occurrence (of any kind) reaches ``meter_every``."""
    every = schedule["meter_every"]
    usage = ctx.usage(asset_id)
    if every is None or not usage:
        return None
    since = stats["last_created"] if stats and stats["last_created"] else effective
    baseline = meters.usage_at(usage, since)
    if usage[-1][1] - baseline < Decimal(str(every)):
        return None
    number = (stats["meters"] if stats else 0) + 1
    return Planned(schedule["id"], asset_id, f"meter:{number}", ctx.now + lead, "pending")


# ---- writing --------------------------------------------------------------------------

_INSERT_OCCURRENCE = (
    "INSERT INTO pm_occurrence (schedule, asset, occurrence_key, due_at, status, created_at)"
    " VALUES ({}, {}, {}, {}, {}, {})"
    " ON CONFLICT (schedule, asset, occurrence_key) DO NOTHING"
)


async def _write_batch(
    ctx: _Context, schedules: dict[int, dict[str, Any]], planned: list[Planned]
) -> tuple[int, int]:
    """One transaction: occurrences, then work orders for the rows actually inserted."""
    if not planned:
        return 0, 0
    now = ctx.now
    ids = ",".join(str(i) for i in sorted({p.schedule for p in planned}))
    async with db.transaction():
        # One global order (schedule, asset, key) in every process: two runs racing on
        # PostgreSQL wait for each other on the unique index instead of deadlocking.
        ordered = sorted(planned, key=lambda p: (p.schedule, p.asset, p.key))
        await db.executemany(
            _INSERT_OCCURRENCE,
            [(p.schedule, p.asset, p.key, p.due, p.status, now) for p in ordered],
        )
        pending = await dict_rows(
            "SELECT schedule, asset, occurrence_key, due_at FROM pm_occurrence"  # noqa: S608 - integer ids only
            f" WHERE status = 'pending' AND schedule IN ({ids})"
        )
        skipped = sum(1 for p in planned if p.status == "skipped")
        if not pending:
            return 0, skipped
        orders = []
        keys = []
        with in_installation_language():  # the history line is stored (kit.i18n)
            note = _("From the maintenance schedule")
        for row in pending:
            schedule = schedules[row["schedule"]]
            asset = ctx.assets[row["asset"]]
            due = aware_or_none(row["due_at"])
            template = schedule["checklist_template"]
            orders.append(
                workorder_actions.NewWorkOrder(
                    data=WorkOrderCreate(
                        title=schedule["name"],
                        site_id=asset["site"],
                        kind=WorkOrderKind.preventive,
                        description=schedule["description"] or "",
                        space_id=asset["space"],
                        asset_id=row["asset"],
                        priority=Priority(schedule["priority"] or "p3"),
                        due_at=due,
                        partner_organisation_id=schedule["partner_organisation"],
                        estimated_minutes=schedule["estimated_minutes"],
                    ),
                    origin=Origin.schedule,
                    note=note,
                    schedule_id=row["schedule"],
                    occurrence_key=row["occurrence_key"],
                    scheduled_for=due,
                    checklist_version_id=(
                        ctx.checklist_versions.get(template) if template is not None else None
                    ),
                )
            )
            keys.append((row["schedule"], row["asset"], row["occurrence_key"]))
        created = await workorder_actions.create_work_orders(actor=None, orders=orders)
        await db.executemany(
            "UPDATE pm_occurrence SET work_order = {}, status = 'created'"
            " WHERE schedule = {} AND asset = {} AND occurrence_key = {}",
            [(c.id, *key) for c, key in zip(created, keys, strict=True)],
        )
        return len(pending), skipped


def _chunks(items: list[dict[str, Any]], size: int) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def generate_due(now: datetime | None = None) -> Result:
    """Create every due preventive work order (idempotent; see the module docstring)."""
    now = (now or clock.now()).astimezone(UTC)
    schedules = await dict_rows("SELECT * FROM pm_schedule WHERE active = {} ORDER BY id", True)
    result = Result()
    if not schedules:
        return result
    ctx = _Context(now)
    await ctx.load(schedules)
    by_id = {s["id"]: s for s in schedules}
    for chunk in _chunks(schedules, BATCH_SCHEDULES):
        planned: list[Planned] = []
        for schedule in chunk:
            try:
                planned.extend(plan_schedule(ctx, schedule))
            except (FacilitiesError, ValueError, KeyError) as error:
                # One broken schedule (e.g. a site whose time zone vanished) must not stop
                # the others; it is logged and retried on the next run.
                log.warning("schedule %s not generated: %s", schedule["id"], error)
                result.errors.append(f"{schedule['id']}: {error}")
        created, skipped = await _write_batch(ctx, by_id, planned)
        result.created += created
        result.skipped += skipped
    if result.created or result.skipped:
        log.info("generated %d work order(s), skipped %d", result.created, result.skipped)
    return result
