"""The reporting controllers, for ``facilities.app.ROUTERS``."""

from facilities.reporting.controllers.api import AuditApi
from facilities.reporting.controllers.pages import (
    AuditPages,
    CalendarPages,
    HomePages,
    KpiHelpPages,
)

__all__ = ["AuditApi", "AuditPages", "CalendarPages", "HomePages", "KpiHelpPages"]
