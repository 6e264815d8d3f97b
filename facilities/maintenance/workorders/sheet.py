"""The printable work-order sheet (PDF): rendered by WeasyPrint off the event loop, with a
fetcher that refuses everything but data: URIs (``facilities.kit.pdf``)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment

from facilities.accounts.principal import Principal
from facilities.kit import clock, pdf
from facilities.kit.i18n import _
from facilities.kit.templating import TEMPLATE_DIR, make_environment
from facilities.maintenance.lifecycle import STATUS_LABELS
from facilities.maintenance.workorders import context, queries
from facilities.maintenance.workorders.schemas import KIND_LABELS, PRIORITY_LABELS


@cache
def _environment() -> Environment:
    return make_environment([TEMPLATE_DIR])


async def sheet_values(principal: Principal, work_order_id: int) -> dict[str, Any]:
    order = await queries.get_work_order(principal, work_order_id)
    return {
        "order": order,
        "site": await context.site_facts(order.site_id),
        "asset": await context.asset_facts(order.asset_id) if order.asset_id else None,
        "checklist": await context.checklist_items(work_order_id),
        "times": await queries.time_entries(principal, work_order_id),
        "costs": await queries.costs(principal, work_order_id),
        "totals": await queries.totals(principal, work_order_id),
        "status_label": _(STATUS_LABELS[order.status]),
        "kind_label": _(KIND_LABELS[order.kind]),
        "priority_label": _(PRIORITY_LABELS[order.priority]),
        "printed_at": clock.now(),
    }


def html(values: dict[str, Any]) -> str:
    return _environment().get_template("maintenance/workorders/sheet.html").render(**values)


async def render(principal: Principal, work_order_id: int) -> bytes:
    """The sheet of a work order in the caller's scope (404 otherwise)."""
    return await pdf.render(html(await sheet_values(principal, work_order_id)))
