from facilities.assets.monitoring.controllers.api import MonitoringApi
from facilities.assets.monitoring.controllers.pages import MonitoringPages

__all__ = ["MonitoringApi", "MonitoringPages"]
