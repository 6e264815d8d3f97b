"""The work-order controllers, for ``facilities.app.ROUTERS``."""

from facilities.maintenance.workorders.controllers.api import WorkOrdersApi
from facilities.maintenance.workorders.controllers.edit_pages import WorkOrderEditPages
from facilities.maintenance.workorders.controllers.magic_pages import MagicLinkPages
from facilities.maintenance.workorders.controllers.pages import WorkOrderPages

__all__ = ["MagicLinkPages", "WorkOrderEditPages", "WorkOrderPages", "WorkOrdersApi"]
