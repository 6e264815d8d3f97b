"""The maintenance side of an asset's page: its problem reports (and, through the
work-order queries, its work orders), registered with ``facilities.assets.activity``."""

from __future__ import annotations

from facilities.accounts.principal import Principal
from facilities.assets.activity import ActivityItem
from facilities.kit.i18n import _
from facilities.maintenance import queries
from facilities.maintenance.enums import REPORT_STATUS_LABELS, ReportStatus


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
