"""Reads of checklist templates and of work orders' checklists.

Work-order scoping (``order_in_scope``) is the work orders' own rule
(``facilities.maintenance.workorders.queries.scope_conditions``): staff see the orders of
their visible sites, a partner the orders assigned to its organisation; anything else is 404.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from facilities.accounts.principal import Principal
from facilities.assets.tables import AssetCategory
from facilities.db import raw
from facilities.kit.errors import NotFound
from facilities.kit.rows import aware, to_struct
from facilities.maintenance.checklists.engine import missing_required, needs_follow_up, plain
from facilities.maintenance.checklists.schemas import (
    ChecklistItemRead,
    ChecklistRead,
    ChecklistTemplateRead,
    ChecklistVersionRead,
    ItemKind,
    ItemRead,
)
from facilities.maintenance.lifecycle import WorkOrderStatus
from facilities.maintenance.tables import (
    ChecklistTemplate,
    ChecklistTemplateVersion,
    WorkOrder,
    WorkOrderChecklistItem,
)
from facilities.maintenance.workorders import queries as workorder_queries

# Answers are taken only while the work is being done.
ANSWERABLE = frozenset({WorkOrderStatus.accepted, WorkOrderStatus.in_progress})


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return plain(Decimal(str(value)))


def items_of(value: Any) -> list[ItemRead]:
    """A version's ``items`` JSON (a string on some drivers) as schemas."""
    data = json.loads(value) if isinstance(value, str | bytes) else (value or [])
    return [
        ItemRead(
            key=item["key"],
            label=item["label"],
            kind=ItemKind(item["kind"]),
            unit=item.get("unit") or "",
            min=_decimal(item.get("min")),
            max=_decimal(item.get("max")),
            required=bool(item.get("required", True)),
        )
        for item in data
    ]


# ---- templates --------------------------------------------------------------------------

_LATEST = (
    "SELECT v.id, v.template, v.version, v.items, v.created_at FROM checklist_template_version v"
    " WHERE v.version = (SELECT max(w.version) FROM checklist_template_version w"
    " WHERE w.template = v.template)"
)


async def _latest_versions(template_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not template_ids:
        return {}
    marks = ", ".join("{}" for _ in template_ids)
    rows = await raw(f"{_LATEST} AND v.template IN ({marks})", *template_ids)
    return {row["template"]: row for row in rows}


def _template_read(row: dict[str, Any], latest: dict[str, Any]) -> ChecklistTemplateRead:
    return to_struct(
        ChecklistTemplateRead,
        row,
        {"category_id": "category"},
        version=latest["version"],
        version_id=latest["id"],
        items=items_of(latest["items"]),
        version_created_at=aware(latest["created_at"]),
    )


_TEMPLATE_COLUMNS = (
    ChecklistTemplate.id,
    ChecklistTemplate.name,
    ChecklistTemplate.category,
    ChecklistTemplate.category.name.as_alias("category_name"),
    ChecklistTemplate.active,
    ChecklistTemplate.created_at,
)


async def list_templates(
    *, category_id: int | None = None, active: bool | None = None
) -> list[ChecklistTemplateRead]:
    query = ChecklistTemplate.select(*_TEMPLATE_COLUMNS)
    if category_id is not None:
        query = query.where(ChecklistTemplate.category == category_id)
    if active is not None:
        query = query.where(ChecklistTemplate.active == active)
    rows = await query.order_by(ChecklistTemplate.name)
    latest = await _latest_versions([r["id"] for r in rows])
    return [_template_read(r, latest[r["id"]]) for r in rows if r["id"] in latest]


async def get_template(template_id: int) -> ChecklistTemplateRead:
    row = (
        await ChecklistTemplate.select(*_TEMPLATE_COLUMNS)
        .where(ChecklistTemplate.id == template_id)
        .first()
    )
    latest = await _latest_versions([template_id]) if row else {}
    if row is None or template_id not in latest:
        raise NotFound()
    return _template_read(row, latest[template_id])


_VERSION_KEYS = {"template_id": "template", "created_by_id": "created_by"}


async def list_versions(template_id: int) -> list[ChecklistVersionRead]:
    await get_template(template_id)
    rows = (
        await ChecklistTemplateVersion.select()
        .where(ChecklistTemplateVersion.template == template_id)
        .order_by(ChecklistTemplateVersion.version, ascending=False)
    )
    return [
        to_struct(ChecklistVersionRead, r, _VERSION_KEYS, items=items_of(r["items"])) for r in rows
    ]


async def version_facts(version_id: int) -> dict[str, Any] | None:
    """Template id and name, version number and items of one version."""
    row: dict[str, Any] | None = (
        await ChecklistTemplateVersion.select(
            ChecklistTemplateVersion.id,
            ChecklistTemplateVersion.template,
            ChecklistTemplateVersion.template.name.as_alias("template_name"),
            ChecklistTemplateVersion.version,
            ChecklistTemplateVersion.items,
        )
        .where(ChecklistTemplateVersion.id == version_id)
        .first()
    )
    return row


async def latest_version_id(template_id: int) -> int | None:
    latest = await _latest_versions([template_id])
    return int(latest[template_id]["id"]) if template_id in latest else None


async def default_version_for_category(category_id: int | None) -> int | None:
    """The current version of the category's checklist: its active template created first
    (lowest id); None when the category has none."""
    if category_id is None:
        return None
    row = (
        await ChecklistTemplate.select(ChecklistTemplate.id)
        .where(
            (ChecklistTemplate.category == category_id) & (ChecklistTemplate.active == True)  # noqa: E712
        )
        .order_by(ChecklistTemplate.id)
        .first()
    )
    return await latest_version_id(row["id"]) if row else None


async def choosable_templates() -> list[dict[str, Any]]:
    """Active templates (id, name) for pick lists."""
    rows = (
        await ChecklistTemplate.select(ChecklistTemplate.id, ChecklistTemplate.name)
        .where(ChecklistTemplate.active == True)  # noqa: E712
        .order_by(ChecklistTemplate.name)
    )
    return list(rows)


# ---- work orders' checklists --------------------------------------------------------


async def order_in_scope(principal: Principal, work_order_id: int) -> dict[str, Any]:
    """The facts of a work order the caller may see, else 404 (never 403)."""
    query = WorkOrder.select(
        WorkOrder.id,
        WorkOrder.title,
        WorkOrder.kind,
        WorkOrder.status,
        WorkOrder.site,
        WorkOrder.space,
        WorkOrder.asset,
        WorkOrder.partner_organisation,
        WorkOrder.checklist_version,
    ).where(WorkOrder.id == work_order_id)
    for condition in await workorder_queries.scope_conditions(principal):
        query = query.where(condition)
    row: dict[str, Any] | None = await query.first()
    if row is None:
        raise NotFound()
    return row


_ITEM_KEYS = {"answered_by_id": "answered_by", "follow_up_id": "follow_up"}


def _item_read(row: dict[str, Any], work_order_id: int) -> ChecklistItemRead:
    answered = row["answered_at"] is not None
    has_photo = row["photo_key"] is not None
    return to_struct(
        ChecklistItemRead,
        row,
        _ITEM_KEYS,
        unit=row["unit"] or "",
        min=_decimal(row["min_value"]),
        max=_decimal(row["max_value"]),
        answered=answered,
        value_number=_decimal(row["value_number"]),
        has_photo=has_photo,
        photo_url=(
            f"/api/v1/work-orders/{work_order_id}/checklist/items/{row['id']}/photo"
            if has_photo
            else None
        ),
        needs_follow_up=answered
        and needs_follow_up(row["kind"], row["value_text"], bool(row["out_of_limits"])),
    )


async def item_rows(work_order_id: int) -> list[dict[str, Any]]:
    return list(
        await WorkOrderChecklistItem.select(
            *WorkOrderChecklistItem.all_columns(),
            WorkOrderChecklistItem.answered_by.name.as_alias("answered_by_name"),
        )
        .where(WorkOrderChecklistItem.work_order == work_order_id)
        .order_by(WorkOrderChecklistItem.position)
    )


async def item_read(work_order_id: int, item_id: int) -> ChecklistItemRead:
    row = (
        await WorkOrderChecklistItem.select(
            *WorkOrderChecklistItem.all_columns(),
            WorkOrderChecklistItem.answered_by.name.as_alias("answered_by_name"),
        )
        .where(
            (WorkOrderChecklistItem.id == item_id)
            & (WorkOrderChecklistItem.work_order == work_order_id)
        )
        .first()
    )
    if row is None:
        raise NotFound()
    return _item_read(row, work_order_id)


async def checklist_of(order: dict[str, Any]) -> ChecklistRead:
    """The checklist of a work order already checked for scope (items materialised)."""
    work_order_id = order["id"]
    version = (
        await version_facts(order["checklist_version"]) if order["checklist_version"] else None
    )
    items = [_item_read(r, work_order_id) for r in await item_rows(work_order_id)]
    return ChecklistRead(
        work_order_id=work_order_id,
        version_id=version["id"] if version else None,
        template_id=version["template"] if version else None,
        template_name=version["template_name"] if version else None,
        version=version["version"] if version else None,
        editable=WorkOrderStatus(order["status"]) in ANSWERABLE,
        items=items,
        unanswered_required=[i.label for i in items if i.required and not i.answered],
    )


async def unanswered_required(work_order_id: int) -> list[str]:
    """Labels of the required items still unanswered (in order); [] without a checklist.

    Works before the items are materialised (generated orders): then every required item of
    the order's version counts as unanswered. Call it inside the "complete" transaction,
    after the order's row is locked (the version-checked UPDATE), to be race-free.
    """
    rows = (
        await WorkOrderChecklistItem.select(
            WorkOrderChecklistItem.label,
            WorkOrderChecklistItem.required,
            WorkOrderChecklistItem.answered_at,
        )
        .where(WorkOrderChecklistItem.work_order == work_order_id)
        .order_by(WorkOrderChecklistItem.position)
    )
    if rows:
        return missing_required(
            (r["label"], r["required"], r["answered_at"] is not None) for r in rows
        )
    order = (
        await WorkOrder.select(WorkOrder.checklist_version)
        .where(WorkOrder.id == work_order_id)
        .first()
    )
    if order is None or order["checklist_version"] is None:
        return []
    version = await version_facts(order["checklist_version"])
    return missing_required(
        (i.label, i.required, False) for i in items_of(version["items"] if version else [])
    )


async def item_photo(principal: Principal, work_order_id: int, item_id: int) -> tuple[str, str]:
    """(storage key, content type) of an item's photo or drawn signature."""
    await order_in_scope(principal, work_order_id)
    row = (
        await WorkOrderChecklistItem.select(WorkOrderChecklistItem.photo_key)
        .where(
            (WorkOrderChecklistItem.id == item_id)
            & (WorkOrderChecklistItem.work_order == work_order_id)
        )
        .first()
    )
    if row is None or row["photo_key"] is None:
        raise NotFound()
    key = row["photo_key"]
    return key, "image/png" if key.endswith(".png") else "image/jpeg"


async def category_choices() -> list[dict[str, Any]]:
    """Every asset category (id, name) by name, for the template form's category choice."""
    return await AssetCategory.select(AssetCategory.id, AssetCategory.name).order_by(
        AssetCategory.name
    )
