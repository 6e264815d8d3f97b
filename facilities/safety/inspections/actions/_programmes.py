"""Inspection programmes and the generation of their inspections.

``generate_due(now)`` is idempotent and safe in several processes at once: for every active
programme × target (its site; every site of its region or kind; every asset of its category) it
computes the occurrences of the programme's RRULE (``kit.recurrence``, the RFC 5545 engine
of PM schedules: the site's wall clock, closed days moved to the next open day) whose due
time minus the lead time has come, after the last one generated, and inserts them with
``ON CONFLICT DO NOTHING`` on the unique index (programme, target, occurrence) in one
``executemany``. A second process blocks on the index and inserts nothing. Then inspections
still due when the next one of the same programme and target is due become ``missed``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.kit import clock, recurrence
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import aware, aware_or_none, dict_rows, to_date_or_none
from facilities.safety.inspections import queries
from facilities.safety.inspections.schemas import (
    ASSIGNEE_ROLES,
    GenerationRead,
    ProgrammeCreate,
    ProgrammeRead,
    ProgrammeScope,
    ProgrammeUpdate,
)
from facilities.sites import scope
from facilities.sites.calendar import public_holidays

_EPSILON = timedelta(microseconds=1)


async def _exists(table: str, row_id: int | None, field: str, message: str) -> None:
    if row_id is not None and not await dict_rows(
        f"SELECT id FROM {table} WHERE id = {{}}",  # noqa: S608 - a fixed table name
        row_id,
    ):
        raise RuleViolation(field, message)


async def _site_field(actor: Principal, site_id: int) -> None:
    if not await scope.can_see_site(actor, site_id):
        raise RuleViolation("site_id", _("This site does not exist, or you may not see it."))


async def _region_field(actor: Principal, region_id: int) -> None:
    regions = await scope.visible_region_ids(actor)
    known = await dict_rows("SELECT id FROM region WHERE id = {}", region_id)
    if not known or (regions is not None and region_id not in regions):
        raise RuleViolation("region_id", _("This region does not exist, or you may not see it."))


async def _checked(actor: Principal, data: ProgrammeCreate) -> dict[str, Any]:
    """The programme's column values, each field checked (422 naming it); a site or region
    that does not exist or is outside the caller's scope gets the same answer."""
    name = " ".join(data.name.split())
    if not name:
        raise RuleViolation("name", _("Give the programme a name."))
    if not await dict_rows("SELECT id FROM inspection_template WHERE id = {}", data.template_id):
        raise RuleViolation("template_id", _("This template does not exist."))
    if data.scope is ProgrammeScope.site:
        if data.site_id is None:
            raise RuleViolation("site_id", _("Choose the site."))
        await _site_field(actor, data.site_id)
        region_id, category_id = None, None
    elif data.scope is ProgrammeScope.region:
        if data.region_id is None:
            raise RuleViolation("region_id", _("Choose the region."))
        await _region_field(actor, data.region_id)
        region_id, category_id = data.region_id, None
    elif data.scope is ProgrammeScope.kind:
        if data.site_kind is None:
            raise RuleViolation("site_kind", _("Choose the kind of site."))
        if data.region_id is not None:
            await _region_field(actor, data.region_id)
        region_id, category_id = data.region_id, None
    else:
        if data.category_id is None:
            raise RuleViolation("category_id", _("Choose the asset category."))
        await _exists(
            "asset_category",
            data.category_id,
            "category_id",
            _("This asset category does not exist."),
        )
        if data.region_id is not None:
            await _region_field(actor, data.region_id)
        region_id, category_id = data.region_id, data.category_id
    site_id = data.site_id if data.scope is ProgrammeScope.site else None
    if data.dtstart_local.tzinfo is not None:
        raise RuleViolation(
            "dtstart_local", _("Give the start as the site's local time, without a zone.")
        )
    start = data.dtstart_local.replace(microsecond=0)
    recurrence.parse(data.rrule, start, "UTC")  # 422 naming ``rrule``
    role = data.assignee_role.strip()
    if role and role not in ASSIGNEE_ROLES:
        raise RuleViolation("assignee_role", _("Choose community manager or ops manager."))
    await _exists(
        "partner_organisation",
        data.assignee_partner_id,
        "assignee_partner_id",
        _("This partner does not exist."),
    )
    await _exists(
        "app_user", data.assignee_user_id, "assignee_user_id", _("This person does not exist.")
    )
    return {
        "name": name,
        "template": data.template_id,
        "scope": data.scope.value,
        "site": site_id,
        "region": region_id,
        "category": category_id,
        "site_kind": data.site_kind.value
        if data.scope is ProgrammeScope.kind and data.site_kind
        else None,
        "rrule": data.rrule.strip().removeprefix("RRULE:"),
        "dtstart_local": start.isoformat(timespec="seconds"),
        "lead_days": data.lead_days,
        "skip_closed_days": data.skip_closed_days,
        "assignee_role": role,
        "assignee_partner": data.assignee_partner_id,
        "assignee_user": data.assignee_user_id,
    }


async def create_programme(*, actor: Principal, data: ProgrammeCreate) -> ProgrammeRead:
    """A programme; 422 naming the field on a bad rule, scope or assignee, and for a site or
    region that does not exist or is outside the caller's scope (the same answer)."""
    values = await _checked(actor, data)
    now = clock.now()
    async with db.transaction():
        rows = await db.raw(
            "INSERT INTO inspection_programme (name, template, scope, site, region, category,"
            " site_kind, rrule, dtstart_local, lead_days, skip_closed_days, assignee_role,"
            " assignee_partner, assignee_user, active, effective_from, created_by, created_at)"
            " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
            " RETURNING id",
            *values.values(),
            True,
            now,
            actor.user_id,
            now,
        )
        programme_id = int(rows[0]["id"])
        await audit.record(
            actor=actor,
            action="inspection_programme.create",
            object_type="inspection_programme",
            object_id=programme_id,
            summary=values["name"],
            site_id=values["site"],
            after={"template_id": data.template_id, "scope": data.scope, "rrule": data.rrule},
        )
    return await queries.get_programme(actor, programme_id)


# What moves the programme's occurrences: a change of one starts generation anew from now.
_TIMING = ("scope", "site", "region", "category", "site_kind", "rrule", "dtstart_local")


async def update_programme(
    *, actor: Principal, programme_id: int, data: ProgrammeUpdate
) -> ProgrammeRead:
    """Change a programme (404 outside the caller's scope); the result is checked like a
    new one. Generated inspections stay as they are; a changed rule, start or target
    applies from now on (``effective_from``), so nothing in the past is generated."""
    current = await queries.get_programme(actor, programme_id)
    merged = {
        "name": current.name,
        "template_id": current.template_id,
        "scope": current.scope,
        "rrule": current.rrule,
        "dtstart_local": current.dtstart_local,
        "site_id": current.site_id,
        "region_id": current.region_id,
        "category_id": current.category_id,
        "site_kind": current.site_kind,
        "lead_days": current.lead_days,
        "skip_closed_days": current.skip_closed_days,
        "assignee_role": current.assignee_role,
        "assignee_partner_id": current.assignee_partner_id,
        "assignee_user_id": current.assignee_user_id,
    }
    changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
    active = changes.pop("active", current.active)
    merged.update(changes)
    values = await _checked(actor, msgspec.convert(merged, ProgrammeCreate, strict=False))
    async with db.transaction():
        rows = await dict_rows("SELECT * FROM inspection_programme WHERE id = {}", programme_id)
        if not rows:
            raise NotFound()
        before = rows[0]
        moved = any(str(before[k] or "") != str(values[k] or "") for k in _TIMING)
        columns = {**values, "active": bool(active)}
        if moved or (active and not before["active"]):
            columns["effective_from"] = clock.now()
        assignments = ", ".join(f"{name} = {{}}" for name in columns)
        await db.raw(
            f"UPDATE inspection_programme SET {assignments} WHERE id = {{}}",  # noqa: S608 - fixed names
            *columns.values(),
            programme_id,
        )
        await audit.record(
            actor=actor,
            action="inspection_programme.update",
            object_type="inspection_programme",
            object_id=programme_id,
            summary=values["name"],
            site_id=values["site"],
            before={k: before[k] for k in (*_TIMING, "name", "template", "active")},
            after={k: str(v) if v is not None else None for k, v in columns.items()},
        )
    return await queries.get_programme(actor, programme_id)


# ---- generation --------------------------------------------------------------------------

_INSERT = (
    "INSERT INTO inspection (programme, template_version, site, asset, target_key,"
    " occurrence_key, due_at, status, only_item, assignee_role, assignee_partner,"
    " assignee_user, version, created_at)"
    " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, '', {}, {}, {}, 1, {})"
    " ON CONFLICT (programme, target_key, occurrence_key) DO NOTHING"
)


class _Loaded:
    """What generation reads, loaded once per run with a few bulk queries."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.sites: dict[int, dict[str, Any]] = {}
        self.region_sites: dict[int, list[int]] = defaultdict(list)
        self.category_assets: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self.closures: dict[int, set[date]] = defaultdict(set)
        self.holidays: dict[tuple[str, str], set[date]] = {}
        self.last_due: dict[tuple[int, str], datetime] = {}
        self.versions: dict[int, int] = {}
        self._occurrences: dict[tuple[Any, ...], list[recurrence.Occurrence]] = {}

    async def load(self) -> None:
        for row in await dict_rows(
            "SELECT id, region, kind, time_zone, holiday_country, holiday_subdivision FROM site"
            " WHERE archived = {}",
            False,
        ):
            self.sites[row["id"]] = row
            self.region_sites[row["region"]].append(row["id"])
        for row in await dict_rows(
            "SELECT id, site, category FROM asset WHERE status <> {} AND category IS NOT NULL"
            " ORDER BY id",
            "retired",
        ):
            self.category_assets[row["category"]].append((row["site"], row["id"]))
        start = (self.now - timedelta(days=400)).date()
        for row in await dict_rows("SELECT site, day FROM site_closure_day WHERE day >= {}", start):
            day = to_date_or_none(row["day"])
            if day is not None:
                self.closures[row["site"]].add(day)
        for row in await dict_rows(
            "SELECT programme, target_key, max(due_at) AS last_due FROM inspection"
            " WHERE programme IS NOT NULL GROUP BY programme, target_key"
        ):
            last = aware_or_none(row["last_due"])
            if last is not None:
                self.last_due[(row["programme"], row["target_key"])] = last
        for row in await dict_rows(
            "SELECT template, id FROM inspection_template_version v WHERE version ="
            " (SELECT max(w.version) FROM inspection_template_version w"
            " WHERE w.template = v.template)"
        ):
            self.versions[row["template"]] = row["id"]

    def closed_days(self, site_id: int) -> set[date]:
        site = self.sites[site_id]
        key = (site["holiday_country"] or "", site["holiday_subdivision"] or "")
        if key not in self.holidays:
            years = range(self.now.year - 1, self.now.year + 3)
            self.holidays[key] = set(public_holidays(*key, years)) if key[0] else set()
        return self.holidays[key] | self.closures.get(site_id, set())

    def occurrences(
        self,
        programme: dict[str, Any],
        start: datetime,
        site_id: int,
        after: datetime,
        before: datetime,
    ) -> list[recurrence.Occurrence]:
        """The programme's occurrences at a site in ``[after, before)``; sites with the same
        zone, holidays and no closures of their own share one computation."""
        site = self.sites[site_id]
        skip = bool(programme["skip_closed_days"])
        own_closures = site_id if skip and self.closures.get(site_id) else None
        holidays = (site["holiday_country"] or "", site["holiday_subdivision"] or "")
        key = (
            programme["rrule"],
            programme["dtstart_local"],
            site["time_zone"],
            holidays if skip else None,
            own_closures,
            after,
            before,
        )
        found = self._occurrences.get(key)
        if found is None:
            found = list(
                recurrence.occurrences(
                    programme["rrule"],
                    start,
                    site["time_zone"],
                    after=after,
                    before=before,
                    closed_days=self.closed_days(site_id) if skip else None,
                )
            )
            self._occurrences[key] = found
        return found

    def targets(self, programme: dict[str, Any]) -> list[tuple[int, int | None]]:
        """(site, asset) pairs: the site, the region's sites, the sites of a kind, or the
        category's assets."""
        match programme["scope"]:
            case ProgrammeScope.site.value:
                site = programme["site"]
                return [(site, None)] if site in self.sites else []
            case ProgrammeScope.region.value:
                return [(s, None) for s in self.region_sites.get(programme["region"], [])]
            case ProgrammeScope.kind.value:
                region = programme["region"]
                return [
                    (site, None)
                    for site, row in self.sites.items()
                    if row["kind"] == programme["site_kind"]
                    and (region is None or row["region"] == region)
                ]
            case _:
                region = programme["region"]
                return [
                    (site, asset)
                    for site, asset in self.category_assets.get(programme["category"], [])
                    if site in self.sites
                    and (region is None or self.sites[site]["region"] == region)
                ]


def plan(ctx: _Loaded, programme: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows to insert now for one programme (pure, given the loaded context)."""
    version = ctx.versions.get(programme["template"])
    if version is None:
        return []
    until = ctx.now + timedelta(days=int(programme["lead_days"] or 0)) + _EPSILON
    effective = aware(programme["effective_from"])
    start = datetime.fromisoformat(programme["dtstart_local"])
    by_site: dict[int, list[tuple[int | None, str, datetime]]] = defaultdict(list)
    for site_id, asset_id in ctx.targets(programme):
        target = f"asset:{asset_id}" if asset_id is not None else f"site:{site_id}"
        after = effective
        last = ctx.last_due.get((programme["id"], target))
        if last is not None:
            after = max(after, last + _EPSILON)
        by_site[site_id].append((asset_id, target, after))
    rows = []
    for site_id, targets in by_site.items():
        earliest = min(after for _asset, _target, after in targets)
        occurrences = ctx.occurrences(programme, start, site_id, earliest, until)
        # Missed on arrival: a later occurrence of the same target is already due (the
        # rule of ``generate_due``'s UPDATE, applied before the insert instead of rewriting
        # the rows just written; the target's existing rows are all earlier than these).
        latest_due = max((o.utc for o in occurrences if o.utc <= ctx.now), default=None)
        for occ in occurrences:
            status = "missed" if latest_due is not None and occ.utc < latest_due else "due"
            for asset_id, target, after in targets:
                if occ.utc < after:
                    continue
                rows.append(
                    (
                        programme["id"],
                        version,
                        site_id,
                        asset_id,
                        target,
                        occ.nominal.isoformat(timespec="seconds"),
                        occ.utc,
                        status,
                        programme["assignee_role"] or "",
                        programme["assignee_partner"],
                        programme["assignee_user"],
                        ctx.now,
                    )
                )
    return rows


async def _count() -> int:
    """Generated inspections; on PostgreSQL those this transaction wrote (a concurrent run's
    committed rows are visible to the count after a blocked insert); SQLite's one writer
    serialises runs, so the difference of two counts is this run's."""
    if db.is_sqlite():
        rows = await db.raw("SELECT count(*) AS n FROM inspection WHERE programme IS NOT NULL")
    else:
        rows = await db.raw(
            "SELECT count(*) AS n FROM inspection WHERE programme IS NOT NULL"
            " AND xmin::text = (txid_current() % 4294967296)::text"
        )
    return int(rows[0]["n"])


async def generate_due(now: datetime | None = None) -> GenerationRead:
    """Create the inspections whose time (due - lead) has come; mark the missed ones."""
    now = (now or clock.now()).astimezone(UTC)
    programmes = await dict_rows(
        "SELECT * FROM inspection_programme WHERE active = {} ORDER BY id", True
    )
    ctx = _Loaded(now)
    await ctx.load()
    rows = [row for programme in programmes for row in plan(ctx, programme)]
    async with db.transaction():
        before = await _count()
        if rows:
            await db.executemany(_INSERT, rows)
        created = await _count() - before
        await db.raw(
            "UPDATE inspection SET status = 'missed', version = version + 1"
            " WHERE status = 'due' AND programme IS NOT NULL AND EXISTS (SELECT 1 FROM"
            " inspection j WHERE j.programme = inspection.programme"
            " AND j.target_key = inspection.target_key AND j.due_at > inspection.due_at"
            " AND j.due_at <= {})",
            now,
        )
        if created:
            await audit.record(
                actor=None,
                action="inspection.generate",
                object_type="inspection_programme",
                object_id="*",
                summary=json.dumps({"created": created}),
                after={"created": created},
            )
    return GenerationRead(created=created)
