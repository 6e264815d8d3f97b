"""The checklist controllers, for ``facilities.app.ROUTERS``."""

from facilities.maintenance.checklists.api import ChecklistsApi
from facilities.maintenance.checklists.pages import ChecklistPages

__all__ = ["ChecklistPages", "ChecklistsApi"]
