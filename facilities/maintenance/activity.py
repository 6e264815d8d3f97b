"""The maintenance side of an asset's page: its problem reports and its work orders,
providers of ``facilities.assets.activity`` (installed by ``facilities.wiring.install``)."""

from __future__ import annotations

from facilities.accounts.principal import Principal
from facilities.assets.activity import ActivityItem
from facilities.kit.i18n import _
from facilities.maintenance.enums import REPORT_STATUS_LABELS, ReportStatus
from facilities.maintenance.lifecycle import OPEN_STATES, STATUS_LABELS
from facilities.maintenance.reports import queries
from facilities.maintenance.workorders import queries as workorder_queries


async def report_activity(principal: Principal, asset_id: int) -> list[ActivityItem]:
    if not principal.can("reports.view"):
        return []
    page = await queries.list_reports(principal, asset_id=asset_id, limit=20)
    return [
        ActivityItem(
            kind=_("Problem report"),
            title=report.title,
            status=_(REPORT_STATUS_LABELS[ReportStatus(report.status)]),
            at=report.created_at,
            url=f"/problem-reports/{report.id}",
            open=report.status == ReportStatus.new,
        )
        for report in page.items
    ]


async def work_order_activity(principal: Principal, asset_id: int) -> list[ActivityItem]:
    """The asset's work orders the principal may see (newest first, at most 20)."""
    if not principal.can("workorders.view"):
        return []
    page = await workorder_queries.list_work_orders(principal, asset_id=asset_id, limit=20)
    return [
        ActivityItem(
            kind=_("Work order"),
            title=order.title,
            status=_(STATUS_LABELS[order.status]),
            at=order.created_at,
            url=f"/work-orders/{order.id}",
            open=order.status in OPEN_STATES,
        )
        for order in page.items
    ]
