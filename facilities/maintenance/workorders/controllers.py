"""The work-order controllers, for ``facilities.app.ROUTERS``."""

from facilities.maintenance.workorders.api import WorkOrdersApi
from facilities.maintenance.workorders.edit import WorkOrderEditPages
from facilities.maintenance.workorders.pages import WorkOrderPages

__all__ = ["WorkOrderEditPages", "WorkOrderPages", "WorkOrdersApi"]
