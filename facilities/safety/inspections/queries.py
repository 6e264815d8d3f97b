"""Reads of inspections, scoped in one place (``visible``): staff see the inspections and
findings of the sites they see (admins all); a partner only those assigned to it. Any other
id answers 404. Templates and programmes are a shared library of the caller's organisation
(``safety.view``); a programme on a site or region outside the caller's scope is 404."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.rows import aware, aware_or_none, decimal_or_none, dict_rows, json_list
from facilities.kit.rrule_text import describe
from facilities.maintenance.checklists.engine import fails, visible_keys
from facilities.maintenance.checklists.schemas import ItemKind
from facilities.maintenance.pm import agenda
from facilities.maintenance.pm.agenda_scope import AgendaScope
from facilities.safety.inspections.schemas import (
    AnswerRead,
    FindingRead,
    FindingStatus,
    InspectionRead,
    InspectionStatus,
    InspectionSummary,
    ItemRead,
    ProgrammeRead,
    ProgrammeScope,
    TemplateRead,
    TemplateVersionRead,
)
from facilities.safety.kpi_queries import INSPECTION_MINUTES
from facilities.sites import scope
from facilities.sites.enums import SiteKind

# ---- scope -------------------------------------------------------------------------------


async def _condition(actor: Principal, alias: str) -> tuple[str, list[Any]]:
    """A SQL condition on ``alias`` (a row with ``site`` and ``assignee_partner``) for the
    rows the caller may see."""
    if actor.role is Role.partner:
        return f"{alias}.assignee_partner = {{}}", [actor.partner_organisation_id or -1]
    sites = await scope.visible_site_ids(actor)
    if sites is None:
        return "1 = 1", []
    if not sites:
        return "1 = 0", []
    ids = ",".join(str(int(s)) for s in sorted(sites))
    return f"{alias}.site IN ({ids})", []


def effective_status(status: str, due_at: datetime, now: datetime | None = None) -> str:
    """``overdue``: due or in progress past its due time."""
    if status in ("due", "in_progress") and aware(due_at) < (now or clock.now()):
        return InspectionStatus.overdue.value
    return status


# ---- templates ---------------------------------------------------------------------------


def item_read(item: dict[str, Any]) -> ItemRead:
    return ItemRead(
        key=item["key"],
        label=item["label"],
        kind=ItemKind(item["kind"]),
        section=item.get("section", ""),
        unit=item.get("unit", ""),
        min=decimal_or_none(item.get("min")),
        max=decimal_or_none(item.get("max")),
        required=bool(item.get("required", True)),
        weight=Decimal(str(item.get("weight", 1))),
        critical=bool(item.get("critical", False)),
        options=list(item.get("options") or []),
        fail_answers=list(item.get("fail_answers") or []),
        show_if_item=item.get("show_if_item"),
        show_if_answers=list(item.get("show_if_answers") or []),
    )


_TEMPLATES = (
    "SELECT t.id, t.name, t.language, t.category, t.starter, t.active, t.created_at,"
    " v.id AS version_id, v.version, v.items FROM inspection_template t"
    " JOIN inspection_template_version v ON v.template = t.id AND v.version ="
    " (SELECT max(w.version) FROM inspection_template_version w WHERE w.template = t.id)"
)


def _template(row: dict[str, Any]) -> TemplateRead:
    return TemplateRead(
        id=row["id"],
        name=row["name"],
        language=row["language"],
        category_id=row["category"],
        starter=row["starter"] or "",
        active=bool(row["active"]),
        version=row["version"],
        version_id=row["version_id"],
        items=[item_read(i) for i in json_list(row["items"])],
        created_at=aware(row["created_at"]),
    )


async def list_templates(actor: Principal, *, active: bool | None = None) -> list[TemplateRead]:
    rows = await dict_rows(_TEMPLATES + " ORDER BY t.name, t.id")
    return [_template(r) for r in rows if active is None or bool(r["active"]) is active]


async def get_template(actor: Principal, template_id: int) -> TemplateRead:
    rows = await dict_rows(_TEMPLATES + " WHERE t.id = {}", template_id)
    if not rows:
        raise NotFound()
    return _template(rows[0])


async def version_items(version_id: int) -> tuple[int, int, list[dict[str, Any]]]:
    """(template id, version number, items) of a template version."""
    rows = await dict_rows(
        "SELECT template, version, items FROM inspection_template_version WHERE id = {}",
        version_id,
    )
    if not rows:
        raise NotFound()
    return rows[0]["template"], rows[0]["version"], json_list(rows[0]["items"])


async def list_versions(actor: Principal, template_id: int) -> list[TemplateVersionRead]:
    """Every saved version of a template, newest first (404 for an unknown template)."""
    await get_template(actor, template_id)
    rows = await dict_rows(
        "SELECT v.id, v.template, v.version, v.items, v.created_by, v.created_at,"
        " u.name AS created_by_name FROM inspection_template_version v"
        " LEFT JOIN app_user u ON u.id = v.created_by WHERE v.template = {}"
        " ORDER BY v.version DESC",
        template_id,
    )
    return [
        TemplateVersionRead(
            id=r["id"],
            template_id=r["template"],
            version=r["version"],
            items=[item_read(i) for i in json_list(r["items"])],
            created_by_id=r["created_by"],
            created_by_name=r["created_by_name"],
            created_at=aware(r["created_at"]),
        )
        for r in rows
    ]


# ---- programmes --------------------------------------------------------------------------

_PROGRAMMES = (
    "SELECT p.*, t.name AS template_name FROM inspection_programme p"
    " JOIN inspection_template t ON t.id = p.template"
)


def _programme(row: dict[str, Any]) -> ProgrammeRead:
    return ProgrammeRead(
        id=row["id"],
        name=row["name"],
        template_id=row["template"],
        template_name=row["template_name"],
        scope=ProgrammeScope(row["scope"]),
        site_id=row["site"],
        region_id=row["region"],
        category_id=row["category"],
        site_kind=SiteKind(row["site_kind"]) if row.get("site_kind") else None,
        rrule=row["rrule"],
        rrule_text=describe(row["rrule"], row["dtstart_local"]),
        dtstart_local=row["dtstart_local"],
        lead_days=int(row["lead_days"] or 0),
        skip_closed_days=bool(row["skip_closed_days"]),
        assignee_role=row["assignee_role"] or "",
        assignee_partner_id=row["assignee_partner"],
        assignee_user_id=row["assignee_user"],
        active=bool(row["active"]),
    )


async def _programme_visible(actor: Principal, row: dict[str, Any]) -> bool:
    """Staff who see the programme's site or region (every category programme); partners
    see the inspections assigned to them, not the programmes."""
    if actor.role is Role.partner:
        return False
    if row["site"] is not None:
        return await scope.can_see_site(actor, row["site"])
    if row["region"] is not None:
        regions = await scope.visible_region_ids(actor)
        return regions is None or row["region"] in regions
    return True


async def list_programmes(actor: Principal) -> list[ProgrammeRead]:
    rows = await dict_rows(_PROGRAMMES + " ORDER BY p.name, p.id")
    return [_programme(r) for r in rows if await _programme_visible(actor, r)]


async def get_programme(actor: Principal, programme_id: int) -> ProgrammeRead:
    rows = await dict_rows(_PROGRAMMES + " WHERE p.id = {}", programme_id)
    if not rows or not await _programme_visible(actor, rows[0]):
        raise NotFound()
    return _programme(rows[0])


async def programme_form_options(actor: Principal) -> dict[str, list[dict[str, Any]]]:
    """Choices of the programme form: templates, the caller's sites and regions, asset
    categories, active partners and the staff who can be assignees."""
    sites = await scope.visible_site_ids(actor)
    site_rows = await dict_rows(
        "SELECT id, code, name, region FROM site WHERE archived = {} ORDER BY name, id", False
    )
    regions = await scope.visible_region_ids(actor)
    region_rows = await dict_rows("SELECT id, name FROM region ORDER BY name, id")
    return {
        "templates": await dict_rows(
            "SELECT id, name, active FROM inspection_template ORDER BY name, id"
        ),
        "sites": [r for r in site_rows if sites is None or r["id"] in sites],
        "regions": [r for r in region_rows if regions is None or r["id"] in regions],
        "categories": await dict_rows("SELECT id, name FROM asset_category ORDER BY name, id"),
        "partners": await dict_rows(
            "SELECT id, name FROM partner_organisation WHERE active = {} ORDER BY name, id", True
        ),
        "people": await dict_rows(
            "SELECT id, name, email FROM app_user WHERE active = {} AND role IN ({}, {}, {})"
            " ORDER BY name, id LIMIT 500",
            True,
            Role.community_manager.value,
            Role.ops_manager.value,
            Role.admin.value,
        ),
    }


# ---- inspections -------------------------------------------------------------------------

_INSPECTIONS = (
    "SELECT i.*, s.name AS site_name, s.time_zone, a.name AS asset_name,"
    " t.id AS template_id, t.name AS template_name, v.version AS template_version_no,"
    " v.items FROM inspection i JOIN site s ON s.id = i.site"
    " LEFT JOIN asset a ON a.id = i.asset"
    " JOIN inspection_template_version v ON v.id = i.template_version"
    " JOIN inspection_template t ON t.id = v.template"
)


async def inspection_row(actor: Principal, inspection_id: int) -> dict[str, Any]:
    """The inspection with its site, asset and template, in the caller's scope (else 404)."""
    condition, args = await _condition(actor, "i")
    rows = await dict_rows(
        _INSPECTIONS + f" WHERE i.id = {{}} AND {condition}", inspection_id, *args
    )
    if not rows:
        raise NotFound()
    return rows[0]


# The columns of an item's answer that saving one reads and writes.
ANSWER_COLUMNS = (
    "id", "version", "answered", "value_text", "value_number", "out_of_limits", "note",
    "photo_key", "answered_at",
)  # fmt: skip
_CURRENT = ", ".join(f"a.{c} AS answer_{c}" for c in ANSWER_COLUMNS)
_ANSWER_TARGET = (
    "SELECT i.id, i.site, i.status, i.only_item, i.template_version,"  # noqa: S608 - constants
    " v.version AS template_version_no, v.items, t.name AS template_name,"
    " k.inspection AS key_inspection, k.kind AS key_kind, k.response AS key_response, "
    + _CURRENT
    + " FROM inspection i JOIN inspection_template_version v ON v.id = i.template_version"
    " JOIN inspection_template t ON t.id = v.template"
    " LEFT JOIN inspection_client_key k ON k.client_key = {}"
    " LEFT JOIN inspection_answer a ON a.inspection = i.id AND a.item_key = {}"
)


async def answer_target(
    actor: Principal, inspection_id: int, client_key: str | None, item_key: str
) -> dict[str, Any]:
    """What saving an answer needs, in one read (the hot path of conducting): the
    inspection's state, site and template version with its items, the request that
    already took ``client_key`` if one did (``key_inspection``, ``key_kind``,
    ``key_response``; all None otherwise) and the item's current answer (``answer_id``,
    ``answer_version``, … as in ``ANSWER_COLUMNS``; all None without one). In the
    caller's scope, else 404."""
    condition, args = await _condition(actor, "i")
    rows = await db.select(
        _ANSWER_TARGET + f" WHERE i.id = {{}} AND {condition}",
        client_key.lower() if client_key else None,
        item_key,
        inspection_id,
        *args,
    )
    if not rows:
        raise NotFound()
    return rows[0]


def current_answer(row: dict[str, Any]) -> dict[str, Any] | None:
    """The item's answer ``answer_target`` read (``ANSWER_COLUMNS``), or None."""
    if row["answer_id"] is None:
        return None
    return {c: row[f"answer_{c}"] for c in ANSWER_COLUMNS}


async def answer_now(inspection_id: int, item_key: str) -> dict[str, Any] | None:
    """The item's answer as committed now (``ANSWER_COLUMNS``), or None: read again after
    a save found it changed since ``answer_target``."""
    rows = await db.select(
        f"SELECT {', '.join(ANSWER_COLUMNS)} FROM inspection_answer"  # noqa: S608 - constants
        " WHERE inspection = {} AND item_key = {}",
        inspection_id,
        item_key,
    )
    return rows[0] if rows else None


@lru_cache(maxsize=64)
def _parsed_items(text: str) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(text or "[]"))


def inspection_items(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The items the inspection asks: its version's, or the one item of a re-check."""
    raw = row["items"]
    # A version's items never change: the same text is parsed once (the items' dicts are
    # shared between requests: read them, never change them).
    items = list(_parsed_items(raw)) if isinstance(raw, str) else json_list(raw)
    if row["only_item"]:
        items = [dict(i, show_if_item=None) for i in items if i["key"] == row["only_item"]]
    return items


async def answers_of(inspection_id: int) -> dict[str, dict[str, Any]]:
    rows = await dict_rows(
        "SELECT * FROM inspection_answer WHERE inspection = {} ORDER BY id", inspection_id
    )
    return {r["item_key"]: r for r in rows}


def answer_read(item: dict[str, Any] | None, row: dict[str, Any]) -> AnswerRead:
    return AnswerRead(
        item_key=row["item_key"],
        answered=bool(row["answered"]),
        value_text=row["value_text"],
        value_number=decimal_or_none(row["value_number"]),
        out_of_limits=bool(row["out_of_limits"]),
        fails=bool(item and fails(item, row)),
        note=row["note"] or "",
        has_photo=row["photo_key"] is not None,
        version=int(row["version"]),
        answered_at=aware_or_none(row["answered_at"]),
    )


async def get_inspection(actor: Principal, inspection_id: int) -> InspectionRead:
    row = await inspection_row(actor, inspection_id)
    return await inspection_read(row)


async def inspection_read(row: dict[str, Any]) -> InspectionRead:
    items = inspection_items(row)
    answers = await answers_of(row["id"])
    by_key = {i["key"]: i for i in items}
    return InspectionRead(
        id=row["id"],
        programme_id=row["programme"],
        template_id=row["template_id"],
        template_name=row["template_name"],
        template_version=row["template_version_no"],
        template_version_id=row["template_version"],
        site_id=row["site"],
        site_name=row["site_name"],
        asset_id=row["asset"],
        asset_name=row["asset_name"],
        due_at=aware(row["due_at"]),
        status=InspectionStatus(effective_status(row["status"], row["due_at"])),
        only_item=row["only_item"] or None,
        assignee_role=row["assignee_role"] or "",
        assignee_partner_id=row["assignee_partner"],
        assignee_user_id=row["assignee_user"],
        started_at=aware_or_none(row["started_at"]),
        submitted_at=aware_or_none(row["submitted_at"]),
        score=decimal_or_none(row["score"]),
        earned=decimal_or_none(row["earned"]),
        possible=decimal_or_none(row["possible"]),
        version=int(row["version"]),
        recheck_of=row["recheck_of"],
        items=[item_read(i) for i in items],
        visible=[i["key"] for i in items if i["key"] in visible_keys(items, answers)],
        answers=[answer_read(by_key.get(k), a) for k, a in answers.items() if k in by_key],
    )


async def list_inspections(
    actor: Principal,
    *,
    status: InspectionStatus | None = None,
    site_id: int | None = None,
    limit: int = 200,
) -> list[InspectionSummary]:
    condition, args = await _condition(actor, "i")
    sql = _INSPECTIONS + f" WHERE {condition}"
    if site_id is not None:
        sql += " AND i.site = {}"
        args.append(site_id)
    now = clock.now()
    if status in (InspectionStatus.due, InspectionStatus.in_progress):
        sql += " AND i.status = {} AND i.due_at >= {}"
        args += [status.value, now]
    elif status is InspectionStatus.overdue:
        sql += " AND i.status IN ('due', 'in_progress') AND i.due_at < {}"
        args.append(now)
    elif status is not None:
        sql += " AND i.status = {}"
        args.append(status.value)
    sql += " ORDER BY i.due_at, i.id LIMIT {}"
    args.append(limit)
    rows = await dict_rows(sql, *args)
    return [
        InspectionSummary(
            id=r["id"],
            template_name=r["template_name"],
            site_id=r["site"],
            site_name=r["site_name"],
            asset_id=r["asset"],
            asset_name=r["asset_name"],
            due_at=aware(r["due_at"]),
            status=InspectionStatus(effective_status(r["status"], r["due_at"], now)),
            score=decimal_or_none(r["score"]),
            recheck_of=r["recheck_of"],
        )
        for r in rows
    ]


async def agenda_rows(actor: Principal, *, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Open inspections due in [start, end) the caller sees (the calendar and feeds)."""
    condition, args = await _condition(actor, "i")
    return await dict_rows(
        _INSPECTIONS + f" WHERE {condition} AND i.status IN ('due', 'in_progress')"
        " AND i.due_at >= {} AND i.due_at < {} ORDER BY i.due_at",
        *args,
        start,
        end,
    )


# ---- findings ----------------------------------------------------------------------------

_FINDINGS = (
    "SELECT f.*, s.name AS site_name, a.name AS asset_name,"
    " (SELECT count(*) FROM inspection_finding g WHERE g.site = f.site"
    " AND g.item_key = f.item_key AND g.template = f.template AND g.id <= f.id) AS recurrences"
    " FROM inspection_finding f JOIN site s ON s.id = f.site LEFT JOIN asset a ON a.id = f.asset"
)


def _finding(row: dict[str, Any]) -> FindingRead:
    return FindingRead(
        id=row["id"],
        inspection_id=row["inspection"],
        site_id=row["site"],
        site_name=row["site_name"],
        asset_id=row["asset"],
        asset_name=row["asset_name"],
        item_key=row["item_key"],
        item_label=row["item_label"],
        answer=row["answer"] or "",
        critical=bool(row["critical"]),
        status=FindingStatus(row["status"]),
        work_order_id=row["work_order"],
        recheck_inspection_id=row["recheck"],
        locked_out=bool(row["locked_out"]),
        recurrences=int(row["recurrences"]),
        created_at=aware(row["created_at"]),
        closed_at=aware_or_none(row["closed_at"]),
    )


async def list_findings(
    actor: Principal,
    *,
    status: FindingStatus | None = None,
    inspection_id: int | None = None,
    limit: int = 200,
) -> list[FindingRead]:
    condition, args = await _condition(actor, "f")
    sql = _FINDINGS + f" WHERE {condition}"
    if status is not None:
        sql += " AND f.status = {}"
        args.append(status.value)
    if inspection_id is not None:
        sql += " AND f.inspection = {}"
        args.append(inspection_id)
    sql += " ORDER BY f.created_at DESC, f.id DESC LIMIT {}"
    args.append(limit)
    return [_finding(r) for r in await dict_rows(sql, *args)]


async def get_finding(actor: Principal, finding_id: int) -> FindingRead:
    condition, args = await _condition(actor, "f")
    rows = await dict_rows(_FINDINGS + f" WHERE f.id = {{}} AND {condition}", finding_id, *args)
    if not rows:
        raise NotFound()
    return _finding(rows[0])


async def finding_row(finding_id: int) -> dict[str, Any]:
    rows = await dict_rows("SELECT * FROM inspection_finding WHERE id = {}", finding_id)
    if not rows:
        raise NotFound()
    return rows[0]


async def recurring_findings(actor: Principal) -> list[dict[str, Any]]:
    """Findings counted per site and item (most first)."""
    condition, args = await _condition(actor, "f")
    return await dict_rows(
        "SELECT f.site, s.name AS site_name, f.item_key,"  # noqa: S608 - integer ids only
        " max(f.item_label) AS item_label, count(*) AS n,"
        " sum(CASE WHEN f.status = 'open' THEN 1 ELSE 0 END) AS open_count"
        f" FROM inspection_finding f JOIN site s ON s.id = f.site WHERE {condition}"
        " GROUP BY f.site, s.name, f.item_key ORDER BY n DESC, f.site LIMIT 100",
        *args,
    )


async def answer_photo(actor: Principal, inspection_id: int, item_key: str) -> tuple[str, str]:
    """(stored key, content type) of an item's photo or drawn signature (404 if none)."""
    await inspection_row(actor, inspection_id)
    rows = await dict_rows(
        "SELECT photo_key FROM inspection_answer WHERE inspection = {} AND item_key = {}",
        inspection_id,
        item_key,
    )
    if not rows or not rows[0]["photo_key"]:
        raise NotFound()
    key = rows[0]["photo_key"]
    return key, "image/png" if key.endswith(".png") else "image/jpeg"


# every calendar feed's poll asks this: each part from an index (``inspection_status``,
# ``inspection_started``, ``inspection_submitted``) or a table's last id
AGENDA_VERSION_SQL = (
    "SELECT (SELECT max(id) FROM inspection) AS last,"
    " (SELECT count(*) FROM inspection WHERE status IN ('due', 'in_progress')) AS open,"
    " (SELECT max(started_at) FROM inspection) AS started,"
    " (SELECT max(submitted_at) FROM inspection) AS submitted,"
    " (SELECT max(id) FROM inspection_template_version) AS versions"
)


async def agenda_version() -> tuple[Any, ...]:
    """Changes whenever an inspection the agenda shows may have changed: one is created,
    started, submitted or missed, or a template gets a new version (its name)."""
    rows = await dict_rows(AGENDA_VERSION_SQL)
    return tuple(str(v) for v in rows[0].values())


async def agenda_items(start: datetime, end: datetime, scope: AgendaScope) -> list[agenda.Item]:
    """Open inspections due in ``[start, end)`` inside ``scope`` (the calendar and iCal
    feeds, through ``maintenance.pm.agenda``'s provider hook)."""
    if scope.empty:
        return []
    sql = _INSPECTIONS + " WHERE i.status IN ('due', 'in_progress') AND i.due_at >= {}"
    sql += " AND i.due_at < {}"
    args: list[Any] = [start, end]
    if scope.site_ids is not None:
        sql += " AND i.site IN (" + ",".join(str(int(s)) for s in sorted(scope.site_ids)) + ")"
    if scope.partner_id is not None:
        sql += " AND i.assignee_partner = {}"
        args.append(scope.partner_id)
    return [
        agenda.Item(
            uid=f"insp-{r['id']}",
            title=r["template_name"] + (f" · {r['asset_name']}" if r["asset_name"] else ""),
            start=aware(r["due_at"]),
            minutes=INSPECTION_MINUTES,
            site_id=r["site"],
            site_name=r["site_name"],
            time_zone=r["time_zone"] or "UTC",
            space_id=None,
            asset_id=r["asset"],
            work_order_id=None,
            status=r["status"],
            kind="inspection",
            href=f"/safety/inspections/{r['id']}",
            partner_id=r["assignee_partner"],
        )
        for r in await dict_rows(sql + " ORDER BY i.due_at, i.id LIMIT 3000", *args)
    ]
