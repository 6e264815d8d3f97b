"""Follow-up work orders from failed, flagged or out-of-limits items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from facilities.accounts.principal import Principal
from facilities.db import raw, transaction
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _, in_installation_language
from facilities.maintenance.checklists import queries
from facilities.maintenance.checklists.actions.answers import item_row, may_work
from facilities.maintenance.checklists.engine import follow_up_severity, needs_follow_up, plain
from facilities.maintenance.checklists.schemas import (
    VERDICT_LABELS,
    FollowUpRead,
    Verdict,
)
from facilities.maintenance.lifecycle import WorkOrderStatus
from facilities.maintenance.tables import WorkOrderChecklistItem
from facilities.maintenance.workorders.creation import NewWorkOrder, create_work_orders
from facilities.maintenance.workorders.schemas import (
    Origin,
    Priority,
    WorkOrderCreate,
    WorkOrderKind,
)


def _answer_text(item: dict[str, Any]) -> str:
    if item["value_number"] is not None:
        number = plain(Decimal(str(item["value_number"])))
        text = f"{number} {item['unit'] or ''}".strip()
        low, high = item["min_value"], item["max_value"]
        if low is not None or high is not None:
            low_text = str(plain(Decimal(str(low)))) if low is not None else "…"
            high_text = str(plain(Decimal(str(high)))) if high is not None else "…"
            text += " " + _("(limits %(low)s – %(high)s)") % {"low": low_text, "high": high_text}
        return text
    verdict = item["value_text"] or ""
    try:
        return _(VERDICT_LABELS[Verdict(verdict)])
    except ValueError:
        return verdict


async def create_follow_up(*, actor: Principal, work_order_id: int, item_id: int) -> FollowUpRead:
    """One follow-up work order per failed, flagged or out-of-limits item (idempotent).

    Fail and out of limits: a corrective order at P2; flag: an inspection follow-up at P3.
    Same site, space and asset; origin "follow_up", parent = this order; the trade of the
    asset's category; status open, or assigned when a contract routes it to a partner.
    Created through ``workorders.creation`` (imported directly: ``workorders.actions``
    imports this package for the checklist copy).
    """
    async with transaction():
        order = await queries.order_in_scope(actor, work_order_id)
        may_work(actor)
        if order["status"] == WorkOrderStatus.cancelled.value:
            raise Conflict(_("This work order is cancelled."), field="status")
        locked = await raw(
            "UPDATE work_order_checklist_item SET follow_up = follow_up"
            " WHERE id = {} AND work_order = {} RETURNING id",
            item_id,
            work_order_id,
        )
        if not locked:
            raise RuleViolation("item_id", _("This item is not on the work order's checklist."))
        item = await item_row(work_order_id, item_id)
        if item["follow_up"] is not None:
            return FollowUpRead(work_order_id=item["follow_up"], item_id=item_id, created=False)
        if item["answered_at"] is None or not needs_follow_up(
            item["kind"], item["value_text"], bool(item["out_of_limits"])
        ):
            raise Conflict(
                _("Only a failed or flagged item, or a reading out of limits, gets a follow-up."),
                field="item_id",
            )
        severe = follow_up_severity(item["value_text"], bool(item["out_of_limits"])) == "severe"
        kind = WorkOrderKind.corrective if severe else WorkOrderKind.inspection_follow_up
        priority = Priority.p2 if severe else Priority.p3
        with in_installation_language():  # stored words (kit.i18n), not the clicker's
            description = _(
                "Follow-up of work order #%(id)d “%(title)s”: “%(label)s” was answered %(answer)s."
            ) % {
                "id": work_order_id,
                "title": order["title"],
                "label": item["label"],
                "answer": _answer_text(item),
            }
            note = _("Follow-up of work order #%(id)d") % {"id": work_order_id}
        # The one work-order write path: trade (the asset's category), routing, the
        # "create" event, the audit row and the hooks (notifications, SLA).
        [created] = await create_work_orders(
            actor=actor,
            orders=[
                NewWorkOrder(
                    data=WorkOrderCreate(
                        title=item["label"][:200],
                        site_id=order["site"],
                        kind=kind,
                        description=description,
                        space_id=order["space"],
                        asset_id=order["asset"],
                        priority=priority,
                    ),
                    origin=Origin.follow_up,
                    note=note,
                    parent_id=work_order_id,
                    audit_extra={"parent_id": work_order_id, "checklist_item": item["key"]},
                )
            ],
        )
        follow_up_id = created.id
        await WorkOrderChecklistItem.update({WorkOrderChecklistItem.follow_up: follow_up_id}).where(
            WorkOrderChecklistItem.id == item_id
        )
    return FollowUpRead(work_order_id=follow_up_id, item_id=item_id, created=True)
