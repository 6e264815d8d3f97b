"""The checklist controllers, for ``facilities.app.ROUTERS``."""

from facilities.maintenance.checklists.controllers.api import ChecklistsApi
from facilities.maintenance.checklists.controllers.pages import ChecklistPages

__all__ = ["ChecklistPages", "ChecklistsApi"]
