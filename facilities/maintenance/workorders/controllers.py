"""The work-order controllers, for ``facilities.app.ROUTERS``."""

from facilities.maintenance.workorders.api import WorkOrdersApi
from facilities.maintenance.workorders.edit import WorkOrderEditPages
from facilities.maintenance.workorders.magic_pages import MagicLinkPages
from facilities.maintenance.workorders.pages import WorkOrderPages

__all__ = ["MagicLinkPages", "WorkOrderEditPages", "WorkOrderPages", "WorkOrdersApi"]
