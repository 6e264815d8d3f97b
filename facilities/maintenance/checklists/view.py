"""What the work-order page's ``_checklist.html`` partial needs (no HTTP, no controller
imports, so the work-order pages can import it without a cycle)."""

from __future__ import annotations

from typing import Any

from facilities.accounts.principal import Principal
from facilities.kit.i18n import _
from facilities.maintenance.checklists import actions, queries
from facilities.maintenance.checklists.schemas import ITEM_KIND_LABELS, VERDICT_LABELS


def labels() -> dict[str, Any]:
    return {
        "cl_kind_labels": {k.value: _(v) for k, v in ITEM_KIND_LABELS.items()},
        "cl_verdict_labels": {k.value: _(v) for k, v in VERDICT_LABELS.items()},
    }


def _can_answer(me: Principal) -> bool:
    return me.can("workorders.work") or me.can("workorders.manage")


async def checklist_context(me: Principal, work_order_id: int) -> dict[str, Any]:
    """Context for ``maintenance/workorders/_checklist.html`` on the work-order page:
    ``context.update(await checklist_context(me, order.id))``."""
    checklist = await actions.load_checklist(me, work_order_id)
    can_attach = me.can("workorders.manage") and checklist.version_id is None
    return {
        "checklist": checklist,
        "cl_can_answer": _can_answer(me),
        "cl_can_attach": can_attach,
        "cl_templates": await queries.choosable_templates() if can_attach else [],
        "cl_errors": {},
        "cl_back": "order",
        **labels(),
    }
