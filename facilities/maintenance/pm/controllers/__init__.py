"""HTTP of preventive maintenance: the API and the pages."""

from facilities.maintenance.pm.controllers.api import CalendarFeedPublic, PMApi
from facilities.maintenance.pm.controllers.pages import PMPages

__all__ = ["CalendarFeedPublic", "PMApi", "PMPages"]
