"""Service visits: generation from visit plans, and missed-visit detection.

Generation (``generate_visits(now)``) uses the recurrence engine of preventive maintenance
(``facilities.kit.recurrence.occurrences``: the RRULE on the site's wall clock, closed days
— public holidays of the site's region and its closure days — moved to the next open day)
with each plan's lead time: an occurrence is created once ``now`` is within ``lead_days`` of
it. Only plans of contracts that are not draft, and only occurrences whose site-local date
lies within the contract's start..end (and the plan's end date) and after the plan was
created. Each occurrence becomes a ``service_visit`` keyed by (plan, site, occurrence_key =
the nominal local time as ISO text), inserted with ``ON CONFLICT DO NOTHING`` on a unique
index: running twice, or in two processes at once, creates nothing twice.

Missed detection (``mark_missed(now)``): a scheduled visit not signed off
``FACILITIES_VISIT_MISSED_HOURS`` (24) hours after its window end becomes ``missed``; the
single ``UPDATE`` only touches scheduled rows, so it is idempotent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from facilities import db
from facilities.kit import clock, recurrence
from facilities.kit.errors import FacilitiesError
from facilities.kit.rows import aware, dict_rows, to_date
from facilities.services.config import service_settings
from facilities.services.enums import ContractStatus, VisitStatus
from facilities.services.rules import derived_status
from facilities.sites.calendar import public_holidays

log = logging.getLogger(__name__)

_EPSILON = timedelta(microseconds=1)
_INSERT_VISITS = (
    "INSERT INTO service_visit (plan, contract, site, occurrence_key, scheduled_for,"
    " window_end, status, rating, comment, created_at) VALUES {}"
    " ON CONFLICT (plan, site, occurrence_key) DO NOTHING RETURNING id"
)
_ROW = "({}, {}, {}, {}, {}, {}, 'scheduled', NULL, '', {})"
_CHUNK = 200  # rows per statement (7 parameters each)


@dataclass
class Result:
    created: int = 0
    errors: list[str] = field(default_factory=list)


class _Calendar:
    """Site time zones and closed days, loaded once per run."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.sites: dict[int, dict[str, Any]] = {}
        self.closures: dict[int, set[date]] = defaultdict(set)
        self.holidays: dict[tuple[str, str], set[date]] = {}

    async def load(self) -> None:
        for row in await dict_rows(
            "SELECT id, time_zone, holiday_country, holiday_subdivision FROM site"
        ):
            self.sites[row["id"]] = row
        start = (self.now - timedelta(days=400)).date()
        for row in await dict_rows("SELECT site, day FROM site_closure_day WHERE day >= {}", start):
            self.closures[row["site"]].add(to_date(row["day"]))

    def closed_days(self, site_id: int) -> set[date]:
        site = self.sites[site_id]
        key = (site["holiday_country"] or "", site["holiday_subdivision"] or "")
        if key not in self.holidays:
            years = range(self.now.year - 1, self.now.year + 3)
            self.holidays[key] = set(public_holidays(key[0], key[1], years)) if key[0] else set()
        return self.holidays[key] | self.closures.get(site_id, set())


async def generate_visits(now: datetime | None = None) -> Result:
    now = (now or clock.now()).astimezone(UTC)
    result = Result()
    plans = await dict_rows(
        "SELECT p.id, p.contract, p.rrule, p.dtstart_local, p.window_minutes, p.lead_days,"
        " p.skip_closed_days, p.end_date, p.created_at, c.status AS contract_status,"
        " c.start_date, c.end_date AS contract_end, c.notice_days"
        " FROM service_visit_plan p JOIN service_contract c ON c.id = p.contract"
        " WHERE p.active = {} AND c.status <> {} ORDER BY p.id",
        True,
        ContractStatus.draft.value,
    )
    if not plans:
        return result
    calendar = _Calendar(now)
    await calendar.load()
    plan_sites: dict[int, list[int]] = defaultdict(list)
    for row in await dict_rows("SELECT plan, site FROM service_visit_plan_site"):
        plan_sites[row["plan"]].append(row["site"])
    contract_sites: dict[int, list[int]] = defaultdict(list)
    for row in await dict_rows("SELECT contract, site FROM service_contract_site"):
        contract_sites[row["contract"]].append(row["site"])
    last: dict[tuple[int, int], datetime] = {}
    for row in await dict_rows(
        "SELECT plan, site, max(scheduled_for) AS last FROM service_visit GROUP BY plan, site"
    ):
        last[(row["plan"], row["site"])] = aware(row["last"])
    pending: list[tuple[Any, ...]] = []
    for plan in plans:
        start, end = to_date(plan["start_date"]), to_date(plan["contract_end"])
        status = derived_status(
            plan["contract_status"], start, end, plan["notice_days"], now.date()
        )
        if status is ContractStatus.ended:
            continue
        plan_end = to_date(plan["end_date"]) if plan["end_date"] is not None else None
        lead = timedelta(days=int(plan["lead_days"] or 0))
        window = timedelta(minutes=int(plan["window_minutes"]))
        for site_id in sorted(
            plan_sites.get(plan["id"]) or contract_sites.get(plan["contract"], [])
        ):
            try:
                site = calendar.sites[site_id]
                after = aware(plan["created_at"])
                if (plan["id"], site_id) in last:
                    after = max(after, last[(plan["id"], site_id)] + _EPSILON)
                for occ in recurrence.occurrences(
                    plan["rrule"],
                    datetime.fromisoformat(plan["dtstart_local"]),
                    site["time_zone"],
                    after=after,
                    before=now + lead + _EPSILON,
                    closed_days=calendar.closed_days(site_id) if plan["skip_closed_days"] else None,
                ):
                    day = occ.local.date()
                    if day < start:
                        continue
                    if day > end or (plan_end is not None and day > plan_end):
                        break
                    key = occ.nominal.isoformat(timespec="seconds")
                    pending.append(
                        (plan["id"], plan["contract"], site_id, key, occ.utc, occ.utc + window, now)
                    )
            except (FacilitiesError, ValueError, KeyError) as error:
                log.warning(
                    "visit plan %s at site %s not generated: %s", plan["id"], site_id, error
                )
                result.errors.append(f"{plan['id']}/{site_id}: {error}")
    if not pending:
        return result
    pending.sort(key=lambda p: (p[0], p[2], p[3]))  # one global order: no deadlocks
    async with db.transaction():
        for first in range(0, len(pending), _CHUNK):
            chunk = pending[first : first + _CHUNK]
            sql = _INSERT_VISITS.replace("{}", ", ".join([_ROW] * len(chunk)), 1)
            inserted = await db.raw(sql, *[value for row in chunk for value in row])
            result.created += len(inserted)  # rows this run inserted (not a racing one's)
    if result.created:
        log.info("generated %d service visit(s)", result.created)
    return result


async def mark_missed(now: datetime | None = None) -> int:
    """Scheduled visits not signed off N hours after their window: missed. Returns how many."""
    now = (now or clock.now()).astimezone(UTC)
    limit = now - timedelta(hours=service_settings().visit_missed_hours)
    async with db.transaction():
        rows = await dict_rows(
            "UPDATE service_visit SET status = {}, missed_at = {}"
            " WHERE status = {} AND window_end < {} RETURNING id",
            VisitStatus.missed.value,
            now,
            VisitStatus.scheduled.value,
            limit,
        )
    if rows:
        log.info("%d service visit(s) missed", len(rows))
    return len(rows)


async def run_generation() -> None:
    await generate_visits()


async def run_missed() -> None:
    await mark_missed()
