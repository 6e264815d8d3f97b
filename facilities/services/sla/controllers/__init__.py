"""The SLA controllers, for ``facilities.app.ROUTERS``."""

from facilities.services.sla.controllers.api import SlaApi
from facilities.services.sla.controllers.pages import SlaPages

__all__ = ["SlaApi", "SlaPages"]
