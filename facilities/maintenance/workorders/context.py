"""Reads around a work order: the site's address and access notes, the asset's facts and
history, the checklist rows for the sheet, and the choices on the forms. Callers have
already checked that the order (and so its site) is in scope."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation, User
from facilities.assets.tables import Asset
from facilities.kit.errors import NotFound
from facilities.maintenance.tables import (
    ProblemReport,
    WorkOrder,
    WorkOrderChecklistItem,
    WorkOrderPhoto,
)
from facilities.maintenance.workorders.schemas import PhotoStage
from facilities.sites import scope
from facilities.sites.tables import Site


async def checklist_items(work_order_id: int) -> list[dict[str, Any]]:
    """The order's checklist rows (answered or not), for the printable sheet."""
    return list(
        await WorkOrderChecklistItem.select(
            WorkOrderChecklistItem.label,
            WorkOrderChecklistItem.kind,
            WorkOrderChecklistItem.unit,
            WorkOrderChecklistItem.min_value,
            WorkOrderChecklistItem.max_value,
            WorkOrderChecklistItem.required,
            WorkOrderChecklistItem.value_text,
            WorkOrderChecklistItem.value_number,
            WorkOrderChecklistItem.photo_key,
            WorkOrderChecklistItem.out_of_limits,
            WorkOrderChecklistItem.answered_at,
        )
        .where(WorkOrderChecklistItem.work_order == work_order_id)
        .order_by(WorkOrderChecklistItem.position)
    )


async def photo_keys(work_order_id: int) -> list[tuple[str, PhotoStage]]:
    """(storage key, stage) of the order's photos, oldest first, for the printable sheet."""
    rows = (
        await WorkOrderPhoto.select(WorkOrderPhoto.storage_key, WorkOrderPhoto.stage)
        .where(WorkOrderPhoto.work_order == work_order_id)
        .order_by(WorkOrderPhoto.id)
    )
    return [(r["storage_key"], PhotoStage(r["stage"])) for r in rows]


# ---- context for the people doing the work -------------------------------------------


async def site_facts(site_id: int) -> dict[str, Any]:
    """Address and access notes (the caller already holds an order at this site)."""
    row: dict[str, Any] | None = (
        await Site.select(
            Site.name,
            Site.code,
            Site.address,
            Site.postal_code,
            Site.city,
            Site.access_notes,
            Site.time_zone,
        )
        .where(Site.id == site_id)
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def asset_facts(asset_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Asset.select(
            Asset.id,
            Asset.name,
            Asset.manufacturer,
            Asset.model,
            Asset.serial_number,
            Asset.status,
            Asset.locked_out,
            Asset.lockout_reason,
            Asset.install_date,
            Asset.category.name.as_alias("category_name"),
        )
        .where(Asset.id == asset_id)
        .first()
    )
    return row


async def asset_history(
    asset_id: int, *, exclude_id: int, limit: int = 20
) -> dict[str, list[dict[str, Any]]]:
    """Earlier work orders and problem reports of the asset (titles, states, dates only)."""
    orders = (
        await WorkOrder.select(
            WorkOrder.id,
            WorkOrder.title,
            WorkOrder.status,
            WorkOrder.created_at,
            WorkOrder.completed_at,
            WorkOrder.completion_note,
        )
        .where((WorkOrder.asset == asset_id) & (WorkOrder.id != exclude_id))
        .order_by(WorkOrder.created_at, ascending=False)
        .limit(limit)
    )
    reports = (
        await ProblemReport.select(
            ProblemReport.id, ProblemReport.title, ProblemReport.status, ProblemReport.created_at
        )
        .where(ProblemReport.asset == asset_id)
        .order_by(ProblemReport.created_at, ascending=False)
        .limit(limit)
    )
    return {"work_orders": list(orders), "reports": list(reports)}


async def partner_organisations() -> list[dict[str, Any]]:
    rows = (
        await PartnerOrganisation.select(PartnerOrganisation.id, PartnerOrganisation.name)
        .where(PartnerOrganisation.active == True)  # noqa: E712
        .order_by(PartnerOrganisation.name)
    )
    return list(rows)


async def partner_people(partner_organisation_id: int | None = None) -> list[dict[str, Any]]:
    query = User.select(User.id, User.name, User.partner_organisation).where(
        (User.role == Role.partner.value) & (User.active == True)  # noqa: E712
    )
    if partner_organisation_id is not None:
        query = query.where(User.partner_organisation == partner_organisation_id)
    return list(await query.order_by(User.name))


async def choosable_sites(principal: Principal) -> list[dict[str, Any]]:
    visible = await scope.visible_site_ids(principal)
    query = Site.select(Site.id, Site.name).where(Site.archived == False)  # noqa: E712
    if visible is not None:
        query = query.where(Site.id.is_in(list(visible) or [-1]))
    return list(await query.order_by(Site.name))


async def site_assets(site_id: int) -> list[dict[str, Any]]:
    """Assets to choose from on the new-order form (the caller checked the site)."""
    rows = (
        await Asset.select(Asset.id, Asset.name)
        .where((Asset.site == site_id) & (Asset.status != "retired"))
        .order_by(Asset.name)
    )
    return list(rows)
