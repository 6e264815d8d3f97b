"""Follow-up work orders from failed, flagged or out-of-limits items."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import raw, transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _
from facilities.maintenance.checklists import queries
from facilities.maintenance.checklists.actions.answers import item_row, may_work
from facilities.maintenance.checklists.schemas import (
    VERDICT_LABELS,
    FollowUpRead,
    Verdict,
)
from facilities.maintenance.lifecycle import WorkOrderStatus
from facilities.maintenance.tables import (
    WorkOrder,
    WorkOrderChecklistItem,
    WorkOrderEvent,
)


def _answer_text(item: dict[str, Any]) -> str:
    if item["value_number"] is not None:
        number = queries.plain(Decimal(str(item["value_number"])))
        text = f"{number} {item['unit'] or ''}".strip()
        low, high = item["min_value"], item["max_value"]
        if low is not None or high is not None:
            low_text = str(queries.plain(Decimal(str(low)))) if low is not None else "…"
            high_text = str(queries.plain(Decimal(str(high)))) if high is not None else "…"
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
    Same site, space and asset; origin "follow_up", parent = this order; status open.
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
        if item["answered_at"] is None or not queries.needs_follow_up(
            item["kind"], item["value_text"], bool(item["out_of_limits"])
        ):
            raise Conflict(
                _("Only a failed or flagged item, or a reading out of limits, gets a follow-up."),
                field="item_id",
            )
        severe = item["value_text"] == Verdict.fail.value or bool(item["out_of_limits"])
        kind = "corrective" if severe else "inspection_follow_up"
        priority = "p2" if severe else "p3"
        now = clock.now()
        description = _(
            "Follow-up of work order #%(id)d “%(title)s”: “%(label)s” was answered %(answer)s."
        ) % {
            "id": work_order_id,
            "title": order["title"],
            "label": item["label"],
            "answer": _answer_text(item),
        }
        follow_up = WorkOrder(
            kind=kind,
            title=item["label"][:200],
            description=description,
            site=order["site"],
            space=order["space"],
            asset=order["asset"],
            priority=priority,
            status=WorkOrderStatus.open.value,
            origin="follow_up",
            parent=work_order_id,
            version=1,
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        await follow_up.save()
        follow_up_id = int(follow_up.id)
        await WorkOrderEvent.insert(
            WorkOrderEvent(
                work_order=follow_up_id,
                action="create",
                from_status=None,
                to_status=WorkOrderStatus.open.value,
                actor=actor.user_id,
                actor_label=actor.label,
                note=_("Follow-up of work order #%(id)d") % {"id": work_order_id},
                created_at=now,
            )
        ).run()
        await WorkOrderChecklistItem.update({WorkOrderChecklistItem.follow_up: follow_up_id}).where(
            WorkOrderChecklistItem.id == item_id
        )
        await audit.record(
            actor=actor,
            action="work_order.create",
            object_type="work_order",
            object_id=follow_up_id,
            summary=follow_up.title,
            site_id=order["site"],
            after={
                "kind": kind,
                "origin": "follow_up",
                "priority": priority,
                "status": "open",
                "parent_id": work_order_id,
                "checklist_item": item["key"],
                "asset_id": order["asset"],
            },
        )
    return FollowUpRead(work_order_id=follow_up_id, item_id=item_id, created=True)
