"""The reporting controllers, for ``facilities.app.ROUTERS``."""

from facilities.reporting.controllers.api import AuditApi
from facilities.reporting.controllers.pages import AuditPages

__all__ = ["AuditApi", "AuditPages"]
