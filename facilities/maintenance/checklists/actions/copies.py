"""A work order's copy of a checklist version: instantiate, lazily ensure, attach."""

from __future__ import annotations

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import raw, transaction
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _
from facilities.maintenance.checklists import queries
from facilities.maintenance.checklists.schemas import (
    ChecklistRead,
)
from facilities.maintenance.lifecycle import WorkOrderStatus
from facilities.maintenance.tables import (
    WorkOrder,
    WorkOrderChecklistItem,
)


async def instantiate_checklist(*, work_order_id: int, version_id: int) -> None:
    """Copy a version's items into the work order (joins the caller's transaction) and set
    its ``checklist_version``. Idempotent for the same version; another version → 409."""
    async with transaction():
        version = await queries.version_facts(version_id)
        if version is None:
            raise RuleViolation("checklist_version_id", _("Unknown checklist version."))
        if await WorkOrderChecklistItem.exists().where(
            WorkOrderChecklistItem.work_order == work_order_id
        ):
            row = (
                await WorkOrder.select(WorkOrder.checklist_version)
                .where(WorkOrder.id == work_order_id)
                .first()
            )
            if row is not None and row["checklist_version"] == version_id:
                return
            raise Conflict(_("This work order already has a checklist."), field="checklist")
        await WorkOrder.update({WorkOrder.checklist_version: version_id}).where(
            WorkOrder.id == work_order_id
        )
        rows = [
            WorkOrderChecklistItem(
                work_order=work_order_id,
                position=position,
                key=item.key,
                label=item.label,
                kind=item.kind.value,
                unit=item.unit,
                min_value=item.min,
                max_value=item.max,
                required=item.required,
                out_of_limits=False,
            )
            for position, item in enumerate(queries.items_of(version["items"]), start=1)
        ]
        if rows:
            await WorkOrderChecklistItem.insert(*rows).run()


async def ensure_checklist(work_order_id: int) -> None:
    """Materialise the items of an order that has a version but no items yet (generated
    work orders are bulk-inserted without them). Safe to call concurrently."""
    row = (
        await WorkOrder.select(WorkOrder.checklist_version)
        .where(WorkOrder.id == work_order_id)
        .first()
    )
    if row is None or row["checklist_version"] is None:
        return
    if await WorkOrderChecklistItem.exists().where(
        WorkOrderChecklistItem.work_order == work_order_id
    ):
        return
    async with transaction():
        await raw(
            "UPDATE work_order SET checklist_version = checklist_version WHERE id = {}",
            work_order_id,
        )
        if await WorkOrderChecklistItem.exists().where(
            WorkOrderChecklistItem.work_order == work_order_id
        ):
            return
        await instantiate_checklist(
            work_order_id=work_order_id, version_id=row["checklist_version"]
        )


async def load_checklist(actor: Principal, work_order_id: int) -> ChecklistRead:
    """The checklist of a work order in the caller's scope (materialised on first read)."""
    order = await queries.order_in_scope(actor, work_order_id)
    await ensure_checklist(work_order_id)
    return await queries.checklist_of(order)


async def attach_checklist(
    *, actor: Principal, work_order_id: int, template_id: int
) -> ChecklistRead:
    """Give an order without a checklist the current version of a template (staff)."""
    async with transaction():
        order = await queries.order_in_scope(actor, work_order_id)
        if WorkOrderStatus(order["status"]) in (
            WorkOrderStatus.completed,
            WorkOrderStatus.verified,
            WorkOrderStatus.cancelled,
        ):
            raise Conflict(_("This work order is closed."), field="status")
        if order["checklist_version"] is not None:
            raise Conflict(_("This work order already has a checklist."), field="template_id")
        version_id = await queries.latest_version_id(template_id)
        if version_id is None:
            raise RuleViolation("template_id", _("Unknown checklist."))
        await instantiate_checklist(work_order_id=work_order_id, version_id=version_id)
        await audit.record(
            actor=actor,
            action="work_order.checklist",
            object_type="work_order",
            object_id=work_order_id,
            summary=order["title"],
            site_id=order["site"],
            after={"template_id": template_id, "version_id": version_id},
        )
        order["checklist_version"] = version_id
        return await queries.checklist_of(order)
